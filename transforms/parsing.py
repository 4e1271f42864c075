"""Turn one source's raw claim text into typed values: trimmed text, coded values mapped,
`submitted_at` as a UTC instant. Nothing is rejected here; checks come later."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import polars as pl

from transforms.schema import CLAIM_FIELDS

_UTC = pl.Datetime("us", "UTC")
# control characters no claim field means to hold (NUL, ESC, DEL …); tab and line breaks are kept
_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
_ISO_WITH_OFFSET = ("%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%d %H:%M:%S%.f%z")
_ISO_LOCAL = ("%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%d")
# Excel counts days from 1899-12-30; the window keeps stray numbers (phones, amounts) out.
_EXCEL_EPOCH = pl.datetime(1899, 12, 30)
_EXCEL_SERIAL_RANGE = (20_000.0, 80_000.0)  # 1954-10-03 .. 2119-01-11


def claims_parsed(
    raw: pl.DataFrame,
    *,
    value_maps: Mapping[str, Mapping[str, str]],
    timestamp_formats: Sequence[str],
    zone: str,
) -> pl.DataFrame:
    """The claim fields without control characters, trimmed (blank → null) and value-mapped,
    `submitted_at_text` as written, `submitted_at` parsed with the first matching format (null when none matches)."""
    trimmed = raw.with_columns(
        pl.col(f).str.replace_all(_CONTROL, "").str.strip_chars().replace("", None).alias(f) for f in CLAIM_FIELDS
    )
    mapped = trimmed.with_columns(
        pl.col(field).replace(mapping).alias(field)
        for field, mapping in value_maps.items()
    )
    text = pl.col("submitted_at")
    return mapped.with_columns(
        text.alias("submitted_at_text"),
        pl.coalesce([_parse(text, fmt, zone) for fmt in timestamp_formats]).alias("submitted_at"),
    )


@dataclass(frozen=True)
class SourceFormat:
    """How one source writes its values: coded values to map, timestamp formats, its zone."""

    zone: str
    value_maps: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    timestamp_formats: Sequence[str] = ("iso",)


def claims_parsed_by_source(current: pl.DataFrame, formats: Mapping[str, SourceFormat],
                            retired_zone: str) -> pl.DataFrame:
    """Every source's rows parsed in its own format, with `source_configured`. Rows of a source no
    longer in `formats` (removed from sources.yaml) are kept, read as ISO in `retired_zone`, and
    marked unconfigured, so that the checks refuse them with that reason instead of losing them."""
    configured = list(formats)
    parts = [
        claims_parsed(current.filter(pl.col("source") == name), value_maps=fmt.value_maps,
                      timestamp_formats=fmt.timestamp_formats, zone=fmt.zone)
        for name, fmt in formats.items()
    ]
    retired = current.filter(~pl.col("source").is_in(configured))
    parts.append(claims_parsed(retired, value_maps={}, timestamp_formats=["iso"], zone=retired_zone))
    return pl.concat(parts, how="vertical").with_columns(
        pl.col("source").is_in(configured).alias("source_configured"))


def _parse(text: pl.Expr, fmt: str, zone: str) -> pl.Expr:
    if fmt == "iso":
        text = text.str.replace(r"Z$", "+00:00")
        return pl.coalesce(
            [_with_offset(text, f) for f in _ISO_WITH_OFFSET]
            + [_local(text, f, zone) for f in _ISO_LOCAL]
        )
    if fmt == "excel_serial":
        return _excel_serial(text, zone)
    if "%z" in fmt:
        return _with_offset(text, fmt)
    return _local(text, fmt, zone)


def _with_offset(text: pl.Expr, fmt: str) -> pl.Expr:
    return text.str.strptime(_UTC, fmt, strict=False, exact=True)


def _local(text: pl.Expr, fmt: str, zone: str) -> pl.Expr:
    naive = text.str.strptime(pl.Datetime("us"), fmt, strict=False, exact=True)
    return _localised(naive, zone)


def _localised(naive: pl.Expr, zone: str) -> pl.Expr:
    return naive.dt.replace_time_zone(zone, ambiguous="earliest", non_existent="null").dt.convert_time_zone(
        "UTC"
    )


def _excel_serial(text: pl.Expr, zone: str) -> pl.Expr:
    days = text.cast(pl.Float64, strict=False)
    low, high = _EXCEL_SERIAL_RANGE
    seconds = (days * 86_400).round(0).cast(pl.Int64)
    naive = _EXCEL_EPOCH + pl.duration(seconds=seconds)
    in_range = days.is_between(low, high)
    return _localised(pl.when(in_range).then(naive.cast(pl.Datetime("us"))), zone)
