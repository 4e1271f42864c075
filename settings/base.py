"""What every settings file shares: the strict base model, the time-zone type, and reading a YAML
file into a model with errors that name the file and the key."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError

Model = TypeVar("Model")


class ConfigError(ValueError):
    """A configuration file is missing, unreadable or wrong; the message names the key."""


class Strict(BaseModel):
    """Unknown keys are errors (a typo is not silently ignored); loaded settings are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _known_zone(zone: str) -> str:
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {zone!r}") from exc
    return zone


# an IANA time-zone name (Asia/Shanghai), checked against the machine's zone database
Zone = Annotated[str, AfterValidator(_known_zone)]


class DuplicateKeyError(yaml.YAMLError):
    """A mapping names the same key twice; `key` is its dotted path, `lines` where it appears."""

    def __init__(self, key: str, lines: tuple[int, int]) -> None:
        super().__init__(f"{key}: repeated key (lines {lines[0]} and {lines[1]}); each key may appear once")
        self.key, self.lines = key, lines


class _UniqueKeyLoader(yaml.SafeLoader):
    """PyYAML's safe loader, except that a key repeated in one mapping, at any depth, is an error:
    plain YAML keeps the last value, so a second `A:` under `protection_days` would silently win."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        _check_unique_keys(node, self._key_paths.get(id(node), ""), self._key_paths)
        return super().construct_mapping(node, deep=deep)

    def construct_document(self, node: yaml.Node) -> object:
        self._key_paths: dict[int, str] = {}
        return super().construct_document(node)


def _check_unique_keys(node: yaml.MappingNode, path: str, key_paths: dict[int, str]) -> None:
    """Raise DuplicateKeyError for a scalar key written twice in `node` itself (keys a `<<` merge
    brings in may be overridden: that is what a merge is for); note each child's dotted path."""
    first_line: dict[tuple[str, str], int] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
            continue
        key = f"{path}.{key_node.value}" if path else str(key_node.value)
        line = key_node.start_mark.line + 1
        if (key_node.tag, key_node.value) in first_line:
            raise DuplicateKeyError(key, (first_line[key_node.tag, key_node.value], line))
        first_line[key_node.tag, key_node.value] = line
        _note_children(value_node, key, key_paths)


def _note_children(node: yaml.Node, path: str, key_paths: dict[int, str]) -> None:
    """Record the dotted path of the mappings under `node` (through lists, as `key[0]`)."""
    if isinstance(node, yaml.MappingNode):
        key_paths.setdefault(id(node), path)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _note_children(item, f"{path}[{index}]", key_paths)


def load_yaml_model(path: Path, build: Callable[[dict], Model], error: type[Exception]) -> Model:
    """`build(mapping)` on a YAML file's top-level mapping; every failure becomes `error` with a
    message naming the file and, for a validation error, the key. A key repeated in one mapping is
    an error naming it and both its lines, never "the last one wins"."""
    shown = printable(path)
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)
    except FileNotFoundError as exc:
        raise error(f"{shown}: file not found") from exc
    except IsADirectoryError as exc:
        raise error(f"{shown}: is a folder, not a file") from exc
    except OSError as exc:
        raise error(f"{shown}: cannot be read ({exc.strerror or exc})") from exc
    except UnicodeDecodeError as exc:
        raise error(f"{shown}: not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset {exc.start})") from exc
    except DuplicateKeyError as exc:
        raise error(f"{printable(path.name)}: {exc}") from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise error(f"{shown}: not valid YAML{where}: {exc.problem or exc.context}") from exc
    except yaml.YAMLError as exc:
        raise error(f"{shown}: not valid YAML: {' '.join(str(exc).split())}") from exc
    if not isinstance(raw, dict):
        raise error(f"{shown}: expected a mapping at the top level")
    try:
        return build(raw)
    except ValidationError as exc:
        raise error(describe_validation_error(path, exc)) from exc


def printable(path: Path | str) -> str:
    """`path` as text that can always be printed: bytes that are not UTF-8 (a name from a
    non-UTF-8 share, an argument typed in another encoding) shown as \\xff escapes."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def describe_validation_error(path: Path, exc: ValidationError) -> str:
    """`<file>: <key.path>: <message>` per error, the one format of every config error."""
    lines = []
    for err in exc.errors():
        key = ""
        for part in err["loc"]:
            key += f"[{part}]" if isinstance(part, int) else (f".{part}" if key else str(part))
        message = err["msg"].removeprefix("Value error, ")
        lines.append(f"{printable(path.name)}: {key or '(top level)'}: {message}")
    return "\n".join(lines)
