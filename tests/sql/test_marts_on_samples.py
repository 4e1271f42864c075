"""The marts of the samples warehouse agree with the tables they summarise."""


import duckdb
import polars as pl
import pytest

from tests.conftest import SAMPLES_AS_OF

pytestmark = pytest.mark.usefixtures("prefect_harness")


@pytest.fixture(scope="module")
def q(samples_run):
    _, warehouse = samples_run

    def query(sql: str) -> pl.DataFrame:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            return con.sql(sql).pl()

    return query


def test_run_context_is_the_run_as_of(q, samples_run):
    summary, _ = samples_run
    context = q("select * from run_context")
    assert context.height == 1
    assert context.row(0, named=True)["run_id"] == summary.run_id
    assert context["as_of"][0] == SAMPLES_AS_OF
    assert context["timezone"][0] == "Asia/Shanghai"


def test_daily_outcomes_sum_to_claim_outcomes(q):
    daily = q("select sum(claims) as claims, sum(granted) as granted, sum(renewed) as renewed, "
              "sum(conflicts) as conflict, sum(over_quota) as over_quota, sum(incomplete) as incomplete, "
              "sum(other_outcomes) as other from mart_outcomes_daily").row(0, named=True)
    outcomes = dict(q("select outcome, count(*) from claim_outcomes group by all").rows())
    assert daily["claims"] == sum(outcomes.values())
    for outcome in ("granted", "renewed", "conflict", "over_quota", "incomplete"):
        assert daily[outcome] == outcomes.pop(outcome, 0), outcome
    assert daily["other"] == sum(outcomes.values())
    per_rep = q("select rep_id, sum(claims)::bigint as n from mart_outcomes_daily group by all order by 1")
    assert per_rep.equals(q("select rep_id, count(*) as n from claim_outcomes group by all order by 1"))


def test_rep_protections_agree_with_ownership_current_and_quota_usage(q):
    reps = q("select * from mart_rep_protections order by rep_id")
    usage = q("select * from quota_usage order by rep_id")
    assert reps["rep_id"].to_list() == usage["rep_id"].to_list()
    assert reps["used"].to_list() == usage["used"].to_list() == reps["active_protections"].to_list()
    assert (reps["quota_left"] == usage["quota"] - usage["used"]).all()
    held = dict(q("select rep_id, count(*) from ownership_current group by all").rows())
    assert {r: n for r, n in zip(reps["rep_id"], reps["active_protections"], strict=True) if n} == held
    by_category = reps.select(pl.sum_horizontal("active_a", "active_b", "active_c", "active_d"))
    assert by_category.to_series().to_list() == reps["active_protections"].to_list()


def test_the_last_day_of_the_pool_is_the_public_pool(q):
    last = q("select * from mart_public_pool_daily order by business_date desc limit 1").row(0, named=True)
    context = q("select * from run_context").row(0, named=True)
    assert (last["business_date"], last["day_end_at"]) == (context["as_of"], context["as_of_end"])
    assert last["customers_in_pool"] == q("select count(*) as n from public_pool")["n"][0]
    assert last["customers_protected"] == q("select count(*) as n from ownership_current")["n"][0]
    assert last["customers_known"] == q("select count(*) as n from customers")["n"][0]


def test_team_conflicts_sum_to_conflicts(q):
    pairs = q("select claimant_team, owner_team, sum(conflicts)::bigint as n from mart_team_conflicts "
              "where conflicts > 0 group by all order by 1, 2")
    assert pairs.equals(q("select claimant_team, owner_team, count(*) as n from conflicts group by all order by 1, 2"))
    assert pairs["n"].sum() > 0


def test_expiring_protections_are_active_and_end_within_14_days(q):
    rows = q("select e.*, c.as_of_end from mart_expiring_protections e, run_context c")
    assert rows.height > 0
    current = set(q("select customer_id from ownership_current")["customer_id"])
    assert set(rows["customer_id"]) <= current
    ahead = (rows["ends_at"] - rows["as_of_end"]).dt.total_seconds() / 86400
    assert ((ahead > 0) & (ahead <= 14)).all()
    assert (rows["within_7_days"] == (ahead <= 7)).all()
