-- claim_positions: each claim of the night's matching and its position, the row it takes among
-- the night's claims sorted by claim id: how scored_pairs names a pair's claims (pos_l, pos_r).
-- Grain: one row per claim of claims_for_matching; keys: claim_id, pos (from 0, no gaps).
-- A view: positions move whenever a claim is added or removed before others in id order, and
-- a million ids written again each night cost more than numbering them when they are read.
-- Inputs: claims_for_matching.
with final as (
    select
        claim_id,
        cast(row_number() over (order by claim_id) - 1 as uinteger) as pos
    from claims_for_matching
)

select * from final
