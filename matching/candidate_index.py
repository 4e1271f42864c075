"""Candidate claims for a query from an in-memory index: the twin of `matching.candidates.candidates_sql`
for a long-lived process (`recon serve-lookup`), which answers many queries from one copy.

Same rule as the SQL: a claim is a candidate when it shares one blocking value with the query, or
(for a query in Latin letters) when its trade-name pinyin is contained in the query's name.
tests/service/test_query.py checks that both give the same answers.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from matching.candidates import MIN_PINYIN_IN_LATIN


class CandidateIndex:
    """Row positions of `prepared` by blocking value; built once, read by many threads."""

    def __init__(self, prepared: pl.DataFrame, columns: tuple[str, ...]) -> None:
        self.columns = columns
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

    def rows_for(self, queries: pl.DataFrame) -> list[np.ndarray]:
        """Per prepared query (a row of `queries`, which has the blocking columns, `is_latin_name` and
        `core_name`), the sorted, distinct row positions sharing at least one blocking value with it.
        Each column's values are looked up for all queries in one sorted search."""
        found: list[list[np.ndarray]] = [[] for _ in range(queries.height)]
        for column in self.columns:
            keys, rows = self._keys[column]
            values = queries[column].cast(keys.dtype)
            starts = keys.search_sorted(values, side="left").to_numpy()
            ends = keys.search_sorted(values, side="right").to_numpy()
            for number in np.flatnonzero(values.is_not_null().to_numpy() & (ends > starts)):
                found[number].append(rows[starts[number]:ends[number]])
        latin = queries.select(pl.col("is_latin_name").fill_null(False), "core_name").iter_rows()
        for position, (is_latin, core_name) in enumerate(latin):
            if is_latin and core_name:
                found[position].extend(self._pinyin_within(core_name))
        return [np.unique(np.concatenate(arrays)) if arrays else np.empty(0, dtype=np.uint32) for arrays in found]

    def _pinyin_within(self, latin: str) -> list[np.ndarray]:
        """Rows of Chinese-named claims whose trade-name pinyin is a substring of `latin`."""
        return [
            self._pinyin[latin[i:j]]
            for i in range(len(latin))
            for j in range(i + MIN_PINYIN_IN_LATIN, len(latin) + 1)
            if latin[i:j] in self._pinyin
        ]
