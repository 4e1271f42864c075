-- run_logged: appends tonight's row to run_log (key: run_id) with the night's totals.
-- Parameters: run_id, as_of, started_at, files_new, model, finished_night.
insert into run_log
select ?, ?, ?, now(), ?, (select count(*) from raw_claims),
       (select count(*) from claims), (select count(*) from quarantine), ?, ?
