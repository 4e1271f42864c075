"""The body of the nightly reconciliation (`flows.nightly` is the Prefect flow around it):
ingest → validate → standardise → match → apply the ownership rules → publish → report.

Each task is named after what it produces and logs its row counts. The run builds the next
warehouse beside the live one and swaps it in only when every stage and check has passed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import polars as pl
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run as prefect_run

from adapters import exports, warehouse
from adapters.ingest import new_source_files, read_new_files
from flows import marts
from flows.cancel import cancellable
from flows.dictionary import DataDictionary, apply_dictionary
from flows.matching_stage import MatchSummary, claims_standardised, customers_matched
from flows.night_inputs import read_night_inputs
from flows.ownership_stage import OwnershipSummary, ownership_replayed
from flows.progress import stage
from flows.reporting import (
    Backfill,
    PeopleFiles,
    first_acceptance_recorded,
    people_files_written,
    people_tables_built,
    reports_delivered,
)
from flows.summary import new_conflicts_by_team, summary_published
from flows.validation import (
    SuiteResult,
    validate_claims,
    validate_published,
    validation_report_html,
)
from settings.sources import SourcesConfig
from transforms.checks import CHECKS, DUPLICATE_CHECK, claims_checkable, duplicates_marked
from transforms.parsing import claims_parsed
from transforms.quarantine import claims_accepted, claims_quarantined


class RunCheckError(RuntimeError):
    """A published table failed its checks; the warehouse was not swapped."""


@dataclass
class RunSummary:
    as_of: date
    warehouse: Path
    run_id: str
    files_new: int
    audit: pl.DataFrame
    matching: MatchSummary
    ownership: OwnershipSummary
    backfill: Backfill
    new_conflicts: dict[str, int] = field(default_factory=dict)
    people_files: PeopleFiles = field(default_factory=PeopleFiles)
    outputs: dict[str, Path] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    flow_run_id: str | None = None


def as_of_end(as_of: date, zone: str) -> datetime:
    """The instant "now" is fixed at for a run: the end of the as-of day in the business zone."""
    return datetime.combine(as_of + timedelta(days=1), time(0), ZoneInfo(zone)).astimezone(UTC)


@task(cache_policy=NO_CACHE)
def raw_claims_ingested(con: duckdb.DuckDBPyConnection, config: SourcesConfig, now: datetime) -> int:
    """Append the rows of new or changed files to raw_claims; returns how many files were new."""
    logger = get_run_logger()
    known = set(con.execute("select source, file_name, file_sha256 from ingested_files").fetchall())
    files = new_source_files(config, known)
    first_seq = warehouse.scalar(con, "select coalesce(max(ingest_seq), 0) + 1 from ingested_files")
    raw, metas = read_new_files(files, first_seq=first_seq, ingested_at=now)
    if files:
        warehouse.append_rows(con, "raw_claims", raw)
        warehouse.append_rows(con, "ingested_files", metas)
    for item in files:
        logger.info("ingested %s (%s)", item.path, item.source.name)
    logger.info("raw_claims: %d new rows from %d new file(s)", raw.height, len(files))
    return len(files)


@task(cache_policy=NO_CACHE)
def claims_validated(
    con: duckdb.DuckDBPyConnection, config: SourcesConfig, roster: pl.DataFrame, as_of: date
) -> tuple[SuiteResult, SuiteResult]:
    """Build `claims` and `quarantine` from the current version of every ingested file; returns
    the two validation suites (row checks, then duplicate claim ids among the rows)."""
    logger = get_run_logger()
    current = warehouse.frame(con, """
        select r.* from raw_claims r
        join ingested_files f using (source, file_name, file_sha256)
        qualify f.ingest_seq = max(f.ingest_seq) over (partition by r.source, r.file_name)
        """
    )
    configured = [source.name for source in config.sources]
    parsed = pl.concat(
        [
            claims_parsed(
                current.filter(pl.col("source") == source.name),
                value_maps=source.values,
                timestamp_formats=source.timestamp_formats,
                zone=config.source_zone(source),
            )
            for source in config.sources
        ]
        # rows of a source since removed from sources.yaml are kept, and refused with that reason
        + [claims_parsed(current.filter(~pl.col("source").is_in(configured)), value_maps={},
                         timestamp_formats=["iso"], zone=config.timezone)],
        how="vertical",
    ).with_columns(pl.col("source").is_in(configured).alias("source_configured"))
    checkable = claims_checkable(parsed)
    roster_ids, now = roster["rep_id"].to_list(), as_of_end(as_of, config.timezone)
    row_checks = tuple(c for c in CHECKS if c.code != DUPLICATE_CHECK)
    first = validate_claims(checkable, roster=roster_ids, as_of_end=now, checks=row_checks)
    checkable = duplicates_marked(checkable, first.failures["raw_row_id"])
    second = validate_claims(checkable, roster=roster_ids, as_of_end=now, suite="claims_duplicates",
                             checks=tuple(c for c in CHECKS if c.code == DUPLICATE_CHECK))
    failures = pl.concat([first.failures, second.failures]).unique().sort("raw_row_id", "check")
    claims = claims_accepted(checkable, failures)
    quarantine = claims_quarantined(checkable, failures, as_of=as_of.isoformat())
    warehouse.write_table(con, "claims", claims, "claim_id")
    warehouse.write_table(con, "quarantine", quarantine, "source, file_name, row_number")
    warehouse.write_table(con, "reps", roster, "rep_id")
    logger.info("claims: %d accepted, %d quarantined", claims.height, quarantine.height)
    return first, second


@task(cache_policy=NO_CACHE)
def marts_built(con: duckdb.DuckDBPyConnection) -> list[SuiteResult]:
    """Build the SQL marts and check them with Great Expectations before anything is published."""
    logger = get_run_logger()
    warehouse.build_model(con, "marts", "ingest_audit")
    for name, rows in marts.build_marts(con).items():
        logger.info("%s: %d rows", name, rows)
    claims = warehouse.frame(con, "select claim_id, category, submitted_at, rep_id from claims")
    audit = warehouse.frame(con, "select file_sha256 || ':' || file_name as file_key, "
        "rows_read - accepted - quarantined - superseded as unaccounted from ingest_audit"
    )
    checks = [
        validate_published("claims", claims, key="claim_id", build=lambda e: [
            e.ExpectColumnValuesToBeUnique(column="claim_id"),
            e.ExpectColumnValuesToNotBeNull(column="submitted_at"),
            e.ExpectColumnValuesToBeInSet(column="category", value_set=["A", "B", "C", "D"]),
        ]),
        validate_published("ingest_audit", audit, key="file_key", build=lambda e: [
            e.ExpectColumnValuesToBeInSet(column="unaccounted", value_set=[0]),
        ]),
        *(marts.mart_suite(con, mart) for mart in marts.MARTS),
    ]
    failed = [o for r in checks for o in r.outcomes if not o.success]
    if failed:
        raise RunCheckError(
            "published tables failed their checks, the warehouse was not replaced: "
            + "; ".join(f"{o.suite}.{o.check} on {o.column} ({o.failed} rows)" for o in failed)
        )
    return checks


def run_night(sources_path: Path, warehouse_path: Path, as_of: date | None, policy_path: Path) -> RunSummary:
    """Ingest, validate, standardise, match, apply the ownership rules, and publish the next
    warehouse atomically; then write the reports. `as_of` defaults to today in the business time
    zone."""
    started = datetime.now(UTC)
    inputs = read_night_inputs(sources_path, policy_path)
    config, policy = inputs.config, inputs.policy
    as_of = as_of or started.astimezone(ZoneInfo(config.timezone)).date()
    now = as_of_end(as_of, config.timezone)
    with warehouse.run_lock(warehouse_path):
        with cancellable() as cancel:
            con = cancel.watch(warehouse.open_next(warehouse_path))
            try:
                run_id = _next_run_id(con, as_of)
                _record_context(con, run_id, as_of, now, policy.business_timezone)
                with stage("读取文件 ingesting new files") as s:
                    files_new = raw_claims_ingested(con, config, now)
                    s["rows"] = warehouse.scalar(con, "select count(*) from raw_claims")
                with stage("校验 validating claims (Great Expectations)") as s:
                    input_checks = claims_validated(con, config, inputs.roster, as_of)
                    s["rows"] = warehouse.scalar(con, "select count(*) from claims")
                    backfill = first_acceptance_recorded(
                        con, as_of, policy.first_night_window_days, policy.business_timezone)
                with stage("标准化 standardising names, phones, e-mails, sites, codes") as s:
                    s["rows"] = claims_standardised(con)
                with stage("归并 matching claims into customers (Splink)") as s:
                    matching = customers_matched(con, warehouse_path, inputs.decisions, run_id, policy.link_policy(),
                                                 cancel.connect)
                    s["rows"] = matching.customers
                with stage("归属 applying the ownership rules (replay)") as s:
                    ownership = ownership_replayed(
                        con, inputs.followups, inputs.extensions, inputs.appeals, policy.ownership_policy(), now
                    )
                    s["rows"] = sum(ownership.outcomes.values())
                with stage("汇总 building marts and checking them"):
                    mart_checks = marts_built(con)
                with stage("通知 conflict details and rep notices") as s:
                    people = people_tables_built(con, as_of)
                    s["rows"] = people.notices.height
                _record_run(con, run_id, as_of, started, files_new)
                audit = warehouse.frame(con, "select * from ingest_audit order by ingest_seq")
                quarantine = warehouse.frame(con, "select * from quarantine order by source, file_name, row_number")
                with stage("发布 publishing the warehouse"):
                    _describe_tables(con, inputs.dictionary)
                    warehouse.publish(con, warehouse_path)
            except BaseException as exc:
                warehouse.abandon(con, warehouse_path)
                cancel.check(exc)
                raise
        summary = RunSummary(as_of, warehouse_path, run_id, files_new, audit, matching, ownership, backfill,
                             new_conflicts=new_conflicts_by_team(people.conflict_details, as_of),
                             flow_run_id=prefect_run.id)
        summary.outputs = {"warehouse": warehouse_path, "matching model": matching.model_path}
        # The night is published: a failure from here on is reported, and the warehouse stays.
        try:
            summary.outputs |= exports.write_run_outputs(
                warehouse_path.parent, as_of=as_of, quarantine=quarantine,
                validation_html=validation_report_html([*input_checks, *mart_checks], as_of=as_of.isoformat()),
            )
        except Exception as exc:
            summary.problems.append(f"the validation page and quarantine list were not written: {exc}")
        try:
            with stage("报告 manager reports and team notices"):
                summary.people_files = people_files_written(people, warehouse_path, as_of, now,
                                                             policy.business_timezone)
            summary.outputs["reports"] = summary.people_files.folder
        except Exception as exc:
            summary.problems.append(f"reports were not written: {exc}")
        if config.delivery is not None and summary.people_files.reports:
            try:
                with stage("邮件 e-mailing the managers' reports"):
                    summary.people_files.delivery = reports_delivered(
                        config.delivery.smtp, summary.people_files.reports, as_of)
            except Exception as exc:
                summary.problems.append(f"reports were not e-mailed: {exc}")
            summary.problems += [f"report for {manager} not e-mailed: {status}"
                                 for manager, status in summary.people_files.delivery.items()
                                 if status.startswith("failed")]
    try:
        summary_published(summary)
    except Exception as exc:
        summary.problems.append(f"the Prefect run summary was not saved: {exc}")
    return summary


def _next_run_id(con: duckdb.DuckDBPyConnection, as_of: date) -> str:
    """`<as-of>-<n>`: the n-th run for this business date in this warehouse's history."""
    runs_that_day = warehouse.scalar(con, "select count(*) from run_log where as_of = ?", [as_of])
    return f"{as_of.isoformat()}-{runs_that_day + 1}"


def _record_context(con: duckdb.DuckDBPyConnection, run_id: str, as_of: date, now: datetime, zone: str) -> None:
    """Write `run_context`, the one row the marts read instead of calling now()."""
    con.execute((warehouse.SQL_DIR / "raw" / "run_context.sql").read_text(encoding="utf-8"))
    con.execute("insert into run_context values (?, ?, ?, ?)", [run_id, as_of, now, zone])


def _describe_tables(con: duckdb.DuckDBPyConnection, dictionary: DataDictionary) -> None:
    """Comment every table and column from the data dictionary; a missing entry is only a warning."""
    undescribed = apply_dictionary(con, dictionary, skip=tuple(warehouse.SNAPSHOTS.values()))
    if undescribed:
        get_run_logger().warning("no description in sql/dictionary.yaml for: %s", ", ".join(undescribed))


def _record_run(con: duckdb.DuckDBPyConnection, run_id: str, as_of: date, started: datetime, files_new: int) -> None:
    con.execute(
        """
        insert into run_log
        select ?, ?, ?, now(), ?, (select count(*) from raw_claims),
               (select count(*) from claims), (select count(*) from quarantine)
        """,
        [run_id, as_of, started, files_new],
    )
