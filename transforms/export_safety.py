"""Make input text safe to hand to a spreadsheet: no cell from input may start a formula."""

from __future__ import annotations

import polars as pl

# Excel, LibreOffice and Google Sheets evaluate a cell that starts with one of these.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
_TRIGGER_PATTERN = r"^[=+\-@\t\r\n]"


def neutralise_formula(value: str | None) -> str | None:
    """Prefix a single quote to text a spreadsheet would read as a formula (OWASP CSV injection)."""
    if value is None or not value.startswith(FORMULA_TRIGGERS):
        return value
    return "'" + value


def formulas_neutralised(frame: pl.DataFrame) -> pl.DataFrame:
    """Every text column with formula-like values prefixed by a quote; other columns untouched."""
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(_TRIGGER_PATTERN))
        .then(pl.lit("'") + pl.col(c))
        .otherwise(pl.col(c))
        .alias(c)
        for c, dtype in frame.schema.items()
        if dtype == pl.String
    )
