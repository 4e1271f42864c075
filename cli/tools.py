"""`recon` commands beside the night: check a prospect (`lookup`, `serve-lookup`), compare policies
(`simulate`), retrain the matching model (`train`). None starts Prefect."""

from __future__ import annotations

import argparse
import faulthandler
import os
import signal
import sys

from rich.console import Console
from rich.table import Table


def simulate(args: argparse.Namespace, console: Console) -> int:
    from adapters.readers import SourceFileError
    from adapters.warehouse import NoWarehouseError
    from flows.simulate import simulate
    from settings.policy_file import PolicyError
    from settings.sources import ConfigError

    if not args.warehouse.exists():
        console.print(str(NoWarehouseError.missing(args.warehouse)), style="bold red", markup=False)
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


def lookup(args: argparse.Namespace, console: Console) -> int:
    import json

    from service.answer_text import answer_text
    from service.query import Lookup, NoWarehouseError, QueryError, parse_query
    from settings.policy_file import PolicyError
    from transforms.export_safety import neutralise_controls

    try:
        query = parse_query({"name": args.name, "phone": args.phone, "email": args.email,
                             "credit_code": args.credit_code, "top": args.top})
        answer = Lookup(args.warehouse, args.policy).answer(query)
    except QueryError as exc:
        print(f"recon lookup: {neutralise_controls(str(exc))}", file=sys.stderr)
        return 2
    except (NoWarehouseError, PolicyError) as exc:
        print(f"recon lookup: {neutralise_controls(str(exc))}", file=sys.stderr)
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


def serve_lookup(args: argparse.Namespace, console: Console) -> int:
    from service import batching, processes
    from service.http import make_server
    from service.query import NoWarehouseError
    from service.snapshot import SnapshotLookup
    from settings.policy_file import PolicyError

    for option, value in (("--workers", args.workers), ("--processes", args.processes)):
        if value < 1:
            console.print(f"[bold red]{option} must be at least 1, not {value}[/bold red]")
            return 2
    try:
        lookup = SnapshotLookup(args.warehouse, args.policy)
        snapshot = lookup.snapshot()
        lookup.answer_many(batching.WARM_UP_QUERIES)
    except (NoWarehouseError, PolicyError) as exc:
        console.print(f"[bold red]{exc}[/bold red]")
        return 1
    listening = None if args.listen_fd is None else processes.inherited_socket(args.listen_fd)
    server = make_server(lookup, args.host, args.port, log_requests=not args.quiet, max_workers=args.workers,
                         listening=listening)
    copies = []
    if listening is None:
        copies = processes.copies_started(server.socket, args.processes - 1, warehouse=args.warehouse,
                                          policy=args.policy, workers=args.workers, quiet=args.quiet)
        console.print(f"lookup ready on http://{args.host}:{server.server_port}/lookup "
                      f"({snapshot.prepared.height:,} claims, warehouse as of {snapshot.as_of}; "
                      f"{args.processes} process(es) of {args.workers} workers)")
    else:
        processes.stop_when_orphaned(args.parent_pid, server.shutdown)
    signal.signal(signal.SIGTERM, _interrupted)  # a service manager's stop is a Ctrl-C
    sys.setswitchinterval(batching.GIL_SWITCH_SECONDS)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        # a stop always ends: should closing hang (a copy, a request, a native library at exit),
        # every thread's stack goes to stderr and the process exits with 1
        faulthandler.dump_traceback_later(processes.STOP_SECONDS, exit=True)
        server.server_close()
        processes.copies_stopped(copies)
    return 0


def _interrupted(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def train(args: argparse.Namespace, console: Console) -> int:
    import duckdb

    from adapters.warehouse import NoWarehouseError
    from flows.matching_stage import CHART_FILE, TrainingError, model_dir, save_model
    from matching.prepare import claims_for_matching

    if not args.warehouse.exists():
        console.print(str(NoWarehouseError.missing(args.warehouse)), style="bold red", markup=False)
        return 1
    with duckdb.connect(str(args.warehouse), read_only=True) as con:
        claims = con.sql("select * from claims order by claim_id").pl()  # an incremental night appends
    directory = args.output or model_dir(args.warehouse)
    try:
        model = save_model(claims_for_matching(claims), directory)
    except TrainingError as exc:
        console.print(f"[bold red]{exc}[/bold red]; the current model stays in use.")
        return 1
    console.print(f"trained on {claims.height:,} claims; λ = {model.probability_two_random_records_match:.2e}")
    console.print(f"model: [bold]{directory / 'splink_model.json'}[/bold]  "
                  f"chart: [bold]{directory / CHART_FILE}[/bold]")
    console.print("the next `recon run` uses it")
    return 0
