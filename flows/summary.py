"""The run summary sales-ops read: one list of figures, published as Prefect artifacts (a markdown
page and a table) and printed at the end of `recon run`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl
from prefect import task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from flows.matching_stage import MatchSummary
from flows.ownership_stage import OwnershipSummary
from flows.people_stage import Backfill, PeopleFiles
from transforms.notices import is_new_tonight

SUMMARY_KEY = "nightly-run-summary"
FIGURES_KEY = "nightly-run-figures"


@dataclass
class RunSummary:
    """What a night did: the flow's return value, the figures sales-ops read."""

    as_of: date
    warehouse: Path
    run_id: str
    files_new: int
    audit: pl.DataFrame
    matching: MatchSummary
    ownership: OwnershipSummary
    backfill: Backfill
    new_conflicts: dict[str, int] = field(default_factory=dict)
    people_files: PeopleFiles = field(default_factory=PeopleFiles)
    outputs: dict[str, Path] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    flow_run_id: str | None = None


def new_conflicts_by_team(details: pl.DataFrame, as_of: date) -> dict[str, int]:
    """Conflicts among tonight's new claims, per claimant team."""
    counts = (details.filter(is_new_tonight(as_of))
              .group_by(pl.col("claimant_team").fill_null("?")).len().sort("claimant_team"))
    return dict(counts.iter_rows())


def run_figures(summary: RunSummary) -> list[tuple[str, str, int]]:
    """(metric, 指标, value) for the night, in reading order."""
    audit, m, o = summary.audit, summary.matching, summary.ownership
    figures = [
        ("rows read", "读取行数", int(audit["rows_read"].sum())),
        ("accepted", "接受", int(audit["accepted"].sum())),
        ("quarantined", "隔离", int(audit["quarantined"].sum())),
        ("superseded (older file versions)", "被新版本替代", int(audit["superseded"].sum())),
        ("new files", "新文件", summary.files_new),
        ("customers", "客户数", m.customers),
        ("review queue", "待复核", m.review_items),
        ("kept apart by rule: same owner either way", "按规则不合并：归属不变", m.apart_same_owner),
        ("kept apart by rule: over the queue's capacity", "按规则不合并：超出当晚复核容量", m.apart_over_capacity),
        ("protected customers", "保护中客户", o.protected),
        ("public pool", "公海客户", o.public_pool),
        ("open appeals", "待裁决申诉", o.open_appeals),
    ]
    if summary.backfill.before is not None:
        figures += [(f"first night: history before {summary.backfill.before}, replayed, not notified",
                     f"首次运行：{summary.backfill.before} 之前的历史报备（已回放，不通知）", summary.backfill.claims)]
    figures += [(f"outcome: {k}", f"结果：{k}", v) for k, v in o.outcomes.items()]
    figures += [(f"new conflicts: {team}", f"新增撞单：{team}", n) for team, n in summary.new_conflicts.items()]
    figures += [("manager reports written", "经理报告", len(summary.people_files.reports))]
    delivery = summary.people_files.delivery
    if delivery:
        kinds = sorted({status.split(":")[0] for status in delivery.values()})
        figures += [(f"reports e-mailed: {kind}", f"报告邮件：{kind}",
                     sum(1 for status in delivery.values() if status.split(":")[0] == kind)) for kind in kinds]
    return figures


def summary_markdown(summary: RunSummary) -> str:
    """The figures as a markdown page, with the problems of the night if any."""
    lines = [f"# Nightly run {summary.run_id} (as of {summary.as_of})", "",
             "| metric | 指标 | value |", "| --- | --- | ---: |"]
    lines += [f"| {_cell(metric)} | {_cell(zh)} | {value:,} |" for metric, zh, value in run_figures(summary)]
    if summary.problems:
        lines += ["", "## Problems 问题", *(f"- {p}" for p in summary.problems)]
    lines += ["", f"Warehouse: `{summary.warehouse}`"]
    return "\n".join(lines)


def _cell(text: str) -> str:
    """Text from input (team names) made safe inside a markdown table cell."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


@task(cache_policy=NO_CACHE)
def summary_published(summary: RunSummary) -> None:
    """The markdown artifact `nightly-run-summary` and the table artifact `nightly-run-figures`."""
    create_markdown_artifact(key=SUMMARY_KEY, markdown=summary_markdown(summary),
                             description=f"Nightly run {summary.run_id}")
    create_table_artifact(
        key=FIGURES_KEY,
        table=[{"metric": m, "指标": zh, "value": v} for m, zh, v in run_figures(summary)],
        description=f"Figures of nightly run {summary.run_id}",
    )
