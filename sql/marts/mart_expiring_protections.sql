-- mart_expiring_protections: protections active tonight that end within 14 days of as_of_end.
-- Grain: one row per protected customer; key: customer_id.
-- A protection ends at the earlier of its scheduled end (valid_to) and its idle release
-- (idle_release_at: no owner follow-up for idle_release_days); a tie is an expiry, as in the replay.
-- Inputs: ownership_current, claims, customers, reps, run_context.
-- @key: customer_id
-- @non_negative: days_left, extensions_used
with context as (
    select as_of_end, timezone from run_context
),

protections as (
    select customer_id, rep_id, valid_from, valid_to, idle_release_at, granted_by_claim_id, extensions_used
    from ownership_current
),

claims as (
    select claim_id, category from claims
),

customers as (
    select customer_id, display_name from customers
),

reps as (
    select rep_id, rep_name, team from reps
),

ends as (
    select
        protections.*,
        case
            when protections.idle_release_at < protections.valid_to then protections.idle_release_at
            else protections.valid_to
        end as ends_at,
        case when protections.idle_release_at < protections.valid_to then 'idle' else 'expired' end
            as end_reason
    from protections
),

upcoming as (
    select
        ends.*,
        cast(timezone(context.timezone, ends.ends_at) as date) as ends_date,
        cast(floor((epoch(ends.ends_at) - epoch(context.as_of_end)) / 86400) as bigint) as days_left,
        ends.ends_at <= context.as_of_end + interval 7 day as within_7_days
    from ends
    cross join context
    where ends.ends_at <= context.as_of_end + interval 14 day
),

final as (
    select
        upcoming.customer_id,
        customers.display_name as customer_name,
        upcoming.rep_id,
        reps.rep_name,
        reps.team,
        claims.category,
        upcoming.valid_from,
        upcoming.valid_to,
        upcoming.idle_release_at,
        upcoming.ends_at,
        upcoming.ends_date,
        upcoming.days_left,
        upcoming.end_reason,
        upcoming.within_7_days,
        upcoming.extensions_used
    from upcoming
    left join customers using (customer_id)
    left join reps using (rep_id)
    left join claims on claims.claim_id = upcoming.granted_by_claim_id
)

select * from final
order by ends_at, customer_id
