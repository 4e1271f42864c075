-- mart_rep_protections: what each rep protects tonight and how much of the quota that uses.
-- Grain: one row per rep of quota_usage (the roster and every rep with a claim); key: rep_id.
-- A protection's category is that of the claim that granted it. use_rate is used / quota
-- (null for a quota of 0); quota_left never goes below 0.
-- Inputs: quota_usage, ownership_current, claims, reps.
-- @key: rep_id
-- @non_negative: active_protections, active_a, active_b, active_c, active_d, quota, used, quota_left, over_quota_attempts
-- @within_0_1: use_rate
with usage as (
    select rep_id, used, quota, over_quota_attempts from quota_usage
),

protections as (
    select rep_id, granted_by_claim_id from ownership_current
),

claims as (
    select claim_id, category from claims
),

reps as (
    select rep_id, rep_name, team, manager from reps
),

active as (
    select
        protections.rep_id,
        count(*) as active_protections,
        count(*) filter (where claims.category = 'A') as active_a,
        count(*) filter (where claims.category = 'B') as active_b,
        count(*) filter (where claims.category = 'C') as active_c,
        count(*) filter (where claims.category = 'D') as active_d
    from protections
    left join claims on claims.claim_id = protections.granted_by_claim_id
    group by protections.rep_id
),

final as (
    select
        usage.rep_id,
        reps.rep_name,
        reps.team,
        reps.manager,
        coalesce(active.active_protections, 0) as active_protections,
        coalesce(active.active_a, 0) as active_a,
        coalesce(active.active_b, 0) as active_b,
        coalesce(active.active_c, 0) as active_c,
        coalesce(active.active_d, 0) as active_d,
        usage.quota,
        usage.used,
        greatest(usage.quota - usage.used, 0) as quota_left,
        usage.used / nullif(usage.quota, 0) as use_rate,
        usage.over_quota_attempts
    from usage
    left join reps using (rep_id)
    left join active using (rep_id)
)

select * from final
order by rep_id
