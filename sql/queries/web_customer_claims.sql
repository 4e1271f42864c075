-- web_customer_claims: every claim of the customers on a review card, with its outcome tonight
-- and its rep, for what a same / different answer would change.
-- Grain: one row per claim (key: claim_id); $customers: the customer ids (a list, bound).
select o.customer_id, o.claim_id, o.rep_id, r.rep_name, r.team, o.submitted_at, o.outcome,
       o.owner_rep_id, c.display_name, w.rep_id as current_owner_rep_id, wr.rep_name as current_owner_name,
       w.valid_to as current_protection_end
from claim_outcomes as o
join customers as c using (customer_id)
left join reps as r on r.rep_id = o.rep_id
left join ownership_current as w on w.customer_id = o.customer_id
left join reps as wr on wr.rep_id = w.rep_id
where list_contains($customers, o.customer_id)
order by o.customer_id, o.submitted_at, o.claim_id
