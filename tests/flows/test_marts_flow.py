"""The marts step of the nightly flow: a mart failing its checks stops the publish."""

from datetime import date

import pytest

from flows import marts
from flows.nightly import RunCheckError, nightly
from tests.flows.inputs import write_inputs

pytestmark = pytest.mark.usefixtures("prefect_harness")


def test_a_mart_failing_its_checks_stops_the_publish(tmp_path, monkeypatch):
    # several reps share a team: declaring team the key of mart_rep_protections must fail
    broken = marts.Mart("mart_rep_protections", ("team",), counts=("used",), rates=("use_rate",))
    monkeypatch.setattr(marts, "MARTS", (*marts.MARTS, broken))
    sources = write_inputs(tmp_path)
    warehouse = tmp_path / "var" / "warehouse.duckdb"
    with pytest.raises(RunCheckError, match=r"published_mart_rep_protections\.expect_column_values_to_be_unique"):
        nightly(sources, warehouse, date(2026, 11, 26))
    assert not warehouse.exists()
    assert not (warehouse.parent / "warehouse.duckdb.building").exists()
