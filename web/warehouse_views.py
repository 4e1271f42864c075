"""What the screens read from the published warehouse: opened read-only for one page, with the
SQL of sql/queries/web_*.sql and bound parameters; the night replacing the file is seen by the
next page."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from adapters.sql_files import QUERIES, sql_text
from adapters.warehouse import NoWarehouseError


@contextmanager
def warehouse_read(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    if not Path(path).exists():
        raise NoWarehouseError.missing(Path(path))
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        raise NoWarehouseError(f"cannot open {path} read-only: {exc}") from exc
    try:
        yield con
    finally:
        con.close()


def _rows(con: duckdb.DuckDBPyConnection, query: str, parameters: dict[str, Any] | None = None) -> pl.DataFrame:
    return con.sql(sql_text(QUERIES, query), params=parameters or None).pl()


def review_queue(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return _rows(con, "web_review_queue")


def customer_claims(con: duckdb.DuckDBPyConnection, customer_ids: list[str]) -> pl.DataFrame:
    return _rows(con, "web_customer_claims", {"customers": customer_ids})


def appeals(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return _rows(con, "web_appeals")


def extensions(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return _rows(con, "web_extensions")


def as_of(con: duckdb.DuckDBPyConnection) -> str | None:
    found = con.execute(sql_text(QUERIES, "web_as_of")).fetchall()
    return str(found[0][0]) if found else None
