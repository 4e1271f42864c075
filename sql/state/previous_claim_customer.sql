-- previous_claim_customer: last night's claim → customer assignment (key: claim_id), copied from the
-- live warehouse so tonight's ids can stay stable. Dropped before publishing.
create table if not exists previous_claim_customer (
    claim_id varchar not null primary key,
    customer_id varchar not null
);
