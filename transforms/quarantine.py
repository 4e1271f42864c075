"""Split checked claim rows into accepted claims and quarantined rows with their reasons."""

from __future__ import annotations

import polars as pl

from transforms.checks import reasons_for
from transforms.schema import CLAIM_FIELDS, LINEAGE_COLUMNS

_CLAIM_COLUMNS = (*CLAIM_FIELDS, *LINEAGE_COLUMNS, "raw_row_id")
_QUARANTINE_COLUMNS = (
    *LINEAGE_COLUMNS, "raw_row_id", "failed_checks", "reason_zh", "reason_en",
    *(f if f != "submitted_at" else "submitted_at_text" for f in CLAIM_FIELDS),
)


def claims_accepted(checkable: pl.DataFrame, failures: pl.DataFrame) -> pl.DataFrame:
    """Rows that failed no check, in the canonical claim schema, one row per claim, by claim_id."""
    return (
        checkable.join(failures.select("raw_row_id").unique(), on="raw_row_id", how="anti")
        .select(_CLAIM_COLUMNS)
        .sort("claim_id")
    )


def claims_quarantined(checkable: pl.DataFrame, failures: pl.DataFrame, *, as_of: str) -> pl.DataFrame:
    """Rows that failed at least one check, with the checks' codes and reasons in words."""
    failed = failures.group_by("raw_row_id").agg(pl.col("check").sort().alias("failed_checks"))
    rows = checkable.join(failed, on="raw_row_id", how="inner")
    reasons = [
        reasons_for(row, row["failed_checks"], as_of)
        for row in rows.select(*CLAIM_FIELDS, "source", "submitted_at_text", "duplicate_of", "field_over_limit",
                              "field_over_limit_en", "failed_checks")
        .iter_rows(named=True)
    ]
    return (
        rows.with_columns(
            pl.Series("reason_zh", [zh for zh, _ in reasons], dtype=pl.String),
            pl.Series("reason_en", [en for _, en in reasons], dtype=pl.String),
        )
        .select(_QUARANTINE_COLUMNS)
        .sort("source", "file_name", "row_number")
    )
