"""Typed loading of `sources.yaml` (deployment: where inputs are and how their columns map).

Every mistake is reported as a `ConfigError` naming the file and the key, e.g.
`sources.yaml: sources[1].columns.Rating: 'categroy' is not a claim field`.
"""

from __future__ import annotations

import glob
import os
import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    Field,
    field_validator,
    model_validator,
)

from settings.base import ConfigError, Strict, Zone, load_yaml_model
from settings.delivery import DeliveryConfig, SmtpConfig
from settings.matching import MatchingConfig, SparkConfig
from transforms.parsing import SourceFormat
from transforms.schema import (
    BUSINESS_ZONE,
    CATEGORIES,
    CLAIM_FIELDS,
    REQUIRED_FIELDS,
    ROSTER_FIELDS,
)

__all__ = ["ConfigError", "DeliveryConfig", "MatchingConfig", "SmtpConfig", "SourceConfig", "SourcesConfig",
           "SparkConfig", "load_sources"]

TIMESTAMP_KEYWORDS = ("iso", "excel_serial")


def _usable_path(path: str) -> str:
    if not path.strip() or "\x00" in path:
        raise ValueError("a path must be neither empty nor contain a NUL character")
    return path


# a file or glob relative to sources.yaml's folder (or absolute)
InputPath = Annotated[str, AfterValidator(_usable_path)]


class FileRef(Strict):
    path: InputPath


class RosterRef(FileRef):
    """The reps roster; `columns` maps the file's headers to roster fields where they differ."""

    columns: dict[str, str] = Field(default_factory=dict)

    @field_validator("columns")
    @classmethod
    def _columns_map_to_roster_fields(cls, columns: dict[str, str]) -> dict[str, str]:
        for header, field in columns.items():
            if field not in ROSTER_FIELDS:
                raise ValueError(f"column {header!r} maps to {field!r}, which is not a roster field "
                                 f"(expected one of {', '.join(ROSTER_FIELDS)})")
        targets = list(columns.values())
        doubled = sorted({f for f in targets if targets.count(f) > 1})
        if doubled:
            raise ValueError(f"several columns map to {', '.join(doubled)}")
        return columns


class SourceConfig(Strict):
    """One kind of input file: where it is, how to read it, how its columns map to a claim."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    kind: Literal["form", "crm", "sheet"]
    path: InputPath
    format: Literal["csv", "xlsx", "json"]
    encoding: Literal["auto", "utf-8", "utf-8-sig", "gb18030"] = "auto"
    header_row: int = Field(default=1, ge=1)
    sheet_name: str | None = None
    columns: dict[str, str]
    values: dict[str, dict[str, str]] = Field(default_factory=dict)
    timestamp_formats: list[str] = Field(default_factory=lambda: ["iso"], min_length=1)
    timezone: Zone | None = None

    @field_validator("columns")
    @classmethod
    def _columns_map_to_claim_fields(cls, columns: dict[str, str]) -> dict[str, str]:
        for header, field in columns.items():
            if field not in CLAIM_FIELDS:
                raise ValueError(
                    f"column {header!r} maps to {field!r}, which is not a claim field "
                    f"(expected one of {', '.join(CLAIM_FIELDS)})"
                )
        targets = list(columns.values())
        doubled = sorted({f for f in targets if targets.count(f) > 1})
        if doubled:
            raise ValueError(f"several columns map to {', '.join(doubled)}")
        missing = [f for f in REQUIRED_FIELDS if f not in targets]
        if missing:
            raise ValueError(f"no column maps to the required field(s) {', '.join(missing)}")
        return columns

    @field_validator("values")
    @classmethod
    def _value_maps_name_claim_fields(cls, values: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        for field, mapping in values.items():
            if field not in CLAIM_FIELDS:
                raise ValueError(f"{field!r} is not a claim field")
            if field == "category":
                bad = sorted({v for v in mapping.values() if v not in CATEGORIES})
                if bad:
                    raise ValueError(f"category values must map to A-D, not {', '.join(bad)}")
        return values

    @field_validator("timestamp_formats")
    @classmethod
    def _formats_are_known(cls, formats: list[str]) -> list[str]:
        for fmt in formats:
            if fmt not in TIMESTAMP_KEYWORDS and "%" not in fmt:
                raise ValueError(
                    f"{fmt!r} is neither a strftime pattern nor one of {', '.join(TIMESTAMP_KEYWORDS)}"
                )
        return formats

    @model_validator(mode="after")
    def _sheet_only_for_xlsx(self) -> SourceConfig:
        if self.sheet_name is not None and self.format != "xlsx":
            raise ValueError("sheet_name is only meaningful for format xlsx")
        return self


class SourcesConfig(Strict):
    """The whole of sources.yaml; paths are resolved against the file's folder. `timezone` is the
    zone of the files' timestamps written without one (the business day is policy.yaml's).

    Every input (sources, roster, side inputs) must lie inside `inputs_root`, the folder above the
    one holding sources.yaml, as `config/` and `data/` sit side by side in the checkout: a path
    such as `../../x/*.csv`, an absolute path elsewhere, or a file reached through a link that
    points out of it is a ConfigError naming the key, unless `allow_paths_outside: true`."""

    timezone: Zone = BUSINESS_ZONE
    allow_paths_outside: bool = False
    roster: RosterRef
    followups: FileRef | None = None
    extensions: FileRef | None = None
    appeals: FileRef | None = None
    decisions: FileRef | None = None
    sources: list[SourceConfig] = Field(min_length=1)
    delivery: DeliveryConfig | None = None
    matching: MatchingConfig = Field(default_factory=MatchingConfig)
    base_dir: Path = Path(".")
    file_name: str = "sources.yaml"

    def matching_engine(self, engine: str | None = None) -> MatchingConfig:
        """The `matching` section, with `engine` (from `recon run --engine`) in place of its own."""
        if engine is None:
            return self.matching
        return MatchingConfig.model_validate({**self.matching.model_dump(), "engine": engine})

    @field_validator("sources")
    @classmethod
    def _names_unique(cls, sources: list[SourceConfig]) -> list[SourceConfig]:
        names = [s.name for s in sources]
        doubled = sorted({n for n in names if names.count(n) > 1})
        if doubled:
            raise ValueError(f"source names must be unique; repeated: {', '.join(doubled)}")
        return sources

    @property
    def inputs_root(self) -> Path:
        """The folder every input must be in: the one above sources.yaml's folder."""
        return self.base_dir.parent

    def resolve(self, relative: str) -> Path:
        """A roster or side-input path as an absolute path; ConfigError if it leaves `inputs_root`."""
        key = next((f"{name}.path" for name, ref in self._file_refs().items() if ref.path == relative), "path")
        self._check_written(key, relative)
        return self._check_found(key, relative, self.base_dir / relative)

    def source_formats(self) -> dict[str, SourceFormat]:
        """Each configured source's way of writing values, by source name, in file order; a
        source's naive timestamps are in its own zone, else in this file's `timezone`."""
        return {s.name: SourceFormat(s.timezone or self.timezone, s.values, tuple(s.timestamp_formats))
                for s in self.sources}

    def files_of(self, source: SourceConfig) -> list[Path]:
        """The files a source's path or glob matches today, in a stable order; ConfigError if the
        pattern or a file it matches (through a link) is outside `inputs_root`."""
        key = f"sources[{self.sources.index(source)}].path (source {source.name})"
        self._check_written(key, source.path)
        pattern = str(self.base_dir / source.path)
        return sorted(self._check_found(key, source.path, Path(p)) for p in glob.glob(pattern) if Path(p).is_file())

    def check_paths(self) -> None:
        """Check every input path now, so that `recon run` refuses a bad one before anything starts."""
        for ref in self._file_refs().values():
            self.resolve(ref.path)
        for source in self.sources:
            self.files_of(source)

    def _file_refs(self) -> dict[str, FileRef]:
        refs = {"roster": self.roster, "followups": self.followups, "extensions": self.extensions,
                "appeals": self.appeals, "decisions": self.decisions}
        return {name: ref for name, ref in refs.items() if ref is not None}

    def _check_written(self, key: str, written: str) -> None:
        """The path as written (`..` folded) and the real folder its fixed part leads to (links
        followed) are inside `inputs_root`."""
        if self.allow_paths_outside:
            return
        lexical = Path(os.path.normpath(self.base_dir / written))
        if not lexical.is_relative_to(self.inputs_root):
            raise ConfigError(f"{self.file_name}: {key}: {written!r} is outside {self.inputs_root}; {_OUTSIDE_HINT}")
        linked = Path(os.path.realpath(Path(*_fixed_parts(lexical))))
        if not linked.is_relative_to(self.inputs_root):
            raise ConfigError(f"{self.file_name}: {key}: {written!r} leads through a link to {linked}, "
                              f"outside {self.inputs_root}; {_OUTSIDE_HINT}")

    def _check_found(self, key: str, written: str, path: Path) -> Path:
        """`path` with links followed; ConfigError if that leads outside `inputs_root`."""
        found = Path(os.path.realpath(path))  # never raises, even on a loop of links
        if not self.allow_paths_outside and not found.is_relative_to(self.inputs_root):
            raise ConfigError(f"{self.file_name}: {key}: {written!r} matches {path}, a link to {found}, "
                              f"outside {self.inputs_root}; {_OUTSIDE_HINT}")
        return found


_OUTSIDE_HINT = ("inputs must be in the folder above this file's "
                 "(set allow_paths_outside: true in it to read from elsewhere)")


def _fixed_parts(path: Path) -> list[str]:
    """The leading parts of a path pattern before the first with a glob wildcard."""
    parts = []
    for part in path.parts:
        if re.search(r"[*?\[]", part):
            break
        parts.append(part)
    return parts


def load_sources(path: Path) -> SourcesConfig:
    """Read and validate sources.yaml, or raise ConfigError naming the offending key; every input
    path is checked to be inside the folder above sources.yaml's (see `SourcesConfig`)."""
    path = Path(path)
    base_dir = path.parent.resolve()

    def build(raw: dict) -> SourcesConfig:
        config = SourcesConfig.model_validate({**raw, "base_dir": base_dir, "file_name": path.name},
                                              context={"base_dir": base_dir})
        config.check_paths()
        return config

    return load_yaml_model(path, build, ConfigError)
