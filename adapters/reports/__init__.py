"""Files for people, written each night beside the warehouse under `reports/<as-of>/`: one
conflict report per manager (HTML and XLSX) and one notices CSV per team."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import polars as pl

from adapters.exports import write_atomically, write_spreadsheet_csv
from adapters.reports.html import report_html
from adapters.reports.workbook import report_workbook
from transforms.reports import (
    ManagerScope,
    manager_conflicts,
    manager_scopes,
    times_as_text,
    weekly_conflicts,
)


@dataclass(frozen=True)
class ManagerReportFiles:
    scope: ManagerScope
    html: Path
    xlsx: Path
    conflicts: int


def reports_dir(warehouse_path: Path, as_of: date) -> Path:
    return warehouse_path.parent / "reports" / as_of.isoformat()


def _file_stems(names: list[str]) -> dict[str, str]:
    """A file-name-safe stem per name; names that would collide get a short hash of the name."""
    safe = {n: re.sub(r"[^\w\-]+", "_", n).strip("_") or "unnamed" for n in names}
    taken = list(safe.values())
    return {n: s if taken.count(s) == 1 else f"{s}_{hashlib.sha1(n.encode()).hexdigest()[:6]}"
            for n, s in safe.items()}


def write_manager_reports(out: Path, as_of: date, as_of_end: datetime, zone: str,
                          details: pl.DataFrame, roster: pl.DataFrame) -> list[ManagerReportFiles]:
    """`conflicts_<as-of>_<manager>.html` and `.xlsx` for every manager in the roster."""
    out.mkdir(parents=True, exist_ok=True)
    scopes = manager_scopes(roster)
    stems = _file_stems([s.manager for s in scopes])
    written = []
    for scope in scopes:
        cases = times_as_text(manager_conflicts(details, scope, as_of), zone)
        weekly = weekly_conflicts(details, scope, as_of_end, zone)
        stem = f"conflicts_{as_of.isoformat()}_{stems[scope.manager]}"
        html, xlsx = out / f"{stem}.html", out / f"{stem}.xlsx"
        write_atomically(html, report_html(scope, as_of, cases, weekly).encode("utf-8"))
        write_atomically(xlsx, report_workbook(scope.manager, as_of, cases))
        written.append(ManagerReportFiles(scope, html, xlsx, cases.height))
    return written


def write_team_notices(out: Path, notices: pl.DataFrame, zone: str) -> list[Path]:
    """`notices/notices_<team>.csv` per team (UTF-8 with BOM so Excel shows Chinese; formulas
    neutralised)."""
    folder = out / "notices"
    folder.mkdir(parents=True, exist_ok=True)
    teams = sorted(notices["team"].fill_null("").unique().to_list())
    stems = _file_stems(teams)
    written = []
    for team in teams:
        rows = times_as_text(notices.filter(pl.col("team").fill_null("") == team), zone)
        path = folder / f"notices_{stems[team]}.csv"
        write_spreadsheet_csv(path, rows)
        written.append(path)
    return written
