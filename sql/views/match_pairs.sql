-- match_pairs: the scored pairs the link rules decided on (from the review floor up, and those a
-- rule asked for), except those left below it, with each comparison's level, weight and evidence.
-- Grain: one row per pair of claims; key: (claim_id_l, claim_id_r), claim_id_l < claim_id_r.
-- A view, not a table: the pairs, their weights and classification are in scored_pairs; the level
-- labels, the levels' own weights and the evidence lines follow from the levels alone, so they are
-- kept once per combination of levels in match_levels (a few thousand rows for millions of pairs).
-- scored_pairs names a pair's claims by position (pos_l, pos_r: their rows among the night's claims
-- sorted by claim id), which claims_for_matching's ids give back here.
-- Inputs: scored_pairs, match_levels, claims_for_matching.
with decided as (
    select * from scored_pairs where decision_basis <> 'below'
),

positions as (
    select claim_id, cast(row_number() over (order by claim_id) - 1 as uinteger) as pos
    from claims_for_matching
),

final as (
    select
        claim_l.claim_id as claim_id_l,
        claim_r.claim_id as claim_id_r,
        decided.match_probability,
        decided.match_weight,
        decided.decision_basis,
        decided.is_link,
        levels.evidence,
        levels.level_company_name,
        levels.level_legal_form,
        levels.level_region,
        levels.level_branch,
        levels.level_credit_code_norm,
        levels.level_phone,
        levels.level_company_email_domain,
        levels.level_website_domain,
        levels.level_contact_name,
        levels.mw_company_name,
        decided.mw_tf_adj_company_name,
        levels.mw_legal_form,
        levels.mw_region,
        levels.mw_branch,
        levels.mw_credit_code_norm,
        levels.mw_phone,
        levels.mw_company_email_domain,
        levels.mw_website_domain,
        levels.mw_contact_name
    from decided
    inner join positions as claim_l on claim_l.pos = decided.pos_l
    inner join positions as claim_r on claim_r.pos = decided.pos_r
    inner join match_levels as levels using (
        gamma_company_name, gamma_legal_form, gamma_region, gamma_branch, gamma_credit_code_norm, gamma_phone,
        gamma_company_email_domain, gamma_website_domain, gamma_contact_name
    )
)

select * from final
