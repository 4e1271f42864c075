"""A site for the screens' tests: the samples night's warehouse copied to a folder of the test's
own, an empty desk beside it, and passwords for one person of each role."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from adapters.desk_store import DeskStore
from web.runtime import WebSettings
from web.sessions import set_password

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery"
# one person of each kind; the open appeal AP-0003 and extension EXT-0003 are by reps of 华中组
REP, REVIEWER, ADMIN = "S001", "ops.chenjing", "admin"
MANAGER_OWN, MANAGER_OTHER = "guo.boyong@example-corp.cn", "deng.chenyu@example-corp.cn"


@dataclass(frozen=True)
class Site:
    settings: WebSettings
    store: DeskStore


@pytest.fixture(scope="session")
def desk_with_passwords(tmp_path_factory) -> Path:
    """A desk holding PASSWORD for one person of each kind, hashed once (Argon2 is slow on purpose)."""
    desk = tmp_path_factory.mktemp("desk") / "desk.sqlite"
    store = DeskStore(desk)
    for login in (REP, REVIEWER, ADMIN, MANAGER_OWN, MANAGER_OTHER):
        set_password(store, login, PASSWORD)
    return desk


def site_in(folder: Path, warehouse: Path, desk: Path) -> Site:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(warehouse, folder / "warehouse.duckdb")
    shutil.copy(desk, folder / "desk.sqlite")
    settings = WebSettings(warehouse=folder / "warehouse.duckdb", desk=folder / "desk.sqlite",
                           sources=REPO / "config" / "sources.yaml", policy=REPO / "config" / "policy.yaml",
                           web_config=REPO / "config" / "web.yaml")
    return Site(settings, DeskStore(settings.desk))


@pytest.fixture
def site(samples_run, desk_with_passwords, tmp_path) -> Site:
    return site_in(tmp_path / "site", samples_run[1], desk_with_passwords)


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
