-- typeahead_names: every name a published claim gives its customer, as the typeahead keys them.
-- Grain: one row per published claim (key: claim_id); customer_id from tonight's claim_customer.
-- Inputs: claims (name parts, pinyin, initials), claims_for_matching (trade name, its pinyin,
-- listed-company alias_key), claim_customer. No contact column.
with claims_named as (
    select claim_id, company_name, name_norm, core_name, core_pinyin, core_initials, is_latin_name
    from claims
),

matching_names as (
    select claim_id, trade_name, trade_pinyin, alias_key from claims_for_matching
),

final as (
    select cc.customer_id, c.company_name, c.name_norm, c.core_name, c.core_pinyin, c.core_initials,
           c.is_latin_name, m.trade_name, m.trade_pinyin, m.alias_key
    from claims_named as c
    join claim_customer as cc using (claim_id)
    left join matching_names as m using (claim_id)
)

select * from final
