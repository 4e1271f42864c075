"""A manager's conflict report as one self-contained HTML page: no script, no external file, the
chart as inline SVG, every value escaped by Jinja2's autoescape."""

from __future__ import annotations

from datetime import date

import polars as pl
from jinja2 import Environment, PackageLoader, select_autoescape

from transforms.reports import ManagerScope

CASES_ON_PAGE = 100
_CHART_WIDTH, _CHART_HEIGHT = 360, 120
_COLOURS = {"refused": "#b3261e", "claimed_by_others": "#1a56db"}
_environment = Environment(
    loader=PackageLoader("adapters.reports"), autoescape=select_autoescape(default=True, default_for_string=True)
)


def _chart(weekly: pl.DataFrame) -> dict:
    """Bar geometry for the weekly chart: two bars per week, scaled to the busiest week."""
    series = tuple(_COLOURS)
    top = max(1, *(int(v) for s in series for v in weekly[s]))
    slot = _CHART_WIDTH / max(1, weekly.height)
    bar_width = slot * 0.4
    bars, ticks = [], []
    for i, row in enumerate(weekly.iter_rows(named=True)):
        for k, name in enumerate(series):
            height = _CHART_HEIGHT * row[name] / top
            bars.append({"x": round(i * slot + k * bar_width + slot * 0.1, 1), "y": round(_CHART_HEIGHT - height, 1),
                         "w": round(bar_width, 1), "h": round(height, 1), "colour": _COLOURS[name],
                         "label": f"{row['week']:%m-%d}: {row[name]}"})
        if i % 2 == 0:
            ticks.append({"x": round(i * slot + slot / 2, 1), "label": f"{row['week']:%m-%d}"})
    return {"width": _CHART_WIDTH, "height": _CHART_HEIGHT, "bars": bars, "ticks": ticks,
            "weeks": weekly["week"].to_list()}


def report_html(scope: ManagerScope, as_of: date, cases: pl.DataFrame, weekly: pl.DataFrame) -> str:
    """The page: figures, the 12-week chart, then one card per conflict (the latest 100)."""
    shown = cases.head(CASES_ON_PAGE)
    figures = {
        "refused": cases.filter(pl.col("is_claimant_ours")).height,
        "claimed_by_others": cases.filter(~pl.col("is_claimant_ours")).height,
        "open_appeals": cases.filter(pl.col("appeal_status") == "open").height,
    }
    return _environment.get_template("conflict_report.html.j2").render(
        manager=scope.manager, teams=scope.teams, as_of=as_of.isoformat(), figures=figures,
        chart=_chart(weekly), cases=shown.to_dicts(), hidden_cases=cases.height - shown.height,
    )
