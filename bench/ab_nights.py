"""Two checkouts of the code on one incremental night, interleaved, to see through the machine's drift.

    python bench/ab_nights.py --dir /tmp/inc-1m --base /tmp/base-code --new . --rounds 2

`--dir` is a folder `bench/incremental_bench.py` filled (night1/, samples/ with tonight's files
copied in, sources.yaml). Each round runs night 2 on a fresh copy of night1/ with the base code,
then with the new one (base, new, base, new …), each a separate `recon run` process with
PYTHONPATH at its checkout and the code fingerprint pinned to night 1's (and the input checks'
code to the base's, so night 1 must be the base's): matching code that changed would otherwise
rebuild in full, and there would be no incremental night to compare.
This machine's speed drifts by 15% within an hour; runs of one code back to back, then the
other, measured the drift. Prints each run's wall time, peak memory of the process tree and
stage times, then whether every table of the last base and new warehouses holds the same rows
(a benchmark, not a test: it asserts nothing).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.night_bench import Night, _short, run_recon

# the run's own log: when it ran and how long it took (every other table's times follow the as-of)
_RUN_TABLES = {"run_log", "matching_runs", "run_context"}


def code_fingerprint_of(warehouse: Path) -> str:
    """The code fingerprint the last night of `warehouse` recorded."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute("select code_fingerprint from matching_runs order by recorded_at desc limit 1").fetchall()
    return rows[0][0]


def tables_differing(a: Path, b: Path) -> dict[str, tuple[int, int]]:
    """{table: (rows only in a, rows only in b)} over the main tables of two warehouses, compared
    as multisets (`except all`); the run's own log tables are skipped."""
    con = duckdb.connect()
    con.execute("set enable_progress_bar = false")
    con.execute("attach ? as a (read_only)", [str(a)])
    con.execute("attach ? as b (read_only)", [str(b)])
    tables = [row[0] for row in con.execute("select table_name from duckdb_tables() where database_name = 'a' "
                                            "and schema_name = 'main' order by table_name").fetchall()]
    differing = {}
    for table in (t for t in tables if t not in _RUN_TABLES):
        only = [con.execute(f'select count(*) from (select * from {x}."{table}" except all '
                            f'select * from {y}."{table}")').fetchall()[0][0] for x, y in (("a", "b"), ("b", "a"))]
        if any(only):
            differing[table] = (only[0], only[1])
    return differing


def _print_run(label: str, night: Night) -> None:
    stages = "  ".join(f"{_short(title).split(' ')[0]} {seconds:.1f}" for title, (seconds, _) in night.stages.items())
    print(f"{label:8} exit {night.returncode}  wall {night.wall_s:6.1f} s  peak {night.peak_bytes / 2**30:5.2f} GiB  "
          f"{stages}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, required=True, help="a folder of bench/incremental_bench.py")
    parser.add_argument("--base", type=Path, required=True, help="checkout of the code to compare against")
    parser.add_argument("--new", type=Path, default=REPO, help="checkout of the code measured (this one)")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--as-of", default="2026-11-26")
    parser.add_argument("--max-rss-gib", type=float, default=16.0)
    args = parser.parse_args()
    night1 = args.dir / "night1"
    # both sides as night 1's code: its fingerprint, and the base's checks (night 1 must be the base's)
    pinned = (code_fingerprint_of(night1 / "warehouse.duckdb"), args.base.resolve() / "adapters" / "expectations.py")
    last = {}
    for round_ in range(1, args.rounds + 1):
        for side, code in (("base", args.base), ("new", args.new)):
            folder = args.dir / f"ab-{side}"
            shutil.rmtree(folder, ignore_errors=True)
            shutil.copytree(night1, folder)
            os.sync()  # the copy's gigabyte is written back now, not during the night timed
            night = run_recon(args.dir / "sources.yaml", folder / "warehouse.duckdb", args.as_of, args.dir,
                              args.max_rss_gib * 2**30, code=code.resolve(), pinned_fingerprint=pinned)
            _print_run(f"{side} {round_}", night)
            if night.returncode:
                print(night.tail)
                return night.returncode
            last[side] = folder / "warehouse.duckdb"
    differing = tables_differing(last["base"], last["new"])
    print("tables: all the same rows" if not differing else f"tables differing (only base, only new): {differing}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
