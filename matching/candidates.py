"""Candidate claims for a query, found the way the nightly blocking finds pairs.

The index is keyed by exactly the columns of `matching.settings.BLOCKING_RULES` (read from the
rules themselves, so the two cannot drift): one sorted array per column, searched by bisection.
A claim is a candidate when it shares any one of those values with the query — the pairs Splink
would score if the query were a claim tonight. One route goes further than the nightly blocking:
a query written in Latin letters ("Zijie Tiaodong Technology Co., Ltd.") also reaches the claims
whose trade-name pinyin it contains, the evidence the model's "English name carries the pinyin"
level weighs; without it an English name alone would find nothing.
"""

from __future__ import annotations

import re

import numpy as np
import polars as pl

from matching.settings import BLOCKING_RULES

# the shortest pinyin the "English name carries the pinyin" level accepts (matching.settings)
MIN_PINYIN_IN_LATIN = 4
_EQUALITY = re.compile(r'^l\."(?P<column>\w+)" = r\."(?P=column)"$')


def blocking_columns(rules=BLOCKING_RULES) -> tuple[str, ...]:
    """The column each blocking rule joins on; a rule of any other shape is refused."""
    columns = []
    for rule in rules:
        sql = rule.get_blocking_rule("duckdb").blocking_rule_sql.strip()
        found = _EQUALITY.match(sql)
        if not found:
            raise ValueError(f"blocking rule {sql!r} is not an equality on one column; the lookup cannot index it")
        columns.append(found["column"])
    return tuple(columns)


class CandidateIndex:
    """Row positions of `prepared` by blocking value; built once, read by many threads."""

    def __init__(self, prepared: pl.DataFrame, columns: tuple[str, ...] | None = None) -> None:
        self.columns = columns or blocking_columns()
        self._keys: dict[str, tuple[pl.Series, np.ndarray]] = {}
        rows = pl.int_range(pl.len(), dtype=pl.UInt32).alias("_row")
        for column in self.columns:
            index = prepared.select(column, rows).drop_nulls(column).sort(column)
            self._keys[column] = (index[column], index["_row"].to_numpy())
        chinese = prepared.select("trade_pinyin", rows, "is_latin_name").filter(
            ~pl.col("is_latin_name").fill_null(True) & (pl.col("trade_pinyin").str.len_chars() >= MIN_PINYIN_IN_LATIN)
        )
        self._pinyin: dict[str, np.ndarray] = {
            key: np.asarray(group, dtype=np.uint32)
            for key, group in chinese.group_by("trade_pinyin").agg("_row").iter_rows()
        }

    def rows_for(self, query: dict[str, object]) -> np.ndarray:
        """Sorted, distinct row positions sharing at least one blocking value with `query`."""
        found = []
        for column in self.columns:
            value = query.get(column)
            if value is None:
                continue
            keys, rows = self._keys[column]
            start = keys.search_sorted(value, side="left")
            end = keys.search_sorted(value, side="right")
            if end > start:
                found.append(rows[start:end])
        if query.get("is_latin_name") and query.get("core_name"):
            found.extend(self._pinyin_within(str(query["core_name"])))
        if not found:
            return np.empty(0, dtype=np.uint32)
        return np.unique(np.concatenate(found))

    def _pinyin_within(self, latin: str) -> list[np.ndarray]:
        """Rows of Chinese-named claims whose trade-name pinyin is a substring of `latin`."""
        return [
            self._pinyin[latin[i:j]]
            for i in range(len(latin))
            for j in range(i + MIN_PINYIN_IN_LATIN, len(latin) + 1)
            if latin[i:j] in self._pinyin
        ]
