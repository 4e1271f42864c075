"""Files written next to the warehouse after a run, for people rather than SQL clients."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl

from transforms.export_safety import formulas_neutralised
from transforms.schema import BUSINESS_ZONE


def write_run_outputs(
    out_dir: Path, *, as_of: date, quarantine: pl.DataFrame, validation_html: str
) -> dict[str, Path]:
    """The validation page and the quarantine list (CSV that Excel opens with Chinese intact)."""
    validation_dir = out_dir / "validation"
    validation_dir.mkdir(parents=True, exist_ok=True)
    page = validation_dir / "index.html"
    write_atomically(page, validation_html.encode("utf-8"))

    exports_dir = out_dir / "exports"
    exports_dir.mkdir(parents=True, exist_ok=True)
    quarantine_csv = exports_dir / f"quarantine_{as_of.isoformat()}.csv"
    flat = quarantine.with_columns(
        pl.col("failed_checks").list.join(", "),
        pl.col("ingested_at").dt.convert_time_zone(BUSINESS_ZONE).dt.strftime("%Y-%m-%d %H:%M"),
    )
    write_spreadsheet_csv(quarantine_csv, flat)
    return {"validation report": page, "quarantine list": quarantine_csv}


def write_spreadsheet_csv(path: Path, frame: pl.DataFrame) -> None:
    """A CSV Excel opens with Chinese intact (UTF-8 with BOM), no cell able to start a formula."""
    write_atomically(path, b"\xef\xbb\xbf" + formulas_neutralised(frame).write_csv().encode("utf-8"))


def write_atomically(path: Path, data: bytes) -> None:
    """Write to a side file, then rename: a reader never sees half a file."""
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(data)
    partial.replace(path)
