"""Reading the files sales-ops get into all-text frames, exactly as written.

Every value is read as text (no type guessing), so nothing is altered before it is stored in
`raw_claims`: a phone keeps its leading zero when the file has it, a formula stays a formula.
A file that cannot be read at all raises `SourceFileError` naming the file (and the column).
"""

from __future__ import annotations

import io
import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import fastexcel
import polars as pl

from adapters.text_files import SourceFileError, decode_text, file_sha256
from adapters.workbooks import sheet_layout, with_error_values
from settings.sources import SourceConfig

__all__ = ["ROW_NUMBER", "FileRows", "SourceFileError", "decode_text", "file_sha256", "read_source_file", "read_table"]

ROW_NUMBER = "__row_number"
log = logging.getLogger("recon.ingest")


@dataclass(frozen=True)
class FileRows:
    """The data rows of one file as text, with the row number a person would see in it."""

    path: Path
    sha256: str
    rows: pl.DataFrame  # original headers + ROW_NUMBER; blank rows removed
    blank_rows: int


def read_source_file(path: Path, source: SourceConfig) -> FileRows:
    """Read one input file of a source into text columns, numbered as the file shows them."""
    if source.format == "csv":
        frame = _read_csv(path, source)
    elif source.format == "xlsx":
        frame = _read_xlsx(path, source)
    else:
        frame = _read_json(path)
    frame = frame.rename({c: c.strip() for c in frame.columns if c != c.strip()})
    if not frame.columns:
        # an empty export (0 bytes, a blank sheet, JSON []): no claims today from this file, said in the log
        log.warning("%s is empty (no header row, no data): read as no rows", path)
        frame = pl.DataFrame(schema=dict.fromkeys(source.columns, pl.String))
    _check_headers(path, frame.columns, r"_\d+$" if source.format == "xlsx" else r"_duplicated_\d+$")
    first_data_row = source.header_row + 1 if source.format != "json" else 1
    frame = frame.with_row_index(ROW_NUMBER, offset=first_data_row).with_columns(
        pl.col(ROW_NUMBER).cast(pl.Int64)
    )
    value_columns = [c for c in frame.columns if c != ROW_NUMBER]
    is_blank = pl.all_horizontal(
        pl.col(c).is_null() | (pl.col(c).str.strip_chars() == "") for c in value_columns
    )
    kept = frame.filter(~is_blank)
    return FileRows(path, file_sha256(path), kept, frame.height - kept.height)


def _check_headers(path: Path, headers: list[str], renamed: str) -> None:
    """A file must name each column once: a repeated header would silently hide a column. The
    readers rename a repeat (`renamed`: polars 公司 → 公司_duplicated_0, fastexcel 公司 → 公司_1)."""
    seen: dict[str, int] = {}
    for position, header in enumerate(headers, start=1):
        base = re.sub(renamed, "", header)
        if base in seen and base != header:
            raise SourceFileError(path, f"the header {base!r} appears more than once (columns {seen[base]} and "
                                        f"{position}); give every column its own name")
        seen.setdefault(header, position)


def _read_csv(path: Path, source: SourceConfig) -> pl.DataFrame:
    text = decode_text(path, path.read_bytes(), source.encoding)
    if "\r" in text and "\n" not in text:
        text = text.replace("\r", "\n")  # classic Mac line endings (Excel for Mac's "CSV")
    if not text.strip():
        return pl.DataFrame()
    try:
        return pl.read_csv(
            io.BytesIO(text.encode("utf-8")),
            infer_schema=False,
            skip_rows=source.header_row - 1,
            has_header=True,
        )
    except (pl.exceptions.PolarsError, ValueError) as exc:
        # the parser's message may quote the file's rows (names, phones): name the problem only
        raise SourceFileError(path, f"is not a well-formed CSV file ({type(exc).__name__}); "
                                    "check its quoting and that every row has as many fields as the header") from exc


def _read_xlsx(path: Path, source: SourceConfig) -> pl.DataFrame:
    try:
        workbook = fastexcel.read_excel(str(path))
    except Exception as exc:  # fastexcel raises its own hierarchy for corrupt files
        raise SourceFileError(path, f"is not a readable Excel workbook ({exc})") from exc
    sheet = source.sheet_name or workbook.sheet_names[0]
    if sheet not in workbook.sheet_names:
        raise SourceFileError(
            path, f"has no worksheet {sheet!r} (it has {', '.join(workbook.sheet_names)})"
        )
    layout = sheet_layout(path, workbook.sheet_names.index(sheet))
    try:
        loaded = workbook.load_sheet_by_name(sheet, header_row=source.header_row - 1, dtypes="string")
        return with_error_values(loaded.to_polars(), layout, source.header_row)
    except Exception as exc:
        if "no header" in str(exc).lower() or "empty" in str(exc).lower():
            return pl.DataFrame()
        raise SourceFileError(path, f"worksheet {sheet!r} cannot be read ({exc})") from exc


def _read_json(path: Path) -> pl.DataFrame:
    """A JSON array of objects, or JSON lines; every value is kept as its text."""
    text = decode_text(path, path.read_bytes(), "auto").strip()
    try:
        records = json.loads(text, object_pairs_hook=_unique_keys) if text.startswith("[") else [
            json.loads(line, object_pairs_hook=_unique_keys) for line in text.splitlines() if line.strip()
        ]
    except json.JSONDecodeError as exc:
        raise SourceFileError(path, f"is not valid JSON (line {exc.lineno}: {exc.msg})") from exc
    except RecursionError as exc:
        raise SourceFileError(path, "is nested too deeply to be a list of claims") from exc
    except _RepeatedKeyError as exc:
        raise SourceFileError(path, f"an object gives the key {exc} twice; which value is meant is unclear") from exc
    if not all(isinstance(r, dict) for r in records):
        raise SourceFileError(path, "must hold a list of objects, one per claim")
    headers = list(dict.fromkeys(k for r in records for k in r))
    return pl.DataFrame(
        {h: [_as_text(r.get(h)) for r in records] for h in headers},
        schema={h: pl.String for h in headers},
    )


class _RepeatedKeyError(ValueError):
    pass


def _unique_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    keys = [key for key, _ in pairs]
    for key in keys:
        if keys.count(key) > 1:
            raise _RepeatedKeyError(repr(key))
    return dict(pairs)


def _as_text(value: object) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def read_table(path: Path, *, required: tuple[str, ...]) -> pl.DataFrame:
    """A small UTF-8 (or GB18030) CSV side table such as the roster, all text, required columns checked."""
    if not path.is_file():
        raise SourceFileError(path, "is a folder, not a file" if path.is_dir() else "file not found")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceFileError(path, f"cannot be read ({exc.strerror or exc})") from exc
    text = decode_text(path, data, "auto")
    try:
        frame = pl.read_csv(io.BytesIO(text.encode("utf-8")), infer_schema=False)
    except (pl.exceptions.PolarsError, ValueError) as exc:
        raise SourceFileError(path, f"is not a well-formed CSV file: {exc}") from exc
    frame = frame.rename({c: c.strip() for c in frame.columns})
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise SourceFileError(path, f"is missing the column(s) {', '.join(missing)}")
    return frame
