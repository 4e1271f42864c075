-- owner_on(cid, ts): who owned customer `cid` at instant `ts` (a timestamptz).
-- Grain: at most one row, as protection intervals of one customer never overlap.
-- Input: ownership_history from the ownership replay; intervals are [valid_from, valid_to).
-- For an interval still active at the as-of instant valid_to is its scheduled end, so a `ts`
-- after the as-of instant is a forecast, not a fact. For "on date D" pass the instant you mean,
-- e.g. timestamptz '2025-03-05 12:00:00+08'.
create or replace macro owner_on(cid, ts) as table
select
    customer_id,
    rep_id,
    valid_from,
    valid_to,
    end_reason,
    granted_by_claim_id,
    decision_id
from ownership_history
where customer_id = cid
    and valid_from <= ts
    and ts < valid_to
