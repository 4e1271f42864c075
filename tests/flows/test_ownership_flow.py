"""The ownership rules as the nightly flow publishes them, on the bundled samples."""

from datetime import UTC, date, datetime

import duckdb
import polars as pl
import pytest
import yaml

from flows import ownership_stage
from flows.nightly import nightly
from flows.simulate import simulate
from tests.flows.inputs import REPO, write_inputs

pytestmark = pytest.mark.usefixtures("prefect_harness")


def _q(warehouse, sql: str, params=None) -> pl.DataFrame:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.sql(sql, params=params).pl()


def test_every_accepted_claim_has_exactly_one_outcome(samples_run):
    _, warehouse = samples_run
    outcomes = _q(warehouse, "select claim_id, outcome, reason_zh, reason_en from claim_outcomes")
    claims = _q(warehouse, "select claim_id from claims")
    assert sorted(outcomes["claim_id"]) == sorted(claims["claim_id"])
    assert set(outcomes["outcome"]) <= {"granted", "renewed", "conflict", "over_quota", "incomplete", "duplicate",
                                        "cooldown", "over_daily_cap"}
    assert outcomes["reason_zh"].is_not_null().all() and outcomes["reason_en"].is_not_null().all()


def test_protected_and_public_pool_split_the_customers(samples_run):
    _, warehouse = samples_run
    protected = set(_q(warehouse, "select customer_id from ownership_current")["customer_id"])
    pool = set(_q(warehouse, "select customer_id from public_pool")["customer_id"])
    customers = set(_q(warehouse, "select customer_id from customers")["customer_id"])
    assert protected | pool == customers and not protected & pool


def test_appeals_change_outcomes_and_show_the_decision(samples_run):
    _, warehouse = samples_run
    appeals = dict(_q(warehouse, "select appeal_id, status from appeals").iter_rows())
    assert appeals == {"AP-0001": "overturned", "AP-0002": "upheld", "AP-0003": "open", "AP-0004": "same"}
    outcome = {r["claim_id"]: r for r in _q(
        warehouse, "select claim_id, outcome, decision_id, customer_id from claim_outcomes").iter_rows(named=True)}
    assert (outcome["L-00012887"]["outcome"], outcome["L-00012887"]["decision_id"]) == ("granted", "AP-0001")
    assert (outcome["WF20261006-0001"]["outcome"], outcome["WF20261006-0001"]["decision_id"]) == (
        "conflict", "AP-0002")
    customer = outcome["L-00012887"]["customer_id"]
    after = datetime(2026, 10, 10, tzinfo=UTC)
    owner = _q(warehouse, "select rep_id from owner_on(?, ?)", [customer, after])
    assert owner["rep_id"].to_list() == ["S007"]
    released = _q(warehouse, "select end_reason, ended_by_decision_id from ownership_history "
                             "where customer_id = ? and end_reason = 'released_on_appeal'", [customer])
    assert released.rows() == [("released_on_appeal", "AP-0001")]
    same = _q(warehouse, "select count(distinct customer_id) as n from claim_customer "
                         "where claim_id in ('ZL-0040', 'ZL-0059')")
    assert same["n"][0] == 1  # the same-customer appeal joined them


def test_extension_requests_have_their_outcomes(samples_run):
    _, warehouse = samples_run
    outcomes = dict(_q(warehouse, "select request_id, outcome from extension_outcomes").iter_rows())
    assert outcomes == {"EXT-0001": "extended", "EXT-0002": "refused", "EXT-0003": "awaiting_approval",
                        "EXT-0004": "not_owner"}


def test_conflicts_name_both_reps_and_teams(samples_run):
    _, warehouse = samples_run
    conflicts = _q(warehouse, "select * from conflicts")
    assert conflicts.height == _q(warehouse, "select count(*) as n from claim_outcomes "
                                             "where outcome = 'conflict'")["n"][0]
    assert (conflicts["claimant_rep_id"] != conflicts["owner_rep_id"]).all()
    assert conflicts["claimant_team"].is_not_null().all() and conflicts["owner_team"].is_not_null().all()
    assert conflicts["protection_end"].is_not_null().all()


def test_simulating_tighter_category_caps_rejects_more(samples_run, tmp_path):
    _, warehouse = samples_run
    policy = yaml.safe_load((REPO / "config" / "policy.yaml").read_text(encoding="utf-8"))
    policy["quota"]["per_category"] = {"A": 1, "B": 1, "C": 1, "D": 1}
    other = tmp_path / "strict.yaml"
    other.write_text(yaml.safe_dump(policy, allow_unicode=True), encoding="utf-8")
    as_of, comparison = simulate(REPO / "config" / "sources.yaml", warehouse, REPO / "config" / "policy.yaml", other)
    rows = {r["metric"]: r for r in comparison.iter_rows(named=True)}
    assert str(as_of) == "2026-11-25"
    assert rows["over_quota_rejections"]["policy_b"] > rows["over_quota_rejections"]["policy_a"]
    assert rows["over_quota_rejections"]["difference"] == (
        rows["over_quota_rejections"]["policy_b"] - rows["over_quota_rejections"]["policy_a"])


def test_a_replay_failing_on_its_thread_stops_the_night_and_leaves_the_published_warehouse(tmp_path, monkeypatch):
    sources = write_inputs(tmp_path)
    warehouse = tmp_path / "var" / "warehouse.duckdb"
    nightly(sources, warehouse, date(2026, 11, 26))
    published = warehouse.read_bytes()

    def failing(*_args, **_kwargs):
        raise ValueError("the replay broke")

    monkeypatch.setattr(ownership_stage, "replay_with_customers", failing)
    with pytest.raises(ValueError, match="the replay broke"):
        nightly(sources, warehouse, date(2026, 11, 27))
    assert warehouse.read_bytes() == published
    assert not (warehouse.parent / "warehouse.duckdb.building").exists()
