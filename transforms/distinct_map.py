"""A Python function applied to a string column, once per distinct value.

Standardising names, phones and pinyin means Python functions over columns; a million claims
hold far fewer distinct values, so each is computed once and joined back. A lookup's few rows are
mapped row by row instead: on a frame that small the unique-and-join costs several times the
function itself (~1 ms a column, a tenth of a lookup batch over its eleven columns).
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

# up to this many rows a column is mapped row by row, beyond it once per distinct value
SMALL_FRAME_ROWS = 256
_KEY = "__value"


def map_distinct(values: pl.Series, function: Callable[[str], object], schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """One row per value of `values`, in order, with the columns of `schema`: `function(value)`,
    called once per distinct non-null value, a scalar for one column or a tuple for several; a
    null value gives nulls."""
    if values.len() <= SMALL_FRAME_ROWS:
        return _mapped_rows(values.to_list(), function, schema)
    distinct = values.drop_nulls().unique().to_list()
    results = [function(value) for value in distinct]
    rows = results if len(schema) > 1 else [(result,) for result in results]
    lookup = pl.DataFrame(rows, schema=schema, orient="row").with_columns(pl.Series(_KEY, distinct, dtype=pl.String))
    keys = values.rename(_KEY).to_frame()
    return keys.join(lookup, on=_KEY, how="left", maintain_order="left").select(list(schema))


def _mapped_rows(values: list[str | None], function: Callable[[str], object],
                 schema: dict[str, pl.DataType]) -> pl.DataFrame:
    results: dict[str, object] = {}
    for value in values:
        if value is not None and value not in results:
            results[value] = function(value)
    nulls = (None,) * len(schema)
    rows = [nulls if value is None else results[value] if len(schema) > 1 else (results[value],) for value in values]
    return pl.DataFrame(rows, schema=schema, orient="row")
