-- claim_first_accepted: one row per claim ever accepted (key: claim_id), with the business date of
-- the run that first accepted it. Carried from night to night: a claim is "new tonight" when this
-- date is the run's --as-of, so re-reading a corrected file never notifies old claims again, and a
-- re-run of the same night gives the same notices. On the first night, claims submitted before the
-- as-of minus the policy's first_night_window_days are history (is_backfill): replayed, never new.
create table if not exists claim_first_accepted (
    claim_id varchar not null primary key,
    first_accepted_on date not null,
    is_backfill boolean not null default false
);
