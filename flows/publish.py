"""Run control around the night's stages: the next warehouse opened beside the live one and dropped
on any failure, tonight's run recorded, the swap, and the files written once the night is published
(their failures are reported in the summary; they never undo the swap)."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb
import polars as pl
from prefect import get_run_logger

from adapters import exports, warehouse
from adapters.data_dictionary import DataDictionary, apply_dictionary
from adapters.sql_files import QUERIES, STATE, sql_text
from flows.cancel import Cancellation
from flows.people_stage import PeopleFiles, PeopleTables, people_files_written, reports_delivered
from flows.progress import stage
from flows.summary import RunSummary
from matching.model_files import CHART_FILE, MODEL_FILE, model_dir, pending_model_dir
from settings.sources import SourcesConfig


@dataclass(frozen=True)
class NightFiles:
    """What the files written after the swap are made of, besides the warehouse. Recorded beside it
    before the swap and removed once the files are written, so that a night killed between its swap
    and its files has them written by the next run (`interrupted_files_written`)."""

    run_id: str
    as_of: date
    now: datetime
    zone: str
    validation_html: str

    def record(self, live: Path) -> None:
        exports.write_atomically(_pending_files(live), json.dumps(
            {"run_id": self.run_id, "as_of": self.as_of.isoformat(), "now": self.now.isoformat(),
             "zone": self.zone, "validation_html": self.validation_html}, ensure_ascii=False).encode("utf-8"))

    @classmethod
    def recorded(cls, live: Path) -> NightFiles | None:
        try:
            raw = json.loads(_pending_files(live).read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return None
        return cls(raw["run_id"], date.fromisoformat(raw["as_of"]), datetime.fromisoformat(raw["now"]), raw["zone"],
                   raw["validation_html"])


def _pending_files(live: Path) -> Path:
    return live.with_name(live.name + ".files-pending.json")


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


@dataclass(frozen=True)
class RunLogged:
    """What tonight's run_log row says besides the totals the warehouse counts."""

    started: datetime
    files_new: int
    model: str  # trained tonight / saved / packaged default
    finished_night: str | None  # an earlier night whose files this run wrote (`interrupted_files_written`)


def warehouse_published(con: duckdb.DuckDBPyConnection, live: Path, files: NightFiles, logged: RunLogged,
                        dictionary: DataDictionary) -> Published:
    """Log the run, comment every table from the data dictionary, record the files still to write,
    and swap the next warehouse in."""
    con.execute(sql_text(QUERIES, "run_logged"), [files.run_id, files.as_of, logged.started, logged.files_new,
                                                  logged.model, logged.finished_night])
    published = Published(
        audit=warehouse.frame(con, "select * from ingest_audit order by ingest_seq"),
        quarantine=warehouse.frame(con, "select * from quarantine order by source, file_name, row_number"),
    )
    undescribed = apply_dictionary(con, dictionary, skip=warehouse.SNAPSHOT_TABLES)
    if undescribed:
        get_run_logger().warning("no description in sql/dictionary.yaml for: %s", ", ".join(undescribed))
    files.record(live)
    try:
        warehouse.publish(con, live)
    except BaseException:  # not published (a full disk failing the checkpoint): no files of it are due
        _pending_files(live).unlink(missing_ok=True)
        raise
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


def files_written(summary: RunSummary, published: Published, people: PeopleTables, files: NightFiles,
                  config: SourcesConfig) -> None:
    """The validation page, quarantine list, managers' reports and team notices, and the reports
    e-mailed if delivery is configured; each failure is added to `summary.problems`."""
    written = _people_files(summary.warehouse, published.quarantine, people, files)
    summary.outputs |= written.outputs
    summary.people_files, summary.problems = written.people_files, summary.problems + written.problems
    _pending_files(summary.warehouse).unlink(missing_ok=True)
    if config.delivery is None or not summary.people_files.reports:
        return
    try:
        with stage("邮件 e-mailing the managers' reports"):
            summary.people_files.delivery = reports_delivered(config.delivery.smtp, summary.people_files.reports,
                                                              files.as_of)
    except Exception as exc:
        summary.problems.append(f"reports were not e-mailed: {exc}")
    summary.problems += [f"report for {manager} not e-mailed: {status}"
                         for manager, status in summary.people_files.delivery.items() if status.startswith("failed")]


@dataclass
class _Written:
    outputs: dict[str, Path] = field(default_factory=dict)
    people_files: PeopleFiles = field(default_factory=PeopleFiles)
    problems: list[str] = field(default_factory=list)


def _people_files(live: Path, quarantine: pl.DataFrame, people: PeopleTables, files: NightFiles) -> _Written:
    """The validation page, the quarantine list, the managers' reports and the team notices."""
    written = _Written()
    try:
        written.outputs |= exports.write_run_outputs(live.parent, as_of=files.as_of, quarantine=quarantine,
                                                     validation_html=files.validation_html)
    except Exception as exc:
        written.problems.append(f"the validation page and quarantine list were not written: {exc}")
    try:
        with stage("报告 manager reports and team notices"):
            written.people_files = people_files_written(people, live, files.as_of, files.now, files.zone)
        written.outputs["reports"] = written.people_files.folder
    except Exception as exc:
        written.problems.append(f"reports were not written: {exc}")
    return written


@dataclass(frozen=True)
class EarlierNight:
    """An earlier night stopped between its swap and its files, as `interrupted_files_written` left it."""

    run_id: str | None = None  # the night whose files were written now; None if none were
    problems: tuple[str, ...] = ()  # what to tell sales-ops


def interrupted_files_written(live: Path) -> EarlierNight:
    """The files of the last published night, if it was stopped between its swap and its files:
    written now from the published warehouse (not e-mailed: some may have been sent)."""
    files = NightFiles.recorded(live)
    if files is None or not live.exists():
        return EarlierNight()
    with duckdb.connect(str(live), read_only=True) as con:
        if not warehouse.scalar(con, "select count(*) from run_log where run_id = ?", [files.run_id]):
            # recorded, then killed before its swap: that night was never published, nothing is due
            _pending_files(live).unlink(missing_ok=True)
            return EarlierNight()
        quarantine = warehouse.frame(con, "select * from quarantine order by source, file_name, row_number")
        people = PeopleTables(
            conflict_details=warehouse.frame(con, "select * from conflict_details"),
            notices=warehouse.frame(con, "select * from rep_notices order by team, rep_id, submitted_at, claim_id"),
            roster=warehouse.frame(con, "select * from reps order by rep_id"),
        )
    written = _people_files(live, quarantine, people, files)
    if written.problems:
        return EarlierNight(problems=tuple(f"night {files.run_id} was published but its files are still missing: {p}"
                                           for p in written.problems))
    _pending_files(live).unlink(missing_ok=True)
    return EarlierNight(files.run_id, (f"night {files.run_id} was stopped after its publish: its reports and exports "
                                       f"are written now (in {written.people_files.folder}; not e-mailed)",))
