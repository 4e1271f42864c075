-- claim_first_accepted: one row per claim ever accepted (key: claim_id), with the business date of
-- the run that first accepted it. Carried from night to night: a claim is "new tonight" when this
-- date is the run's --as-of, so re-reading a corrected file never notifies old claims again, and a
-- re-run of the same night gives the same notices.
create table if not exists claim_first_accepted (
    claim_id varchar not null primary key,
    first_accepted_on date not null
);
