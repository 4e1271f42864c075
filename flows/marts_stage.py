"""Nightly task building the analysts' marts and checking every published table before the swap.

The marts are every file of `sql/marts/`; the checks are the `-- @` lines of each model's and
mart's header (`adapters.sql_files`), plus those of `claims`, the one checked table built in Python.
"""

from __future__ import annotations

import duckdb
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from adapters import warehouse
from adapters.expectations import SuiteResult, published_suites
from adapters.sql_files import MARTS, MODELS, TableChecks, header_checks, names_in

CLAIMS_CHECKS = TableChecks("claims", key=("claim_id",), not_null=("submitted_at",),
                            rules=(("category_known", "category in ('A', 'B', 'C', 'D')"),))


class RunCheckError(RuntimeError):
    """A published table failed its checks; the warehouse was not swapped."""


def published_checks() -> list[TableChecks]:
    """What every checked table must satisfy: claims, then the models, then the marts."""
    return [CLAIMS_CHECKS, *(header_checks(folder, name) for folder in (MODELS, MARTS) for name in names_in(folder))]


# final before the ownership replay ends: checked while it runs (`tables_checked_early`); a million
# claims take 1.6 s to check
EARLY_TABLES = ("claims", "customers")


@task(cache_policy=NO_CACHE)
def tables_checked_early(con: duckdb.DuckDBPyConnection) -> list[SuiteResult]:
    """Check the EARLY_TABLES with Great Expectations; RunCheckError names each failed check."""
    return _passed(published_suites(con, [c for c in published_checks() if c.table in EARLY_TABLES]))


@task(cache_policy=NO_CACHE)
def marts_built(con: duckdb.DuckDBPyConnection, checked_early: list[SuiteResult]) -> list[SuiteResult]:
    """Build `ingest_audit`, `conflict_details` and the marts, then check every published table
    not `checked_early` with Great Expectations; RunCheckError names each failed check. Returns
    every table's results, in the order of `published_checks`."""
    logger = get_run_logger()
    for name in ("ingest_audit", "conflict_details", *names_in(MARTS)):
        logger.info("%s: %d rows", name, warehouse.build_model(con, name))
    checks = published_checks()
    results = _passed(published_suites(con, [c for c in checks if c.table not in EARLY_TABLES]))
    order = {f"published_{c.table}": i for i, c in enumerate(checks)}
    return sorted([*checked_early, *results], key=lambda r: order.get(r.suite, len(order)))


def _passed(results: list[SuiteResult]) -> list[SuiteResult]:
    """`results`, if every check passed; else RunCheckError naming the failures."""
    failed = [o for r in results for o in r.outcomes if not o.success]
    if failed:
        raise RunCheckError(
            "published tables failed their checks, the warehouse was not replaced: "
            + "; ".join(f"{o.suite}.{o.check} on {o.column} ({o.failed} rows)" for o in failed)
        )
    return results
