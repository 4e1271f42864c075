-- first_acceptance_recorded: adds tonight's newly accepted claims to claim_first_accepted (key:
-- claim_id), first accepted on the as-of date; a claim submitted before the backfill cut-off (only
-- set on a first night) is history. Returns is_backfill per row added.
-- Parameters: as_of, backfill cut-off (an instant, or null).
insert into claim_first_accepted
select claim_id, ?, coalesce(submitted_at < ?, false) from claims
where claim_id not in (select claim_id from claim_first_accepted)
returning is_backfill
