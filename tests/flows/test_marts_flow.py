"""The marts and dictionary steps of the nightly flow: a failing mart stops the publish, a missing
description only warns."""

import logging
from datetime import date

import duckdb
import pytest

from adapters.data_dictionary import read_dictionary
from adapters.sql_files import TableChecks
from flows import marts_stage, night_inputs
from flows.nightly import RunCheckError, nightly
from tests.flows.inputs import write_inputs

pytestmark = pytest.mark.usefixtures("prefect_harness")


def test_a_mart_failing_its_checks_stops_the_publish(tmp_path, monkeypatch):
    # several reps share a team: declaring team the key of mart_rep_protections must fail
    broken = TableChecks("mart_rep_protections", key=("team",), non_negative=("used",), within_0_1=("use_rate",))
    declared = marts_stage.published_checks
    monkeypatch.setattr(marts_stage, "published_checks", lambda: [*declared(), broken])
    sources = write_inputs(tmp_path)
    warehouse = tmp_path / "var" / "warehouse.duckdb"
    with pytest.raises(RunCheckError, match=r"published_mart_rep_protections\.expect_column_values_to_be_unique"):
        nightly(sources, warehouse, date(2026, 11, 26))
    assert not warehouse.exists()
    assert not (warehouse.parent / "warehouse.duckdb.building").exists()


def test_a_table_missing_from_the_dictionary_is_published_with_a_warning(tmp_path, monkeypatch, caplog):
    full = read_dictionary()
    partial = full.model_copy(update={"tables": {k: v for k, v in full.tables.items() if k != "reps"}})
    monkeypatch.setattr(night_inputs, "read_dictionary", lambda: partial)
    warehouse = tmp_path / "var" / "warehouse.duckdb"
    with caplog.at_level(logging.WARNING):
        nightly(write_inputs(tmp_path), warehouse, date(2026, 11, 26))
    assert any("no description in sql/dictionary.yaml for: reps" in r.getMessage() for r in caplog.records)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        comments = dict(con.execute("select table_name, comment from duckdb_tables()").fetchall())
    assert comments["reps"] is None and comments["claims"].startswith("One row per accepted claim")


def test_a_table_checked_while_the_replay_runs_stops_the_night_before_the_marts(tmp_path, monkeypatch):
    # customers is final before the ownership replay ends: its checks run then, the marts' later
    broken = TableChecks("customers", key=("customer_id",), rules=(("never_true", "false"),))
    declared = marts_stage.published_checks
    monkeypatch.setattr(marts_stage, "published_checks", lambda: [*declared(), broken])
    built, build = [], marts_stage.warehouse.build_model
    monkeypatch.setattr(marts_stage.warehouse, "build_model", lambda con, name: built.append(name) or build(con, name))
    warehouse = tmp_path / "var" / "warehouse.duckdb"
    with pytest.raises(RunCheckError, match=r"published_customers\.expect_column_values_to_be_in_set"):
        nightly(write_inputs(tmp_path), warehouse, date(2026, 11, 26))
    assert "conflict_details" not in built and not warehouse.exists()


def test_every_published_table_is_checked_once_and_reported_in_the_declared_order(tmp_path):
    warehouse = tmp_path / "var" / "warehouse.duckdb"
    nightly(write_inputs(tmp_path), warehouse, date(2026, 11, 26))
    page = (warehouse.parent / "validation" / "index.html").read_text(encoding="utf-8")
    declared = [f"published_{c.table}" for c in marts_stage.published_checks()]
    found = sorted((page.find(f">{suite}<"), suite) for suite in declared)
    assert all(position >= 0 for position, _ in found)
    assert [suite for _, suite in found] == declared
