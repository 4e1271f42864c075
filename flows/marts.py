"""The analytics marts the night builds from `sql/marts/`, and the checks each must pass.

Each mart declares its key and which columns are counts (never negative) or rates (within 0-1);
`mart_suite` turns that into a Great Expectations suite run before the warehouse is published.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from adapters import warehouse
from flows.validation import SuiteResult, validate_published

KEY_COLUMN = "mart_key"


@dataclass(frozen=True)
class Mart:
    """A mart (`sql/marts/<name>.sql`): its key and which columns are counts or rates."""

    name: str
    key: tuple[str, ...]
    counts: tuple[str, ...] = ()
    rates: tuple[str, ...] = ()


MARTS = (
    Mart("mart_outcomes_daily", ("business_date", "rep_id", "category"),
         counts=("claims", "granted", "renewed", "conflicts", "over_quota", "incomplete", "other_outcomes")),
    Mart("mart_rep_protections", ("rep_id",),
         counts=("active_protections", "active_a", "active_b", "active_c", "active_d", "quota", "used",
                 "quota_left", "over_quota_attempts"),
         rates=("use_rate",)),
    Mart("mart_expiring_protections", ("customer_id",), counts=("days_left", "extensions_used")),
    Mart("mart_public_pool_daily", ("business_date",),
         counts=("customers_known", "new_customers", "customers_protected", "customers_in_pool"),
         rates=("pool_share",)),
    Mart("mart_team_conflicts", ("claim_month", "claimant_team", "owner_team"),
         counts=("claims", "conflicts", "customers_in_conflict"), rates=("conflict_rate",)),
    Mart("conflict_details", ("claim_id",), rates=("match_probability",)),
)


def build_marts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Materialise every mart from its SQL file, in order; returns rows per mart."""
    return {mart.name: warehouse.build_model(con, "marts", mart.name) for mart in MARTS}


def mart_suite(con: duckdb.DuckDBPyConnection, mart: Mart) -> SuiteResult:
    """Check `mart`: a unique, complete key; counts >= 0; rates within 0-1 (null rates pass)."""
    key_text = ", ".join(f"cast({c} as varchar)" for c in mart.key)
    frame = warehouse.frame(
        con, f"select concat_ws('|', {key_text}) as {KEY_COLUMN}, "
        f"{', '.join((*mart.key, *mart.counts, *mart.rates))} from {mart.name}"
    )

    def build(e):
        return [
            e.ExpectColumnValuesToBeUnique(column=KEY_COLUMN),
            *(e.ExpectColumnValuesToNotBeNull(column=c) for c in mart.key),
            *(e.ExpectColumnValuesToBeBetween(column=c, min_value=0) for c in mart.counts),
            *(e.ExpectColumnValuesToBeBetween(column=c, min_value=0, max_value=1) for c in mart.rates),
        ]

    return validate_published(mart.name, frame, key=KEY_COLUMN, build=build)
