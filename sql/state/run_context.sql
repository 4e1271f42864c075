-- run_context: one row describing tonight's run (key: run_id), written by the flow before the marts
-- so that no model calls now(): as_of is the business date, as_of_end the instant every time rule
-- used as "now" (the end of the as-of day in the business time zone), timezone that zone.
create or replace table run_context (
    run_id varchar not null primary key,
    as_of date not null,
    as_of_end timestamptz not null,
    timezone varchar not null
);
