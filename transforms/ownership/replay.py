"""`replay`: the ownership rules applied to every event before the as-of instant, as frames.

The rules, where the business left a choice open:

- Order. Events are replayed by time; at one instant decisions come first, then extensions,
  follow-ups and claims, and within a kind by id (claim_id, ...). A protection is [valid_from,
  valid_to): one ending at t has ended before anything happening at t.
- A claim is checked in this order: incomplete (its industry template's fields are blank) ->
  the rep already holds the customer: duplicate if that protection began the same business day,
  otherwise renewed -> another rep holds it: conflict -> cooldown -> over_quota (total, then the
  category cap) -> over_daily_cap -> granted.
- Renewed: the protection is replaced from the claim instant for the claim's category days (old
  interval ends `superseded`, extension count and idle clock start afresh) only when that ends
  later than now; otherwise nothing changes. Renewing into another category needs room under
  that category's cap; it never needs room in the total quota or the daily cap.
- Ends: `expired` at valid_to, `idle` when the owner logs no follow-up for idle_release_days
  (counted from the start or the last owner follow-up; a tie goes to `expired`). Extensions
  move valid_to only, never the idle clock.
- Cooldown: after a protection ends (expired, idle or released on appeal) its rep may not take
  the same customer_id again for cooldown_days; other reps may. Superseded does not count.
- Daily cap: grants of new protections per rep per business day (policy.business_timezone);
  renewals and appeal grants neither count nor are capped.
- Appeals: a decision applies only while the appealed claim stands as a conflict. `uphold`
  records the decision. `overturn` ends the blocking rep's protection at the decision instant
  (`released_on_appeal`) even if the appellant then has no room; the appellant is granted from
  the decision instant for the claim's category days, subject to quota and category cap (not to
  cooldown or the daily cap). If by then a third rep holds the customer it stays a conflict.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import polars as pl

from transforms.ownership import frames
from transforms.ownership.engine import Replay
from transforms.ownership.inputs import (
    CLAIM_COLUMNS,
    ROSTER_COLUMNS,
    as_micros,
    check_columns,
    event_order,
    prepared_claims,
    prepared_decisions,
    prepared_extensions,
    prepared_followups,
)
from transforms.ownership.policy import OwnershipPolicy

# the claims' columns the replay reads; their customer comes from `claim_customer`
REPLAYED_CLAIM_COLUMNS = [c for c in CLAIM_COLUMNS if c != "customer_id"]


@dataclass(frozen=True)
class OwnershipResult:
    """The frames of one replay; see `replay` for their grain and order."""

    claim_outcomes: pl.DataFrame
    ownership_history: pl.DataFrame
    ownership_current: pl.DataFrame
    quota_usage: pl.DataFrame
    extension_outcomes: pl.DataFrame


def replay(
    claims: pl.DataFrame,
    followups: pl.DataFrame,
    extensions: pl.DataFrame,
    appeal_decisions: pl.DataFrame,
    roster: pl.DataFrame,
    policy: OwnershipPolicy,
    as_of_end: datetime,
) -> OwnershipResult:
    """Replay every event before `as_of_end` in time order and return who owned what and why.

    claim_outcomes: one row per claim; ownership_history: one row per protection interval;
    ownership_current: one row per customer protected at as-of; quota_usage: one row per rep;
    extension_outcomes: one row per extension request. Independent of input row order.
    """
    cut = as_micros(as_of_end)
    check_columns(roster, "roster", ROSTER_COLUMNS, "rep_id")
    claims_ = prepared_claims(claims, policy, cut)
    followups_ = prepared_followups(followups, claims_, cut)
    extensions_ = prepared_extensions(extensions, claims_, cut)
    decisions_ = prepared_decisions(appeal_decisions, policy, cut)
    quotas = {rep: quota
              for rep, quota in zip(roster["rep_id"].to_list(), roster["quota"].to_list(), strict=True)
              if quota is not None}
    state = Replay(claims_, followups_, extensions_, decisions_, quotas, policy)
    state.run(*event_order(claims_, followups_, extensions_, decisions_), cut)
    zone = policy.business_timezone
    outcomes = frames.claim_outcomes(state, claims_, roster, zone)
    return OwnershipResult(
        claim_outcomes=outcomes,
        ownership_history=frames.ownership_history(state, claims_),
        ownership_current=frames.ownership_current(state, claims_),
        quota_usage=frames.quota_usage(state, outcomes, roster, policy.default_quota),
        extension_outcomes=frames.extension_outcomes(
            state, extensions_, policy.extension.max_count, zone),
    )


def replay_with_customers(claims: pl.DataFrame, claim_customer: pl.DataFrame, followups: pl.DataFrame,
                          extensions: pl.DataFrame, appeal_decisions: pl.DataFrame, roster: pl.DataFrame,
                          policy: OwnershipPolicy, as_of_end: datetime) -> OwnershipResult:
    """`replay` of `claims` (sorted by claim id; any columns, the customer's aside) with each claim's
    customer from `claim_customer`, as the night runs it."""
    claims = claims.select(REPLAYED_CLAIM_COLUMNS).join(claim_customer.select("claim_id", "customer_id"), on="claim_id",
                                         maintain_order="left")
    return replay(claims, followups, extensions, appeal_decisions, roster, policy, as_of_end)
