-- web_appeals: every appeal with its rep's team, the appealed claim and, for a conflict, the
-- claim that won and the evidence that tied them (conflict_details).
-- Grain: one row per appeal (key: appeal_id).
select a.appeal_id, a.claim_id, a.rep_id, r.rep_name, r.team, a.appealed_at, a.kind, a.other_claim_id,
       a.reason, a.decision, a.reviewer, a.decided_at, a.decision_note, a.status, a.claim_outcome_now,
       c.company_name, c.submitted_at, c.contact_name, c.phone, c.email,
       d.customer_name, d.owner_rep_id, d.owner_name, d.owner_team, d.owner_claim_id, d.owner_submitted_at,
       d.owner_company_name, d.owner_contact_name, d.owner_phone, d.owner_email, d.protection_end,
       d.reason_zh, d.match_probability, d.evidence,
       o.company_name as other_company_name, o.rep_id as other_rep_id, orr.rep_name as other_rep_name,
       orr.team as other_team, o.submitted_at as other_submitted_at, o.contact_name as other_contact_name,
       o.phone as other_phone, o.email as other_email
from appeals as a
left join reps as r on r.rep_id = a.rep_id
left join claims as c on c.claim_id = a.claim_id
left join conflict_details as d on d.claim_id = a.claim_id
left join claims as o on o.claim_id = a.other_claim_id
left join reps as orr on orr.rep_id = o.rep_id
order by a.appealed_at, a.appeal_id
