"""The other result frames, the reasons' wording, the input checks and the owner_on macro."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from adapters.sql_files import MACROS, sql_text
from tests.transforms.ownership.builders import (
    TS,
    at,
    claim,
    decision,
    extension,
    frame,
    roster,
    run,
)
from transforms.ownership import ExtensionRule, OwnershipPolicy, replay

HERE = Path(__file__).parent
POLICY = OwnershipPolicy(idle_release_days=None)


def test_conflict_reason_names_the_owner_and_the_end_in_both_languages():
    outcomes = run([claim("c1", "X", "r1", 0), claim("c2", "X", "r2", 1)], as_of_day=5).claim_outcomes
    conflict = outcomes.filter(pl.col("claim_id") == "c2").row(0, named=True)
    assert conflict["reason_zh"] == "撞单：该客户已由销售r1 (r1)报备，保护期至2025-04-02 10:00"
    assert conflict["reason_en"] == "conflict: 销售r1 (r1) already protects this customer until 2025-04-02 10:00"


def test_category_cap_and_incomplete_reasons_name_the_cap_and_the_fields():
    policy = OwnershipPolicy(idle_release_days=None, category_caps={"D": 1},
                             templates={"default": ("company_name", "phone")})
    outcomes = run([claim("c1", "X", "r1", 0, "D", phone="1"), claim("c2", "Y", "r1", 1, "D", phone="1"),
                    claim("c3", "Z", "r1", 2)], policy=policy, as_of_day=5).claim_outcomes
    reasons = dict(zip(outcomes["claim_id"], outcomes["reason_en"], strict=True))
    assert reasons["c2"] == "over quota: the cap of 1 protected category D customers is full"
    assert reasons["c3"] == "incomplete: the 'default' template requires phone"


def test_extension_outcomes_report_every_request():
    result = run(
        [claim("c1", "X", "r1", 0)],
        extensions=[extension("e1", "c1", "r1", 5), extension("e2", "c1", "r1", 6),
                    extension("e3", "c1", "r1", 7, approved=False),
                    extension("e4", "c1", "r1", 8, approved=None),
                    extension("e5", "c1", "r2", 9), extension("e6", "nope", "r1", 9)],
        as_of_day=20)
    got = result.extension_outcomes.select("request_id", "outcome", "protection_end_before",
                                           "protection_end_after")
    expected = pl.DataFrame(
        [("e1", "extended", at(30), at(60)), ("e2", "over_max_count", at(60), at(60)),
         ("e3", "refused", at(60), at(60)), ("e4", "awaiting_approval", at(60), at(60)),
         ("e5", "not_owner", None, None), ("e6", "unknown_claim", None, None)],
        schema={"request_id": pl.String, "outcome": pl.String, "protection_end_before": TS,
                "protection_end_after": TS}, orient="row")
    assert_frame_equal(got, expected)
    assert result.ownership_current["extensions_used"].to_list() == [1]


def test_extensions_without_approval_when_the_policy_does_not_require_it():
    policy = OwnershipPolicy(idle_release_days=None,
                             extension=ExtensionRule(max_count=2, days=10, requires_approval=False))
    result = run([claim("c1", "X", "r1", 0)], policy=policy, as_of_day=20,
                 extensions=[extension("e1", "c1", "r1", 5, approved=None),
                             extension("e2", "c1", "r1", 6, approved=False)])
    assert result.extension_outcomes["outcome"].to_list() == ["extended", "refused"]
    assert result.ownership_current["valid_to"].to_list() == [at(40)]


def test_the_example_extensions_csv_reads_and_replays():
    extensions = pl.read_csv(HERE / "extensions_example.csv", schema_overrides={
        "approved": pl.Boolean, "approver": pl.String}).with_columns(
        requested_at=pl.col("requested_at").str.to_datetime(time_zone="UTC", time_unit="us"))
    claims = frame("claims", [claim("c1", "X", "r1", 0), claim("c2", "Y", "r2", 0)])
    result = replay(claims, frame("followups", []), extensions, frame("decisions", []),
                    roster({"r1": None, "r2": None}), POLICY, at(40))
    assert result.extension_outcomes["outcome"].to_list() == [
        "extended", "refused", "awaiting_approval", "over_max_count"]


def test_quota_usage_counts_active_protections_and_rejections_per_rep():
    result = run([claim("c1", "X", "r1", 0), claim("c2", "Y", "r1", 1), claim("c3", "Z", "r1", 2),
                  claim("c4", "Z", "r9", 3)],
                 quotas={"r1": 2, "r2": None}, as_of_day=10)
    expected = pl.DataFrame({"rep_id": ["r1", "r2", "r9"], "used": [2, 0, 1], "quota": [2, 50, 50],
                             "over_quota_attempts": [1, 0, 0]})
    assert_frame_equal(result.quota_usage, expected)


def test_current_ownership_shows_when_idle_release_would_end_it():
    policy = OwnershipPolicy(idle_release_days=10)
    result = run([claim("c1", "X", "r1", 0)], policy=policy, as_of_day=8,
                 followups=[{"activity_id": "f1", "claim_id": "c1", "rep_id": "r1",
                             "activity_at": at(4), "activity_type": "call"}])
    row = result.ownership_current.row(0, named=True)
    assert (row["rep_id"], row["valid_to"], row["idle_release_at"]) == ("r1", at(30), at(14))


def test_inputs_are_left_as_they_were():
    claims = frame("claims", [claim("c2", "X", "r2", 1), claim("c1", "X", "r1", 0)])
    before = claims.clone()
    replay(claims, frame("followups", []), frame("extensions", []), frame("decisions", []),
           roster({"r1": None}), POLICY, at(5))
    assert_frame_equal(claims, before)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda f: f.drop("phone"), "claims: missing column(s) phone"),
        (lambda f: pl.concat([f, f]), "claims: claim_id must be unique; repeated: c1"),
        (lambda f: f.with_columns(pl.col("submitted_at").dt.replace_time_zone(None)),
         "claims: submitted_at must be a time-zone aware Datetime"),
        (lambda f: f.with_columns(category=pl.lit("E")), "claims: unknown category in claim(s) c1"),
    ],
)
def test_bad_claims_are_rejected_with_a_clear_message(mutate, message):
    claims = mutate(frame("claims", [claim("c1", "X", "r1", 0)]))
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        replay(claims, frame("followups", []), frame("extensions", []), frame("decisions", []),
               roster({"r1": None}), POLICY, at(5))


def test_an_unknown_decision_value_is_rejected():
    decisions = frame("decisions", [decision("d1", "c1", "maybe", 1)])
    with pytest.raises(ValueError, match="decision must be uphold or overturn"):
        replay(frame("claims", [claim("c1", "X", "r1", 0)]), frame("followups", []),
               frame("extensions", []), decisions, roster({"r1": None}), POLICY, at(5))


def test_a_naive_as_of_is_rejected():
    with pytest.raises(ValueError, match="as_of_end must be time-zone aware"):
        replay(frame("claims", []), frame("followups", []), frame("extensions", []),
               frame("decisions", []), frame("roster", []), POLICY, datetime(2025, 4, 1))


def test_empty_inputs_give_empty_typed_frames():
    result = replay(frame("claims", []), frame("followups", []), frame("extensions", []),
                    frame("decisions", []), frame("roster", []), POLICY, at(5))
    assert result.claim_outcomes.height == result.ownership_history.height == 0
    assert result.ownership_history.schema["valid_from"] == TS


def test_owner_on_macro_finds_the_owner_at_an_instant():
    history = run([claim("c1", "X", "r1", 0), claim("c2", "X", "r2", 1)],
                  decisions=[decision("d1", "c2", "overturn", 3)], as_of_day=10).ownership_history
    con = duckdb.connect()
    con.register("ownership_history", history.to_arrow())
    con.execute(sql_text(MACROS, "owner_on"))

    def owner(day: float) -> list[tuple]:
        return con.execute("select rep_id, decision_id from owner_on('X', ?)", [at(day)]).fetchall()

    assert owner(-1) == []
    assert owner(0) == [("r1", None)]
    assert owner(2.99) == [("r1", None)]
    assert owner(3) == [("r2", "d1")]
    assert owner(33) == []
