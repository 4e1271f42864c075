"""One explicit timeline per ownership rule: the claims' outcomes and the protection intervals.

Days count from T0 (a Monday, 10:00 in Asia/Shanghai); C protects 30 days, A 90, D 30; idle
release is off unless a case turns it on. Rows are listed in a scrambled order on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from polars.testing import assert_frame_equal

from tests.transforms.ownership.builders import (
    claim,
    decision,
    expected_intervals,
    expected_outcomes,
    extension,
    followup,
    run,
)
from transforms.ownership import OwnershipPolicy

BASE = OwnershipPolicy(idle_release_days=None)
OUTCOME_COLUMNS = ["claim_id", "outcome", "owner_rep_id", "protection_end", "decision_id"]
INTERVAL_COLUMNS = ["customer_id", "rep_id", "valid_from", "valid_to", "end_reason",
                    "granted_by_claim_id", "decision_id"]


@dataclass(frozen=True)
class Timeline:
    claims: list[dict]
    outcomes: list[tuple]
    intervals: list[tuple]
    as_of_day: float = 400
    policy: OwnershipPolicy = BASE
    quotas: dict[str, int | None] = field(default_factory=lambda: {"r1": None, "r2": None})
    followups: list[dict] = field(default_factory=list)
    extensions: list[dict] = field(default_factory=list)
    decisions: list[dict] = field(default_factory=list)


TIMELINES: dict[str, Timeline] = {
    "first to register wins; the second rep is told who and until when": Timeline(
        claims=[claim("c2", "X", "r2", 1), claim("c1", "X", "r1", 0)],
        outcomes=[("c1", "granted", "r1", 30, None), ("c2", "conflict", "r1", 30, None)],
        intervals=[("X", "r1", 0, 30, None, "c1", None)],
        as_of_day=10,
    ),
    "expired protection returns to the pool and another rep takes it at the end instant": Timeline(
        claims=[claim("c1", "X", "r1", 0), claim("c2", "X", "r2", 29.9),
                claim("c3", "X", "r2", 30), claim("c4", "X", "r1", 31)],
        outcomes=[("c1", "granted", "r1", 30, None), ("c2", "conflict", "r1", 30, None),
                  ("c3", "granted", "r2", 60, None), ("c4", "conflict", "r2", 60, None)],
        intervals=[("X", "r1", 0, 30, "expired", "c1", None), ("X", "r2", 30, 60, None, "c3", None)],
        as_of_day=40,
    ),
    "no owner follow-up for N days releases the customer; others' follow-ups do not count": Timeline(
        policy=OwnershipPolicy(idle_release_days=10),
        claims=[claim("c1", "X", "r1", 0), claim("c2", "X", "r2", 14), claim("c3", "X", "r2", 16)],
        followups=[followup("f1", "c1", "r1", 5), followup("f2", "c1", "r2", 12)],
        outcomes=[("c1", "granted", "r1", 30, None), ("c2", "conflict", "r1", 30, None),
                  ("c3", "granted", "r2", 46, None)],
        intervals=[("X", "r1", 0, 15, "idle", "c1", None), ("X", "r2", 16, 46, None, "c3", None)],
        as_of_day=20,
    ),
    "an approved extension moves the end by extension.days": Timeline(
        claims=[claim("c1", "X", "r1", 0), claim("c2", "X", "r2", 40)],
        extensions=[extension("e1", "c1", "r1", 10)],
        outcomes=[("c1", "granted", "r1", 30, None), ("c2", "conflict", "r1", 60, None)],
        intervals=[("X", "r1", 0, 60, "expired", "c1", None)],
    ),
    "refused, pending, repeated, foreign and unknown extension requests change nothing": Timeline(
        claims=[claim("c1", "X", "r1", 0)],
        extensions=[extension("e1", "c1", "r1", 5), extension("e2", "c1", "r1", 6),
                    extension("e3", "c1", "r1", 7, approved=False),
                    extension("e4", "c1", "r1", 8, approved=None),
                    extension("e5", "c1", "r2", 9), extension("e6", "nope", "r1", 9)],
        outcomes=[("c1", "granted", "r1", 30, None)],
        intervals=[("X", "r1", 0, 60, "expired", "c1", None)],
    ),
    "a full quota rejects until an expiry frees a place": Timeline(
        quotas={"r1": 1, "r2": None},
        claims=[claim("c1", "X", "r1", 0), claim("c2", "Y", "r1", 5), claim("c3", "Y", "r1", 30)],
        outcomes=[("c1", "granted", "r1", 30, None), ("c2", "over_quota", None, None, None),
                  ("c3", "granted", "r1", 60, None)],
        intervals=[("X", "r1", 0, 30, "expired", "c1", None), ("Y", "r1", 30, 60, None, "c3", None)],
        as_of_day=35,
    ),
    "re-registering a lapsed customer under a variant name waits out the cooldown": Timeline(
        claims=[claim("c1", "X", "r1", 0, company_name="北京字节跳动科技有限公司"),
                claim("c2", "X", "r1", 33, company_name="字节跳动（北京）科技有限公司"),
                claim("c3", "X", "r1", 37, company_name="字节跳动")],
        outcomes=[("c1", "granted", "r1", 30, None), ("c2", "cooldown", None, None, None),
                  ("c3", "granted", "r1", 67, None)],
        intervals=[("X", "r1", 0, 30, "expired", "c1", None), ("X", "r1", 37, 67, None, "c3", None)],
        as_of_day=40,
    ),
    "the daily cap counts grants per Asia/Shanghai calendar day": Timeline(
        policy=OwnershipPolicy(idle_release_days=None, daily_cap=2),
        claims=[claim("c1", "X", "r1", 0), claim("c2", "Y", "r1", 0.1),
                claim("c3", "Z", "r1", 0.2), claim("c4", "W", "r1", 0.5),
                claim("c5", "W", "r1", 0.6)],  # 0.5 is 22:00 local; 0.6 is 00:24 the next day
        outcomes=[("c1", "granted", "r1", 30, None), ("c2", "granted", "r1", 30.1, None),
                  ("c3", "over_daily_cap", None, None, None),
                  ("c4", "over_daily_cap", None, None, None), ("c5", "granted", "r1", 30.6, None)],
        intervals=[("W", "r1", 0.6, 30.6, None, "c5", None), ("X", "r1", 0, 30, None, "c1", None),
                   ("Y", "r1", 0.1, 30.1, None, "c2", None)],
        as_of_day=1,
    ),
    "a per-category cap rejects one more D customer but not a C one": Timeline(
        policy=OwnershipPolicy(idle_release_days=None, category_caps={"D": 1}),
        claims=[claim("c1", "X", "r1", 0, "D"), claim("c2", "Y", "r1", 1, "D"),
                claim("c3", "Y", "r1", 2, "C")],
        outcomes=[("c1", "granted", "r1", 30, None), ("c2", "over_quota", None, None, None),
                  ("c3", "granted", "r1", 32, None)],
        intervals=[("X", "r1", 0, 30, None, "c1", None), ("Y", "r1", 2, 32, None, "c3", None)],
        as_of_day=3,
    ),
    "a claim missing its industry template's fields is incomplete and takes nothing": Timeline(
        policy=OwnershipPolicy(idle_release_days=None, templates={
            "default": ("company_name",), "制造业": ("company_name", "contact_name", "phone")}),
        claims=[claim("c1", "X", "r1", 0, industry="制造业", phone="13800138000"),
                claim("c2", "X", "r2", 1, industry="制造业", contact_name="王", phone="138"),
                claim("c3", "Y", "r1", 2, industry="餐饮业"),
                claim("c4", "Z", "r1", 3, company_name="  ")],
        outcomes=[("c1", "incomplete", None, None, None), ("c2", "granted", "r2", 31, None),
                  ("c3", "granted", "r1", 32, None), ("c4", "incomplete", None, None, None)],
        intervals=[("X", "r2", 1, 31, None, "c2", None), ("Y", "r1", 2, 32, None, "c3", None)],
        as_of_day=5,
    ),
    "two claims at one instant: the smaller claim_id goes first": Timeline(
        claims=[claim("k-b", "X", "r1", 0), claim("k-a", "X", "r2", 0)],
        outcomes=[("k-a", "granted", "r2", 30, None), ("k-b", "conflict", "r2", 30, None)],
        intervals=[("X", "r2", 0, 30, None, "k-a", None)],
        as_of_day=1,
    ),
    "at one instant a decision, then an extension, then a claim take effect": Timeline(
        claims=[claim("c1", "X", "r1", 0), claim("c2", "X", "r2", 1), claim("c3", "X", "r3", 3)],
        decisions=[decision("d1", "c2", "overturn", 3)],
        extensions=[extension("e1", "c2", "r2", 3)],
        outcomes=[("c1", "granted", "r1", 30, None), ("c2", "granted", "r2", 33, "d1"),
                  ("c3", "conflict", "r2", 63, None)],
        intervals=[("X", "r1", 0, 3, "released_on_appeal", "c1", None),
                   ("X", "r2", 3, 63, None, "c2", "d1")],
        as_of_day=10,
    ),
    "an overturned appeal releases the owner and grants the appellant from the decision": Timeline(
        claims=[claim("c1", "X", "r1", 0), claim("c2", "X", "r2", 1), claim("c3", "X", "r1", 5)],
        decisions=[decision("d1", "c2", "overturn", 3)],
        outcomes=[("c1", "granted", "r1", 30, None), ("c2", "granted", "r2", 33, "d1"),
                  ("c3", "conflict", "r2", 33, None)],
        intervals=[("X", "r1", 0, 3, "released_on_appeal", "c1", None),
                   ("X", "r2", 3, 33, None, "c2", "d1")],
        as_of_day=10,
    ),
    "an upheld appeal leaves the conflict standing and records the decision": Timeline(
        claims=[claim("c1", "X", "r1", 0), claim("c2", "X", "r2", 1)],
        decisions=[decision("d1", "c2", "uphold", 3), decision("d0", "c1", "overturn", 4)],
        outcomes=[("c1", "granted", "r1", 30, None), ("c2", "conflict", "r1", 30, "d1")],
        intervals=[("X", "r1", 0, 30, None, "c1", None)],
        as_of_day=10,
    ),
    "an overturn still releases, but an appellant at quota gets nothing: the pool takes it": Timeline(
        quotas={"r1": None, "r2": 1},
        claims=[claim("c0", "Y", "r2", 0), claim("c1", "X", "r1", 0.5), claim("c2", "X", "r2", 1)],
        decisions=[decision("d1", "c2", "overturn", 3)],
        outcomes=[("c0", "granted", "r2", 30, None), ("c1", "granted", "r1", 30.5, None),
                  ("c2", "over_quota", None, None, "d1")],
        intervals=[("X", "r1", 0.5, 3, "released_on_appeal", "c1", None),
                   ("Y", "r2", 0, 30, None, "c0", None)],
        as_of_day=10,
    ),
    "the owner registering again on a later day renews from that claim": Timeline(
        claims=[claim("c1", "X", "r1", 0), claim("c2", "X", "r1", 20), claim("c3", "X", "r2", 40)],
        outcomes=[("c1", "granted", "r1", 30, None), ("c2", "renewed", "r1", 50, None),
                  ("c3", "conflict", "r1", 50, None)],
        intervals=[("X", "r1", 0, 20, "superseded", "c1", None),
                   ("X", "r1", 20, 50, "expired", "c2", None)],
    ),
    "a renewal that would end earlier than the current end changes nothing": Timeline(
        claims=[claim("c1", "X", "r1", 0, "A"), claim("c2", "X", "r1", 20, "C")],
        outcomes=[("c1", "granted", "r1", 90, None), ("c2", "renewed", "r1", 90, None)],
        intervals=[("X", "r1", 0, 90, None, "c1", None)],
        as_of_day=30,
    ),
    "the owner registering again the same business day is a duplicate": Timeline(
        claims=[claim("c1", "X", "r1", 0), claim("c2", "X", "r1", 0.4), claim("c3", "X", "r1", 1)],
        outcomes=[("c1", "granted", "r1", 30, None), ("c2", "duplicate", "r1", 30, None),
                  ("c3", "renewed", "r1", 31, None)],
        intervals=[("X", "r1", 0, 1, "superseded", "c1", None), ("X", "r1", 1, 31, None, "c3", None)],
        as_of_day=2,
    ),
    "events at or after the as-of instant are ignored": Timeline(
        claims=[claim("c1", "X", "r1", 0), claim("c2", "Y", "r1", 5)],
        followups=[followup("f1", "c1", "r1", 5)],
        outcomes=[("c1", "granted", "r1", 30, None)],
        intervals=[("X", "r1", 0, 30, None, "c1", None)],
        as_of_day=5,
    ),
}


def _replayed(case: Timeline):
    return run(case.claims, followups=case.followups, extensions=case.extensions,
               decisions=case.decisions, quotas=case.quotas, policy=case.policy,
               as_of_day=case.as_of_day)


@pytest.mark.parametrize("case", TIMELINES.values(), ids=list(TIMELINES))
def test_timeline(case: Timeline):
    result = _replayed(case)
    assert_frame_equal(result.claim_outcomes.select(OUTCOME_COLUMNS).sort("claim_id"),
                       expected_outcomes(case.outcomes).sort("claim_id"))
    assert_frame_equal(result.ownership_history.select(INTERVAL_COLUMNS),
                       expected_intervals(case.intervals))
