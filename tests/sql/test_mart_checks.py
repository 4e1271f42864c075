"""The Great Expectations checks every mart passes before publishing, and that they can fail."""

import duckdb

from flows.marts import MARTS, Mart, mart_suite


def _failed(rows: list[tuple]) -> set[tuple[str, str]]:
    con = duckdb.connect()
    con.execute("create table bad_mart (day date, rep_id varchar, claims bigint, share double)")
    con.executemany("insert into bad_mart values (?, ?, ?, ?)", [list(r) for r in rows])
    mart = Mart("bad_mart", ("day", "rep_id"), counts=("claims",), rates=("share",))
    result = mart_suite(con, mart)
    return {(o.expectation, o.column) for o in result.outcomes if not o.success}


def test_a_sound_mart_passes():
    assert _failed([("2026-11-01", "S1", 3, 0.5), ("2026-11-01", "S2", 0, None)]) == set()


def test_duplicate_or_missing_keys_negative_counts_and_rates_outside_0_1_fail():
    failed = _failed([("2026-11-01", "S1", 3, 0.5), ("2026-11-01", "S1", -1, 1.5), ("2026-11-02", None, 1, -0.1)])
    assert failed == {
        ("expect_column_values_to_be_unique", "mart_key"),
        ("expect_column_values_to_not_be_null", "rep_id"),
        ("expect_column_values_to_be_between", "claims"),
        ("expect_column_values_to_be_between", "share"),
    }


def test_every_mart_file_opens_with_its_header():
    from adapters.warehouse import SQL_DIR

    for mart in MARTS:
        sql = (SQL_DIR / "marts" / f"{mart.name}.sql").read_text(encoding="utf-8")
        header = sql[: sql.index("\nwith ")]
        assert header.startswith(f"-- {mart.name}: ") and "Grain:" in header and "Inputs:" in header
        assert sql.rstrip().splitlines()[-2:][0] == "select * from final"
