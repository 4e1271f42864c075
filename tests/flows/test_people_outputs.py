"""What people receive from the nightly run on the bundled samples: a report per manager, a notice
per new claim, and the run summary as Prefect artifacts."""

import asyncio
import shutil
from datetime import date

import duckdb
import polars as pl
import pytest

from flows.nightly import nightly
from flows.summary import FIGURES_KEY, SUMMARY_KEY
from tests.flows.inputs import REPO

pytestmark = pytest.mark.usefixtures("prefect_harness")


def _q(warehouse, sql: str) -> pl.DataFrame:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.sql(sql).pl()


def test_every_manager_of_the_roster_gets_a_report(samples_run):
    summary, _ = samples_run
    roster = pl.read_csv(REPO / "data" / "samples" / "reps.csv")
    managers = sorted(roster["manager"].unique())
    assert sorted(r.scope.manager for r in summary.people_files.reports) == managers
    for report in summary.people_files.reports:
        assert report.html.name == f"conflicts_2026-11-25_{report.scope.manager}.html"
        assert report.html.is_file() and report.xlsx.is_file()
    shown = _q(summary.warehouse, "select claimant_rep_id, owner_rep_id from conflict_details "
                                  "where not is_backfill or appeal_status = 'open'")
    assert shown.height == 2  # the one conflict of 2026-11-24, and the open appeal
    for report in summary.people_files.reports:
        ours = shown.filter(pl.col("claimant_rep_id").is_in(report.scope.rep_ids)
                            | pl.col("owner_rep_id").is_in(report.scope.rep_ids))
        assert report.conflicts == ours.height


def test_conflict_details_cover_every_conflict_with_the_owners_claim(samples_run):
    _, warehouse = samples_run
    details = _q(warehouse, "select * from conflict_details")
    conflicts = _q(warehouse, "select claim_id from conflicts")
    assert sorted(details["claim_id"]) == sorted(conflicts["claim_id"])
    assert details["owner_claim_id"].is_not_null().all()
    owners = _q(warehouse, "select claim_id as owner_claim_id, rep_id from claims")
    joined = details.join(owners, on="owner_claim_id")
    assert (joined["rep_id"] == joined["owner_rep_id"]).all()
    assert details.filter(pl.col("appeal_status") == "open")["claim_id"].to_list() == ["WF20261007-0001"]


def test_on_the_first_night_only_the_last_days_claims_are_notified(samples_run):
    summary, warehouse = samples_run
    notices = _q(warehouse, "select * from rep_notices")
    recent = _q(warehouse, "select claim_id from claims where submitted_at >= timestamptz '2026-11-24 00:00:00+08'")
    assert sorted(notices["claim_id"]) == sorted(recent["claim_id"]) and recent.height == 3
    assert (summary.backfill.before, summary.backfill.claims) == (date(2026, 11, 24), 390 - 3)
    assert notices["notice_zh"].is_not_null().all() and notices["notice_en"].is_not_null().all()
    from_files = pl.concat([pl.read_csv(p.read_bytes()[3:], infer_schema=False) for p in summary.people_files.notices])
    assert sorted(from_files["claim_id"]) == sorted(notices["claim_id"])


def test_the_next_night_notifies_nobody_and_reports_only_open_appeals(samples_run, tmp_path):
    _, warehouse = samples_run
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(warehouse, copy)
    summary = nightly(REPO / "config" / "sources.yaml", copy, date(2026, 11, 26))
    assert _q(copy, "select count(*) as n from rep_notices")["n"][0] == 0
    assert sum(r.conflicts for r in summary.people_files.reports) >= 1  # the open appeal, in both reports
    assert summary.new_conflicts == {}


def test_the_run_summary_is_saved_as_prefect_artifacts(samples_run):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    summary, _ = samples_run

    async def read():
        async with get_client() as client:
            return await client.read_artifacts(artifact_filter=ArtifactFilter(
                flow_run_id=ArtifactFilterFlowRunId(any_=[summary.flow_run_id])))

    artifacts = {a.key: a for a in asyncio.run(read())}
    assert {SUMMARY_KEY, FIGURES_KEY} <= set(artifacts)
    markdown = artifacts[SUMMARY_KEY].data
    assert "rows read" in markdown and "| 401 |" in markdown and "新增撞单" in markdown
    figures = {row["metric"]: row["value"] for row in _table_rows(artifacts[FIGURES_KEY].data)}
    assert figures["rows read"] == 401 and figures["quarantined"] == 11
    assert figures["manager reports written"] == 5


def _table_rows(data):
    import json

    return json.loads(data) if isinstance(data, str) else data
