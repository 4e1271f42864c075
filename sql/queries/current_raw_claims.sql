-- current_raw_claims: the rows of the current version of every ingested file, as read.
-- Grain: one row per raw row (key: raw_row_id). A file read again after a change has a new
-- version (a higher ingest_seq); the rows of its older versions are superseded, not current.
-- raw_record is left out (it held 60% of the bytes of a million rows): the duplicate check reads the
-- few it needs (flows.intake_stage).
select r.* exclude (raw_record) from raw_claims r
join ingested_files f using (source, file_name, file_sha256)
qualify f.ingest_seq = max(f.ingest_seq) over (partition by r.source, r.file_name)
