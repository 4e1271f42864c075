"""What the screens hold while they run: their settings, the desk, the templates, the people
(re-read when the roster or web.yaml changes) and the typeahead index (rebuilt when the nightly
run replaces the warehouse)."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from starlette.templating import Jinja2Templates

from adapters.desk_store import DeskStore
from adapters.ingest import read_roster
from service.query import Lookup
from service.typeahead import TypeaheadIndex, load_typeahead
from settings.policy_file import read_policy_file
from settings.sources import SourcesConfig, load_sources
from settings.web import WebConfig, load_web_config
from web.people import Person, people_from

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"


def _local(moment: datetime | None, zone: ZoneInfo) -> str:
    """A time as people read it: in the business time zone, to the minute."""
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if isinstance(moment, datetime) else ""


@dataclass(frozen=True)
class WebSettings:
    warehouse: Path
    desk: Path
    sources: Path
    policy: Path
    web_config: Path


def _stamp(*paths: Path) -> tuple:
    stamps = []
    for path in paths:
        try:
            stat = os.stat(path)
            stamps.append((stat.st_ino, stat.st_mtime_ns, stat.st_size))
        except FileNotFoundError:
            stamps.append(None)
    return tuple(stamps)


@dataclass
class Runtime:
    settings: WebSettings
    config: WebConfig
    store: DeskStore
    templates: Jinja2Templates
    lookup: Lookup
    sources: SourcesConfig
    _people: tuple[tuple, dict[str, Person]] | None = None
    _typeahead: tuple[tuple, TypeaheadIndex] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def start(cls, settings: WebSettings) -> Runtime:
        """Reads and checks the configuration (ConfigError, PolicyError or SourceFileError say what is wrong)."""
        templates = Jinja2Templates(directory=TEMPLATES)
        zone = ZoneInfo(read_policy_file(settings.policy).business_timezone)
        templates.env.filters["local"] = lambda moment: _local(moment, zone)
        runtime = cls(settings, load_web_config(settings.web_config), DeskStore(settings.desk), templates,
                      Lookup(settings.warehouse, settings.policy), load_sources(settings.sources))
        runtime.people()
        return runtime

    def people(self) -> dict[str, Person]:
        sources = self.sources
        stamp = _stamp(sources.resolve(sources.roster.path), self.settings.web_config)
        if self._people is None or self._people[0] != stamp:
            self.config = load_web_config(self.settings.web_config)
            self._people = (stamp, people_from(read_roster(sources), self.config))
        return self._people[1]

    def typeahead(self) -> TypeaheadIndex:
        """The index of the warehouse as published now (NoWarehouseError when there is none)."""
        stamp = _stamp(self.settings.warehouse)
        current = self._typeahead
        if current is not None and current[0] == stamp:
            return current[1]
        with self._lock:
            if self._typeahead is None or self._typeahead[0] != stamp:
                self._typeahead = (stamp, load_typeahead(self.settings.warehouse))
            return self._typeahead[1]
