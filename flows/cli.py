"""`recon`: the command sales-ops run. `recon run` is the nightly job."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from pathlib import Path

from rich.console import Console
from rich.table import Table

DEFAULT_SOURCES = Path("config/sources.yaml")
DEFAULT_WAREHOUSE = Path("var/warehouse.duckdb")
DEFAULT_POLICY = Path("config/policy.yaml")


def _as_of(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"--as-of must be YYYY-MM-DD, not {text!r}") from exc


def _add_paths(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sources", type=Path, default=DEFAULT_SOURCES, help="sources.yaml (default %(default)s)")
    parser.add_argument("--policy", type=Path, default=DEFAULT_POLICY, help="policy.yaml (default %(default)s)")
    parser.add_argument("--warehouse", type=Path, default=DEFAULT_WAREHOUSE, help="DuckDB file (default %(default)s)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="recon", description="Customer registration reconciliation")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="run the nightly job once")
    _add_paths(run)
    run.add_argument(
        "--as-of", type=_as_of, default=None,
        help="the business date; fixes 'now' for every time rule (default: today in the business time zone)",
    )

    train = commands.add_parser("train", help="retrain the matching model on the published claims")
    train.add_argument("--warehouse", type=Path, default=DEFAULT_WAREHOUSE, help="DuckDB file (default %(default)s)")
    train.add_argument("--output", type=Path, help="model folder (default: model/ beside the warehouse)")

    simulate = commands.add_parser("simulate", help="replay the published history under another policy")
    _add_paths(simulate)
    simulate.add_argument("--other", type=Path, required=True, help="the policy.yaml to compare with --policy")
    simulate.add_argument("--as-of", type=_as_of, default=None, help="default: the date of the last run")

    serve = commands.add_parser("serve", help="run nightly on a schedule (needs `prefect server start`)")
    _add_paths(serve)
    serve.add_argument("--at", default="02:00", help="time of day, HH:MM (default %(default)s)")
    serve.add_argument("--timezone", default="Asia/Shanghai", help="zone of --at (default %(default)s)")

    cron = commands.add_parser("cron-line", help="print a system crontab line for the nightly run")
    _add_paths(cron)
    cron.add_argument("--at", default="02:00", help="time of day, HH:MM (default %(default)s)")
    cron.add_argument("--timezone", default="Asia/Shanghai", help="zone of --at (default %(default)s)")

    lookup = commands.add_parser("lookup", help="check a prospect against every known customer and its owner")
    lookup.add_argument("name", nargs="?", help="the company name as the prospect gave it")
    lookup.add_argument("--phone")
    lookup.add_argument("--email")
    lookup.add_argument("--credit-code", help="统一社会信用代码")
    lookup.add_argument("--top", default="5", help="at most this many customers per list, 1-50 (default %(default)s)")
    lookup.add_argument("--json", action="store_true", help="machine-readable output")
    lookup.add_argument("--warehouse", type=Path, default=DEFAULT_WAREHOUSE, help="DuckDB file (default %(default)s)")
    lookup.add_argument("--policy", type=Path, default=DEFAULT_POLICY, help="policy.yaml (default %(default)s)")

    serve_lookup = commands.add_parser("serve-lookup", help="answer lookups as JSON over HTTP")
    serve_lookup.add_argument("--host", default="127.0.0.1", help="default %(default)s (this machine only)")
    serve_lookup.add_argument("--port", type=int, default=8765, help="default %(default)s")
    serve_lookup.add_argument("--warehouse", type=Path, default=DEFAULT_WAREHOUSE,
                              help="DuckDB file (default %(default)s)")
    serve_lookup.add_argument("--policy", type=Path, default=DEFAULT_POLICY, help="policy.yaml (default %(default)s)")

    samples = commands.add_parser("generate-samples", help="write seeded sample input files")
    samples.add_argument("--out", type=Path, default=Path("data/samples"))
    samples.add_argument("--claims", type=int, default=400)
    samples.add_argument("--seed", type=int, default=20261126)
    samples.add_argument("--end-date", type=_as_of, default=date(2026, 11, 25))
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # Prefect does not create a missing PREFECT_HOME's parents, and then fails obscurely.
    if os.environ.get("PREFECT_HOME"):
        Path(os.environ["PREFECT_HOME"]).expanduser().mkdir(parents=True, exist_ok=True)
    console = Console()
    if args.command == "run":
        return _run(args, console)
    if args.command == "simulate":
        return _simulate(args, console)
    if args.command == "train":
        return _train(args, console)
    if args.command == "serve":
        from flows.schedule import serve

        serve(args.sources, args.warehouse, args.policy, at=args.at, timezone=args.timezone)
        return 0
    if args.command == "cron-line":
        from flows.schedule import crontab_line

        print(crontab_line(Path.cwd(), args.sources, args.warehouse, at=args.at, timezone=args.timezone))
        return 0
    if args.command == "lookup":
        return _lookup(args, console)
    if args.command == "serve-lookup":
        return _serve_lookup(args, console)
    if args.command == "generate-samples":
        from flows.samplegen import generate

        written = generate(args.out, args.claims, args.seed, args.end_date)
        for what, path in written.items():
            console.print(f"{what}: {path}")
        return 0
    return 2


def _simulate(args: argparse.Namespace, console: Console) -> int:
    from flows.config import ConfigError
    from flows.policy import PolicyError
    from flows.readers import SourceFileError
    from flows.simulate import simulate

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

    from flows.lookup import Lookup, NoWarehouseError, QueryError, answer_text, parse_query
    from flows.policy import PolicyError

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
    from flows.lookup import NoWarehouseError
    from flows.lookup_server import make_server
    from flows.lookup_snapshot import SnapshotLookup
    from flows.policy import PolicyError

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


def _run(args: argparse.Namespace, console: Console) -> int:
    from flows.config import ConfigError
    from flows.nightly import RunCheckError, nightly
    from flows.policy import PolicyError
    from flows.readers import SourceFileError
    from flows.summary import run_figures
    from flows.warehouse import WarehouseBusyError

    try:
        summary = nightly(args.sources, args.warehouse, args.as_of, args.policy)
    except (ConfigError, PolicyError, SourceFileError, WarehouseBusyError, RunCheckError) as exc:
        console.print(f"[bold red]The run stopped; the published warehouse is unchanged.[/bold red]\n{exc}")
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
    console.print(f"matching model: {summary.matching.model_source}")
    for what, path in summary.outputs.items():
        console.print(f"{what}: [bold]{path}[/bold]")
    if summary.problems:
        console.print("[bold red]The warehouse was published, but:[/bold red]")
        for problem in summary.problems:
            console.print(f"- {problem}", markup=False)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
