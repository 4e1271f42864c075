-- raw_claims: one row per data row of every ingested file version, exactly as read (all text).
-- Key: raw_row_id (= ingest_seq of the file version + '-' + row_number). Carried from night to night.
-- raw_record holds every original column (headers as keys); the claim fields are the mapped text.
create table if not exists raw_claims (
    raw_row_id varchar not null primary key,
    source varchar not null,
    source_kind varchar not null,
    file_name varchar not null,
    file_sha256 varchar not null,
    row_number bigint not null,
    ingested_at timestamptz not null,
    claim_id varchar,
    submitted_at varchar,
    rep_id varchar,
    rep_name varchar,
    company_name varchar,
    contact_name varchar,
    phone varchar,
    email varchar,
    website varchar,
    credit_code varchar,
    province varchar,
    city varchar,
    address varchar,
    category varchar,
    industry varchar,
    note varchar,
    raw_record varchar not null
);
