-- typeahead_contacts: the standardised contact keys of every published claim, matched exactly by the
-- typeahead and never shown. Grain: one row per published claim (key: claim_id) with a phone, an
-- address or a credit code; customer_id from tonight's claim_customer. Inputs: claims, claim_customer.
with claims_contacts as (
    select claim_id, phone_e164, phone_alt_e164, email_norm, email_domain, is_free_mail, credit_code_norm
    from claims
    where coalesce(phone_e164, phone_alt_e164, email_norm, credit_code_norm) is not null
),

final as (
    select cc.customer_id, c.phone_e164, c.phone_alt_e164, c.email_norm, c.email_domain, c.is_free_mail,
           c.credit_code_norm
    from claims_contacts as c
    join claim_customer as cc using (claim_id)
)

select * from final
