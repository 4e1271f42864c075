"""Fixtures shared by the lookup service tests."""

from datetime import date

import pytest


@pytest.fixture(scope="session")
def lookup_warehouse(tmp_path_factory, prefect_harness):
    """A warehouse built by the nightly flow from tests/service/lookup_inputs.py, scored by the
    packaged model (placed as the saved model, so the 2,500 claims do not train their own)."""
    from flows.nightly import nightly
    from matching.match_model import MatchModel
    from matching.model_files import DEFAULT_MODEL
    from tests.flows.inputs import place_model, write_inputs
    from tests.service.lookup_inputs import KNOWN_CRM_ROWS, KNOWN_FORM_ROWS, filler_rows

    root = tmp_path_factory.mktemp("lookup")
    place_model(root, MatchModel.read(DEFAULT_MODEL))
    sources = write_inputs(root, form_rows=KNOWN_FORM_ROWS + filler_rows(), crm_rows=KNOWN_CRM_ROWS)
    warehouse = root / "var" / "warehouse.duckdb"
    nightly(sources, warehouse, date(2026, 11, 26))
    return warehouse
