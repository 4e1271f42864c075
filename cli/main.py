"""`recon`: the command sales-ops run (`recon run` is the nightly job); its arguments and dispatch.

It runs the same from any folder, from cron (`env -i`) and as a Prefect deployment: default paths
are the project's own (`settings.paths`) and every path given is made absolute at once. The
commands are in `cli.night` (run, serve, cron-line) and `cli.tools` (lookup, simulate, train).
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from pathlib import Path

from rich.console import Console

from cli import night, tools
from settings.base import printable
from settings.paths import DEFAULT_POLICY, DEFAULT_SOURCES, DEFAULT_WAREHOUSE, DEFAULT_WEB_CONFIG, SAMPLES_DIR
from transforms.schema import BUSINESS_ZONE


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
    run.add_argument("--engine", choices=("duckdb", "spark"),
                     help="where pairs are scored (default: matching.engine in sources.yaml, else duckdb)")
    run.add_argument("--desk", type=_path, default=None,
                     help="the screens' decisions (default: desk.sqlite beside the warehouse)")
    run.add_argument("--full", action="store_true",
                     help="standardise and match every claim again, not only the new or changed ones")

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

    _add_lookup_commands(commands)
    _add_web_commands(commands)

    samples = commands.add_parser("generate-samples", help="write seeded sample input files")
    samples.add_argument("--out", type=_path, default=SAMPLES_DIR)
    samples.add_argument("--claims", type=int, default=400)
    samples.add_argument("--seed", type=int, default=20261126)
    samples.add_argument("--end-date", type=_as_of, default=date(2026, 11, 25))
    samples.add_argument("--key-accounts", type=_key_accounts, default=0, metavar="K|auto",
                         help="companies with hundreds of claims by dozens of reps; auto: one per 12,500 claims "
                              "(default 0, as the bundled samples)")
    return parser


def _add_lookup_commands(commands: argparse._SubParsersAction) -> None:
    """`recon lookup` and `recon serve-lookup`: what a rep checks before registering."""
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
    serve_lookup.add_argument("--workers", type=int, default=32,
                              help="requests answered at once; more wait, then get 503 (default %(default)s)")
    serve_lookup.add_argument("--quiet", action="store_true", help="do not log each request on stderr")
    serve_lookup.add_argument("--processes", type=int, default=min(os.cpu_count() or 1, 4),
                              help="processes answering on the port, each with its own copy of the data "
                                   "(default: one per core, at most 4: %(default)s)")
    # a copy started by the first process (service.processes): the socket it listens on, and who to outlive
    serve_lookup.add_argument("--listen-fd", type=int, help=argparse.SUPPRESS)
    serve_lookup.add_argument("--parent-pid", type=int, help=argparse.SUPPRESS)


def _add_web_commands(commands: argparse._SubParsersAction) -> None:
    """`recon web` (the screens) and `recon web-password` (a sign-in password)."""
    web = commands.add_parser("web", help="serve the screens: check before registering, review desk, appeals")
    _add_paths(web)
    web.add_argument("--desk", type=_path, default=None,
                     help="where the screens' decisions are kept (default: desk.sqlite beside the warehouse)")
    web.add_argument("--web-config", type=_path, default=DEFAULT_WEB_CONFIG, help="web.yaml (default %(default)s)")
    web.add_argument("--host", default="127.0.0.1", help="default %(default)s (this machine only)")
    web.add_argument("--port", type=int, default=8080, help="default %(default)s")
    password = commands.add_parser("web-password", help="set a person's password for the screens (asked twice)")
    password.add_argument("login", help="a rep id, a manager's e-mail or a login of web.yaml")
    password.add_argument("--warehouse", type=_path, default=DEFAULT_WAREHOUSE,
                          help="DuckDB file (default %(default)s)")
    password.add_argument("--desk", type=_path, default=None, help="default: desk.sqlite beside the warehouse")
    password.add_argument("--password-stdin", action="store_true", help="read the password from standard input")


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


def _undecodable(argv: list[str]) -> str | None:
    """The first argument that is not UTF-8 text (Python keeps its stray bytes as surrogates, which
    no file name, log line or table can carry), shown with those bytes as \\x escapes."""
    for arg in argv:
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            return printable(arg)
    return None


def main(argv: list[str] | None = None) -> int:
    undecodable = _undecodable(sys.argv[1:] if argv is None else argv)
    if undecodable is not None:
        print(f"recon: the argument {undecodable} is not UTF-8 text; rename the file or retype it",
              file=sys.stderr)
        return night.EXIT_CONFIG
    args = build_parser().parse_args(argv)
    console = Console()
    if args.command == "run":
        return night.run(args, console)
    if args.command == "simulate":
        return tools.simulate(args, console)
    if args.command == "train":
        return tools.train(args, console)
    if args.command == "serve":
        return night.serve(args)
    if args.command == "cron-line":
        from flows.schedule import crontab_line, recon_executable

        print(crontab_line(recon_executable(), args.sources, args.warehouse, args.policy, at=args.at,
                           timezone=args.timezone, verbose=args.verbose))
        return 0
    if args.command == "lookup":
        return tools.lookup(args, console)
    if args.command == "serve-lookup":
        return tools.serve_lookup(args, console)
    if args.command == "web":
        from cli import screens

        return screens.web(args, console)
    if args.command == "web-password":
        from cli import screens

        return screens.web_password(args)
    if args.command == "generate-samples":
        from samplegen import generate

        written = generate(args.out, args.claims, args.seed, args.end_date, key_accounts=args.key_accounts)
        for what, path in written.items():
            console.print(f"{what}: {path}")
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
