"""Tiny hand-made input tables for the SQL model tests, on in-memory DuckDB."""

from __future__ import annotations

from datetime import date, datetime

import duckdb
import polars as pl

from adapters import warehouse
from adapters.sql_files import STATE, sql_text

ZONE = "Asia/Shanghai"


def connection(as_of: date, as_of_end: str, session_zone: str = "UTC") -> duckdb.DuckDBPyConnection:
    """An in-memory database holding `run_context` for `as_of`; `as_of_end` is an ISO instant."""
    con = duckdb.connect()
    con.execute(f"set TimeZone = '{session_zone}'")
    con.execute(sql_text(STATE, "run_context"))
    con.execute("insert into run_context values ('test-1', ?, cast(? as timestamptz), ?)",
                [as_of, as_of_end, ZONE])
    return con


def table(con: duckdb.DuckDBPyConnection, name: str, columns: str, rows: list[tuple]) -> None:
    """Create `name` (`columns` as in CREATE TABLE) holding `rows`."""
    con.execute(f"create table {name} ({columns})")
    if rows:
        marks = ", ".join("?" for _ in rows[0])
        con.executemany(f"insert into {name} values ({marks})", [list(r) for r in rows])


def model(con: duckdb.DuckDBPyConnection, name: str, order_by: str) -> pl.DataFrame:
    """Run `sql/marts/<name>.sql` on `con` and return its rows."""
    warehouse.build_model(con, name)
    return con.sql(f"select * from {name} order by {order_by}").pl()


def instant(text: str) -> datetime:
    """An ISO 8601 text with its offset as an aware datetime."""
    return datetime.fromisoformat(text)
