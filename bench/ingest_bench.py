"""Wall time and peak memory of `recon run` on generated claims (a benchmark, not a test).

    python bench/ingest_bench.py --claims 100000

Generates the inputs with the project's seeded generator into a scratch folder, runs the nightly
job there as a separate process (as sales-ops would) and samples the resident memory of the whole
process tree (recon plus Prefect's temporary server) every 100 ms.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def _tree_rss_bytes(root_pid: int) -> int:
    """Resident memory of a process and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            pid, ppid, pages = int(entry), int(fields[1]), int(fields[21])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(pid)
        rss[pid] = pages * os.sysconf("SC_PAGE_SIZE")
    total, stack = 0, [root_pid]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


def _sources_for(samples: Path, out: Path) -> Path:
    config = yaml.safe_load((REPO / "config" / "sources.yaml").read_text(encoding="utf-8"))
    config["roster"] = {"path": str(samples / "reps.csv")}
    config["followups"] = {"path": str(samples / "followups.csv")}
    config["decisions"] = {"path": str(samples / "decisions.csv")}
    for absent in ("extensions", "appeals"):  # the generator writes neither
        config.pop(absent, None)
    for source, pattern in zip(config["sources"], ("form/*.csv", "crm/*.csv", "sheet/*.xlsx"), strict=True):
        source["path"] = str(samples / pattern)
    path = out / "sources.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20261126)
    parser.add_argument("--keep", type=Path, help="keep the scratch folder here instead of a temp dir")
    args = parser.parse_args()

    from samplegen import generate

    scratch = args.keep or Path(tempfile.mkdtemp(prefix="recon-bench-"))
    samples = scratch / "samples"
    started = time.perf_counter()
    generate(samples, args.claims, args.seed, date(2026, 11, 25))
    print(f"generated {args.claims:,} claims in {time.perf_counter() - started:.1f} s")

    sources = _sources_for(samples, scratch)
    env = dict(os.environ, PREFECT_HOME=str(scratch / "prefect"), PREFECT_SERVER_ANALYTICS_ENABLED="false",
               DO_NOT_TRACK="1", PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="90",
               PYTHONPATH=str(REPO))
    command = [sys.executable, "-m", "cli", "run", "--sources", str(sources),
               "--warehouse", str(scratch / "warehouse.duckdb"), "--as-of", "2026-11-26"]
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak = 0
    while process.poll() is None:
        peak = max(peak, _tree_rss_bytes(process.pid))
        time.sleep(0.1)
    wall = time.perf_counter() - started
    output = process.stdout.read()
    if process.returncode != 0:
        print(output)
        return process.returncode
    print(output[-3000:])
    print(f"recon run on {args.claims:,} claims: wall {wall:.1f} s, peak RSS (process tree) "
          f"{peak / 2**20:,.0f} MiB, on {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    sys.exit(main())
