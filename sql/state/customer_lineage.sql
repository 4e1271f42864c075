-- customer_lineage: one row per customer id change (key: run_id, old_customer_id, new_customer_id).
-- Carried from night to night. reason: merged (old id absorbed into new), split (claims moved from
-- old to a new customer), retired (old id has no claim left).
create table if not exists customer_lineage (
    run_id varchar not null,
    old_customer_id varchar not null,
    new_customer_id varchar,
    reason varchar not null,
    claims_moved bigint not null
);
