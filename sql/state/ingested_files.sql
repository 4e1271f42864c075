-- ingested_files: one row per distinct file version ever ingested (key: file_sha256, source, file_name).
-- Carried from night to night; a file whose sha256 is already here is not read again.
-- ingest_seq orders versions; the highest per (source, file_name) is the current one.
create table if not exists ingested_files (
    ingest_seq bigint not null,
    source varchar not null,
    source_kind varchar not null,
    file_name varchar not null,
    file_path varchar not null,
    file_sha256 varchar not null,
    ingested_at timestamptz not null,
    rows_read bigint not null,
    blank_rows_skipped bigint not null,
    primary key (file_sha256, source, file_name)
);
