"""The warehouse connection's buffer pool (adapters.warehouse)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from adapters import warehouse


def _cached_mib(con: duckdb.DuckDBPyConnection) -> float:
    rows = con.execute("select memory_usage_bytes from duckdb_memory() where tag = 'BASE_TABLE'").fetchall()
    return rows[0][0] / 2**20


def test_the_cached_pages_of_the_file_are_released_and_the_limit_set_back(tmp_path: Path) -> None:
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create table pairs as select hash(i) as digest from range(24000000) r(i)")
    con = duckdb.connect(str(path), config={"memory_limit": warehouse.MEMORY_LIMIT})
    limit = con.execute("select current_setting('memory_limit')").fetchall()
    # reading the table caches its pages (about 190 MB of 64-bit digests, which do not compress)
    total = con.execute("select sum(digest % 1000) from pairs").fetchall()
    before = _cached_mib(con)
    assert before > 150

    warehouse.cache_released(con)

    assert _cached_mib(con) < 128 < before
    assert con.execute("select current_setting('memory_limit')").fetchall() == limit
    # the pages are read again from the file when asked for
    assert con.execute("select sum(digest % 1000) from pairs").fetchall() == total
