"""Independent, labelled evaluation of matching on a batch built from real reference data
(a benchmark, not a test).

    python bench/realworld_eval.py --claims 20000 --seed 1 [--out DIR] [--json result.json]

Builds the batch (bench/realworld) into --out or a temporary folder, runs the real night on it
as a user would (`python -m cli run --sources … --warehouse … --as-of …` in a subprocess,
with the project's config/policy.yaml), then reads the published warehouse read-only and prints
clustering scores beside name baselines, per-phenomenon scores, ingest refusals, the review
queue, and the clusters that go most wrong.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def run_night(sources_yaml: Path, warehouse: Path, as_of: str) -> tuple[list[str], int, float, str]:
    """(command, exit code, wall seconds, output tail) of one night run from the repository."""
    command = [sys.executable, "-m", "cli", "run", "--sources", str(sources_yaml),
               "--policy", str(REPO / "config" / "policy.yaml"), "--warehouse", str(warehouse), "--as-of", as_of]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    (warehouse.parent / "night_output.txt").write_text(done.stdout + done.stderr, encoding="utf-8")
    return command, done.returncode, seconds, (done.stdout + done.stderr)[-3000:]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, help="folder for the batch and warehouse (default: a temporary one)")
    parser.add_argument("--json", type=Path, help="also write the figures here as JSON")
    parser.add_argument("--with-region-columns", action="store_true",
                        help="add province / city columns to the files and map them (needs claim fields for them)")
    args = parser.parse_args()

    import polars as pl

    from bench.realworld import build
    from bench.realworld.report import render
    from bench.realworld.scoring import evaluate, read_warehouse

    out = (args.out or Path(tempfile.mkdtemp(prefix="recon-realworld-"))).resolve()
    batch = build(out, args.claims, args.seed, with_region_columns=args.with_region_columns)
    warehouse = out / "var" / "warehouse.duckdb"
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    command, code, seconds, tail = run_night(batch.sources_yaml, warehouse, batch.as_of.isoformat())
    if not warehouse.exists():
        print(f"The night published nothing (exit code {code}); its output ends:\n{tail}", file=sys.stderr)
        return 1
    labels = pl.read_csv(batch.labels_csv, schema_overrides={"group_key": pl.String})
    result = evaluate(read_warehouse(warehouse), labels) | {
        "seed": args.seed, "night_seconds": round(seconds, 1), "exit_code": code, "out": str(out),
        "command": " ".join(["python", *command[1:]]).replace(str(out), "<out>").replace(str(REPO) + "/", ""),
    }
    print(render(result))
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
