-- match_pairs: the scored pairs the link rules decided on (from the review floor up, and those a
-- rule asked for), except those left below it, with each comparison's level, weight and evidence.
-- Grain: one row per pair of claims; key: (claim_id_l, claim_id_r), claim_id_l < claim_id_r.
-- A view, not a table: decided_pairs, whose claims' positions claim_positions turns into ids.
-- Inputs: decided_pairs, claim_positions.
with positions as materialized (
    select * from claim_positions
),

final as (
    select
        claim_l.claim_id as claim_id_l,
        claim_r.claim_id as claim_id_r,
        pairs.* exclude (pos_l, pos_r)
    from decided_pairs as pairs
    inner join positions as claim_l on claim_l.pos = pairs.pos_l
    inner join positions as claim_r on claim_r.pos = pairs.pos_r
)

select * from final
