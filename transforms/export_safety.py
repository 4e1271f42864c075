"""Make input text safe to hand on: to a spreadsheet (no cell from input may start a formula), and
to a terminal or a web page (no control character, escape sequence or bidi override from input)."""

from __future__ import annotations

import re

import polars as pl

# Excel, LibreOffice and Google Sheets evaluate a cell that starts with one of these.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
_TRIGGER_PATTERN = r"^[=+\-@\t\r\n]"
# Terminal escape sequences, removed whole so that no parameter is left behind as text: CSI
# (ESC [ or 8-bit CSI, parameters, final byte: colours, cursor moves, screen clears), the string
# controls OSC, DCS, SOS, PM and APC up to their terminator BEL or ST (OSC 8 hyperlinks: the
# link goes, its visible text stays), and the other ESC sequences (ESC c reset, ESC 7 …).
# An unterminated string control loses only its introducer, below, and its text stays visible.
_ESCAPE_SEQUENCES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x90\x98\x9c-\x9f]*(?:\x07|\x1b\\|\x9c)"
    r"|\x1b[ -/]*[0-~]"
)
# Line and field breaks (C0 whitespace, NEL, U+2028/2029) become a space: one field stays one line.
_BREAKS = re.compile("[\t\n\v\f\r\x1c-\x1f\x85\u2028\u2029]")
# The rest of C0, DEL and C1; the bidi embeddings, overrides, isolates and marks (U+202A-E,
# U+2066-9, LRM, RLM, ALM), which reorder what follows them (CVE-2021-42574); lone surrogates,
# which no UTF-8 output can encode.
_UNSHOWABLE = re.compile("[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
                         "\ud800-\udfff]")


def neutralise_formula(value: str | None) -> str | None:
    """Prefix a single quote to text a spreadsheet would read as a formula (OWASP CSV injection)."""
    if value is None or not value.startswith(FORMULA_TRIGGERS):
        return value
    return "'" + value


def neutralise_controls(value: str | None) -> str | None:
    """``value`` as a terminal or a browser should show it: escape sequences (ANSI colours, OSC 8
    links) removed whole, line breaks as spaces, other C0/C1 controls, DEL, bidi overrides,
    isolates and marks, and lone surrogates removed. Printable text is returned unchanged."""
    if value is None or value.isprintable():
        return value
    return _UNSHOWABLE.sub("", _BREAKS.sub(" ", _ESCAPE_SEQUENCES.sub("", value)))


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
