"""`recon`: the command sales-ops run. `recon run` is the nightly job.

It runs the same from any folder, from cron (`env -i`) and as a Prefect deployment: default paths
are the project's own, every path given is made absolute at once, and the configuration is read
and checked before Prefect starts, so a mistake is one line, exit 2, within a second.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import traceback
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.table import Table

from transforms.schema import BUSINESS_ZONE

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_SOURCES = PROJECT_DIR / "config" / "sources.yaml"
DEFAULT_WAREHOUSE = PROJECT_DIR / "var" / "warehouse.duckdb"
DEFAULT_POLICY = PROJECT_DIR / "config" / "policy.yaml"
EXIT_CONFIG = 2  # a configuration or input-file mistake, found before anything ran


def _path(text: str) -> Path:
    """A path from the command line, absolute against the folder it was typed in."""
    return Path(text).expanduser().absolute()


def _as_of(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"--as-of must be YYYY-MM-DD, not {text!r}") from exc


def _add_paths(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sources", type=_path, default=DEFAULT_SOURCES, help="sources.yaml (default %(default)s)")
    parser.add_argument("--policy", type=_path, default=DEFAULT_POLICY, help="policy.yaml (default %(default)s)")
    parser.add_argument("--warehouse", type=_path, default=DEFAULT_WAREHOUSE,
                        help="DuckDB file (default %(default)s)")


def _add_output(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--verbose", action="store_true",
                        help="also show the libraries' log on the terminal (it always goes to the log file)")
    parser.add_argument("--debug", action="store_true", help="show the full traceback of an error")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="recon", description="Customer registration reconciliation")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="run the nightly job once")
    _add_paths(run)
    _add_output(run)
    run.add_argument(
        "--as-of", type=_as_of, default=None,
        help="the business date; fixes 'now' for every time rule (default: today in the business time zone)",
    )

    train = commands.add_parser("train", help="retrain the matching model on the published claims")
    train.add_argument("--warehouse", type=_path, default=DEFAULT_WAREHOUSE, help="DuckDB file (default %(default)s)")
    train.add_argument("--output", type=_path, help="model folder (default: model/ beside the warehouse)")

    simulate = commands.add_parser("simulate", help="replay the published history under another policy")
    _add_paths(simulate)
    simulate.add_argument("--other", type=_path, required=True, help="the policy.yaml to compare with --policy")
    simulate.add_argument("--as-of", type=_as_of, default=None, help="default: the date of the last run")

    serve = commands.add_parser("serve", help="run nightly on a schedule (needs `prefect server start`)")
    _add_paths(serve)
    _add_output(serve)
    serve.add_argument("--at", default="02:00", help="time of day, HH:MM (default %(default)s)")
    serve.add_argument("--timezone", default=BUSINESS_ZONE, help="zone of --at (default %(default)s)")

    cron = commands.add_parser("cron-line", help="print a system crontab line for the nightly run")
    _add_paths(cron)
    cron.add_argument("--verbose", action="store_true", help="pass --verbose to the nightly run")
    cron.add_argument("--at", default="02:00", help="time of day, HH:MM (default %(default)s)")
    cron.add_argument("--timezone", default=BUSINESS_ZONE, help="zone of --at (default %(default)s)")

    lookup = commands.add_parser("lookup", help="check a prospect against every known customer and its owner")
    lookup.add_argument("name", nargs="?", help="the company name as the prospect gave it")
    lookup.add_argument("--phone")
    lookup.add_argument("--email")
    lookup.add_argument("--credit-code", help="统一社会信用代码")
    lookup.add_argument("--top", default="5", help="at most this many customers per list, 1-50 (default %(default)s)")
    lookup.add_argument("--json", action="store_true", help="machine-readable output")
    lookup.add_argument("--warehouse", type=_path, default=DEFAULT_WAREHOUSE, help="DuckDB file (default %(default)s)")
    lookup.add_argument("--policy", type=_path, default=DEFAULT_POLICY, help="policy.yaml (default %(default)s)")

    serve_lookup = commands.add_parser("serve-lookup", help="answer lookups as JSON over HTTP")
    serve_lookup.add_argument("--host", default="127.0.0.1", help="default %(default)s (this machine only)")
    serve_lookup.add_argument("--port", type=int, default=8765, help="default %(default)s")
    serve_lookup.add_argument("--warehouse", type=_path, default=DEFAULT_WAREHOUSE,
                              help="DuckDB file (default %(default)s)")
    serve_lookup.add_argument("--policy", type=_path, default=DEFAULT_POLICY, help="policy.yaml (default %(default)s)")

    samples = commands.add_parser("generate-samples", help="write seeded sample input files")
    samples.add_argument("--out", type=_path, default=PROJECT_DIR / "data" / "samples")
    samples.add_argument("--claims", type=int, default=400)
    samples.add_argument("--seed", type=int, default=20261126)
    samples.add_argument("--end-date", type=_as_of, default=date(2026, 11, 25))
    samples.add_argument("--key-accounts", type=_key_accounts, default=0, metavar="K|auto",
                         help="companies with hundreds of claims by dozens of reps; auto: one per 12,500 claims "
                              "(default 0, as the bundled samples)")
    return parser


def _key_accounts(text: str) -> int | str:
    if text == "auto":
        return text
    try:
        count = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a count or 'auto', got {text!r}") from None
    if count < 0:
        raise argparse.ArgumentTypeError(f"expected 0 or more, got {count}")
    return count


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    console = Console()
    if args.command == "run":
        return _run(args, console)
    if args.command == "simulate":
        return _simulate(args, console)
    if args.command == "train":
        return _train(args, console)
    if args.command == "serve":
        return _serve(args)
    if args.command == "cron-line":
        from flows.schedule import crontab_line, recon_executable

        print(crontab_line(recon_executable(), args.sources, args.warehouse, args.policy, at=args.at,
                           timezone=args.timezone, verbose=args.verbose))
        return 0
    if args.command == "lookup":
        return _lookup(args, console)
    if args.command == "serve-lookup":
        return _serve_lookup(args, console)
    if args.command == "generate-samples":
        from samplegen import generate

        written = generate(args.out, args.claims, args.seed, args.end_date, key_accounts=args.key_accounts)
        for what, path in written.items():
            console.print(f"{what}: {path}")
        return 0
    return 2


def _simulate(args: argparse.Namespace, console: Console) -> int:
    from adapters.readers import SourceFileError
    from flows.simulate import simulate
    from settings.policy_file import PolicyError
    from settings.sources import ConfigError

    if not args.warehouse.exists():
        console.print(f"[bold red]No warehouse at {args.warehouse}; run `recon run` first.[/bold red]")
        return 1
    try:
        as_of, comparison = simulate(args.sources, args.warehouse, args.policy, args.other, args.as_of)
    except (ConfigError, PolicyError, SourceFileError) as exc:
        console.print(f"[bold red]Cannot simulate:[/bold red] {exc}")
        return 1
    table = Table(title=f"Policy simulation as of {as_of}: {args.policy} vs {args.other}")
    for column in ("metric", "指标", str(args.policy), str(args.other), "difference"):
        table.add_column(column, justify="left" if column in ("metric", "指标") else "right")
    for row in comparison.iter_rows():
        table.add_row(*(f"{v:,}" if isinstance(v, int) else str(v) for v in row))
    console.print(table)
    return 0


def _lookup(args: argparse.Namespace, console: Console) -> int:
    import json

    from service.query import Lookup, NoWarehouseError, QueryError, answer_text, parse_query
    from settings.policy_file import PolicyError

    try:
        query = parse_query({"name": args.name, "phone": args.phone, "email": args.email,
                             "credit_code": args.credit_code, "top": args.top})
        answer = Lookup(args.warehouse, args.policy).answer(query)
    except QueryError as exc:
        print(f"recon lookup: {exc}", file=sys.stderr)
        return 2
    except (NoWarehouseError, PolicyError) as exc:
        print(f"recon lookup: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(answer, ensure_ascii=False, indent=2) if args.json else answer_text(answer))
    if sys.argv[1:2] == ["lookup"]:
        # This process is `recon lookup` itself (not main() called from Python): end it here.
        # Python's own teardown of the name dictionaries (pinyin phrases, regions) takes ~0.15 s,
        # a sixth of what a rep waits for, and nothing is left to close (the warehouse is closed).
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
    return 0


def _serve_lookup(args: argparse.Namespace, console: Console) -> int:
    from service.http import make_server
    from service.query import NoWarehouseError
    from service.snapshot import SnapshotLookup
    from settings.policy_file import PolicyError

    try:
        lookup = SnapshotLookup(args.warehouse, args.policy)
        snapshot = lookup.snapshot()
    except (NoWarehouseError, PolicyError) as exc:
        console.print(f"[bold red]{exc}[/bold red]")
        return 1
    server = make_server(lookup, args.host, args.port)
    console.print(f"lookup ready on http://{args.host}:{server.server_port}/lookup "
                  f"({snapshot.prepared.height:,} claims, warehouse as of {snapshot.as_of})")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def _train(args: argparse.Namespace, console: Console) -> int:
    import duckdb

    from flows.matching_stage import CHART_FILE, TrainingError, model_dir, save_model
    from matching.prepare import claims_for_matching

    if not args.warehouse.exists():
        console.print(f"[bold red]No warehouse at {args.warehouse}; run `recon run` first.[/bold red]")
        return 1
    with duckdb.connect(str(args.warehouse), read_only=True) as con:
        claims = con.sql("select * from claims").pl()
    directory = args.output or model_dir(args.warehouse)
    try:
        model = save_model(claims_for_matching(claims), directory)
    except TrainingError as exc:
        console.print(f"[bold red]{exc}[/bold red]; the current model stays in use.")
        return 1
    console.print(f"trained on {claims.height:,} claims; λ = {model['probability_two_random_records_match']:.2e}")
    console.print(f"model: [bold]{directory / 'splink_model.json'}[/bold]  chart: [bold]{directory / CHART_FILE}[/bold]")
    console.print("the next `recon run` uses it")
    return 0


def _config_errors() -> tuple[type[Exception], ...]:
    """The errors that mean a configuration or input file is wrong (imported only when needed)."""
    from adapters.readers import SourceFileError
    from flows.dictionary import DictionaryError
    from settings.policy_file import PolicyError
    from settings.sources import ConfigError

    return ConfigError, DictionaryError, PolicyError, SourceFileError


def _config_error(exc: Exception, args: argparse.Namespace) -> int:
    """One line per problem (the file and the key or row), exit 2; the traceback with --debug."""
    if getattr(args, "debug", False):
        traceback.print_exception(exc)
    for line in str(exc).splitlines():
        print(f"recon: {line}", file=sys.stderr)
    return EXIT_CONFIG


def _checked_inputs(args: argparse.Namespace):
    """The night's configuration and side inputs, read before Prefect starts."""
    from flows.night_inputs import read_night_inputs

    return read_night_inputs(args.sources, args.policy)


def _serve(args: argparse.Namespace) -> int:
    from flows.prefect_runtime import prepare_prefect

    try:
        _checked_inputs(args)
    except _config_errors() as exc:
        return _config_error(exc, args)
    if not os.environ.get("PREFECT_API_URL"):
        print("recon serve: set PREFECT_API_URL to a running `prefect server start` "
              "(Prefect cannot schedule on a temporary server)", file=sys.stderr)
        return EXIT_CONFIG
    prepare_prefect(args.warehouse.parent / "prefect", verbose=args.verbose)
    from flows.schedule import serve

    serve(args.sources, args.warehouse, args.policy, at=args.at, timezone=args.timezone)
    return 0


def _run(args: argparse.Namespace, console: Console) -> int:
    from flows.logs import route_logs
    from flows.prefect_runtime import prepare_prefect

    try:
        inputs = _checked_inputs(args)
    except _config_errors() as exc:
        return _config_error(exc, args)
    as_of = args.as_of or datetime.now(ZoneInfo(inputs.config.timezone)).date()
    log_file = args.warehouse.parent / "logs" / f"recon_{as_of.isoformat()}.log"
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    api = prepare_prefect(args.warehouse.parent / "prefect", verbose=args.verbose)
    route_logs(log_file, verbose=args.verbose)
    try:
        return _nightly(args, as_of, console, err, log_file)
    finally:
        if api is not None:
            api.stop()


def _nightly(args: argparse.Namespace, as_of: date, console: Console, err: Console, log_file: Path) -> int:
    from prefect.exceptions import CancelledRun

    from adapters.warehouse import WarehouseBusyError
    from flows.cancel import signal_named
    from flows.nightly import RunCheckError, nightly
    from flows.summary import run_figures

    unchanged = "the published warehouse is unchanged"
    try:
        summary = nightly(args.sources, args.warehouse, as_of, args.policy)
    except CancelledRun as exc:
        stopped_by = signal_named(str(exc)) or signal.SIGTERM
        err.print(f"[bold red]The run was cancelled ({stopped_by.name}); {unchanged}.[/bold red]")
        return 128 + stopped_by.value
    except (*_config_errors(), WarehouseBusyError, RunCheckError) as exc:
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
    for what, path in {**summary.outputs, "log": log_file}.items():
        console.print(f"{what}: [bold]{path}[/bold]")
    if summary.problems:
        console.print("[bold red]The warehouse was published, but:[/bold red]")
        for problem in summary.problems:
            console.print(f"- {problem}", markup=False)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
