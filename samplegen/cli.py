"""Command line: python -m samplegen --out DIR --claims N --seed S --end-date YYYY-MM-DD."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

from samplegen.generate import generate

DEFAULT_OUT = Path("data/samples")
DEFAULT_CLAIMS = 400
DEFAULT_SEED = 20261126
DEFAULT_END_DATE = date(2026, 11, 25)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m samplegen",
        description="Write seeded sample claim files, roster, follow-ups, decisions, truth labels.",
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default {DEFAULT_OUT})"
    )
    parser.add_argument(
        "--claims", type=int, default=DEFAULT_CLAIMS, help=f"claims (default {DEFAULT_CLAIMS})"
    )
    parser.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})"
    )
    parser.add_argument(
        "--end-date",
        type=date.fromisoformat,
        default=DEFAULT_END_DATE,
        help=f"last day of claims, names the export files (default {DEFAULT_END_DATE})",
    )
    parser.add_argument(
        "--key-accounts",
        default="0",
        metavar="K|auto",
        help="companies with hundreds of claims by dozens of reps; auto: one per 12,500 claims (default 0)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Generate the samples and print each file written with its size; returns the exit code."""
    args = _parser().parse_args(argv)
    started = time.perf_counter()
    try:
        key_accounts = args.key_accounts if args.key_accounts == "auto" else int(args.key_accounts)
        paths = generate(args.out, args.claims, args.seed, args.end_date, key_accounts=key_accounts)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for name, path in sorted(paths.items()):
        print(f"{name:<10} {path}  ({path.stat().st_size:,} bytes)")
    elapsed = time.perf_counter() - started
    print(f"{args.claims:,} claims, seed {args.seed}, end date {args.end_date}: {elapsed:.1f} s")
    return 0
