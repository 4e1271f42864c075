-- decided_pairs: match_pairs by position: the scored pairs the link rules decided on (from the
-- review floor up, and those a rule asked for), except those left below it, with each
-- comparison's level, weight and evidence, the pair's claims named by their positions
-- (claim_positions). What the conflict models look pairs up in: joined by two positions, a
-- handful of pairs is found without naming the millions of others' claims.
-- Grain: one row per pair of claims; key: (pos_l, pos_r), pos_l < pos_r.
-- A view, not a table: the pairs, their weights and classification are in scored_pairs; the level
-- labels, the levels' own weights and the evidence lines follow from the levels alone, so they are
-- kept once per combination of levels in match_levels (a few thousand rows for millions of pairs).
-- Inputs: scored_pairs, match_levels.
with decided as (
    select * from scored_pairs where decision_basis <> 'below'
),

final as (
    select
        decided.pos_l,
        decided.pos_r,
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
    inner join match_levels as levels using (
        gamma_company_name, gamma_legal_form, gamma_region, gamma_branch, gamma_credit_code_norm, gamma_phone,
        gamma_company_email_domain, gamma_website_domain, gamma_contact_name
    )
)

select * from final
