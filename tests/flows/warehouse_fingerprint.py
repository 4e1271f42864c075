"""A fingerprint of a published warehouse: per table and view, its row count and a hash of its rows
in a canonical order, so that a refactoring can prove it changed nothing.

    python -m tests.flows.warehouse_fingerprint --write   # after a change of behaviour meant

runs the night on the bundled samples (as `make run` does) and rewrites SAMPLES_FINGERPRINT, which
`test_warehouse_identity.py` compares the suite's samples night against. `run_log`,
`run_context`, the files' absolute paths, `matching_runs`' times and code digests and
`rows_validated`'s digest are left out (they record when, where and by which code the night ran).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
from pathlib import Path

import duckdb
import polars as pl

SAMPLES_FINGERPRINT = Path(__file__).with_name("samples_warehouse_fingerprint.json")
EXCLUDED = frozenset({"run_log", "run_context"})
# matching_runs: when, and digests of the code that ran (any edit of matching/ or transforms/ changes them);
# rows_validated: a digest of that code too
EXCLUDED_COLUMNS = {"ingested_files": ("file_path",),
                    "matching_runs": ("recorded_at", "fingerprint", "code_fingerprint"),
                    "rows_validated": ("digest",)}
# DuckDB sums in parallel: the last bits of a float may differ from one run to the next
SIGNIFICANT_DIGITS = 9


def fingerprint(warehouse: Path) -> dict[str, dict[str, int | str]]:
    """{table or view: {"rows": n, "sha256": hash of its rows as sorted JSON lines}}."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        names = [row[0] for row in con.sql(
            "select table_name from information_schema.tables where table_schema = 'main' order by table_name"
        ).fetchall() if row[0] not in EXCLUDED]
        return {name: _table_print(con.sql(f'select * from "{name}"').pl().drop(EXCLUDED_COLUMNS.get(name, ())))
                for name in names}


def _table_print(frame: pl.DataFrame) -> dict[str, int | str]:
    rounded = frame.with_columns(pl.col(pl.Float32, pl.Float64).round_sig_figs(SIGNIFICANT_DIGITS))
    lines = sorted(rounded.write_ndjson().splitlines()) if frame.height else []
    digest = hashlib.sha256("\n".join([",".join(frame.columns), *lines]).encode("utf-8")).hexdigest()
    return {"rows": frame.height, "sha256": digest}


def differences(expected: dict, actual: dict) -> list[str]:
    """Human-readable differences between two fingerprints."""
    found = [f"{name}: only in the fingerprint" for name in sorted(set(expected) - set(actual))]
    found += [f"{name}: new, not in the fingerprint" for name in sorted(set(actual) - set(expected))]
    found += [f"{name}: {expected[name]['rows']} rows → {actual[name]['rows']}, "
              f"{'same' if expected[name]['sha256'] == actual[name]['sha256'] else 'other'} content"
              for name in sorted(set(expected) & set(actual)) if expected[name] != actual[name]]
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite the committed fingerprint")
    args = parser.parse_args()
    from flows.nightly import nightly
    from tests.conftest import SAMPLES_AS_OF

    repo = Path(__file__).resolve().parents[2]
    warehouse = Path(tempfile.mkdtemp(prefix="recon-fingerprint-")) / "warehouse.duckdb"
    nightly(repo / "config" / "sources.yaml", warehouse, SAMPLES_AS_OF)
    printed = fingerprint(warehouse)
    if args.write:
        SAMPLES_FINGERPRINT.write_text(json.dumps(printed, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        print(f"wrote {SAMPLES_FINGERPRINT}")
        return 0
    found = differences(json.loads(SAMPLES_FINGERPRINT.read_text(encoding="utf-8")), printed)
    print("\n".join(found) or "identical")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
