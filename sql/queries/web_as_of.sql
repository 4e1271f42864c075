-- web_as_of: the business date of the night that published this warehouse, shown on the screens.
-- Grain: one row (the latest run); empty before the first night.
select as_of from run_log order by started_at desc limit 1
