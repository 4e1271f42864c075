"""What the screens hold while they run: their settings, the desk, the templates, the people
(re-read when the roster or web.yaml changes) and the typeahead index (rebuilt when the nightly
run replaces the warehouse)."""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from starlette.templating import Jinja2Templates

from adapters.desk_store import DeskStore
from adapters.ingest import read_roster
from adapters.readers import SourceFileError
from adapters.warehouse import NoWarehouseError
from service.query import Lookup
from service.typeahead import TypeaheadIndex, load_typeahead
from settings.base import ConfigError
from settings.policy_file import read_policy_file
from settings.sources import SourcesConfig, load_sources
from settings.web import WebConfig, load_web_config
from web.people import Person, people_from
from web.sessions import SignInFailures

log = logging.getLogger("recon.web")
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
    zone: ZoneInfo
    _people: tuple[tuple, dict[str, Person]] | None = None
    _typeahead: tuple[tuple, TypeaheadIndex] | None = None
    _building: tuple | None = None  # the warehouse version an index is being built for
    _build_error: NoWarehouseError | None = None
    _built: threading.Condition = field(default_factory=threading.Condition)
    sign_in_failures: SignInFailures = field(default_factory=SignInFailures)

    @classmethod
    def start(cls, settings: WebSettings, warm: bool = False) -> Runtime:
        """Reads and checks the configuration (ConfigError, PolicyError or SourceFileError say what is
        wrong); `warm`: starts building the typeahead index of the published warehouse now, in the
        background (else the first keystroke does)."""
        templates = Jinja2Templates(directory=TEMPLATES)
        zone = ZoneInfo(read_policy_file(settings.policy).business_timezone)
        templates.env.filters["local"] = lambda moment: _local(moment, zone)
        runtime = cls(settings, load_web_config(settings.web_config), DeskStore(settings.desk), templates,
                      Lookup(settings.warehouse, settings.policy), load_sources(settings.sources), zone)
        runtime.people()
        if warm and settings.warehouse.exists():
            runtime._build_in_background(_stamp(settings.warehouse))
        return runtime

    def people(self) -> dict[str, Person]:
        """Everyone who may sign in; re-read when the roster or web.yaml changes. A change that
        cannot be read keeps the last good list (and says so in the log) rather than lock everyone out."""
        sources = self.sources
        stamp = _stamp(sources.resolve(sources.roster.path), self.settings.web_config)
        if self._people is None or self._people[0] != stamp:
            try:
                config = load_web_config(self.settings.web_config)
                self._people = (stamp, people_from(read_roster(sources), config))
                self.config = config
            except (ConfigError, SourceFileError) as exc:
                if self._people is None:
                    raise
                log.error("keeping the people read before: %s", exc)
                self._people = (stamp, self._people[1])
        return self._people[1]

    def typeahead(self) -> TypeaheadIndex:
        """The typeahead index (NoWarehouseError when nothing is published). When the nightly run
        replaces the warehouse, the new index is built in the background while the old one answers;
        only the very first index is waited for."""
        current = self._typeahead
        if current is not None:
            stamp = _stamp(self.settings.warehouse)
            if current[0] != stamp:
                self._build_in_background(stamp)
            return current[1]
        self._build_in_background(_stamp(self.settings.warehouse))
        with self._built:
            self._built.wait_for(lambda: self._typeahead is not None or self._building is None)
            if self._typeahead is None:
                raise self._build_error or NoWarehouseError.missing(self.settings.warehouse)
            return self._typeahead[1]

    def _build_in_background(self, stamp: tuple) -> None:
        with self._built:
            if self._building is not None:
                return
            self._building = stamp

        def build() -> None:
            index, error = None, None
            try:
                index = load_typeahead(self.settings.warehouse, self.zone.key)
            except NoWarehouseError as exc:
                log.error("typeahead not built: %s", exc)
                error = exc
            with self._built:
                if index is not None:
                    self._typeahead = (stamp, index)
                self._build_error, self._building = error, None
                self._built.notify_all()

        threading.Thread(target=build, name="typeahead-build", daemon=True).start()
