"""mart_expiring_protections: ends at the earlier of scheduled end and idle release, within 14 days."""

from datetime import date, timedelta

from tests.sql.tables import connection, instant, model, table

AS_OF_END = instant("2026-11-04T00:00:00+08:00")
CURRENT = ("customer_id varchar, rep_id varchar, valid_from timestamptz, valid_to timestamptz, "
           "idle_release_at timestamptz, granted_by_claim_id varchar, extensions_used bigint")


def _day(n: float):
    return AS_OF_END + timedelta(days=n)


def _expiring(protections: list[tuple]):
    """`protections`: (customer_id, days to valid_to, days to idle release or None)."""
    con = connection(date(2026, 11, 3), AS_OF_END.isoformat())
    table(con, "ownership_current", CURRENT, [
        (c, "S1", _day(-20), _day(end), None if idle is None else _day(idle), f"K-{c}", 0)
        for c, end, idle in protections
    ])
    table(con, "claims", "claim_id varchar, category varchar", [(f"K-{c}", "B") for c, _, _ in protections])
    table(con, "customers", "customer_id varchar, display_name varchar", [(c, f"公司{c}") for c, _, _ in protections])
    table(con, "reps", "rep_id varchar, rep_name varchar, team varchar", [("S1", "王磊", "华北一组")])
    return model(con, "mart_expiring_protections", "customer_id")


def test_the_earlier_of_expiry_and_idle_release_decides_when_and_why():
    rows = _expiring([("C1", 10, 3), ("C2", 5, 20), ("C3", 20, 12), ("C4", 8, None)])
    assert rows["customer_id"].to_list() == ["C1", "C2", "C3", "C4"]
    assert rows["ends_at"].to_list() == [_day(3), _day(5), _day(12), _day(8)]
    assert rows["end_reason"].to_list() == ["idle", "expired", "idle", "expired"]
    assert rows["within_7_days"].to_list() == [True, True, False, False]
    assert rows["days_left"].to_list() == [3, 5, 12, 8]
    assert rows["ends_date"].to_list() == [date(2026, 11, 7), date(2026, 11, 9), date(2026, 11, 16),
                                           date(2026, 11, 12)]
    assert rows["category"].to_list() == ["B"] * 4 and rows["team"].to_list() == ["华北一组"] * 4


def test_only_protections_ending_within_14_days_are_listed():
    rows = _expiring([("C1", 14, None), ("C2", 14.01, None), ("C3", 30, 14.5), ("C4", 30, 7), ("C5", 0.5, None)])
    assert rows["customer_id"].to_list() == ["C1", "C4", "C5"]
    assert rows["within_7_days"].to_list() == [False, True, True]
    assert rows["days_left"].to_list() == [14, 7, 0]


def test_a_tie_between_expiry_and_idle_release_is_an_expiry():
    rows = _expiring([("C1", 6, 6)])
    assert rows["end_reason"].to_list() == ["expired"]
