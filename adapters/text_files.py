"""From a file's bytes to its text: the encodings sales-ops' files come in (UTF-8 with or without
BOM, GB18030, a mix of the two line by line), and the error every unreadable input file raises."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

_BOM = b"\xef\xbb\xbf"
log = logging.getLogger("recon.ingest")


class SourceFileError(RuntimeError):
    """An input file cannot be read; the run stops and nothing is published."""

    def __init__(self, path: Path, problem: str):
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def decode_text(path: Path, data: bytes, encoding: str) -> str:
    """Decode bytes as the configured encoding; `auto` reads UTF-8 (with or without BOM) or GB18030,
    line by line when a file mixes the two (`decode_auto`)."""
    if encoding == "auto":
        if data.startswith(_BOM):
            data = data[len(_BOM):]
        decoded = decode_auto(path, data)
        if decoded.other_lines:
            log.warning("%s is %s but line(s) %s are %s: each line was read in its own encoding", path,
                        decoded.encoding, _lines(decoded.other_lines),
                        "GB18030" if decoded.encoding == "utf-8" else "UTF-8")
        if decoded.bad_lines:
            log.warning("%s: line(s) %s are neither UTF-8 nor GB18030; their rows are quarantined", path,
                        _lines(decoded.bad_lines))
        return decoded.text
    if encoding == "utf-8-sig" or (encoding == "utf-8" and data.startswith(_BOM)):
        return _decode(path, data.removeprefix(_BOM), "utf-8")
    return _decode(path, data, encoding)


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # "utf-8" or "gb18030": the file's; lines in the other are listed apart
    other_lines: tuple[int, ...] = ()  # 1-based lines read in the other encoding
    bad_lines: tuple[int, ...] = ()  # 1-based lines in neither, kept with U+FFFD where bytes were bad


def decode_auto(path: Path, data: bytes) -> Decoded:
    """UTF-8 when the whole file is; otherwise each line in the encoding it is valid in. A file's
    encoding is that of most of its non-ASCII lines; a line valid only in the other is read in that
    one (never a whole-file fallback that turns valid UTF-8 into mojibake), and a line valid in
    neither keeps U+FFFD where its bad bytes were, so the checks quarantine that row by its line."""
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    lines = data.split(b"\n")
    kinds = [_line_encoding(line) for line in lines]
    utf8, gb = kinds.count("utf-8"), kinds.count("gb18030")
    bad = [n for n, kind in enumerate(kinds, start=1) if kind == "neither"]
    if bad and (bad[0] == 1 or len(bad) > utf8 + gb):  # the header, or most of the file: not a text file we know
        raise SourceFileError(path, f"cannot be decoded as UTF-8 or GB18030 (line {bad[0]}); "
                                    "export it again as UTF-8 or set the source's encoding in sources.yaml")
    encoding = "utf-8" if utf8 > gb else "gb18030"
    other = "gb18030" if encoding == "utf-8" else "utf-8"
    text = "\n".join(
        line.decode(kind if kind in ("utf-8", "gb18030") else encoding, errors="replace")
        for line, kind in zip(lines, kinds, strict=True)
    )
    return Decoded(
        text, encoding,
        other_lines=tuple(n for n, kind in enumerate(kinds, start=1) if kind == other),
        bad_lines=tuple(bad),
    )


def _lines(numbers: tuple[int, ...]) -> str:
    return ", ".join(map(str, numbers[:10])) + (f" and {len(numbers) - 10} more" if len(numbers) > 10 else "")


def _line_encoding(line: bytes) -> str:
    """ascii, utf-8, gb18030 or neither: the encoding one line's bytes are valid in (UTF-8 first:
    Chinese text in GB18030 is almost never also valid UTF-8)."""
    if line.isascii():
        return "ascii"
    for encoding in ("utf-8", "gb18030"):
        try:
            line.decode(encoding)
        except UnicodeDecodeError:
            continue
        return encoding
    return "neither"


def _decode(path: Path, data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise SourceFileError(
            path,
            f"is not valid {encoding} (bad byte at offset {exc.start}); "
            "check the file's encoding or set `encoding: auto` in sources.yaml",
        ) from exc


