-- conflicts: the claims refused because another rep holds the customer (撞单).
-- Grain: one row per conflict claim; key: claim_id.
-- Who claimed and who owns, both teams, the protection's end, and the strongest match evidence
-- tying the claim to one of the owner's claims (from match_pairs) when the model linked them.
-- Inputs: claim_outcomes, claims, reps, customers, match_pairs, claim_customer.
-- @key: claim_id
-- @within_0_1: match_probability
with outcomes as (
    select * from claim_outcomes where outcome = 'conflict'
),

owner_claims as (
    select claim_customer.customer_id, claims.claim_id, claims.rep_id
    from claims
    inner join claim_customer using (claim_id)
),

pair_ends as (
    -- each scored pair seen from both of its claims, so the evidence is an equi-join whichever
    -- side of the pair the refused claim was stored on (an `or` of the two would be a nested loop)
    select claim_id_l as claim_id, claim_id_r as matched_claim_id, match_probability, decision_basis, evidence
    from match_pairs
    union all
    select claim_id_r, claim_id_l, match_probability, decision_basis, evidence
    from match_pairs
),

evidence as (
    select
        outcomes.claim_id,
        pair_ends.match_probability,
        pair_ends.decision_basis,
        pair_ends.evidence,
        pair_ends.matched_claim_id
    from outcomes
    inner join pair_ends on pair_ends.claim_id = outcomes.claim_id
    inner join owner_claims
        on owner_claims.claim_id = pair_ends.matched_claim_id
        and owner_claims.customer_id = outcomes.customer_id
        and owner_claims.rep_id = outcomes.owner_rep_id
    qualify row_number() over (
        partition by outcomes.claim_id order by pair_ends.match_probability desc, pair_ends.matched_claim_id
    ) = 1
),

final as (
    select
        outcomes.claim_id,
        outcomes.customer_id,
        customers.display_name as customer_name,
        claims.company_name as claimed_as,
        outcomes.submitted_at,
        outcomes.rep_id as claimant_rep_id,
        claimant.rep_name as claimant_name,
        claimant.team as claimant_team,
        outcomes.owner_rep_id,
        owner.rep_name as owner_name,
        owner.team as owner_team,
        outcomes.protection_end,
        outcomes.reason_zh,
        outcomes.reason_en,
        evidence.matched_claim_id,
        evidence.match_probability,
        evidence.decision_basis,
        evidence.evidence
    from outcomes
    inner join claims using (claim_id)
    left join customers using (customer_id)
    left join reps as claimant on claimant.rep_id = outcomes.rep_id
    left join reps as owner on owner.rep_id = outcomes.owner_rep_id
    left join evidence using (claim_id)
)

select * from final
order by submitted_at, claim_id
