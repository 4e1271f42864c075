"""Great Expectations' suites in a process of their own (`flows.checks_process`): the same results
as here, for the input rows and the published tables, and only from a large night up."""

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from adapters.expectations import RunHere, claims_checked, published_suites, published_suites_started
from adapters.ingest import new_source_files, read_new_files
from adapters.sql_files import TableChecks
from flows.background import WorkerProcess
from flows.checks_process import CHECKS_PROCESS_ROWS, suites_runner
from settings.sources import load_sources
from transforms.checks import claims_checkable
from transforms.parsing import claims_parsed_by_source

REPO = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 26, 16, tzinfo=UTC)


def _sample_rows() -> pl.DataFrame:
    config = load_sources(REPO / "config" / "sources.yaml")
    raw, _ = read_new_files(new_source_files(config, set()), first_seq=1, ingested_at=NOW)
    return claims_checkable(claims_parsed_by_source(raw, config.source_formats(), retired_zone=config.timezone))


def test_a_small_night_checks_here_and_a_large_one_in_a_process_of_its_own():
    with suites_runner(CHECKS_PROCESS_ROWS - 1) as small:
        assert isinstance(small, RunHere)
    with suites_runner(CHECKS_PROCESS_ROWS) as large:
        assert isinstance(large, WorkerProcess)


def test_the_input_rows_checked_in_a_process_fail_what_they_fail_here():
    rows = _sample_rows()
    roster = sorted(set(rows["rep_id"].drop_nulls().to_list()) - {"S002"})  # a rep off the roster fails
    here = claims_checked(rows, roster=roster, as_of_end=NOW)
    with suites_runner(CHECKS_PROCESS_ROWS) as suites:
        there = claims_checked(rows, roster=roster, as_of_end=NOW, suites=suites)
    assert here.failures.height > 0 and "rep_unknown" in here.failures["check"].to_list()
    assert there.failures.equals(here.failures)
    assert (there.rows.outcomes, there.duplicates.outcomes) == (here.rows.outcomes, here.duplicates.outcomes)


def test_a_published_table_checked_in_a_process_fails_what_it_fails_here():
    con = duckdb.connect()
    con.execute("create table t as select * from (values ('a', 1), ('a', -2), (null, 3)) v(k, n)")
    checks = [TableChecks("t", key=("k",), non_negative=("n",))]
    here = published_suites(con, checks)
    with suites_runner(CHECKS_PROCESS_ROWS) as suites:
        there = [future.result() for future in published_suites_started(con, checks, suites)]
    assert not here[0].success and [o for o in here[0].outcomes if not o.success]
    assert [(r.outcomes, r.failures.to_dicts()) for r in there] == [(r.outcomes, r.failures.to_dicts()) for r in here]


def test_a_table_checked_as_soon_as_it_is_final_is_checked_with_its_declared_checks():
    from flows.marts_stage import CLAIMS_CHECKS, checks_started

    con = duckdb.connect()
    con.execute("create table claims as select * from (values ('c1', timestamp '2026-11-01', 'A'), "
                "('c1', timestamp '2026-11-02', 'E')) v(claim_id, submitted_at, category)")
    started = checks_started(con, RunHere(), "claims")
    assert list(started) == [CLAIMS_CHECKS]
    failed = {o.check for o in started[CLAIMS_CHECKS].result().outcomes if not o.success}
    assert failed == {"expect_column_values_to_be_unique", "expect_column_values_to_be_in_set"}
