"""Invariants of the replay over random histories: one owner at a time, quotas and caps held,
row order irrelevant, replays repeatable."""

from __future__ import annotations

from collections import defaultdict

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from tests.transforms.ownership.builders import (
    at,
    claim,
    decision,
    extension,
    followup,
    frame,
    roster,
)
from transforms.ownership import ExtensionRule, OwnershipPolicy, OwnershipResult, replay

REPS = ("r1", "r2", "r3")
CUSTOMERS = ("X", "Y", "Z")
# Coarse times (quarter days) make same-instant ties and boundary hits common.
QUARTERS = st.integers(min_value=0, max_value=60).map(lambda q: q / 4)
LATER = st.integers(min_value=0, max_value=12).map(lambda q: q / 4)


@st.composite
def histories(draw) -> dict:
    n = draw(st.integers(min_value=1, max_value=16))
    claims = [
        claim(f"c{i:02d}", draw(st.sampled_from(CUSTOMERS)), draw(st.sampled_from(REPS)),
              draw(QUARTERS), draw(st.sampled_from("ABCD")),
              industry=draw(st.sampled_from([None, None, None, "制造业"])),
              phone=draw(st.sampled_from(["1", None])))
        for i in range(n)
    ]

    def about_a_claim(make, prefix: str, count: int, *extra) -> list[dict]:
        rows = []
        for k in range(count):
            c = draw(st.sampled_from(claims))
            rep = draw(st.sampled_from([c["rep_id"], c["rep_id"], *REPS]))
            day = (c["submitted_at"] - at(0)).total_seconds() / 86400 + draw(LATER)
            rows.append(make(f"{prefix}{k:02d}", c["claim_id"], rep, day, *(draw(e) for e in extra)))
        return rows

    followups = about_a_claim(followup, "f", draw(st.integers(0, 8)))
    extensions = about_a_claim(extension, "e", draw(st.integers(0, 4)),
                               st.sampled_from([True, True, False, None]))
    decisions = [
        decision(f"d{k:02d}", c["claim_id"], draw(st.sampled_from(["uphold", "overturn"])),
                 (c["submitted_at"] - at(0)).total_seconds() / 86400 + draw(LATER))
        for k, c in enumerate(draw(st.lists(st.sampled_from(claims), max_size=4)))
    ]
    policy = OwnershipPolicy(
        protection_days={"A": 6, "B": 4, "C": 2, "D": 1},
        idle_release_days=draw(st.sampled_from([None, 1, 3])),
        extension=ExtensionRule(max_count=draw(st.integers(0, 2)), days=2),
        default_quota=draw(st.integers(1, 4)),
        category_caps=draw(st.sampled_from([{}, {"D": 1}, {"A": 0, "B": 1}])),
        templates={"default": ("company_name",), "制造业": ("company_name", "phone")},
        cooldown_days=draw(st.integers(0, 3)),
        daily_cap=draw(st.sampled_from([None, None, 1, 2])),
    )
    quotas = {r: draw(st.sampled_from([None, None, 0, 1, 2])) for r in REPS}
    return {"claims": frame("claims", claims), "followups": frame("followups", followups),
            "extensions": frame("extensions", extensions),
            "appeal_decisions": frame("decisions", decisions), "roster": roster(quotas),
            "policy": policy, "as_of_end": at(draw(st.integers(4, 20)))}


def _replay(inputs: dict) -> OwnershipResult:
    return replay(**inputs)


def _max_overlap(intervals: list[tuple]) -> int:
    """Most intervals [start, end) open at one instant (an end frees its place at that instant)."""
    edges = sorted([(s, 1) for s, _ in intervals] + [(e, -1) for _, e in intervals])
    best = open_ = 0
    for _, step in edges:
        open_ += step
        best = max(best, open_)
    return best


# 150 examples each: the five properties cost ~70 s at 250, and the whole suite must stay under 15 minutes
SETTINGS = settings(max_examples=150, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(histories())
def test_never_two_owners_of_one_customer_at_once(inputs):
    history = _replay(inputs).ownership_history
    for part in history.partition_by("customer_id", as_dict=True).values():
        assert _max_overlap(list(zip(part["valid_from"], part["valid_to"], strict=True))) <= 1
        assert (part["valid_from"] < part["valid_to"]).all()


@SETTINGS
@given(histories())
def test_no_rep_ever_holds_more_than_quota_or_category_cap(inputs):
    result = _replay(inputs)
    policy, quotas = inputs["policy"], dict(zip(inputs["roster"]["rep_id"], inputs["roster"]["quota"], strict=True))
    categories = dict(zip(inputs["claims"]["claim_id"], inputs["claims"]["category"], strict=True))
    by_rep, by_rep_category = defaultdict(list), defaultdict(list)
    for row in result.ownership_history.iter_rows(named=True):
        span = (row["valid_from"], row["valid_to"])
        by_rep[row["rep_id"]].append(span)
        by_rep_category[row["rep_id"], categories[row["granted_by_claim_id"]]].append(span)
    for rep, spans in by_rep.items():
        quota = quotas.get(rep)
        assert _max_overlap(spans) <= (policy.default_quota if quota is None else quota)
    for (_, category), spans in by_rep_category.items():
        cap = policy.category_caps.get(category)
        assert cap is None or _max_overlap(spans) <= cap


def _frames(result: OwnershipResult) -> list[pl.DataFrame]:
    return [result.claim_outcomes, result.ownership_history, result.ownership_current,
            result.quota_usage, result.extension_outcomes]


@SETTINGS
@given(histories(), st.randoms(use_true_random=False))
def test_the_result_does_not_depend_on_input_row_order(inputs, rng):
    shuffled = dict(inputs)
    for key in ("claims", "followups", "extensions", "appeal_decisions", "roster"):
        order = list(range(inputs[key].height))
        rng.shuffle(order)
        shuffled[key] = inputs[key][order] if order else inputs[key]
    for got, expected in zip(_frames(_replay(shuffled)), _frames(_replay(inputs)), strict=True):
        assert_frame_equal(got, expected)


@SETTINGS
@given(histories())
def test_replaying_twice_gives_identical_frames(inputs):
    for got, expected in zip(_frames(_replay(inputs)), _frames(_replay(inputs)), strict=True):
        assert_frame_equal(got, expected)


@SETTINGS
@given(histories())
def test_every_claim_gets_exactly_one_outcome(inputs):
    outcomes = _replay(inputs).claim_outcomes
    assert sorted(outcomes["claim_id"]) == sorted(inputs["claims"].filter(
        pl.col("submitted_at") < inputs["as_of_end"])["claim_id"])
    assert outcomes["outcome"].is_in(["granted", "renewed", "conflict", "over_quota", "incomplete",
                                      "duplicate", "cooldown", "over_daily_cap"]).all()
    assert outcomes["reason_zh"].is_not_null().all() and outcomes["reason_en"].is_not_null().all()
