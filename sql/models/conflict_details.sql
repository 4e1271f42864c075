-- conflict_details: what a manager needs to act on a conflict (撞单): both claims side by side
-- (the refused claim, and the owner's claim that held the protection at that moment), the match
-- evidence and the rule between them, the appeal on the claim if any, and who holds the customer now.
-- Grain: one row per conflict claim; key: claim_id.
-- The rule and evidence are those of the pair (refused claim, owner's claim); null when that pair was
-- not scored, i.e. the two met only through the customer's other claims.
-- Inputs: conflicts, claims, ownership_history, ownership_current, appeals, reps, claim_first_accepted,
-- decided_pairs, claim_positions.
-- @key: claim_id
-- @within_0_1: match_probability
with conflicts as (
    select * from conflicts
),

protections as (
    -- an empty interval [t, t) holds nothing; dropping it leaves one start per instant per customer
    select customer_id, rep_id, valid_from, valid_to, granted_by_claim_id
    from ownership_history
    where valid_to is null or valid_to > valid_from
),

owner_claims as (
    -- a customer's intervals never overlap, so the owner's latest start at or before the claim is
    -- the only one that can hold it: an as-of join (sorted merge) instead of a range join
    select
        conflicts.claim_id,
        protections.granted_by_claim_id as owner_claim_id
    from conflicts
    asof inner join protections
        on protections.customer_id = conflicts.customer_id
        and protections.rep_id = conflicts.owner_rep_id
        and conflicts.submitted_at >= protections.valid_from
    where protections.valid_to is null or protections.valid_to > conflicts.submitted_at
),

owner_pair as (
    -- the match evidence between the refused claim and that owner claim, when the pair was scored
    -- (decided_pairs names a pair's claims by their positions, claim_positions)
    select owner_claims.claim_id, pairs.match_probability, pairs.decision_basis, pairs.evidence
    from owner_claims
    inner join claim_positions as mine on mine.claim_id = owner_claims.claim_id
    inner join claim_positions as theirs on theirs.claim_id = owner_claims.owner_claim_id
    inner join decided_pairs as pairs
        on pairs.pos_l = least(mine.pos, theirs.pos)
        and pairs.pos_r = greatest(mine.pos, theirs.pos)
),

conflict_appeals as (
    select claim_id, appeal_id, status as appeal_status, decision_note as appeal_note
    from appeals
    where kind = 'conflict'
    qualify row_number() over (partition by claim_id order by appealed_at desc, appeal_id desc) = 1
),

holders as (
    select
        current.customer_id,
        current.rep_id as holder_rep_id,
        holder.rep_name as holder_name,
        holder.team as holder_team,
        least(current.valid_to, coalesce(current.idle_release_at, current.valid_to)) as holder_until
    from ownership_current as current
    left join reps as holder on holder.rep_id = current.rep_id
),

final as (
    select
        conflicts.claim_id,
        conflicts.customer_id,
        conflicts.customer_name,
        first_accepted.first_accepted_on,
        first_accepted.is_backfill,
        conflicts.submitted_at,
        conflicts.claimant_rep_id,
        conflicts.claimant_name,
        conflicts.claimant_team,
        claimant.manager as claimant_manager,
        mine.company_name as claimant_company_name,
        mine.category as claimant_category,
        mine.contact_name as claimant_contact_name,
        mine.phone as claimant_phone,
        mine.email as claimant_email,
        mine.credit_code as claimant_credit_code,
        conflicts.owner_rep_id,
        conflicts.owner_name,
        conflicts.owner_team,
        owner.manager as owner_manager,
        owner_claims.owner_claim_id,
        theirs.submitted_at as owner_submitted_at,
        theirs.company_name as owner_company_name,
        theirs.category as owner_category,
        theirs.contact_name as owner_contact_name,
        theirs.phone as owner_phone,
        theirs.email as owner_email,
        theirs.credit_code as owner_credit_code,
        conflicts.protection_end,
        conflicts.reason_zh,
        conflicts.reason_en,
        owner_pair.match_probability,
        owner_pair.decision_basis,
        owner_pair.evidence,
        conflict_appeals.appeal_id,
        conflict_appeals.appeal_status,
        conflict_appeals.appeal_note,
        holders.holder_rep_id,
        holders.holder_name,
        holders.holder_team,
        holders.holder_until
    from conflicts
    left join claim_first_accepted as first_accepted using (claim_id)
    left join claims as mine using (claim_id)
    left join reps as claimant on claimant.rep_id = conflicts.claimant_rep_id
    left join reps as owner on owner.rep_id = conflicts.owner_rep_id
    left join owner_claims using (claim_id)
    left join owner_pair using (claim_id)
    left join claims as theirs on theirs.claim_id = owner_claims.owner_claim_id
    left join conflict_appeals using (claim_id)
    left join holders using (customer_id)
)

select * from final
order by submitted_at, claim_id
