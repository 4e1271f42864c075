"""Incremental night versus full rebuild: wall time, peak memory and customer agreement.

    python bench/incremental_bench.py --history 1000000 --new 10000 --dir /tmp/inc-1m [--reuse]

Generates history + new claims with the seeded generator and national key accounts (`--key-accounts
auto`: customers with hundreds of claims by dozens of reps); the `new` latest rows of the web-form
and CRM exports become tonight's files (a new export file per source, as sales-ops receive them).
Night 1 runs on the history alone (a full night, the model trained); its warehouse folder is
copied twice; night 2 adds tonight's files and runs once incrementally and once with `--full`,
each as a separate `recon run` process, one after the other. Prints each night's stage times,
wall time and peak resident memory of the process tree, and the agreement between the two night-2
warehouses: the share of claims whose customer holds the same claims in both (a benchmark, not a
test: it asserts nothing). `--reuse` keeps night 1 from an earlier call with the same `--dir`,
`--reuse-data` only its generated claims; `--engine spark` scores every night's pairs on local Spark
(night 1 too: a night on another engine than the last rebuilds in full).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.ingest_bench import _sources_for
from bench.night_bench import Night, _print_night, run_recon

TONIGHT = {"form": "提交时间", "crm": "Created Time"}
ENCODING = {"form": "utf-8-sig", "crm": "gb18030"}


def split_tonight(samples: Path, tonight: Path, new: int) -> int:
    """Move the latest `new` rows (about half from each export) of the form and CRM CSVs into
    files of their own under `tonight`; returns how many moved."""
    moved = 0
    for sub, time_column in TONIGHT.items():
        (path,) = (samples / sub).glob("*.csv")
        text = path.read_bytes().decode(ENCODING[sub])
        frame = pl.read_csv(text.encode("utf-8"), infer_schema=False)
        order = frame.with_row_index("_row").sort(time_column, "_row")
        take = new // 2 if sub == "form" else new - new // 2
        late = order.tail(take)["_row"].implode()
        history, latest = frame.filter(~pl.int_range(pl.len()).is_in(late)), frame.filter(
            pl.int_range(pl.len()).is_in(late))
        path.write_bytes(history.write_csv().encode(ENCODING[sub]))
        (tonight / sub).mkdir(parents=True, exist_ok=True)
        (tonight / sub / f"{path.stem}_tonight.csv").write_bytes(latest.write_csv().encode(ENCODING[sub]))
        moved += latest.height
    return moved


def partition(warehouse: Path) -> pl.DataFrame:
    """claim_id → the sorted claim ids of its customer, as one string."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.sql("select claim_id, string_agg(claim_id, ',' order by claim_id) over (partition by customer_id) "
                       "as members from claim_customer").pl()


def agreement(a: Path, b: Path) -> tuple[float, int]:
    """(share of claims whose customer has the same members in both warehouses, claims differing)."""
    joined = partition(a).join(partition(b), on="claim_id", suffix="_b")
    same = int((joined["members"] == joined["members_b"]).sum())
    return same / joined.height, joined.height - same


def matching_run(warehouse: Path) -> tuple:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute("select mode, reason, engine, claims, claims_touched, claims_reclustered, pairs_kept "
                           "from matching_runs order by recorded_at desc limit 1").fetchone()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--history", type=int, default=1_000_000)
    parser.add_argument("--new", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=20261126)
    parser.add_argument("--dir", type=Path, required=True)
    parser.add_argument("--reuse", action="store_true", help="keep night 1 of an earlier call with this --dir")
    parser.add_argument("--reuse-data", action="store_true",
                        help="keep the generated claims of an earlier call with this --dir, run night 1 again")
    parser.add_argument("--max-rss-gib", type=float, default=16.0)
    parser.add_argument("--engine", choices=("duckdb", "spark"), default="duckdb",
                        help="the engine every night scores its pairs on (`recon run --engine`)")
    args = parser.parse_args()
    engine = ["--engine", args.engine]
    max_rss = args.max_rss_gib * 2**30
    night1_dir, samples, tonight = args.dir / "night1", args.dir / "samples", args.dir / "tonight"
    if not (args.reuse and (night1_dir / "warehouse.duckdb").exists()):
        if args.reuse_data and tonight.exists():
            for leftover in samples.glob("*/*_tonight.csv"):  # copied in by an earlier night 2
                leftover.unlink()
        else:
            from samplegen import generate

            shutil.rmtree(args.dir, ignore_errors=True)
            args.dir.mkdir(parents=True)
            started = time.perf_counter()
            generate(samples, args.history + args.new, args.seed, date(2026, 11, 25), key_accounts="auto")
            moved = split_tonight(samples, tonight, args.new)
            print(f"generated {args.history + args.new:,} claims, {moved:,} of them tonight's, "
                  f"in {time.perf_counter() - started:.0f} s")
        shutil.rmtree(night1_dir, ignore_errors=True)
        night1_dir.mkdir()
        sources = _sources_for(samples, args.dir)
        first = run_recon(sources, night1_dir / "warehouse.duckdb", "2026-11-25", args.dir, max_rss, engine)
        _print_night(Night(args.history, wall_s=first.wall_s, peak_bytes=first.peak_bytes, stages=first.stages,
                           returncode=first.returncode, tail=first.tail), "night 1 (history, full)")
        if first.returncode:
            return first.returncode
    night1_engine = matching_run(night1_dir / "warehouse.duckdb")[2]
    if night1_engine != args.engine:  # night 2 would rebuild in full, and compare nothing
        print(f"night 1 in {args.dir} ran on {night1_engine}: run it again on {args.engine} (leave out --reuse)")
        return 2
    sources = _sources_for(samples, args.dir)
    for sub in TONIGHT:
        for path in (tonight / sub).glob("*.csv"):
            shutil.copy(path, samples / sub / path.name)
    results = {}
    for mode, extra in (("incremental", []), ("full", ["--full"])):
        folder = args.dir / mode
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(night1_dir, folder)
        os.sync()  # the copy's gigabyte is written back now, not during the night timed
        night = run_recon(sources, folder / "warehouse.duckdb", "2026-11-26", args.dir, max_rss, [*engine, *extra])
        _print_night(night, f"night 2, {mode}")
        if night.returncode:
            return night.returncode
        print("  matching_runs:", matching_run(folder / "warehouse.duckdb"))
        results[mode] = night
    share, differing = agreement(args.dir / "incremental" / "warehouse.duckdb", args.dir / "full" / "warehouse.duckdb")
    print(f"\nincremental {results['incremental'].wall_s:.1f} s vs full {results['full'].wall_s:.1f} s "
          f"(×{results['full'].wall_s / results['incremental'].wall_s:.1f}); peak "
          f"{results['incremental'].peak_bytes / 2**30:.2f} vs {results['full'].peak_bytes / 2**30:.2f} GiB")
    print(f"same customer in both: {share:.6%} of claims ({differing:,} claims differ); on {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    sys.exit(main())
