"""The SQL of `sql/`, one statement per file, each opening with a header comment (grain, key, inputs).

    sql/state/    DDL of the tables carried from night to night, and of run_context
    sql/models/   the night's tables built in SQL, named by what one row is (customers, conflicts, …)
    sql/marts/    the analysts' summaries, every one named mart_<subject>
    sql/macros/   table macros analysts call (owner_on)
    sql/queries/  the statements the flow runs against the warehouse

A model or mart is a `select`, materialised as the table of its file's name. The checks it must pass
before the warehouse is published sit in its header, one `-- @` line each:

    -- @key: business_date, rep_id      unique together, never null
    -- @not_null: submitted_at
    -- @non_negative: claims, granted   counts
    -- @within_0_1: use_rate            rates (null passes)
    -- @rule accounted: rows_read = accepted + quarantined + superseded   true on every row
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"
STATE, MODELS, MARTS, MACROS, QUERIES, VIEWS = "state", "models", "marts", "macros", "queries", "views"

_CHECK_LINE = re.compile(r"^-- @(?P<kind>\w+)(?: (?P<name>\w+))?: (?P<value>.+)$")


@dataclass(frozen=True)
class TableChecks:
    """What a published table must satisfy; `rules` are (name, SQL boolean over one row)."""

    table: str
    key: tuple[str, ...] = ()
    not_null: tuple[str, ...] = ()
    non_negative: tuple[str, ...] = ()
    within_0_1: tuple[str, ...] = ()
    rules: tuple[tuple[str, str], ...] = ()


def sql_text(folder: str, name: str) -> str:
    """The text of `sql/<folder>/<name>.sql`."""
    return (SQL_DIR / folder / f"{name}.sql").read_text(encoding="utf-8")


def model_folder(name: str) -> str:
    """Where the select building table `name` lives: the naming rule, `mart_*` in sql/marts/."""
    return MARTS if name.startswith("mart_") else MODELS


def names_in(folder: str) -> tuple[str, ...]:
    """Every statement of `sql/<folder>/`, by name, in name order."""
    return tuple(sorted(path.stem for path in (SQL_DIR / folder).glob("*.sql")))


def header_checks(folder: str, name: str) -> TableChecks:
    """The `-- @` lines of `sql/<folder>/<name>.sql`'s header, as the table's checks."""
    lists: dict[str, tuple[str, ...]] = {}
    rules: list[tuple[str, str]] = []
    for line in sql_text(folder, name).splitlines():
        if not line.startswith("--"):
            break
        found = _CHECK_LINE.match(line)
        if found is None:
            continue
        kind, value = found["kind"], found["value"].strip()
        if kind == "rule":
            if not found["name"]:
                raise ValueError(f"sql/{folder}/{name}.sql: a rule needs a name (-- @rule <name>: <condition>)")
            rules.append((found["name"], value))
        elif kind in ("key", "not_null", "non_negative", "within_0_1"):
            lists[kind] = tuple(column.strip() for column in value.split(","))
        else:
            raise ValueError(f"sql/{folder}/{name}.sql: unknown check @{kind}")
    return TableChecks(name, **lists, rules=tuple(rules))
