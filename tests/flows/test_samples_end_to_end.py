"""The nightly flow on the bundled samples, into a warehouse in tmp_path."""

import duckdb
import polars as pl
import pytest

from matching.links import LINK_BASES
from tests.flows.inputs import REPO

pytestmark = pytest.mark.usefixtures("prefect_harness")

# defect (data/samples/labels/defects.csv) → the check that must quarantine it, or None if kept
EXPECTED = {
    "missing_company_name": "company_missing",
    "unknown_rep_id": "rep_unknown",
    "unparseable_timestamp": "submitted_at_unreadable",
    "future_timestamp": "submitted_at_future",
    "duplicate_claim_id": "claim_id_duplicate",
    "implausible_phone": None,
    "malformed_email": None,
    "invalid_category": "category_invalid",
    "formula_in_note": None,
    "contact_starts_with_symbol": None,
    "script_in_company_name": "company_name_markup",
    "invalid_credit_code": None,
}


@pytest.fixture
def sample_warehouse(samples_run):
    return samples_run


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
    assert _q(warehouse, "select count(*) as n from quarantine where company_name like '%<script>%'")["n"][0] == 1


def test_an_unreadable_phone_or_email_is_accepted_flagged_and_told(sample_warehouse):
    _, warehouse = sample_warehouse
    defects = pl.read_csv(REPO / "data" / "samples" / "labels" / "defects.csv")
    ids = defects.filter(pl.col("defect").is_in(["implausible_phone", "malformed_email"]))["claim_id"].to_list()
    flagged = _q(warehouse, "select claim_id, phone_e164, has_unreadable_phone, email_norm, has_unreadable_email "
                            f"from claims where claim_id in ({', '.join(repr(i) for i in ids)})")
    assert flagged.height == len(ids)
    assert (flagged["has_unreadable_phone"] | flagged["has_unreadable_email"]).all()
    assert flagged.filter(pl.col("has_unreadable_phone"))["phone_e164"].is_null().all()
    assert flagged.filter(pl.col("has_unreadable_email"))["email_norm"].is_null().all()


def test_province_city_and_address_columns_reach_the_claims_region(sample_warehouse):
    _, warehouse = sample_warehouse
    sources = _q(warehouse, "select region_source, count(*) as n from claims group by region_source")
    counts = dict(zip(sources["region_source"], sources["n"], strict=True))
    assert counts["name"] > 0 and counts.get("city", 0) > 0


def test_every_accepted_claim_belongs_to_one_customer_and_decisions_hold(sample_warehouse):
    _, warehouse = sample_warehouse
    assignment = _q(warehouse, "select claim_id, customer_id from claim_customer")
    claims = _q(warehouse, "select claim_id from claims")
    assert sorted(assignment["claim_id"]) == sorted(claims["claim_id"])
    customer = dict(zip(assignment["claim_id"], assignment["customer_id"], strict=True))
    decisions = pl.read_csv(REPO / "data" / "samples" / "decisions.csv")
    for row in decisions.iter_rows(named=True):
        same = customer[row["claim_id_a"]] == customer[row["claim_id_b"]]
        assert same == (row["decision"] == "same"), row
    customers = _q(warehouse, "select * from customers")
    assert customers["claim_count"].sum() == claims.height
    assert customers["customer_id"].str.contains(r"^C\d{7}$").all()


def test_review_queue_shows_evidence_and_both_claims(sample_warehouse):
    _, warehouse = sample_warehouse
    queue = _q(warehouse, "select * from review_queue")
    assert queue.height > 0
    row = queue.row(0, named=True)
    assert row["company_name_l"] and row["company_name_r"] and row["rep_id_l"]
    assert any(line.startswith("company_name: ") for line in row["evidence"])
    decided = {tuple(sorted(p)) for p in pl.read_csv(REPO / "data" / "samples" / "decisions.csv")
               .select("claim_id_a", "claim_id_b").rows()}
    assert not decided & set(zip(queue["claim_id_l"], queue["claim_id_r"], strict=True))
    pairs = _q(warehouse, "select decision_basis, is_link from match_pairs")
    assert set(pairs["decision_basis"]) <= set(LINK_BASES) | {"credit_codes_differ", "other_region", "sister",
                                                              "names_differ", "review"}


def test_claims_of_one_full_registered_name_are_one_customer(sample_warehouse):
    """The sure-link rule holds however low the model scores the pair (other phones, contacts),
    unless two different valid credit codes say these are two legal entities."""
    _, warehouse = sample_warehouse
    claims = _q(warehouse, "select name_norm, credit_code_norm, customer_id from claims "
                           "join claim_customer using (claim_id) where legal_form is not null")
    groups = claims.group_by("name_norm").agg(
        pl.col("credit_code_norm").drop_nulls().n_unique().alias("codes"),
        pl.col("customer_id").n_unique().alias("customers"),
        pl.len().alias("claims"),
    ).filter((pl.col("claims") > 1) & (pl.col("codes") <= 1))
    assert groups.height > 10
    assert groups.filter(pl.col("customers") > 1)["name_norm"].to_list() == []
