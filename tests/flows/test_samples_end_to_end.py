"""The nightly flow on the bundled samples, into a warehouse in tmp_path."""

from datetime import date

import duckdb
import polars as pl
import pytest

from flows.nightly import nightly
from tests.flows.inputs import REPO

pytestmark = pytest.mark.usefixtures("prefect_harness")

# defect (data/samples/labels/defects.csv) → the check that must quarantine it, or None if kept
EXPECTED = {
    "missing_company_name": "company_missing",
    "unknown_rep_id": "rep_unknown",
    "unparseable_timestamp": "submitted_at_unreadable",
    "future_timestamp": "submitted_at_future",
    "duplicate_claim_id": "claim_id_duplicate",
    "implausible_phone": "phone_implausible",
    "malformed_email": "email_malformed",
    "invalid_category": "category_invalid",
    "formula_in_note": None,
    "contact_starts_with_symbol": None,
    "script_in_company_name": None,
    "invalid_credit_code": None,
}


@pytest.fixture(scope="module")
def sample_warehouse(tmp_path_factory, prefect_harness):
    warehouse = tmp_path_factory.mktemp("samples") / "warehouse.duckdb"
    summary = nightly(REPO / "config" / "sources.yaml", warehouse, date(2026, 11, 26))
    return summary, warehouse


def _q(warehouse, sql: str) -> pl.DataFrame:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.sql(sql).pl()


def test_every_sample_row_is_accounted_for(sample_warehouse):
    summary, warehouse = sample_warehouse
    audit = summary.audit
    assert audit.height == 3
    assert (audit["rows_read"] == audit["accepted"] + audit["quarantined"]).all()
    raw = _q(warehouse, "select count(*) as n from raw_claims")["n"][0]
    claims = _q(warehouse, "select count(*) as n from claims")["n"][0]
    quarantined = _q(warehouse, "select count(*) as n from quarantine")["n"][0]
    assert raw == claims + quarantined == 401


def test_each_deliberately_bad_row_meets_its_check(sample_warehouse):
    _, warehouse = sample_warehouse
    defects = pl.read_csv(REPO / "data" / "samples" / "labels" / "defects.csv")
    quarantine = _q(warehouse, "select claim_id, failed_checks from quarantine")
    failed = {r["claim_id"]: set(r["failed_checks"]) for r in quarantine.iter_rows(named=True)}
    accepted = set(_q(warehouse, "select claim_id from claims")["claim_id"])
    for row in defects.iter_rows(named=True):
        check = EXPECTED[row["defect"]]
        if check is None:
            assert row["claim_id"] in accepted, row
        else:
            assert check in failed.get(row["claim_id"], set()), row
    # the duplicated row's first copy is accepted, only the repeat is quarantined
    duplicate = defects.filter(pl.col("defect") == "duplicate_claim_id")["claim_id"][0]
    assert duplicate in accepted
    assert quarantine.height == sum(1 for d in defects["defect"] if EXPECTED[d] is not None)


def test_sample_values_are_stored_verbatim(sample_warehouse):
    _, warehouse = sample_warehouse
    notes = _q(warehouse, "select note from claims where note like '=%'")["note"].to_list()
    assert notes and all(n.startswith("=HYPERLINK(") for n in notes)
    assert _q(warehouse, "select count(*) as n from claims where company_name like '%<script>%'")["n"][0] == 1
