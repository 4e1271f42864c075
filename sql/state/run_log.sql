-- run_log: one row per completed nightly run (key: run_id). The only table with wall-clock times,
-- so the only one that differs between two runs on the same inputs and --as-of.
create table if not exists run_log (
    run_id varchar not null primary key,
    as_of date not null,
    started_at timestamptz not null,
    finished_at timestamptz not null,
    files_new bigint not null,
    rows_read bigint not null,
    claims bigint not null,
    quarantined bigint not null,
    model varchar,              -- the matching model the night scored with: trained tonight / saved / packaged default
    finished_night varchar      -- an earlier night stopped after its publish whose files this run wrote
);
