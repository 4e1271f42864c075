"""What every settings file shares: the strict base model, the time-zone type, and reading a YAML
file into a model with errors that name the file and the key."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError

Model = TypeVar("Model")


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


def load_yaml_model(path: Path, build: Callable[[dict], Model], error: type[Exception]) -> Model:
    """`build(mapping)` on a YAML file's top-level mapping; every failure becomes `error` with a
    message naming the file and, for a validation error, the key."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise error(f"{path}: file not found") from exc
    except yaml.YAMLError as exc:
        raise error(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise error(f"{path}: expected a mapping at the top level")
    try:
        return build(raw)
    except ValidationError as exc:
        raise error(describe_validation_error(path, exc)) from exc


def describe_validation_error(path: Path, exc: ValidationError) -> str:
    """`<file>: <key.path>: <message>` per error, the one format of every config error."""
    lines = []
    for err in exc.errors():
        key = ""
        for part in err["loc"]:
            key += f"[{part}]" if isinstance(part, int) else (f".{part}" if key else str(part))
        message = err["msg"].removeprefix("Value error, ")
        lines.append(f"{path.name}: {key or '(top level)'}: {message}")
    return "\n".join(lines)
