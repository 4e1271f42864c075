-- ingest_audit: what became of every row of every ingested file version.
-- Grain: one row per file version; key: file_sha256, source, file_name.
-- Every row read is accounted for: rows_read = accepted + quarantined + superseded, where
-- superseded counts rows of a file version replaced by a newer version of the same file.
-- Inputs: ingested_files, raw_claims, claims, quarantine.
-- @key: file_sha256, source, file_name
-- @rule every_row_accounted: rows_read = accepted + quarantined + superseded
with files as (
    select * from ingested_files
),

raw_rows as (
    select file_sha256, source, file_name, count(*) as rows_stored
    from raw_claims
    group by all
),

accepted as (
    select file_sha256, source, file_name, count(*) as accepted
    from claims
    group by all
),

quarantined as (
    select file_sha256, source, file_name, count(*) as quarantined
    from quarantine
    group by all
),

current_versions as (
    select source, file_name, max(ingest_seq) as current_seq
    from files
    group by all
),

final as (
    select
        files.ingest_seq,
        files.source,
        files.source_kind,
        files.file_name,
        files.file_sha256,
        files.ingested_at,
        files.rows_read,
        coalesce(raw_rows.rows_stored, 0) as rows_stored,
        coalesce(accepted.accepted, 0) as accepted,
        coalesce(quarantined.quarantined, 0) as quarantined,
        case when files.ingest_seq = current_versions.current_seq then 0 else files.rows_read end
            as superseded,
        files.blank_rows_skipped,
        files.ingest_seq = current_versions.current_seq as is_current
    from files
    left join raw_rows using (file_sha256, source, file_name)
    left join accepted using (file_sha256, source, file_name)
    left join quarantined using (file_sha256, source, file_name)
    inner join current_versions using (source, file_name)
)

select * from final
order by ingest_seq
