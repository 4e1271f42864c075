-- current_raw_claims: the rows of the current version of every ingested file, as read.
-- Grain: one row per raw row (key: raw_row_id). A file read again after a change has a new
-- version (a higher ingest_seq); the rows of its older versions are superseded, not current.
-- A version that held no rows supersedes nothing.
-- raw_record is left out (it held 60% of the bytes of a million rows): the duplicate check reads the
-- few it needs (flows.intake_stage). The current versions are found among the files first, then
-- their rows kept (ranking a million rows by file took a second).
with current_files as (
    select source, file_name, file_sha256
    from ingested_files
    where rows_read > 0
    qualify ingest_seq = max(ingest_seq) over (partition by source, file_name)
)

select r.* exclude (raw_record)
from raw_claims as r
semi join current_files using (source, file_name, file_sha256)
