-- mart_public_pool_daily: size of the public pool (公海) at the end of each business day.
-- Grain: one row per business_date from the first claim's day to run_context.as_of; key: business_date.
-- Each day is seen at day_end_at, the next midnight in run_context.timezone, as the replay sees
-- as_of_end: everything before that instant has happened, nothing at it. So a customer first seen at
-- midnight counts from that day on; a protection that expires (or is idle-released) at midnight has
-- ended, while one superseded or released on appeal at midnight still stands (that event is the next
-- day's). customers_in_pool = customers_known - customers_protected. Counts are running sums of
-- daily changes, so the cost grows with customers plus days, not their product.
-- Inputs: customers, ownership_history, run_context.
-- @key: business_date
-- @non_negative: customers_known, new_customers, customers_protected, customers_in_pool
-- @within_0_1: pool_share
with context as (
    select as_of, timezone from run_context
),

customers as (
    select customer_id, first_seen_at from customers
),

protections as (
    select customer_id, valid_from, valid_to, end_reason from ownership_history
),

customer_days as (
    select cast(timezone(context.timezone, customers.first_seen_at) as date) as first_date
    from customers
    cross join context
),

protection_days as (
    select
        cast(timezone(context.timezone, protections.valid_from) as date) as first_date,
        (
            case
                when protections.end_reason in ('superseded', 'released_on_appeal')
                    then cast(timezone(context.timezone, protections.valid_to) as date)
                else cast(timezone(context.timezone, protections.valid_to) - interval 1 microsecond as date)
            end
        ) - 1 as last_date
    from protections
    cross join context
),

changes as (
    select first_date as business_date, 1 as known_change, 0 as protected_change from customer_days
    union all
    select first_date, 0, 1 from protection_days where first_date <= last_date
    union all
    select last_date + 1, 0, -1 from protection_days where first_date <= last_date
),

daily_changes as (
    select business_date, sum(known_change) as new_customers, sum(protected_change) as protected_change
    from changes
    group by business_date
),

days as (
    select cast(unnest(generate_series(min(customer_days.first_date), any_value(context.as_of), interval 1 day))
        as date) as business_date
    from customer_days
    cross join context
),

running as (
    select
        days.business_date,
        timezone(context.timezone, cast(days.business_date + 1 as timestamp)) as day_end_at,
        cast(coalesce(daily_changes.new_customers, 0) as bigint) as new_customers,
        cast(sum(coalesce(daily_changes.new_customers, 0)) over (order by days.business_date) as bigint)
            as customers_known,
        cast(sum(coalesce(daily_changes.protected_change, 0)) over (order by days.business_date) as bigint)
            as customers_protected
    from days
    cross join context
    left join daily_changes using (business_date)
),

final as (
    select
        business_date,
        day_end_at,
        customers_known,
        new_customers,
        customers_protected,
        customers_known - customers_protected as customers_in_pool,
        (customers_known - customers_protected) / nullif(customers_known, 0) as pool_share
    from running
)

select * from final
order by business_date
