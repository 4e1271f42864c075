"""Map a source file's rows onto the canonical claim fields, keeping the row as read."""

from __future__ import annotations

import polars as pl

from transforms.schema import CLAIM_FIELDS


class MissingColumnsError(ValueError):
    """Columns named in the source's column map are absent from the file."""

    def __init__(self, missing: list[str], present: list[str]):
        # headers only, each cut short: a file read wrongly may show its data as its "headers"
        shown = [repr(p if len(p) <= 30 else p[:30] + "…") for p in present[:20]]
        more = f" and {len(present) - 20} more" if len(present) > 20 else ""
        super().__init__(
            f"missing column(s) {', '.join(repr(m) for m in missing)}; the file has {', '.join(shown)}{more}"
        )
        self.missing = missing


def raw_claims_from_rows(
    rows: pl.DataFrame, column_map: dict[str, str], *, row_number_column: str
) -> pl.DataFrame:
    """One row per input row: `row_number`, every claim field as the file wrote it, and
    `raw_record` (all original columns as a JSON object, headers as keys)."""
    originals = [c for c in rows.columns if c != row_number_column]
    missing = [header for header in column_map if header not in originals]
    if missing:
        raise MissingColumnsError(missing, originals)
    by_field = {field: header for header, field in column_map.items()}
    fields = [
        (pl.col(by_field[f]) if f in by_field else pl.lit(None, dtype=pl.String)).alias(f)
        for f in CLAIM_FIELDS
    ]
    record = (
        pl.struct(originals).struct.json_encode()
        if originals
        else pl.lit("{}", dtype=pl.String)
    )
    return rows.select(pl.col(row_number_column).alias("row_number"), *fields, record.alias("raw_record"))
