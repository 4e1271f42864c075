-- conflicts: the claims refused because another rep holds the customer (撞单).
-- Grain: one row per conflict claim; key: claim_id.
-- Who claimed and who owns, both teams, the protection's end, and the strongest match evidence
-- tying the claim to one of the owner's claims (from decided_pairs) when the model linked them.
-- Inputs: claim_outcomes, claims, reps, customers, decided_pairs, claim_positions, claim_customer.
-- @key: claim_id
-- @within_0_1: match_probability
with outcomes as (
    select * from claim_outcomes where outcome = 'conflict'
),

owner_claims as (
    -- the claims of a conflict's owner in its customer, the only ones whose pairs can be evidence:
    -- a key account's pairs with everyone else's claims were three million rows at 1M claims
    select claim_customer.customer_id, claims.claim_id, claims.rep_id
    from claims
    inner join claim_customer using (claim_id)
    semi join (select distinct customer_id, owner_rep_id as rep_id from outcomes) as owners
        using (customer_id, rep_id)
),

claim_ends as materialized (
    -- the positions (claim_positions) of the conflict claims and of their owners' claims: the
    -- scored pairs name their claims by them
    select claim_positions.claim_id, claim_positions.pos, outcomes.claim_id is not null as is_conflict,
        owners.claim_id is not null as is_owners
    from claim_positions
    left join outcomes using (claim_id)
    left join (select distinct claim_id from owner_claims) as owners using (claim_id)
    where outcomes.claim_id is not null or owners.claim_id is not null
),

pair_ends as (
    -- each scored pair of a conflict claim and an owner's claim seen from the conflict claim, so
    -- the evidence is an equi-join whichever side of the pair the refused claim was stored on (an
    -- `or` of the two would be a nested loop); the evidence lists are fetched for the chosen pair only
    select conflict.claim_id, matched.claim_id as matched_claim_id, conflict.pos as claim_pos,
        matched.pos as matched_pos, pairs.match_probability, pairs.decision_basis
    from decided_pairs as pairs
    inner join claim_ends as conflict on conflict.pos = pairs.pos_l and conflict.is_conflict
    inner join claim_ends as matched on matched.pos = pairs.pos_r and matched.is_owners
    union all
    select conflict.claim_id, matched.claim_id, conflict.pos, matched.pos, pairs.match_probability,
        pairs.decision_basis
    from decided_pairs as pairs
    inner join claim_ends as conflict on conflict.pos = pairs.pos_r and conflict.is_conflict
    inner join claim_ends as matched on matched.pos = pairs.pos_l and matched.is_owners
),

pair_owners as materialized (
    -- each pair end with the customer and rep of its matched claim, joined before the conflict
    -- claims: joined the other way round, every conflict of a key account meets every claim of
    -- its owner first (a million rows at 1M claims)
    select pair_ends.*, owner_claims.customer_id as matched_customer_id, owner_claims.rep_id as matched_rep_id
    from pair_ends
    inner join owner_claims on owner_claims.claim_id = pair_ends.matched_claim_id
),

strongest as (
    select
        outcomes.claim_id,
        pair_owners.match_probability,
        pair_owners.decision_basis,
        pair_owners.matched_claim_id,
        least(pair_owners.claim_pos, pair_owners.matched_pos) as pos_l,
        greatest(pair_owners.claim_pos, pair_owners.matched_pos) as pos_r
    from outcomes
    inner join pair_owners on pair_owners.claim_id = outcomes.claim_id
    where pair_owners.matched_customer_id = outcomes.customer_id
        and pair_owners.matched_rep_id = outcomes.owner_rep_id
    qualify row_number() over (
        partition by outcomes.claim_id order by pair_owners.match_probability desc, pair_owners.matched_claim_id
    ) = 1
),

evidence as (
    select strongest.*, pairs.evidence
    from strongest
    inner join decided_pairs as pairs using (pos_l, pos_r)
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
