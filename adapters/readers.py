"""Reading the files sales-ops get into all-text frames, exactly as written.

Every value is read as text (no type guessing), so nothing is altered before it is stored in
`raw_claims`: a phone keeps its leading zero when the file has it, a formula stays a formula.
A file that cannot be read at all raises `SourceFileError` naming the file (and the column).
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path

import fastexcel
import polars as pl

from settings.sources import SourceConfig

ROW_NUMBER = "__row_number"
_BOM = b"\xef\xbb\xbf"


class SourceFileError(RuntimeError):
    """An input file cannot be read; the run stops and nothing is published."""

    def __init__(self, path: Path, problem: str):
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


@dataclass(frozen=True)
class FileRows:
    """The data rows of one file as text, with the row number a person would see in it."""

    path: Path
    sha256: str
    rows: pl.DataFrame  # original headers + ROW_NUMBER; blank rows removed
    blank_rows: int


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def decode_text(path: Path, data: bytes, encoding: str) -> str:
    """Decode bytes as the configured encoding; `auto` tries UTF-8 (with or without BOM), then GB18030."""
    if encoding == "auto":
        if data.startswith(_BOM):
            return _decode(path, data[len(_BOM):], "utf-8")
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise SourceFileError(
                path, f"cannot be decoded as UTF-8 or GB18030 (bad byte at offset {exc.start})"
            ) from exc
    if encoding == "utf-8-sig" or (encoding == "utf-8" and data.startswith(_BOM)):
        return _decode(path, data.removeprefix(_BOM), "utf-8")
    return _decode(path, data, encoding)


def _decode(path: Path, data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise SourceFileError(
            path,
            f"is not valid {encoding} (bad byte at offset {exc.start}); "
            "check the file's encoding or set `encoding: auto` in sources.yaml",
        ) from exc


def read_source_file(path: Path, source: SourceConfig) -> FileRows:
    """Read one input file of a source into text columns, numbered as the file shows them."""
    if source.format == "csv":
        frame = _read_csv(path, source)
    elif source.format == "xlsx":
        frame = _read_xlsx(path, source)
    else:
        frame = _read_json(path)
    frame = frame.rename({c: c.strip() for c in frame.columns if c != c.strip()})
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


def _read_csv(path: Path, source: SourceConfig) -> pl.DataFrame:
    text = decode_text(path, path.read_bytes(), source.encoding)
    try:
        return pl.read_csv(
            io.BytesIO(text.encode("utf-8")),
            infer_schema=False,
            skip_rows=source.header_row - 1,
            has_header=True,
        )
    except (pl.exceptions.PolarsError, ValueError) as exc:
        raise SourceFileError(path, f"is not a well-formed CSV file: {exc}") from exc


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
    try:
        loaded = workbook.load_sheet_by_name(sheet, header_row=source.header_row - 1, dtypes="string")
        return loaded.to_polars()
    except Exception as exc:
        raise SourceFileError(path, f"worksheet {sheet!r} cannot be read ({exc})") from exc


def _read_json(path: Path) -> pl.DataFrame:
    """A JSON array of objects, or JSON lines; every value is kept as its text."""
    text = decode_text(path, path.read_bytes(), "auto").strip()
    try:
        records = json.loads(text) if text.startswith("[") else [
            json.loads(line) for line in text.splitlines() if line.strip()
        ]
    except json.JSONDecodeError as exc:
        raise SourceFileError(path, f"is not valid JSON (line {exc.lineno}: {exc.msg})") from exc
    if not all(isinstance(r, dict) for r in records):
        raise SourceFileError(path, "must hold a list of objects, one per claim")
    headers = list(dict.fromkeys(k for r in records for k in r))
    return pl.DataFrame(
        {h: [_as_text(r.get(h)) for r in records] for h in headers},
        schema={h: pl.String for h in headers},
    )


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
