"""mart_public_pool_daily: each business day seen at its closing midnight, as the replay sees as-of."""

from datetime import date

from tests.sql.tables import connection, instant, model, table

HISTORY = "customer_id varchar, valid_from timestamptz, valid_to timestamptz, end_reason varchar"


def _pool(customers: list[tuple], history: list[tuple]):
    con = connection(date(2026, 11, 3), "2026-11-04T00:00:00+08:00")
    table(con, "customers", "customer_id varchar, first_seen_at timestamptz", customers)
    table(con, "ownership_history", HISTORY, history)
    return model(con, "mart_public_pool_daily", "business_date")


def test_one_row_per_business_day_from_the_first_claim_to_as_of():
    pool = _pool([("C1", instant("2026-11-01T09:00:00+08:00"))], [])
    assert pool["business_date"].to_list() == [date(2026, 11, 1), date(2026, 11, 2), date(2026, 11, 3)]
    assert pool["day_end_at"][-1] == instant("2026-11-04T00:00:00+08:00")
    assert pool["customers_in_pool"].to_list() == [1, 1, 1]


def test_a_customer_first_seen_at_midnight_counts_from_that_day():
    pool = _pool([("C1", instant("2026-11-01T09:00:00+08:00")),
                  ("C2", instant("2026-11-02T00:00:00+08:00")),
                  ("C3", instant("2026-11-01T23:59:59+08:00"))], [])
    assert pool["customers_known"].to_list() == [2, 3, 3]
    assert pool["new_customers"].to_list() == [2, 1, 0]


def test_an_expiry_or_idle_release_at_midnight_has_ended_by_that_day_end():
    pool = _pool(
        [("C1", instant("2026-11-01T09:00:00+08:00")), ("C2", instant("2026-11-01T10:00:00+08:00"))],
        [("C1", instant("2026-11-01T09:00:00+08:00"), instant("2026-11-03T00:00:00+08:00"), "expired"),
         ("C2", instant("2026-11-01T10:00:00+08:00"), instant("2026-11-03T00:00:00+08:00"), "idle")],
    )
    assert pool["customers_protected"].to_list() == [2, 0, 0]
    assert pool["customers_in_pool"].to_list() == [0, 2, 2]
    assert pool["pool_share"].to_list() == [0.0, 1.0, 1.0]


def test_a_protection_replaced_at_midnight_still_stands_at_that_day_end():
    # the renewal and the appeal ruling happen at 11-03 00:00, i.e. on 11-03: on 11-02 the old
    # protections stood, and from 11-03 the new ones do
    pool = _pool(
        [("C1", instant("2026-11-01T09:00:00+08:00")), ("C2", instant("2026-11-01T10:00:00+08:00"))],
        [("C1", instant("2026-11-01T09:00:00+08:00"), instant("2026-11-03T00:00:00+08:00"), "superseded"),
         ("C1", instant("2026-11-03T00:00:00+08:00"), instant("2026-12-03T00:00:00+08:00"), None),
         ("C2", instant("2026-11-01T10:00:00+08:00"), instant("2026-11-03T00:00:00+08:00"),
          "released_on_appeal")],
    )
    assert pool["customers_protected"].to_list() == [2, 2, 1]
    assert pool["customers_in_pool"].to_list() == [0, 0, 1]


def test_a_protection_starting_at_midnight_counts_from_that_day():
    pool = _pool(
        [("C1", instant("2026-11-02T00:00:00+08:00"))],
        [("C1", instant("2026-11-02T00:00:00+08:00"), instant("2026-12-02T00:00:00+08:00"), None)],
    )
    assert pool["business_date"].to_list() == [date(2026, 11, 2), date(2026, 11, 3)]
    assert pool["customers_known"].to_list() == [1, 1]
    assert pool["customers_protected"].to_list() == [1, 1]
    assert pool["customers_in_pool"].to_list() == [0, 0]


def test_no_customers_gives_no_rows():
    assert _pool([], []).height == 0
