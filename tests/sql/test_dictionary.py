"""The data dictionary: every published table and column carries "English / 中文" as its comment."""

import re

import duckdb
import pytest

from adapters.data_dictionary import (
    DataDictionary,
    DictionaryError,
    apply_dictionary,
    read_dictionary,
)

LATIN, HAN = re.compile(r"[A-Za-z]"), re.compile(r"[\u4e00-\u9fff]")


def _bilingual(comment: str | None) -> bool:
    """"English text / 中文说明": Latin letters before the first " / ", Chinese after the last."""
    if not comment or " / " not in comment:
        return False
    return bool(LATIN.search(comment.split(" / ")[0]) and HAN.search(comment.rsplit(" / ", 1)[1]))


def _undescribed(rows: list[tuple[str, str | None]]) -> list[str]:
    return [name for name, comment in rows if not _bilingual(comment)]


@pytest.mark.usefixtures("prefect_harness")
def test_every_table_and_column_of_the_samples_warehouse_has_a_bilingual_comment(samples_run):
    _, warehouse = samples_run
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = con.execute("select table_name, comment from duckdb_tables() "
                             "where database_name = current_database()").fetchall()
        columns = con.execute("select table_name || '.' || column_name, comment from duckdb_columns() "
                              "where database_name = current_database() and not internal").fetchall()
    assert len(tables) > 20 and len(columns) > 300
    assert _undescribed(tables) == []
    assert _undescribed(columns) == []


def _dictionary(**tables) -> DataDictionary:
    return DataDictionary(tables=tables)


def test_quotes_in_descriptions_are_escaped_and_missing_entries_reported_not_raised():
    con = duckdb.connect()
    con.execute('create table notes (rep_id varchar, "it\'s" varchar, extra bigint)')
    con.execute("create table unknown_table (x int)")
    tricky = "O'Brien's note'; drop table notes; --"
    dictionary = _dictionary(
        notes={"en": tricky, "zh": "备注“引号”'单引号'", "columns": {
            "rep_id": {"en": "Rep", "zh": "销售"}, "extra": {"en": "a / b", "zh": "额外"}}},
        absent={"en": "Not built", "zh": "不存在", "columns": {}},
    )
    missing = apply_dictionary(con, dictionary)
    assert missing == ["notes.it's", "unknown_table"]
    assert con.execute("select comment from duckdb_tables() where table_name = 'notes'").fetchone()[0] == (
        f"{tricky} / 备注“引号”'单引号'")
    comments = dict(con.execute("select column_name, comment from duckdb_columns() "
                                "where table_name = 'notes'").fetchall())
    assert comments == {"rep_id": "Rep / 销售", "it's": None, "extra": "a / b / 额外"}


def test_skipped_tables_are_neither_commented_nor_reported():
    con = duckdb.connect()
    con.execute("create table previous_claim_customer (claim_id varchar)")
    assert apply_dictionary(con, _dictionary(), skip=("previous_claim_customer",)) == []


@pytest.mark.parametrize(("text", "message"), [
    ("tables:\n  claims:\n    en: Claims\n    zh: Claims\n    columns: {}\n",
     "tables.claims.zh: the Chinese description has no Chinese character"),
    ("tables:\n  claims:\n    en: Claims\n    zh: 报备\n", "tables.claims.columns: Field required"),
    ("tables:\n  Bad-Name:\n    en: x\n    zh: 报备\n    columns: {}\n", "tables.Bad-Name"),
])
def test_a_wrong_dictionary_stops_with_the_key_named(tmp_path, text, message):
    path = tmp_path / "dictionary.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DictionaryError, match=re.escape(message)):
        read_dictionary(path)


def test_the_packaged_dictionary_loads():
    assert "mart_outcomes_daily" in read_dictionary().tables
