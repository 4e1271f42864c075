-- customers: every customer, described from its accepted claims.
-- Grain: one row per customer; key: customer_id.
-- display_name is the spelling reps used most (ties: the earliest claim's); canonical_name the
-- most common normalised name; credit_code the most common valid code; region likewise.
-- Inputs: claims (standardised), claim_customer.
-- @key: customer_id
with claims as (
    select * from claims
),

claim_customer as (
    select * from claim_customer
),

joined as (
    select claim_customer.customer_id, claims.*
    from claims
    inner join claim_customer using (claim_id)
),

display_names as (
    select customer_id, company_name as display_name
    from joined
    group by customer_id, company_name
    qualify row_number() over (
        partition by customer_id order by count(*) desc, min(submitted_at), min(claim_id)
    ) = 1
),

canonical_names as (
    select customer_id, name_norm as canonical_name
    from joined
    group by customer_id, name_norm
    qualify row_number() over (
        partition by customer_id order by count(*) desc, min(submitted_at), min(claim_id)
    ) = 1
),

credit_codes as (
    select customer_id, credit_code_norm as credit_code
    from joined
    where credit_code_norm is not null
    group by customer_id, credit_code_norm
    qualify row_number() over (partition by customer_id order by count(*) desc, credit_code_norm) = 1
),

regions as (
    select customer_id, region
    from joined
    where region is not null
    group by customer_id, region
    qualify row_number() over (partition by customer_id order by count(*) desc, region) = 1
),

stats as (
    select
        customer_id,
        count(*) as claim_count,
        count(distinct rep_id) as rep_count,
        min(submitted_at) as first_seen_at,
        max(submitted_at) as last_seen_at
    from joined
    group by customer_id
),

final as (
    select
        stats.customer_id,
        display_names.display_name,
        canonical_names.canonical_name,
        credit_codes.credit_code,
        regions.region,
        stats.claim_count,
        stats.rep_count,
        stats.first_seen_at,
        stats.last_seen_at
    from stats
    inner join display_names using (customer_id)
    inner join canonical_names using (customer_id)
    left join credit_codes using (customer_id)
    left join regions using (customer_id)
)

select * from final
order by customer_id
