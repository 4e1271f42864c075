"""Nightly tasks for what people receive: which claims are new tonight, the conflict details and
rep notices published in the warehouse, and, once it is published, the files for managers and
teams."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import polars as pl
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from adapters import warehouse
from adapters.delivery import ManagerReport, deliver_reports
from adapters.reports import (
    ManagerReportFiles,
    reports_dir,
    write_manager_reports,
    write_team_notices,
)
from adapters.sql_files import QUERIES, sql_text
from settings.sources import SmtpConfig
from transforms.notices import CLAIM_COLUMNS, rep_notices


@dataclass(frozen=True)
class PeopleTables:
    """What the files are made of, read from the warehouse before it is published."""
    conflict_details: pl.DataFrame
    notices: pl.DataFrame
    roster: pl.DataFrame


@dataclass(frozen=True)
class Backfill:
    """On the first night, the claims submitted before `before` are history: replayed, so that they
    decide who owns what, but neither notified nor reported as new. Later nights have none."""
    claims: int = 0
    before: date | None = None


@dataclass
class PeopleFiles:
    reports: list[ManagerReportFiles] = field(default_factory=list)
    notices: list[Path] = field(default_factory=list)
    folder: Path | None = None
    delivery: dict[str, str] = field(default_factory=dict)  # manager → sent / no address / failed: …


@task(cache_policy=NO_CACHE)
def first_acceptance_recorded(con: duckdb.DuckDBPyConnection, as_of: date, window_days: int,
                              zone: str) -> Backfill:
    """Add tonight's newly accepted claims to the carried `claim_first_accepted`. On the first night
    (no earlier run in the warehouse) those submitted before the start of `as_of - window_days`
    in `zone` are marked as backfill; returns how many and the cut-off."""
    first_night = warehouse.scalar(con, "select count(*) from run_log") == 0
    before = as_of - timedelta(days=window_days) if first_night else None
    cutoff = datetime.combine(before, time(0), ZoneInfo(zone)) if before else None
    inserted = con.execute(sql_text(QUERIES, "first_acceptance_recorded"), [as_of, cutoff]).fetchall()
    backfill = Backfill(sum(is_backfill for (is_backfill,) in inserted), before)
    get_run_logger().info("claims first accepted tonight: %d, of which history before %s: %d",
                          len(inserted), before, backfill.claims)
    return backfill


@task(cache_policy=NO_CACHE)
def people_tables_built(con: duckdb.DuckDBPyConnection, as_of: date) -> PeopleTables:
    """Publish `rep_notices`; returns it, `conflict_details` and the roster for the files."""
    notices = rep_notices(
        warehouse.frame(con, "select * from claim_outcomes"),
        warehouse.frame(con, f"select {', '.join(CLAIM_COLUMNS)} from claims order by claim_id"),
        warehouse.frame(con, "select * from reps"),
        warehouse.frame(con, "select * from claim_first_accepted"),
        as_of,
    )
    warehouse.write_table(con, "rep_notices", notices, "team, rep_id, submitted_at, claim_id")
    get_run_logger().info("rep notices: %d", notices.height)
    return PeopleTables(
        conflict_details=warehouse.frame(con, "select * from conflict_details"),
        notices=notices,
        roster=warehouse.frame(con, "select * from reps order by rep_id"),
    )


@task(cache_policy=NO_CACHE)
def people_files_written(tables: PeopleTables, warehouse_path: Path, as_of: date, as_of_end: datetime,
                         zone: str) -> PeopleFiles:
    """Each manager's conflict report (HTML + XLSX) and each team's notices CSV, under
    `reports/<as-of>/` beside the warehouse."""
    out = reports_dir(warehouse_path, as_of)
    files = PeopleFiles(
        reports=write_manager_reports(out, as_of, as_of_end, zone, tables.conflict_details, tables.roster),
        notices=write_team_notices(out, tables.notices, zone),
        folder=out,
    )
    get_run_logger().info("%d manager reports and %d team notice files in %s",
                          len(files.reports), len(files.notices), out)
    return files


@task(cache_policy=NO_CACHE)
def reports_delivered(smtp: SmtpConfig, reports: list[ManagerReportFiles], as_of: date) -> dict[str, str]:
    """E-mail each manager their report (no retries: a retry would send twice); manager → status."""
    statuses = deliver_reports(smtp, [
        ManagerReport(manager=r.scope.manager, email=r.scope.email, as_of=as_of, attachments=(r.html, r.xlsx))
        for r in reports
    ])
    get_run_logger().info("report e-mails: %s", statuses)
    return statuses
