"""The DuckDB warehouse file: build the next one beside the live one, then swap it in.

A reader with the live file open keeps seeing the previous night until it reconnects; a run that
dies at any point leaves the live file untouched (the half-built file is removed next time).
Only one run at a time may build: a lock file beside the warehouse enforces it.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import polars as pl

from adapters.sql_files import STATE, VIEWS, model_folder, sql_text

CARRIED_TABLES = (
    "ingested_files", "raw_claims", "run_log", "customer_lineage", "review_decisions", "claim_first_accepted",
    "matching_runs",
)
# DuckDB's buffer pool otherwise grows to 80% of the machine, keeping every table the night wrote in
# memory; pages of a file-backed database are cheap to evict, so a small pool costs little time.
MEMORY_LIMIT = "2GB"
_EVICTING_LIMIT = "128MB"  # set for an instant by `cache_released`
# live table → the name its copy takes in the next warehouse, for tables rebuilt every night
SNAPSHOTS = {"claim_customer": "previous_claim_customer"}
# the same, for what an incremental night starts from (`flows.matching_plan`): copied as they are
# when the live warehouse has them, absent otherwise (the night then matches in full)
MIRRORED_SNAPSHOTS = {
    "claims": "previous_claims", "claims_for_matching": "previous_claims_for_matching",
    "scored_pairs": "previous_scored_pairs", "rows_validated": "previous_rows_validated",
    "window_keys": "previous_window_keys",
}
# every snapshot table a night may hold: dropped when it is published, never described to readers
SNAPSHOT_TABLES = (*SNAPSHOTS.values(), *MIRRORED_SNAPSHOTS.values())


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
    """A connection to `<live>.building`: a copy of the live file (or a new one) holding the tables
    carried from `live` and tonight's snapshots of it; every other table is dropped, to be built
    again. Copying the file takes seconds where re-inserting a million raw rows (and their key
    index) took ten; the space of the dropped tables is reused by tonight's."""
    building = building_path(live)
    for leftover in (building, building.with_name(building.name + ".wal")):
        leftover.unlink(missing_ok=True)
    if live.exists():
        try:  # a writer holding the live file would make the copy inconsistent
            duckdb.connect(str(live), read_only=True).close()
        except duckdb.Error as exc:
            raise WarehouseBusyError(f"cannot open {live} to carry its history over: {exc}") from exc
        shutil.copyfile(live, building)
    con = duckdb.connect(str(building), config={"memory_limit": MEMORY_LIMIT})
    try:
        _carried_in_place(con)
    except BaseException:
        con.close()
        building.unlink(missing_ok=True)
        raise
    return con


def _carried_in_place(con: duckdb.DuckDBPyConnection) -> None:
    """Keep the carried tables, rename the snapshot sources to their snapshot names, drop the
    rest (and every view); a carried table whose columns differ from its definition in sql/state
    (a warehouse of an earlier version) is rebuilt by it, its rows inserted by column name."""
    tables = set(_main_tables(con))
    snapshots = SNAPSHOTS | MIRRORED_SNAPSHOTS
    for view in main_views(con):
        con.execute(f"drop view {view}")
    for name in sorted(tables - set(CARRIED_TABLES) - set(snapshots)):
        con.execute(f"drop table {name}")
    for source, target in snapshots.items():
        if source in tables:
            con.execute(f"alter table {source} rename to {target}")
    con.execute("create schema _defined")
    con.execute("set schema = '_defined'")
    for name in (*CARRIED_TABLES, *SNAPSHOTS.values()):
        con.execute(sql_text(STATE, name))
    con.execute("set schema = 'main'")
    for name in (*CARRIED_TABLES, *SNAPSHOTS.values()):
        if _columns(con, "main", name) != _columns(con, "_defined", name):
            _rebuilt_by_definition(con, name)
    con.execute("drop schema _defined cascade")
    con.execute("checkpoint")


def has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether the connection's database holds a table `name`."""
    return bool(scalar(con, "select count(*) from duckdb_tables() where database_name = current_database() "
                            "and table_name = ?", [name]))


def main_views(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The views of the main schema, by name."""
    return [row[0] for row in con.execute(
        "select view_name from duckdb_views() where database_name = current_database() and schema_name = 'main' "
        "and not internal order by view_name").fetchall()]


def _main_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [row[0] for row in con.execute(
        "select table_name from duckdb_tables() where database_name = current_database() and schema_name = 'main' "
        "order by table_name").fetchall()]


def _columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[tuple[str, str]]:
    return con.execute("select column_name, data_type from duckdb_columns() where database_name = current_database() "
                       "and schema_name = ? and table_name = ? order by column_index", [schema, table]).fetchall()


def _rebuilt_by_definition(con: duckdb.DuckDBPyConnection, name: str) -> None:
    present = bool(_columns(con, "main", name))
    if present:
        con.execute(f"alter table {name} rename to _earlier_{name}")
    con.execute(sql_text(STATE, name))
    if present:
        con.execute(f"insert into {name} by name select * from _earlier_{name}")
        con.execute(f"drop table _earlier_{name}")


def publish(con: duckdb.DuckDBPyConnection, live: Path) -> None:
    """Flush and close the building file, then atomically put it in place of the live one."""
    for snapshot in SNAPSHOT_TABLES:
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


def cache_released(con: duckdb.DuckDBPyConnection) -> None:
    """Evict the pages of the warehouse file DuckDB keeps cached (read again from the file when
    needed): before a large query on a connection of its own, whose buffer pool would otherwise
    add to this one (0.85 GB of last night's pairs and claims at 1M claims). DuckDB evicts
    unpinned pages to meet a lower memory limit; the limit is then set back."""
    try:
        con.execute(f"set memory_limit = '{_EVICTING_LIMIT}'")
    except duckdb.OutOfMemoryException:  # pinned pages above the limit: the cache stays, the night goes on
        pass
    finally:
        con.execute(f"set memory_limit = '{MEMORY_LIMIT}'")


def write_table(con: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame, order_by: str | None) -> None:
    """Create or replace `name` from a polars frame, rows in a stable order: `order_by`, or None
    for the frame's own (DuckDB keeps insertion order), which spares sorting a big frame twice."""
    con.register("_frame", frame)
    try:
        order = f" order by {order_by}" if order_by else ""
        con.execute(f"create or replace table {name} as select * from _frame{order}")
    finally:
        con.unregister("_frame")


def rows_replaced(con: duckdb.DuckDBPyConnection, name: str, earlier: str, key: str, replaced: pl.Series,
                  rows: pl.DataFrame) -> None:
    """Make `earlier` (last night's `name`, renamed when the warehouse was opened) tonight's
    `name` in place: its rows whose `key` is in `replaced` deleted, `rows` inserted. Writing a
    million claims again costs seconds (DuckDB compresses every string anew); replacing the few
    thousand that changed, a fraction of one. The rows are then no longer in `key` order."""
    con.execute(f"alter table {earlier} rename to {name}")
    con.register("_replaced", pl.DataFrame({key: replaced}))
    con.register("_frame", rows)
    try:
        con.execute(f"delete from {name} where {key} in (select {key} from _replaced)")
        con.execute(f"insert into {name} by name select * from _frame")
    finally:
        con.unregister("_replaced")
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


def build_view(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Create or replace the view `name` (a select in sql/views/)."""
    con.execute(f"create or replace view {name} as {sql_text(VIEWS, name)}")


def row_count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return scalar(con, f"select count(*) from {table}")


def scalar(con: duckdb.DuckDBPyConnection, query: str, params: list | None = None):
    """The single value a query returns (fetching all rows: DuckDB 2 refuses new work while a
    result is only partly fetched)."""
    return con.execute(query, params or []).fetchall()[0][0]


def frame(con: duckdb.DuckDBPyConnection, query: str, params: list | None = None) -> pl.DataFrame:
    """A query's result as a polars frame (timestamps with a zone come back as UTC)."""
    return con.sql(query, params=params or None).pl()
