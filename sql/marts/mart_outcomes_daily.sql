-- mart_outcomes_daily: claims and their outcomes per business day, rep and category.
-- Grain: one row per (business_date, rep_id, category) with at least one claim; key: those three.
-- business_date is the calendar day of submission in run_context.timezone (23:30 +08 on D is D).
-- other_outcomes counts duplicate, cooldown, over_daily_cap and any outcome not counted apart.
-- Inputs: claim_outcomes, claims, reps, run_context.
-- @key: business_date, rep_id, category
-- @non_negative: claims, granted, renewed, conflicts, over_quota, incomplete, other_outcomes
with context as (
    select timezone from run_context
),

outcomes as (
    select claim_id, rep_id, submitted_at, outcome from claim_outcomes
),

claims as (
    select claim_id, category from claims
),

reps as (
    select rep_id, rep_name, team from reps
),

dated as (
    select
        outcomes.rep_id,
        outcomes.outcome,
        claims.category,
        cast(timezone(context.timezone, outcomes.submitted_at) as date) as business_date
    from outcomes
    inner join claims using (claim_id)
    cross join context
),

counted as (
    select
        business_date,
        rep_id,
        category,
        count(*) as claims,
        count(*) filter (where outcome = 'granted') as granted,
        count(*) filter (where outcome = 'renewed') as renewed,
        count(*) filter (where outcome = 'conflict') as conflicts,
        count(*) filter (where outcome = 'over_quota') as over_quota,
        count(*) filter (where outcome = 'incomplete') as incomplete,
        count(*) filter (
            where outcome not in ('granted', 'renewed', 'conflict', 'over_quota', 'incomplete')
        ) as other_outcomes
    from dated
    group by business_date, rep_id, category
),

final as (
    select
        counted.business_date,
        counted.rep_id,
        reps.rep_name,
        reps.team,
        counted.category,
        counted.claims,
        counted.granted,
        counted.renewed,
        counted.conflicts,
        counted.over_quota,
        counted.incomplete,
        counted.other_outcomes
    from counted
    left join reps using (rep_id)
)

select * from final
order by business_date, rep_id, category
