-- mart_public_pool_daily: size of the public pool (公海) at the end of each business day.
-- Grain: one row per business_date from the first claim's day to run_context.as_of; key: business_date.
-- Each day is seen at day_end_at, the next midnight in run_context.timezone, as the replay sees
-- as_of_end: everything before that instant has happened, nothing at it. So a customer first seen at
-- midnight counts from that day on; a protection that expires (or is idle-released) at midnight has
-- ended, while one superseded or released on appeal at midnight still stands (that event is the next
-- day's). customers_in_pool = customers_known - customers_protected.
-- Inputs: customers, ownership_history, run_context.
with context as (
    select as_of, timezone from run_context
),

customers as (
    select customer_id, first_seen_at from customers
),

protections as (
    select customer_id, valid_from, valid_to, end_reason from ownership_history
),

first_day as (
    select cast(min(timezone(context.timezone, customers.first_seen_at)) as date) as first_date
    from customers
    cross join context
),

days as (
    select cast(unnest(generate_series(first_day.first_date, context.as_of, interval 1 day)) as date)
        as business_date
    from first_day
    cross join context
),

day_ends as (
    select
        days.business_date,
        timezone(context.timezone, cast(days.business_date as timestamp)) as day_start_at,
        timezone(context.timezone, cast(days.business_date + 1 as timestamp)) as day_end_at
    from days
    cross join context
),

known as (
    select
        day_ends.business_date,
        count(customers.customer_id) as customers_known,
        count(customers.customer_id) filter (where customers.first_seen_at >= day_ends.day_start_at)
            as new_customers
    from day_ends
    left join customers on customers.first_seen_at < day_ends.day_end_at
    group by day_ends.business_date
),

protected as (
    select day_ends.business_date, count(distinct protections.customer_id) as customers_protected
    from day_ends
    left join protections
        on protections.valid_from < day_ends.day_end_at
        and (
            protections.valid_to > day_ends.day_end_at
            or (
                protections.valid_to = day_ends.day_end_at
                and protections.end_reason in ('superseded', 'released_on_appeal')
            )
        )
    group by day_ends.business_date
),

final as (
    select
        day_ends.business_date,
        day_ends.day_end_at,
        known.customers_known,
        known.new_customers,
        protected.customers_protected,
        known.customers_known - protected.customers_protected as customers_in_pool,
        (known.customers_known - protected.customers_protected) / nullif(known.customers_known, 0)
            as pool_share
    from day_ends
    inner join known using (business_date)
    inner join protected using (business_date)
)

select * from final
order by business_date
