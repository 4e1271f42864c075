"""mart_public_pool_daily against a brute-force oracle on random customers and protections."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.sql.tables import ZONE, connection, model, table

START = datetime(2026, 11, 1, tzinfo=ZoneInfo(ZONE))
AS_OF = date(2026, 11, 8)
CUT = datetime(2026, 11, 9, tzinfo=ZoneInfo(ZONE))
EVENT_ENDS = ("superseded", "released_on_appeal")

# a customer: first seen some hours after START, then protections as (gap, length) in hours
customer = st.tuples(
    st.integers(0, 180),
    st.lists(st.tuples(st.integers(0, 30), st.integers(0, 60), st.sampled_from(
        ("expired", "idle", *EVENT_ENDS))), max_size=4),
)


def _rows(customers):
    seen, history = [], []
    for n, (first_hour, spans) in enumerate(customers):
        cid, t = f"C{n}", START + timedelta(hours=first_hour)
        seen.append((cid, t))
        for gap, length, reason in spans:
            valid_from, valid_to = t + timedelta(hours=gap), t + timedelta(hours=gap + length)
            if valid_from >= CUT:
                break
            history.append((cid, valid_from, valid_to, reason if valid_to <= CUT else None))
            t = valid_to
    return seen, history


def _oracle(seen, history):
    first = min(t for _, t in seen).astimezone(ZoneInfo(ZONE)).date()
    rows, day = [], first
    while day <= AS_OF:
        end = datetime.combine(day + timedelta(days=1), datetime.min.time(), ZoneInfo(ZONE))
        known = sum(t < end for _, t in seen)
        protected = len({c for c, vf, vt, why in history
                         if vf < end and (vt > end or (vt == end and why in EVENT_ENDS))})
        rows.append((day, known, protected, known - protected))
        day += timedelta(days=1)
    return rows


@settings(max_examples=60, deadline=None, database=None)
@given(st.lists(customer, min_size=1, max_size=8))
def test_the_pool_per_day_matches_a_brute_force_count(customers):
    seen, history = _rows(customers)
    con = connection(AS_OF, CUT.isoformat())
    table(con, "customers", "customer_id varchar, first_seen_at timestamptz", seen)
    table(con, "ownership_history",
          "customer_id varchar, valid_from timestamptz, valid_to timestamptz, end_reason varchar", history)
    pool = model(con, "mart_public_pool_daily", "business_date")
    got = pool.select("business_date", "customers_known", "customers_protected", "customers_in_pool").rows()
    assert got == _oracle(seen, history)
