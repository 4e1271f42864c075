"""The review queue: only pairs that change who owns what, one per two customers, capped."""

from datetime import UTC, datetime

import polars as pl

from matching.review import ReviewCapacity, review_candidates, review_queue


def _claims(rows):
    return pl.DataFrame([
        {"claim_id": c, "company_name": name, "rep_id": rep, "submitted_at": datetime(2026, 11, day, tzinfo=UTC),
         "contact_name": None, "phone": None, "email": None, "website": None, "credit_code": None}
        for c, name, rep, day in rows
    ], schema_overrides={k: pl.String for k in ("contact_name", "phone", "email", "website", "credit_code")})


def _classified(rows):
    return pl.DataFrame(rows, schema={
        "claim_id_l": pl.String, "claim_id_r": pl.String, "match_probability": pl.Float64, "decision_basis": pl.String,
        "is_link": pl.Boolean, "is_registered_name_l": pl.Boolean, "is_registered_name_r": pl.Boolean,
    }, orient="row").with_columns(pl.lit(["company_name: …"]).alias("evidence"))


NO_DECISIONS = pl.DataFrame(schema={"pair_l": pl.String, "pair_r": pl.String})
CLAIMS = _claims([
    ("a1", "信前网络科技", "r1", 1), ("a2", "信前网络科技", "r1", 2), ("b1", "芯千网络科技", "r2", 3),
    ("c1", "华为", "r3", 1), ("d1", "华为技术有限公司", "r3", 2),
    ("e1", "长风", "r4", 1), ("f1", "长峰", "r5", 2),
])
CUSTOMERS = pl.DataFrame({"claim_id": ["a1", "a2", "b1", "c1", "d1", "e1", "f1"],
                          "customer_id": ["C1", "C1", "C2", "C3", "C4", "C5", "C6"]})
CLASSIFIED = _classified([
    ("a1", "b1", 0.70, "review", False, True, True),        # two reps' customers: queued
    ("a2", "b1", 0.65, "review", False, True, True),        # same two customers: one item
    ("c1", "d1", 0.99, "names_differ", False, False, True),  # one rep owns both either way: apart by rule
    ("e1", "f1", 0.60, "review", False, False, False),       # another pair between two reps
    ("a1", "a2", 0.99, "name_link", True, True, True),       # already one customer: nothing to ask
])


def test_one_item_per_two_customers_and_only_when_the_owner_would_change():
    candidates = review_candidates(CLASSIFIED, CUSTOMERS, match_threshold=0.8)
    queue, counts = review_queue(candidates, CLAIMS, CUSTOMERS, NO_DECISIONS, ReviewCapacity(10, 1.0))
    assert queue.select("claim_id_l", "claim_id_r").rows() == [("a1", "b1"), ("e1", "f1")]
    assert queue["pairs_between"].to_list() == [2, 1]
    assert list(queue["names_l"][0]) == ["信前网络科技"] and queue["claims_l"][0] == 2
    assert counts == {"queued": 2, "apart_same_owner": 1, "apart_over_capacity": 0}


def test_the_queue_is_capped_by_impact_and_the_rest_counted():
    candidates = review_candidates(CLASSIFIED, CUSTOMERS, match_threshold=0.8)
    queue, counts = review_queue(candidates, CLAIMS, CUSTOMERS, NO_DECISIONS, ReviewCapacity(1, 1.0))
    assert queue["review_id"].to_list() == ["a1|b1"]     # three claims at stake beat two
    assert counts["apart_over_capacity"] == 1


def test_decided_pairs_leave_the_queue():
    decided = pl.DataFrame({"pair_l": ["a1"], "pair_r": ["b1"]})
    candidates = review_candidates(CLASSIFIED, CUSTOMERS, match_threshold=0.8)
    queue, _ = review_queue(candidates.filter(pl.col("claim_id_r") != "b1"), CLAIMS, CUSTOMERS, decided,
                            ReviewCapacity(10, 1.0))
    assert "a1|b1" not in queue["review_id"].to_list()


def test_capacity_is_the_smaller_of_items_and_share_of_claims():
    assert ReviewCapacity(200, 0.01).items(20_000) == 200
    assert ReviewCapacity(200, 0.01).items(5_000) == 50
    assert ReviewCapacity(200, 0.01).items(10) == 1
