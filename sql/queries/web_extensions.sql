-- web_extensions: every extension request with its rep's team, the claim and customer it is for,
-- and what the night made of it (extension_outcomes).
-- Grain: one row per request (key: request_id).
select e.request_id, e.claim_id, e.customer_id, e.rep_id, r.rep_name, r.team, e.requested_at, e.approved,
       e.outcome, e.reason_zh, e.protection_end_before, e.protection_end_after, c.company_name,
       cu.display_name, c.contact_name, c.phone, c.email
from extension_outcomes as e
left join reps as r on r.rep_id = e.rep_id
left join claims as c on c.claim_id = e.claim_id
left join customers as cu on cu.customer_id = e.customer_id
order by e.requested_at, e.request_id
