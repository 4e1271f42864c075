"""Whole-night benchmark: per-stage wall time and peak memory of `recon run` on skewed claims.

    python bench/night_bench.py --claims 100000 200000 1000000

For each size, generates the inputs with the seeded generator, with national key accounts
(`--key-accounts auto`: companies with hundreds of claims by dozens of reps), into a scratch
folder; runs the nightly job there as a separate process, one size after the other; samples the
resident memory of the whole process tree (recon plus Prefect's temporary server) every 100 ms;
and reads the stage lines `recon run` prints on stderr ("✓ <title> — N rows (X s)"). Prints each
stage's time per size, the total, the peak, and the growth of each stage from the smallest to the
largest size beside the growth of the claims (a benchmark, not a test: it asserts nothing).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.ingest_bench import _sources_for, _tree_rss_bytes

# "✓ <title> — 1,234 rows (5.6 s)" or "✓ <title> (5.6 s)", anywhere in a line (a prefix may come)
_STAGE = re.compile(r"✓\s*(?P<title>.+?)(?:\s+—\s+(?P<rows>[\d,]+) rows)?\s+\((?P<seconds>[\d.]+) s\)\s*$")
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


@dataclass
class Night:
    claims: int
    generate_s: float = 0.0
    wall_s: float = 0.0
    peak_bytes: int = 0
    stages: dict[str, tuple[float, int | None]] = field(default_factory=dict)
    returncode: int = 0
    tail: str = ""
    skew: list[tuple] = field(default_factory=list)


def stages_from(lines: list[str]) -> dict[str, tuple[float, int | None]]:
    """{stage title: (seconds, rows)} from the stage lines of `recon run`'s output."""
    found = {}
    for line in lines:
        match = _STAGE.search(_ANSI.sub("", line))
        if match:
            rows = match["rows"]
            found[match["title"].strip()] = (float(match["seconds"]), int(rows.replace(",", "")) if rows else None)
    return found


def _short(title: str) -> str:
    """The English part of a bilingual stage title: '归并 matching claims …' -> 'matching claims …'."""
    parts = title.split(" ", 1)
    return parts[1] if len(parts) == 2 and not parts[0].isascii() else title


def run_night(claims: int, scratch: Path, seed: int, key_accounts: str, max_rss: float) -> Night:
    from samplegen import generate

    samples = scratch / "samples"
    started = time.perf_counter()
    generate(samples, claims, seed, date(2026, 11, 25), key_accounts=key_accounts)
    generate_s = time.perf_counter() - started
    night = run_recon(_sources_for(samples, scratch), scratch / "warehouse.duckdb", "2026-11-26", scratch, max_rss)
    night.claims, night.generate_s = claims, generate_s
    return night


# `recon` with the code fingerprint of `matching.incremental` pinned (bench/ab_nights.py)
_PINNED = ("import sys, matching.incremental as m, adapters.expectations as e; pin = sys.argv.pop(1); "
           "m.code_fingerprint = lambda: pin; e.__file__ = sys.argv.pop(1); "
           "from cli.main import main; sys.exit(main(sys.argv[1:]))")


def run_recon(sources: Path, warehouse: Path, as_of: str, scratch: Path, max_rss: float,
              extra: list[str] | None = None, code: Path = REPO,
              pinned_fingerprint: tuple[str, Path] | None = None) -> Night:
    """One `recon run` as a separate process (Prefect's home under `scratch`), its stage times,
    wall time and the peak resident memory of its process tree. `code`: the checkout it runs;
    `pinned_fingerprint`: the code fingerprint it records and compares, and the validation code whose
    bytes the input checks' digest reads (another checkout's code otherwise rebuilds in full and
    checks every row again)."""
    night = Night(0)
    env = dict(os.environ, PREFECT_HOME=str(scratch / "prefect"), PREFECT_SERVER_ANALYTICS_ENABLED="false",
               DO_NOT_TRACK="1", PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="120",
               PYTHONPATH=str(code), COLUMNS="250")  # rich wraps at 80 columns without a terminal
    recon = ["-m", "cli"]
    if pinned_fingerprint is not None:
        recon = ["-c", _PINNED, pinned_fingerprint[0], str(pinned_fingerprint[1])]
    command = [sys.executable, *recon, "run", "--sources", str(sources),
               "--warehouse", str(warehouse), "--as-of", as_of, *(extra or [])]
    lines: list[str] = []
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               encoding="utf-8", errors="replace", start_new_session=True,
                               cwd=scratch)  # DuckDB spills to .tmp under the working folder
    reader = threading.Thread(target=lambda: lines.extend(process.stdout), daemon=True)
    reader.start()
    while process.poll() is None:
        night.peak_bytes = max(night.peak_bytes, _tree_rss_bytes(process.pid))
        if night.peak_bytes > max_rss:  # the machine is shared: stop before it swaps
            os.killpg(process.pid, signal.SIGKILL)
            lines.append(f"stopped: the process tree passed {max_rss / 2**30:.1f} GiB\n")
            break
        time.sleep(0.1)
    process.wait()
    night.wall_s = time.perf_counter() - started
    reader.join()
    night.returncode = process.returncode
    night.stages = stages_from(lines)
    night.tail = "".join(lines[-40:])
    if process.returncode == 0:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            night.skew = con.execute(
                "select (select count(*) from customers where claim_count >= 200), "
                "(select max(claim_count) from customers), "
                "(select min(rep_count) from customers where claim_count >= 200), "
                "(select max(rep_count) from customers), (select count(*) from conflicts), "
                "(select count(*) from match_pairs)"
            ).fetchall()
    return night


def _print_night(night: Night, label: str | None = None) -> None:
    title = label or f"{night.claims:,} claims: generated in {night.generate_s:.1f} s"
    print(f"\n== {title}; recon run wall {night.wall_s:.1f} s, "
          f"peak RSS (process tree) {night.peak_bytes / 2**30:.2f} GiB, exit {night.returncode}")
    for title, (seconds, rows) in night.stages.items():
        print(f"  {_short(title):<58} {seconds:8.1f} s  {'' if rows is None else f'{rows:>12,} rows'}")
    print(f"  {'stages together':<58} {sum(s for s, _ in night.stages.values()):8.1f} s")
    if night.skew:
        heavy, biggest, fewest_reps, most_reps, conflicts, pairs = night.skew[0]
        print(f"  customers with >= 200 claims: {heavy} (largest {biggest:,} claims; reps {fewest_reps}-{most_reps}); "
              f"conflicts {conflicts:,}; match_pairs {pairs:,}")
    if night.returncode != 0:
        print(night.tail)


def _print_ratios(small: Night, large: Night) -> None:
    factor = large.claims / small.claims
    print(f"\n== growth {small.claims:,} -> {large.claims:,} claims (x{factor:.1f}; linear budget x{factor * 1.2:.1f})")
    for title, (seconds, _) in large.stages.items():
        before = small.stages.get(title, (0.0, None))[0]
        ratio = seconds / before if before > 0 else float("inf")
        flag = "  <-- superlinear" if ratio > factor * 1.2 and seconds > 5 else ""
        print(f"  {_short(title):<58} {before:8.1f} s -> {seconds:8.1f} s  x{ratio:6.1f}{flag}")
    print(f"  {'wall':<58} {small.wall_s:8.1f} s -> {large.wall_s:8.1f} s  x{large.wall_s / small.wall_s:6.1f}")
    print(f"  {'peak RSS':<58} {small.peak_bytes / 2**30:6.2f} GiB -> {large.peak_bytes / 2**30:6.2f} GiB")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, nargs="+", default=[100_000, 200_000, 1_000_000])
    parser.add_argument("--seed", type=int, default=20261126)
    parser.add_argument("--key-accounts", default="auto", help="count or 'auto' (default auto)")
    parser.add_argument("--max-rss-gib", type=float, default=12.0,
                        help="stop a night whose process tree passes this resident size (default 12)")
    parser.add_argument("--keep", type=Path, help="keep each size's scratch folder under here")
    args = parser.parse_args()
    key_accounts = args.key_accounts if args.key_accounts == "auto" else int(args.key_accounts)

    nights = []
    for claims in args.claims:  # one after the other: never two nights at once
        scratch = (args.keep / f"night-{claims}") if args.keep else Path(tempfile.mkdtemp(prefix="recon-night-"))
        if args.keep:
            shutil.rmtree(scratch, ignore_errors=True)
            scratch.mkdir(parents=True)
        try:
            night = run_night(claims, scratch, args.seed, key_accounts, args.max_rss_gib * 2**30)
        finally:
            if not args.keep:
                shutil.rmtree(scratch, ignore_errors=True)
        _print_night(night)
        sys.stdout.flush()
        nights.append(night)
    done = [n for n in nights if n.returncode == 0]
    if len(done) >= 2:
        _print_ratios(min(done, key=lambda n: n.claims), max(done, key=lambda n: n.claims))
    print(f"\non {os.cpu_count()} cores")
    return max(n.returncode for n in nights)


if __name__ == "__main__":
    sys.exit(main())
