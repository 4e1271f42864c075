-- matching_runs: one row per night's matching (key: run_id). Carried from night to night: whether
-- the night matched incrementally or rebuilt in full, why, and what it starts the next night from
-- (the fingerprint of model, thresholds and code, and of the code and the model alone, which tell
-- which one changed; the engine that scored the pairs; term-frequency drift since the last full rebuild).
create table if not exists matching_runs (
    run_id varchar not null primary key,
    recorded_at timestamptz not null,
    mode varchar not null,
    reason varchar not null,
    fingerprint varchar not null,
    code_fingerprint varchar not null,
    model_fingerprint varchar,  -- null on rows of versions that did not keep it
    engine varchar,  -- duckdb / spark; null on rows of versions that did not keep it
    claims bigint not null,
    claims_touched bigint not null,
    claims_reclustered bigint not null,
    pairs_kept bigint not null,
    drift_bits double not null
);
