-- review_decisions: one row per reviewer decision ever read (key: decision_id). Carried from night
-- to night, so a decision keeps applying even after it leaves the decisions file.
create table if not exists review_decisions (
    decision_id varchar not null primary key,
    kind varchar not null,
    claim_id_a varchar not null,
    claim_id_b varchar,
    decision varchar not null,
    reviewer varchar,
    decided_at timestamptz not null,
    note varchar,
    first_read_run_id varchar not null
);
