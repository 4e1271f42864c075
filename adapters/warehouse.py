"""The DuckDB warehouse file: build the next one beside the live one, then swap it in.

A reader with the live file open keeps seeing the previous night until it reconnects; a run that
dies at any point leaves the live file untouched (the half-built file is removed next time).
Only one run at a time may build: a lock file beside the warehouse enforces it.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import polars as pl

from adapters.sql_files import STATE, model_folder, sql_text

CARRIED_TABLES = (
    "ingested_files", "raw_claims", "run_log", "customer_lineage", "review_decisions", "claim_first_accepted",
    "matching_runs",
)
# DuckDB's buffer pool otherwise grows to 80% of the machine, keeping every table the night wrote in
# memory; pages of a file-backed database are cheap to evict, so a small pool costs little time.
MEMORY_LIMIT = "2GB"
# live table → the name its copy takes in the next warehouse, for tables rebuilt every night
SNAPSHOTS = {"claim_customer": "previous_claim_customer"}
# the same, for what an incremental night starts from (`flows.matching_plan`): copied as they are
# when the live warehouse has them, absent otherwise (the night then matches in full)
MIRRORED_SNAPSHOTS = {
    "claims": "previous_claims", "claims_for_matching": "previous_claims_for_matching",
    "scored_pairs": "previous_scored_pairs",
}


class NoWarehouseError(RuntimeError):
    """No published warehouse to read (or it cannot be opened)."""

    @classmethod
    def missing(cls, live: Path) -> NoWarehouseError:
        return cls(f"no warehouse at {live}; run `recon run` first")


class WarehouseBusyError(RuntimeError):
    """Another run is building this warehouse, or a writer holds the live file."""


def building_path(live: Path) -> Path:
    return live.with_name(live.name + ".building")


@contextmanager
def run_lock(live: Path) -> Iterator[None]:
    """Hold an exclusive lock for the whole run, so two nightly runs never interleave."""
    live.parent.mkdir(parents=True, exist_ok=True)
    with open(live.with_name(live.name + ".lock"), "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise WarehouseBusyError(f"another run is already building {live}") from exc
        yield


def open_next(live: Path) -> duckdb.DuckDBPyConnection:
    """A connection to a fresh `<live>.building` file holding the tables carried from `live`."""
    building = building_path(live)
    for leftover in (building, building.with_name(building.name + ".wal")):
        leftover.unlink(missing_ok=True)
    con = duckdb.connect(str(building), config={"memory_limit": MEMORY_LIMIT})
    for name in (*CARRIED_TABLES, *SNAPSHOTS.values()):
        con.execute(sql_text(STATE, name))
    if live.exists():
        try:
            con.execute("attach ? as live (read_only)", [str(live)])
        except duckdb.IOException as exc:
            con.close()
            raise WarehouseBusyError(f"cannot open {live} to carry its history over: {exc}") from exc
        copies = {name: name for name in CARRIED_TABLES} | SNAPSHOTS
        for source, target in copies.items():
            if scalar(con, "select count(*) from duckdb_tables() where database_name = 'live' and table_name = ?",
                      [source]):
                con.execute(f"insert into {target} by name select * from live.main.{source}")
        for source, target in MIRRORED_SNAPSHOTS.items():
            if scalar(con, "select count(*) from duckdb_tables() where database_name = 'live' and table_name = ?",
                      [source]):
                con.execute(f"create table {target} as select * from live.main.{source}")
        con.execute("detach live")
    return con


def publish(con: duckdb.DuckDBPyConnection, live: Path) -> None:
    """Flush and close the building file, then atomically put it in place of the live one."""
    for snapshot in (*SNAPSHOTS.values(), *MIRRORED_SNAPSHOTS.values()):
        con.execute(f"drop table if exists {snapshot}")
    con.execute("checkpoint")
    con.close()
    os.replace(building_path(live), live)


def abandon(con: duckdb.DuckDBPyConnection, live: Path) -> None:
    """Close and delete a half-built warehouse after a failure; the live file is untouched."""
    building = building_path(live)
    try:
        con.close()
    finally:
        building.unlink(missing_ok=True)
        building.with_name(building.name + ".wal").unlink(missing_ok=True)  # left by a failed checkpoint


def write_table(con: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame, order_by: str | None) -> None:
    """Create or replace `name` from a polars frame, rows in a stable order: `order_by`, or None
    for the frame's own (DuckDB keeps insertion order), which spares sorting a big frame twice."""
    con.register("_frame", frame)
    try:
        order = f" order by {order_by}" if order_by else ""
        con.execute(f"create or replace table {name} as select * from _frame{order}")
    finally:
        con.unregister("_frame")


def append_rows(con: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame) -> None:
    con.register("_frame", frame)
    try:
        con.execute(f"insert into {name} by name select * from _frame")
    finally:
        con.unregister("_frame")


def build_model(con: duckdb.DuckDBPyConnection, name: str) -> int:
    """Materialise the model or mart `name` (a select in sql/models/ or sql/marts/) as a table;
    returns its row count."""
    con.execute(f"create or replace table {name} as {sql_text(model_folder(name), name)}")
    return row_count(con, name)


def row_count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return scalar(con, f"select count(*) from {table}")


def scalar(con: duckdb.DuckDBPyConnection, query: str, params: list | None = None):
    """The single value a query returns (fetching all rows: DuckDB 2 refuses new work while a
    result is only partly fetched)."""
    return con.execute(query, params or []).fetchall()[0][0]


def frame(con: duckdb.DuckDBPyConnection, query: str, params: list | None = None) -> pl.DataFrame:
    """A query's result as a polars frame (timestamps with a zone come back as UTC)."""
    return con.sql(query, params=params or None).pl()
