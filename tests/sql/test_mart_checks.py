"""The checks every published table passes before the swap: read from each SQL file's header, run
as a Great Expectations suite, and able to fail."""

import duckdb
import pytest

from adapters import sql_files
from adapters.expectations import TABLE_KEY, published_suites
from adapters.sql_files import MARTS, MODELS, TableChecks, header_checks, names_in


def _failed(rows: list[tuple], checks: TableChecks) -> set[tuple[str, str]]:
    con = duckdb.connect()
    con.execute("create table bad_mart "
                "(day date, rep_id varchar, claims bigint, share double, read bigint, kept bigint)")
    con.executemany("insert into bad_mart values (?, ?, ?, ?, ?, ?)", [list(r) for r in rows])
    (result,) = published_suites(con, [checks])
    return {(o.expectation, o.column) for o in result.outcomes if not o.success}


CHECKS = TableChecks("bad_mart", key=("day", "rep_id"), non_negative=("claims",), within_0_1=("share",),
                     rules=(("all_kept", "read = kept"),))


def test_a_sound_table_passes():
    assert _failed([("2026-11-01", "S1", 3, 0.5, 2, 2), ("2026-11-01", "S2", 0, None, 0, 0)], CHECKS) == set()


def test_duplicate_or_missing_keys_negative_counts_rates_outside_0_1_and_broken_rules_fail():
    failed = _failed([("2026-11-01", "S1", 3, 0.5, 1, 1), ("2026-11-01", "S1", -1, 1.5, 2, 2),
                      ("2026-11-02", None, 1, -0.1, 3, 2)], CHECKS)
    assert failed == {
        ("expect_column_values_to_be_unique", TABLE_KEY),
        ("expect_column_values_to_not_be_null", "rep_id"),
        ("expect_column_values_to_be_between", "claims"),
        ("expect_column_values_to_be_between", "share"),
        ("expect_column_values_to_be_in_set", "all_kept"),
    }


def test_the_header_lines_are_read_as_the_checks(tmp_path, monkeypatch):
    (tmp_path / "marts").mkdir()
    (tmp_path / "marts" / "mart_x.sql").write_text(
        "-- mart_x: a test.\n-- @key: day, rep_id\n-- @non_negative: claims, kept\n-- @within_0_1: share\n"
        "-- @not_null: read\n-- @rule all_kept: read = kept\nselect 1\n-- @key: not, a, header\n",
        encoding="utf-8")
    monkeypatch.setattr(sql_files, "SQL_DIR", tmp_path)
    assert header_checks(MARTS, "mart_x") == TableChecks(
        "mart_x", key=("day", "rep_id"), not_null=("read",), non_negative=("claims", "kept"), within_0_1=("share",),
        rules=(("all_kept", "read = kept"),))
    (tmp_path / "marts" / "mart_y.sql").write_text("-- @unique: day\nselect 1\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"mart_y.sql: unknown check @unique"):
        header_checks(MARTS, "mart_y")


@pytest.mark.parametrize("folder", [MODELS, MARTS])
def test_every_model_and_mart_opens_with_its_header_and_declares_a_key(folder):
    names = names_in(folder)
    assert names
    for name in names:
        sql = sql_files.sql_text(folder, name)
        header = sql[: sql.index("\nwith ")]
        assert header.startswith(f"-- {name}: ") and "Inputs:" in header
        assert "grain:" in header.lower()
        assert header_checks(folder, name).key, f"{folder}/{name}.sql declares no @key"
        assert sql.rstrip().splitlines()[-2:][0] == "select * from final"
    assert all(name.startswith("mart_") for name in names) == (folder == MARTS)
