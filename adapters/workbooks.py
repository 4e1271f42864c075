"""What the XLSX reader (fastexcel) cannot be trusted with, read from the workbook's XML first: a
sheet's declared range (the reader allocates all of it: one cell at XFD1048576 asks for 512 GB and
aborts the process) and its error cells (#N/A, #DIV/0!: the reader gives them as empty cells)."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from adapters.text_files import SourceFileError

# a registration list is thousands of rows by a few dozen columns; Excel's own limits are 1,048,576 × 16,384
MAX_SHEET_ROWS = 1_000_000
MAX_SHEET_COLUMNS = 500
_DIMENSION = re.compile(r'<(?:\w+:)?dimension ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')
_ERROR_CELL = re.compile(
    r'<(?:\w+:)?c r="([A-Z]+)(\d+)"[^>]*?\bt="e"[^>]*>(?:<(?:\w+:)?f\b[^>]*>[^<]*</(?:\w+:)?f>)?<(?:\w+:)?v>([^<]*)</')
_SCANNED_BYTES = 256 << 20  # error cells are looked for in sheets up to this size (XML, uncompressed)


@dataclass(frozen=True)
class SheetLayout:
    """Where the sheet's used range starts (the reader's first row and column) and its error cells."""

    first_row: int = 1
    first_column: int = 1
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, column) → "#N/A"


def sheet_layout(path: Path, sheet_index: int) -> SheetLayout:
    """The sheet's layout; SourceFileError when its declared range is beyond any registration list."""
    try:
        with zipfile.ZipFile(path) as archive, archive.open(_sheet_part(archive, sheet_index)) as part:
            xml = part.read(_SCANNED_BYTES).decode("utf-8", errors="replace")
    except (zipfile.BadZipFile, KeyError, OSError):
        return SheetLayout()  # not a plain OOXML package: the reader reports what is wrong
    found = _DIMENSION.search(xml[:4096])
    if not found:
        return SheetLayout()
    if found.group(3):
        columns, rows = _column_number(found.group(3)), int(found.group(4))
        if columns > MAX_SHEET_COLUMNS or rows > MAX_SHEET_ROWS:
            raise SourceFileError(path, f"the sheet's used range ends at {found.group(3)}{found.group(4)} "
                                        f"({rows:,} rows × {columns:,} columns; at most {MAX_SHEET_ROWS:,} × "
                                        f"{MAX_SHEET_COLUMNS} are read): delete the stray cells far below or "
                                        "right of the list, or export it as CSV")
    errors = {(int(row), _column_number(column)): value
              for column, row, value in _ERROR_CELL.findall(xml)} if 't="e"' in xml else {}
    return SheetLayout(int(found.group(2)), _column_number(found.group(1)), errors)


def with_error_values(frame: pl.DataFrame, layout: SheetLayout, header_row: int) -> pl.DataFrame:
    """`frame` with each error cell's text (#N/A) where the reader left it empty, so that a phone
    of #N/A is flagged unreadable and a name of #N/A refused, instead of both passing as blank."""
    first_data_row = layout.first_row + header_row
    for (row, column), value in layout.errors.items():
        index, position = row - first_data_row, column - layout.first_column
        if 0 <= index < frame.height and 0 <= position < frame.width:
            name = frame.columns[position]
            frame = frame.with_columns(
                pl.when(pl.int_range(pl.len()) == index).then(pl.lit(value)).otherwise(pl.col(name)).alias(name))
    return frame


def _sheet_part(archive: zipfile.ZipFile, sheet_index: int) -> str:
    """The zip member of the n-th worksheet, by the workbook's relationships (or its usual name)."""
    try:
        workbook = archive.read("xl/workbook.xml").decode("utf-8", errors="replace")
        rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8", errors="replace")
        rel_id = re.findall(r'<(?:\w+:)?sheet\b[^>]*\br:id="([^"]+)"', workbook)[sheet_index]
        target = re.search(rf'<Relationship\b[^>]*Id="{re.escape(rel_id)}"[^>]*Target="([^"]+)"', rels) or \
            re.search(rf'<Relationship\b[^>]*Target="([^"]+)"[^>]*Id="{re.escape(rel_id)}"', rels)
        if target:
            return target.group(1).lstrip("/") if target.group(1).startswith("/") else "xl/" + target.group(1)
    except (KeyError, IndexError):
        pass
    return f"xl/worksheets/sheet{sheet_index + 1}.xml"


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


