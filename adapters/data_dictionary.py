"""The data dictionary: an English and a Chinese description of every published table and column.

`sql/dictionary.yaml` is loaded once into a typed `DataDictionary` and applied just before publishing
as DuckDB comments ("English text / 中文说明"), so `duckdb_tables()` and `duckdb_columns()` document
the warehouse. Statements are built from the YAML alone: names are checked against the catalog and
quoted, texts are escaped as SQL literals (COMMENT takes no bound parameters).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import duckdb
from pydantic import BaseModel, ConfigDict, Field, field_validator

from adapters.sql_files import SQL_DIR
from adapters.warehouse import main_views
from settings.base import load_yaml_model

DICTIONARY_PATH = SQL_DIR / "dictionary.yaml"
Name = Annotated[str, Field(pattern=r"^[a-z_][a-z0-9_]*$")]
_HAN = re.compile(r"[\u4e00-\u9fff]")


class DictionaryError(ValueError):
    """dictionary.yaml is missing, unreadable or wrong; the message names the key."""


class Text(BaseModel):
    """One description in both languages."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    en: str = Field(min_length=1)
    zh: str = Field(min_length=1)

    @field_validator("zh")
    @classmethod
    def _is_chinese(cls, zh: str) -> str:
        if not _HAN.search(zh):
            raise ValueError("the Chinese description has no Chinese character")
        return zh

    def comment(self) -> str:
        """The text of the COMMENT: "English / 中文"."""
        return f"{self.en} / {self.zh}"


class TableText(Text):
    """A table's description and one per column."""

    columns: dict[Name, Text]


class DataDictionary(BaseModel):
    """Every described table, by name."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    tables: dict[Name, TableText]


def read_dictionary(path: Path = DICTIONARY_PATH) -> DataDictionary:
    """dictionary.yaml validated as a whole; DictionaryError names any bad key."""
    return load_yaml_model(Path(path), lambda raw: DataDictionary(**raw), DictionaryError)


def sql_literal(text: str) -> str:
    """`text` as a DuckDB string literal."""
    return "'" + text.replace("'", "''") + "'"


def sql_identifier(name: str) -> str:
    """`name` as a quoted DuckDB identifier."""
    return '"' + name.replace('"', '""') + '"'


def comment_statements(dictionary: DataDictionary, catalog: dict[str, list[str]],
                       views: frozenset[str] = frozenset()) -> tuple[list[str], list[str]]:
    """COMMENT statements for every table and column of `catalog` (table or view → columns; the
    `views` among them) the dictionary describes, and the `table` / `table.column` names it does
    not describe."""
    statements, missing = [], []
    for table, columns in catalog.items():
        entry = dictionary.tables.get(table)
        if entry is None:
            missing.append(table)
            continue
        kind = "view" if table in views else "table"
        statements.append(f"comment on {kind} {sql_identifier(table)} is {sql_literal(entry.comment())}")
        for column in columns:
            text = entry.columns.get(column)
            if text is None:
                missing.append(f"{table}.{column}")
                continue
            target = f"{sql_identifier(table)}.{sql_identifier(column)}"
            statements.append(f"comment on column {target} is {sql_literal(text.comment())}")
    return statements, missing


def apply_dictionary(con: duckdb.DuckDBPyConnection, dictionary: DataDictionary,
                     skip: tuple[str, ...] = ()) -> list[str]:
    """Comment every table, view and column of the main schema (bar `skip`); returns what lacks a description."""
    rows = con.execute(
        "select table_name, column_name from duckdb_columns() "
        "where database_name = current_database() and schema_name = 'main' and not internal "
        "order by table_name, column_index"
    ).fetchall()
    catalog: dict[str, list[str]] = {}
    for table, column in rows:
        if table not in skip:
            catalog.setdefault(table, []).append(column)
    statements, missing = comment_statements(dictionary, catalog, frozenset(main_views(con)))
    for statement in statements:
        con.execute(statement)
    return missing
