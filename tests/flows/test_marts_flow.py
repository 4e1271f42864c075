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
