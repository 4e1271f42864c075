"""`recon run`, `recon serve` and `recon cron-line`: the nightly job by hand, on a Prefect schedule, from
cron. The configuration is read and checked before Prefect starts, so a mistake is one line, exit 2,
within a second."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import tempfile
import traceback
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from transforms.schema import business_today

if TYPE_CHECKING:
    from flows.prefect_runtime import LocalApi

EXIT_CONFIG = 2  # a configuration or input-file mistake, found before anything ran


def config_errors() -> tuple[type[Exception], ...]:
    """The errors that mean a configuration or input file is wrong (imported only when needed)."""
    from adapters.data_dictionary import DictionaryError
    from adapters.readers import SourceFileError
    from settings.policy_file import PolicyError
    from settings.sources import ConfigError

    return ConfigError, DictionaryError, PolicyError, SourceFileError


def config_error(exc: Exception, args: argparse.Namespace) -> int:
    """One line per problem (the file and the key or row), exit 2; the traceback with --debug."""
    if getattr(args, "debug", False):
        traceback.print_exception(exc)
    for line in str(exc).splitlines():
        print(f"recon: {line}", file=sys.stderr)
    return EXIT_CONFIG


def _checked_inputs(args: argparse.Namespace):
    """The night's configuration and side inputs, read before Prefect starts."""
    from adapters.desk_store import desk_beside
    from flows.night_inputs import read_night_inputs

    return read_night_inputs(args.sources, args.policy, getattr(args, "desk", None) or desk_beside(args.warehouse))


def serve(args: argparse.Namespace) -> int:
    from flows.prefect_runtime import prepare_prefect

    try:
        _checked_inputs(args)
    except config_errors() as exc:
        return config_error(exc, args)
    from adapters.side_inputs import forget_followups

    forget_followups()  # each scheduled night runs in a process of its own and reads them again
    if not os.environ.get("PREFECT_API_URL"):
        print("recon serve: set PREFECT_API_URL to a running `prefect server start` "
              "(Prefect cannot schedule on a temporary server)", file=sys.stderr)
        return EXIT_CONFIG
    prepare_prefect(args.warehouse.parent / "prefect", verbose=args.verbose)
    from flows.schedule import serve

    serve(args.sources, args.warehouse, args.policy, at=args.at, timezone=args.timezone)
    return 0


def run(args: argparse.Namespace, console: Console) -> int:
    from flows.logs import route_logs
    from flows.prefect_runtime import prefect_environment, prefect_imported

    # a warehouse folder that ran a night before holds Prefect's home: its API comes up while the
    # inputs are checked (1.4 s at 1M claims); a first night's starts after them, so that a
    # configuration mistake leaves nothing behind
    home = args.warehouse.parent / "prefect"
    started_early = home.is_dir()
    api = prefect_environment(home, verbose=args.verbose) if started_early else None
    try:
        try:
            inputs = _checked_inputs(args)
        except config_errors() as exc:
            return config_error(exc, args)
        as_of = args.as_of or business_today(inputs.policy.business_timezone)
        log_file = args.warehouse.parent / "logs" / f"recon_{as_of.isoformat()}.log"
        err = Console(stderr=True, highlight=False, soft_wrap=True)
        try:  # the folders first: a read-only or full disk, or a file where a folder should be, ends here
            log_file.parent.mkdir(parents=True, exist_ok=True)
            home.mkdir(exist_ok=True)
            tempfile.NamedTemporaryFile(dir=args.warehouse.parent, prefix=".recon-").close()  # a read-only folder
        except OSError as exc:
            print(f"recon: this night was not published: cannot write in {args.warehouse.parent} "
                  f"({exc.strerror or exc}: {exc.filename or ''})", file=sys.stderr)
            return EXIT_CONFIG
        if not started_early:
            api = prefect_environment(home, verbose=args.verbose)
        prefect_imported()
        route_logs(log_file, verbose=args.verbose)
        return _nightly(args, as_of, console, err, log_file, api)
    finally:
        if api is not None:
            api.stop()


def _nightly(args: argparse.Namespace, as_of: date, console: Console, err: Console, log_file: Path,
             api: LocalApi | None) -> int:
    from prefect.exceptions import CancelledRun

    from adapters.warehouse import WarehouseBusyError
    from flows.cancel import signal_named
    from flows.nightly import RunCheckError, nightly
    from flows.summary import run_figures
    from matching.spark_engine import SparkJobError, SparkUnavailableError

    unchanged = "the published warehouse is unchanged"
    if api is not None:  # it came up while the flow's modules were imported
        api.wait_until_ready()
    try:
        summary = nightly(args.sources, args.warehouse, as_of, args.policy, full_rebuild=args.full,
                          engine=args.engine, desk_path=args.desk)
    except CancelledRun as exc:
        stopped_by = signal_named(str(exc)) or signal.SIGTERM
        err.print(f"[bold red]The run was cancelled ({stopped_by.name}); {unchanged}.[/bold red]")
        return 128 + stopped_by.value
    except (*config_errors(), WarehouseBusyError, RunCheckError, SparkUnavailableError,
            SparkJobError) as exc:
        if args.debug:
            traceback.print_exception(exc)
        err.print(f"[bold red]The run stopped; {unchanged}.[/bold red]")
        err.print(str(exc), markup=False)
        return 1
    except Exception as exc:
        logging.getLogger("recon").exception("the run stopped on an unexpected error")
        if args.debug:
            raise
        err.print(f"[bold red]The run stopped on an unexpected error; {unchanged}.[/bold red]")
        err.print(f"{type(exc).__name__}: {exc}", markup=False)
        err.print(f"The traceback is in {log_file} (or run again with --debug).", markup=False)
        return 1
    table = Table(title=f"Run {summary.run_id} (as of {summary.as_of})")
    for column in ("source", "file", "read", "accepted", "quarantined", "superseded"):
        table.add_column(column, justify="right" if column not in ("source", "file") else "left")
    for row in summary.audit.iter_rows(named=True):
        table.add_row(row["source"], row["file_name"], *(f"{row[k]:,}" for k in (
            "rows_read", "accepted", "quarantined", "superseded")))
    console.print(table)
    figures = Table(title="Summary 汇总")
    for column in ("metric", "指标", "value"):
        figures.add_column(column, justify="right" if column == "value" else "left")
    for metric, zh, value in run_figures(summary):
        figures.add_row(metric, zh, f"{value:,}")
    console.print(figures)
    if summary.backfill.before is not None:
        console.print(f"First night: {summary.backfill.claims:,} claims submitted before {summary.backfill.before} "
                      "were replayed as history; they decide who owns what but are neither notified nor "
                      "reported as new. 首次运行：该日期之前的报备仅作历史回放，不发通知。")
    console.print(f"matching model: {summary.matching.model_source}")
    console.print(f"matching: {summary.matching.mode} ({summary.matching.mode_reason})", markup=False)
    for what, path in {**summary.outputs, "log": log_file}.items():
        console.print(f"{what}: [bold]{path}[/bold]")
    if summary.problems:
        console.print("[bold red]The warehouse was published, but:[/bold red]")
        for problem in summary.problems:
            console.print(f"- {problem}", markup=False)
        return 1
    return 0
