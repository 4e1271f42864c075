"""`recon simulate`: the published history replayed under another policy, side by side.

Customers (the matching) stay as published; only the ownership rules change, so sales-ops see
what a different protection period, quota or cooldown would have done to the same claims.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from adapters.side_inputs import read_appeals, read_extensions, read_followups
from flows.ownership_stage import ownership_result
from settings.policy_file import load_policy
from settings.sources import load_sources
from transforms.ownership import compare_policies
from transforms.schema import as_of_end


def simulate(
    sources_path: Path, warehouse_path: Path, current_policy: Path, other_policy: Path, as_of: date | None = None
) -> tuple[date, pl.DataFrame]:
    """(the as-of date used, one row per metric: current vs other policy). `as_of` defaults to
    the business date of the warehouse's latest run."""
    config = load_sources(sources_path)
    followups, extensions, appeals = read_followups(config), read_extensions(config), read_appeals(config)
    policies = load_policy(current_policy), load_policy(other_policy)
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        if as_of is None:
            as_of = con.execute("select max(as_of) from run_log").fetchall()[0][0]
        now = as_of_end(as_of, policies[0].business_timezone)
        current, other = (ownership_result(con, followups, extensions, appeals, p, now) for p in policies)
    return as_of, compare_policies(current, other)
