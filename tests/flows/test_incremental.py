"""Incremental nights on the bundled samples: a night on part of the files, then a night on all of
them, finds the customers one full night on all of them finds; `full_rebuild` rebuilds in full and
keeps every id."""

from __future__ import annotations

import csv
import io
import logging
import re
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest
import yaml

from flows.nightly import nightly
from tests.conftest import SAMPLES_AS_OF

pytestmark = pytest.mark.usefixtures("prefect_harness")
REPO = Path(__file__).resolve().parents[2]
ENCODINGS = {"form": "utf-8-sig", "crm": "gb18030"}


def _samples_copy(root: Path) -> Path:
    """The bundled samples and a sources.yaml pointing at them, under `root`; returns sources.yaml."""
    shutil.copytree(REPO / "data" / "samples", root / "samples")
    config = yaml.safe_load((REPO / "config" / "sources.yaml").read_text(encoding="utf-8"))
    for entry in (*(config[k] for k in ("roster", "followups", "extensions", "appeals", "decisions")),
                  *config["sources"]):
        entry["path"] = entry["path"].replace("../data/samples", "samples")
    path = root / "sources.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def _keep_first_half(folder: Path, encoding: str) -> None:
    """Cut the one CSV in `folder` to its header and the first half of its rows (the earlier export)."""
    (path,) = folder.glob("*.csv")
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode(encoding), newline="")))
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(rows[: 1 + (len(rows) - 1) // 2])
    path.write_bytes(out.getvalue().encode(encoding))


def _partition(warehouse: Path) -> set[frozenset[str]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute("select customer_id, list(claim_id) from claim_customer group by customer_id").fetchall()
    return {frozenset(claims) for _, claims in rows}


def _customers(warehouse: Path) -> dict[str, str]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return dict(con.execute("select claim_id, customer_id from claim_customer").fetchall())


def _matching_runs(warehouse: Path) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute("select mode, reason, claims, claims_touched from matching_runs order by run_id").fetchall()


def _nights_on_half_then_all(root: Path, engine: str | None = None) -> tuple[Path, Path, list[str]]:
    """Night 1 on the first half of the web-form and CRM exports (no spreadsheet yet); night 2 on
    every sample file, both scored on `engine`: (sources.yaml, warehouse, night 2's log messages)."""
    sources = _samples_copy(root)
    full_samples = root / "all"
    shutil.copytree(root / "samples", full_samples)
    for sub, encoding in ENCODINGS.items():
        _keep_first_half(root / "samples" / sub, encoding)
    sheet = next((root / "samples" / "sheet").glob("*.xlsx"))
    sheet.unlink()
    warehouse = root / "var" / "warehouse.duckdb"
    nightly(sources, warehouse, date(2026, 11, 24), engine=engine)
    shutil.rmtree(root / "samples")
    shutil.copytree(full_samples, root / "samples")
    handler = _Kept()
    loggers = [logging.getLogger(name) for name in ("prefect.task_runs", "prefect.flow_runs")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)  # the tests' Prefect logs only warnings
    try:
        nightly(sources, warehouse, SAMPLES_AS_OF, engine=engine)
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.removeHandler(handler)
            logger.setLevel(level)
    return sources, warehouse, handler.messages


@pytest.fixture(scope="module")
def two_nights(tmp_path_factory):
    """`_nights_on_half_then_all` on DuckDB: (sources.yaml, warehouse)."""
    sources, warehouse, messages = _nights_on_half_then_all(tmp_path_factory.mktemp("incremental"))
    NIGHT_2_LOG.extend(messages)
    return sources, warehouse


NIGHT_2_LOG: list[str] = []


class _Kept(logging.Handler):
    """Keeps the messages of the night 2 flow's and tasks' log."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def test_the_second_night_is_incremental_and_finds_the_customers_of_one_full_night(two_nights, samples_run):
    _, warehouse = two_nights
    (first, second) = _matching_runs(warehouse)
    assert first[0] == "full" and first[1] == "no matching state from an earlier night"
    assert second[0] == "incremental"
    assert 0 < second[3] < second[2]  # only the new claims (and partners of changed ones) paired anew
    _, full_warehouse = samples_run
    assert _partition(warehouse) == _partition(full_warehouse)


def test_the_second_night_replaces_only_the_changed_claims_in_place_and_publishes_the_full_nights_rows(
        two_nights, samples_run):
    _, warehouse = two_nights
    _, full_warehouse = samples_run

    def rows(path, table):
        with duckdb.connect(str(path), read_only=True) as con:
            return con.sql(f"select columns(lambda c: c <> 'raw_row_id') from {table} order by all").pl()

    for table in ("claims", "claims_for_matching", "window_keys"):
        assert rows(warehouse, table).equals(rows(full_warehouse, table)), table
    assert any(re.fullmatch(r"claims standardised: \d+ rows, \d+ of them new or changed; \d+ rows replaced in place",
                            message) for message in NIGHT_2_LOG)
    assert any(re.fullmatch(r"window keys: \d+ rows replaced in place", message) for message in NIGHT_2_LOG)


def test_the_second_night_does_not_warn_of_last_nights_snapshots_as_undescribed_tables(two_nights):
    assert not [message for message in NIGHT_2_LOG if "no description in sql/dictionary.yaml" in message]


def test_a_full_rebuild_asked_for_keeps_every_customer_and_id(two_nights, tmp_path):
    sources, warehouse = two_nights
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(warehouse, copy)
    before = _customers(copy)
    nightly(sources, copy, date(2026, 11, 26), full_rebuild=True)
    assert _matching_runs(copy)[-1][:2] == ("full", "asked for (recon run --full)")
    assert _customers(copy) == before


def test_changed_matching_settings_rebuild_in_full_and_say_so(two_nights, tmp_path):
    sources, warehouse = two_nights
    folder = tmp_path / "var"
    shutil.copytree(warehouse.parent, folder)
    policy_text = (REPO / "config" / "policy.yaml").read_text(encoding="utf-8")
    assert "review_floor: 0.5 " in policy_text
    policy = tmp_path / "policy.yaml"
    policy.write_text(policy_text.replace("review_floor: 0.5 ", "review_floor: 0.55"), encoding="utf-8")
    nightly(sources, folder / warehouse.name, date(2026, 11, 26), policy)
    assert _matching_runs(folder / warehouse.name)[-1][:2] == (
        "full", "the matching settings in policy.yaml changed (match_threshold, review_floor or group_as_one_customer)")


def test_a_night_on_another_engine_than_the_last_rebuilds_in_full_and_says_so(two_nights, tmp_path):
    """Last night's pairs recorded as scored on Spark, tonight's on DuckDB: the stored levels came from
    the other engine's string comparisons, so tonight starts again from every claim."""
    sources, warehouse = two_nights
    folder = tmp_path / "var"
    shutil.copytree(warehouse.parent, folder)
    copy = folder / warehouse.name
    assert _matching_runs(copy)[-1][0] == "incremental"
    with duckdb.connect(str(copy)) as con:
        assert con.execute("select list(engine order by run_id) from matching_runs").fetchone()[0] == ["duckdb"] * 2
        con.execute("update matching_runs set engine = 'spark'")
    nightly(sources, copy, date(2026, 11, 26))
    assert _matching_runs(copy)[-1][:2] == ("full", "the scoring engine changed (spark → duckdb: matching.engine in "
                                                    "sources.yaml, or --engine)")
    assert _partition(copy) == _partition(warehouse)


def test_a_night_after_one_of_a_version_that_kept_no_engine_goes_on_incrementally(two_nights, tmp_path):
    sources, warehouse = two_nights
    folder = tmp_path / "var"
    shutil.copytree(warehouse.parent, folder)
    copy = folder / warehouse.name
    with duckdb.connect(str(copy)) as con:
        con.execute("update matching_runs set engine = null")
    nightly(sources, copy, date(2026, 11, 26))
    assert _matching_runs(copy)[-1][0] == "incremental"


@pytest.mark.spark
def test_a_night_scored_on_spark_finds_the_customers_of_a_night_on_duckdb(tmp_path, samples_run):
    """The nightly matching on the bundled samples with `--engine spark` (local Spark): the same
    customers as on DuckDB."""
    warehouse = tmp_path / "warehouse.duckdb"
    nightly(REPO / "config" / "sources.yaml", warehouse, SAMPLES_AS_OF, engine="spark")
    _, duckdb_warehouse = samples_run
    assert _partition(warehouse) == _partition(duckdb_warehouse)


@pytest.mark.spark
def test_an_incremental_night_scored_on_spark_finds_the_customers_of_one_full_night(tmp_path, samples_run):
    """Both nights on local Spark: the second scores only the touched blocks and the stored pairs
    there (`matching.predict.Increment` in the translated query) and finds the customers of one
    full night on DuckDB."""
    _, warehouse, _ = _nights_on_half_then_all(tmp_path, engine="spark")
    assert [run[0] for run in _matching_runs(warehouse)] == ["full", "incremental"]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select list(engine order by run_id) from matching_runs").fetchone()[0] == ["spark"] * 2
    _, full_warehouse = samples_run
    assert _partition(warehouse) == _partition(full_warehouse)


def test_a_night_with_no_new_rows_checks_none_again_and_publishes_the_same_claims_and_quarantine(two_nights,
                                                                                                 tmp_path):
    sources, warehouse = two_nights
    folder = tmp_path / "var"
    shutil.copytree(warehouse.parent, folder)
    copy = folder / warehouse.name

    def published(path):
        with duckdb.connect(str(path), read_only=True) as con:
            return {table: con.sql(f"select * exclude (raw_row_id) from {table} order by all").pl()
                    for table in ("claims", "quarantine")}

    before = published(copy)
    nightly(sources, copy, SAMPLES_AS_OF)
    after = published(copy)
    assert all(after[t].equals(before[t]) for t in before) and before["quarantine"].height > 0
    page = max((folder / "validation").glob("*.html")).read_text(encoding="utf-8")
    # the row checks ran again only on the rows refused last night: the others passed them under the same rules
    checked = int(re.search(r"claims_input</td><td>claim_id_missing</td>.*?<td>\d+/(\d+)</td>", page).group(1))
    assert checked <= before["quarantine"].height < before["claims"].height
