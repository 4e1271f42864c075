"""mart_outcomes_daily: outcomes counted per business day in Asia/Shanghai, rep and category."""

from datetime import date

import pytest

from tests.sql.tables import connection, instant, model, table


def _daily(claims: list[tuple], session_zone: str = "UTC"):
    """`claims`: (claim_id, rep_id, submitted_at ISO, category, outcome)."""
    con = connection(date(2026, 11, 3), "2026-11-04T00:00:00+08:00", session_zone)
    table(con, "claim_outcomes", "claim_id varchar, rep_id varchar, submitted_at timestamptz, outcome varchar",
          [(c, r, instant(t), o) for c, r, t, _, o in claims])
    table(con, "claims", "claim_id varchar, category varchar", [(c, k) for c, _, _, k, _ in claims])
    table(con, "reps", "rep_id varchar, rep_name varchar, team varchar",
          [("S1", "王磊", "华北一组"), ("S2", "李娜", "华东大客户组")])
    return model(con, "mart_outcomes_daily", "business_date, rep_id, category")


@pytest.mark.parametrize("session_zone", ["UTC", "America/New_York"])
def test_a_claim_belongs_to_its_calendar_day_in_shanghai(session_zone):
    daily = _daily([
        ("K1", "S1", "2026-11-02T23:30:00+08:00", "A", "granted"),   # 15:30 UTC on 11-02
        ("K2", "S1", "2026-11-02T00:10:00+08:00", "A", "conflict"),  # 11-01 in UTC
        ("K3", "S1", "2026-11-03T00:00:00+08:00", "A", "granted"),   # midnight opens 11-03
    ], session_zone)
    assert daily.select("business_date", "claims", "granted", "conflicts").rows() == [
        (date(2026, 11, 2), 2, 1, 1), (date(2026, 11, 3), 1, 1, 0)]


def test_each_outcome_has_its_count_and_the_rest_are_other_outcomes():
    outcomes = ["granted", "renewed", "conflict", "over_quota", "incomplete", "duplicate", "cooldown",
                "over_daily_cap", "conflict"]
    daily = _daily([(f"K{i}", "S2", "2026-11-03T10:00:00+08:00", "C", o) for i, o in enumerate(outcomes)])
    row = daily.row(0, named=True)
    assert (row["claims"], row["granted"], row["renewed"], row["conflicts"], row["over_quota"],
            row["incomplete"], row["other_outcomes"]) == (9, 1, 1, 2, 1, 1, 3)
    assert (row["rep_name"], row["team"], row["category"]) == ("李娜", "华东大客户组", "C")


def test_reps_and_categories_are_counted_apart():
    daily = _daily([
        ("K1", "S1", "2026-11-03T10:00:00+08:00", "A", "granted"),
        ("K2", "S1", "2026-11-03T11:00:00+08:00", "D", "granted"),
        ("K3", "S2", "2026-11-03T12:00:00+08:00", "A", "granted"),
    ])
    assert daily.select("rep_id", "category", "claims").rows() == [("S1", "A", 1), ("S1", "D", 1), ("S2", "A", 1)]
