-- public_pool: the customers with no active protection at --as-of (公海).
-- Grain: one row per such customer; key: customer_id.
-- Inputs: customers, ownership_current, ownership_history.
-- @key: customer_id
with customers as (
    select * from customers
),

protected as (
    select customer_id from ownership_current
),

last_protection as (
    select customer_id, rep_id as last_owner_rep_id, valid_to as last_protection_end, end_reason as last_end_reason
    from ownership_history
    qualify row_number() over (partition by customer_id order by valid_from desc, rep_id) = 1
),

final as (
    select
        customers.customer_id,
        customers.display_name,
        customers.claim_count,
        last_protection.last_owner_rep_id,
        last_protection.last_protection_end,
        last_protection.last_end_reason
    from customers
    left join last_protection using (customer_id)
    where customers.customer_id not in (select customer_id from protected)
)

select * from final
order by customer_id
