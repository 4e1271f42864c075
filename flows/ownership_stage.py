"""Nightly task applying the ownership rules: the replay, its tables, the owner_on macro."""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime

import duckdb
import polars as pl
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from adapters import warehouse
from adapters.side_inputs import appeal_rulings_on_conflicts
from adapters.sql_files import MACROS, sql_text
from flows.background import in_background, in_process
from transforms.ownership import OwnershipPolicy, OwnershipResult
from transforms.ownership.replay import REPLAYED_CLAIM_COLUMNS, replay_with_customers

# nights from this many claims replay in a process of their own (`replay_started`)
REPLAY_PROCESS_CLAIMS = 100_000


@dataclass(frozen=True)
class OwnershipSummary:
    outcomes: dict[str, int]
    protected: int
    public_pool: int
    open_appeals: int


def ownership_result(
    con: duckdb.DuckDBPyConnection, followups: pl.DataFrame, extensions: pl.DataFrame, appeals: pl.DataFrame,
    policy: OwnershipPolicy, now: datetime,
) -> OwnershipResult:
    """Replay the warehouse's claims (with their customers, `claim_customer`) under `policy` up to
    `now`."""
    # only the columns the replay reads: all 46 of 1M claims took 4 s to fetch
    claims = warehouse.frame(con, f"select {', '.join(REPLAYED_CLAIM_COLUMNS)} from claims order by claim_id")
    customers = warehouse.frame(con, "select claim_id, customer_id from claim_customer")
    return replay_with_customers(claims, customers, followups, extensions, appeal_rulings_on_conflicts(appeals),
                                 _roster(con), policy, now)


def replay_started(
    con: duckdb.DuckDBPyConnection, claims: pl.DataFrame, claim_customer: pl.DataFrame, followups: pl.DataFrame,
    extensions: pl.DataFrame, appeals: pl.DataFrame, policy: OwnershipPolicy, now: datetime,
) -> Future[OwnershipResult]:
    """The replay of tonight's `claims` (as `claims_standardised` published them) with their
    customers, started while the matching stage publishes its last tables. Its loop is pure
    Python: from REPLAY_PROCESS_CLAIMS claims up it runs in a process of its own
    (`flows.background.in_process`), where it does not hold the interpreter the matching stage's
    polars and DuckDB steps need (at 1M claims, a thread made the two 3.5 s slower than running them
    one after the other); a smaller night replays on a thread, without starting a process."""
    start = in_process if claims.height >= REPLAY_PROCESS_CLAIMS else in_background
    # only what the replay reads goes to its process
    return start(replay_with_customers, claims.select(REPLAYED_CLAIM_COLUMNS),
                 claim_customer.select("claim_id", "customer_id"), followups, extensions,
                 appeal_rulings_on_conflicts(appeals), _roster(con), policy, now)


@task(cache_policy=NO_CACHE)
def ownership_replayed(con: duckdb.DuckDBPyConnection, replayed: Future[OwnershipResult],
                       appeals: pl.DataFrame) -> OwnershipSummary:
    """Publish claim_outcomes, ownership_history / _current, quota_usage, extension_outcomes,
    appeals, public_pool and conflicts, and the `owner_on(customer_id, ts)` macro, once the
    replay `replay_started` began has `replayed`."""
    result = replayed.result()
    tables = {
        "claim_outcomes": (result.claim_outcomes, "submitted_at, claim_id"),
        "ownership_history": (result.ownership_history, "customer_id, valid_from, rep_id"),
        "ownership_current": (result.ownership_current, "customer_id"),
        "quota_usage": (result.quota_usage, "rep_id"),
        "extension_outcomes": (result.extension_outcomes, "request_id"),
    }
    for name, (frame, order) in tables.items():
        warehouse.write_table(con, name, frame, order)
    warehouse.write_table(con, "appeals", _appeals_with_status(appeals, result.claim_outcomes), "appeal_id")
    con.execute(sql_text(MACROS, "owner_on"))
    pool = warehouse.build_model(con, "public_pool")
    warehouse.build_model(con, "conflicts")
    counts = dict(result.claim_outcomes.group_by("outcome").len().sort("outcome").iter_rows())
    summary = OwnershipSummary(counts, result.ownership_current.height, pool,
                               appeals.filter(pl.col("decision").is_null()).height)
    get_run_logger().info("outcomes %s; %d customers protected, %d in the public pool",
                          counts, summary.protected, pool)
    return summary


def _roster(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return warehouse.frame(con, "select rep_id, rep_name, team, quota from reps order by rep_id")


def _appeals_with_status(appeals: pl.DataFrame, outcomes: pl.DataFrame) -> pl.DataFrame:
    """Each appeal with `status` (open / upheld / overturned / same / different) and, for a
    conflict appeal, the claim's outcome tonight."""
    status = pl.when(pl.col("decision").is_null()).then(pl.lit("open")).otherwise(
        pl.col("decision").replace({"uphold": "upheld", "overturn": "overturned"})
    )
    return appeals.with_columns(status.alias("status")).join(
        outcomes.select("claim_id", pl.col("outcome").alias("claim_outcome_now")), on="claim_id", how="left"
    )
