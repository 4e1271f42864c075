-- mart_team_conflicts: how often each team's claims collide with another team's protections (撞单).
-- Grain: one row per (claim_month, claimant_team, owner_team) for every team pair of the roster, in
-- every business month in which the claimant team made a claim; key: those three.
-- claims counts all the claimant team's claims that month; conflict_rate = conflicts / claims.
-- Inputs: claim_outcomes, conflicts, reps, run_context.
-- @key: claim_month, claimant_team, owner_team
-- @non_negative: claims, conflicts, customers_in_conflict
-- @within_0_1: conflict_rate
with context as (
    select timezone from run_context
),

outcomes as (
    select claim_id, rep_id, submitted_at from claim_outcomes
),

conflicts as (
    select claim_id, customer_id, submitted_at, claimant_team, owner_team from conflicts
),

reps as (
    select rep_id, team from reps
),

teams as (
    select distinct team from reps where team is not null
),

team_claims as (
    select
        cast(date_trunc('month', timezone(context.timezone, outcomes.submitted_at)) as date) as claim_month,
        reps.team as claimant_team,
        count(*) as claims
    from outcomes
    inner join reps using (rep_id)
    cross join context
    group by all
),

pair_conflicts as (
    select
        cast(date_trunc('month', timezone(context.timezone, conflicts.submitted_at)) as date) as claim_month,
        conflicts.claimant_team,
        conflicts.owner_team,
        count(*) as conflicts,
        count(distinct conflicts.customer_id) as customers_in_conflict
    from conflicts
    cross join context
    group by all
),

final as (
    select
        team_claims.claim_month,
        team_claims.claimant_team,
        teams.team as owner_team,
        team_claims.claimant_team = teams.team as is_same_team,
        team_claims.claims,
        coalesce(pair_conflicts.conflicts, 0) as conflicts,
        coalesce(pair_conflicts.customers_in_conflict, 0) as customers_in_conflict,
        coalesce(pair_conflicts.conflicts, 0) / team_claims.claims as conflict_rate
    from team_claims
    cross join teams
    left join pair_conflicts
        on pair_conflicts.claim_month = team_claims.claim_month
        and pair_conflicts.claimant_team = team_claims.claimant_team
        and pair_conflicts.owner_team = teams.team
)

select * from final
order by claim_month, claimant_team, owner_team
