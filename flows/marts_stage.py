"""Nightly task building the analysts' marts and checking every published table before the swap.

The marts are every file of `sql/marts/`; the checks are the `-- @` lines of each model's and
mart's header (`adapters.sql_files`), plus those of `claims`, the one checked table built in Python.
"""

from __future__ import annotations

from concurrent.futures import Executor, Future

import duckdb
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from adapters import warehouse
from adapters.expectations import RunHere, SuiteResult, published_suites_started
from adapters.sql_files import MARTS, MODELS, TableChecks, header_checks, names_in

CLAIMS_CHECKS = TableChecks("claims", key=("claim_id",), not_null=("submitted_at",),
                            rules=(("category_known", "category in ('A', 'B', 'C', 'D')"),))


class RunCheckError(RuntimeError):
    """A published table failed its checks; the warehouse was not swapped."""


def published_checks() -> list[TableChecks]:
    """What every checked table must satisfy: claims, then the models, then the marts."""
    return [CLAIMS_CHECKS, *(header_checks(folder, name) for folder in (MODELS, MARTS) for name in names_in(folder))]


def checks_started(con: duckdb.DuckDBPyConnection, suites: Executor,
                   *tables: str) -> dict[TableChecks, Future[SuiteResult]]:
    """The checks of `tables`, handed to `suites` as soon as the night has written them for the
    last time (claims after standardisation, customers after matching, public_pool and conflicts
    after the replay), for `marts_built` to collect: in a process of their own, they run while
    the night goes on."""
    checks = [c for c in published_checks() if c.table in tables]
    return dict(zip(checks, published_suites_started(con, checks, suites), strict=True))


@task(cache_policy=NO_CACHE)
def marts_built(con: duckdb.DuckDBPyConnection, suites: Executor | None = None,
                started: dict[TableChecks, Future[SuiteResult]] | None = None) -> list[SuiteResult]:
    """Build `ingest_audit`, `conflict_details` and the marts, then check every published table
    with Great Expectations (in `suites`; those `started` earlier are collected);
    RunCheckError names each failed check."""
    logger = get_run_logger()
    for name in ("ingest_audit", "conflict_details", *names_in(MARTS)):
        logger.info("%s: %d rows", name, warehouse.build_model(con, name))
    started = started or {}
    checks = published_checks()
    later = iter(published_suites_started(con, [c for c in checks if c not in started], suites or RunHere()))
    results = [(started[c] if c in started else next(later)).result() for c in checks]
    failed = [o for r in results for o in r.outcomes if not o.success]
    if failed:
        raise RunCheckError(
            "published tables failed their checks, the warehouse was not replaced: "
            + "; ".join(f"{o.suite}.{o.check} on {o.column} ({o.failed} rows)" for o in failed)
        )
    return results
