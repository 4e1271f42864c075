"""Run control around the night's stages: the next warehouse opened beside the live one and dropped
on any failure, tonight's run recorded, the swap, and the files written once the night is published
(their failures are reported in the summary; they never undo the swap)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb
import polars as pl
from prefect import get_run_logger

from adapters import exports, warehouse
from adapters.data_dictionary import DataDictionary, apply_dictionary
from adapters.expectations import SuiteResult, validation_report_html
from adapters.sql_files import QUERIES, STATE, sql_text
from flows.cancel import Cancellation
from flows.people_stage import PeopleTables, people_files_written, reports_delivered
from flows.progress import stage
from flows.summary import RunSummary
from matching.model_files import CHART_FILE, MODEL_FILE, model_dir, pending_model_dir
from settings.sources import SourcesConfig


@dataclass(frozen=True)
class Published:
    """What the files written after the swap need from the published warehouse."""

    audit: pl.DataFrame
    quarantine: pl.DataFrame


@contextmanager
def next_warehouse(live: Path, cancel: Cancellation) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to the next warehouse, interrupted with the run; on any failure it is closed
    and deleted (the live file is untouched), and an error a signal caused becomes RunCancelled."""
    shutil.rmtree(pending_model_dir(live), ignore_errors=True)  # a killed night's leftover
    con = cancel.watch(warehouse.open_next(live))
    try:
        yield con
    except BaseException as exc:
        warehouse.abandon(con, live)
        shutil.rmtree(pending_model_dir(live), ignore_errors=True)
        cancel.check(exc)
        raise


def run_started(con: duckdb.DuckDBPyConnection, as_of: date, now: datetime, zone: str) -> str:
    """Tonight's run id, `<as-of>-<n>` (the n-th run for this business date in this warehouse's
    history), after writing `run_context`, the one row the marts read instead of calling now()."""
    runs_that_day = warehouse.scalar(con, "select count(*) from run_log where as_of = ?", [as_of])
    run_id = f"{as_of.isoformat()}-{runs_that_day + 1}"
    con.execute(sql_text(STATE, "run_context"))
    con.execute("insert into run_context values (?, ?, ?, ?)", [run_id, as_of, now, zone])
    return run_id


def warehouse_published(con: duckdb.DuckDBPyConnection, live: Path, run_id: str, as_of: date, started: datetime,
                        files_new: int, dictionary: DataDictionary) -> Published:
    """Log the run, comment every table from the data dictionary, and swap the next warehouse in."""
    con.execute(sql_text(QUERIES, "run_logged"), [run_id, as_of, started, files_new])
    published = Published(
        audit=warehouse.frame(con, "select * from ingest_audit order by ingest_seq"),
        quarantine=warehouse.frame(con, "select * from quarantine order by source, file_name, row_number"),
    )
    undescribed = apply_dictionary(con, dictionary, skip=tuple(warehouse.SNAPSHOTS.values()))
    if undescribed:
        get_run_logger().warning("no description in sql/dictionary.yaml for: %s", ", ".join(undescribed))
    warehouse.publish(con, live)
    _pending_model_put_in_use(live)
    return published


def _pending_model_put_in_use(live: Path) -> None:
    """Move a model trained tonight (and its chart) from model.pending/ into model/, now that the
    night it was trained on is the published one."""
    pending = pending_model_dir(live)
    if not pending.is_dir():
        return
    target = model_dir(live)
    target.mkdir(parents=True, exist_ok=True)
    for name in (CHART_FILE, MODEL_FILE):  # the model last: its arrival is what readers look for
        if (pending / name).exists():
            os.replace(pending / name, target / name)
    shutil.rmtree(pending, ignore_errors=True)


def files_written(summary: RunSummary, published: Published, people: PeopleTables, checks: list[SuiteResult],
                  config: SourcesConfig, now: datetime, zone: str) -> None:
    """The validation page, quarantine list, managers' reports and team notices, and the reports
    e-mailed if delivery is configured; each failure is added to `summary.problems`."""
    as_of = summary.as_of
    try:
        summary.outputs |= exports.write_run_outputs(
            summary.warehouse.parent, as_of=as_of, quarantine=published.quarantine,
            validation_html=validation_report_html(checks, as_of=as_of.isoformat()),
        )
    except Exception as exc:
        summary.problems.append(f"the validation page and quarantine list were not written: {exc}")
    try:
        with stage("报告 manager reports and team notices"):
            summary.people_files = people_files_written(people, summary.warehouse, as_of, now, zone)
        summary.outputs["reports"] = summary.people_files.folder
    except Exception as exc:
        summary.problems.append(f"reports were not written: {exc}")
    if config.delivery is None or not summary.people_files.reports:
        return
    try:
        with stage("邮件 e-mailing the managers' reports"):
            summary.people_files.delivery = reports_delivered(config.delivery.smtp, summary.people_files.reports, as_of)
    except Exception as exc:
        summary.problems.append(f"reports were not e-mailed: {exc}")
    summary.problems += [f"report for {manager} not e-mailed: {status}"
                         for manager, status in summary.people_files.delivery.items() if status.startswith("failed")]
