from datetime import UTC, datetime

import polars as pl

from matching.ids import customer_ids_assigned


def _clusters(groups: dict[str, list[str]]) -> pl.DataFrame:
    rows = []
    for key, claims in groups.items():
        for claim in claims:
            day = int(claim.strip("abcdefghijklmnopqrstuvwxyz") or 1)
            rows.append((claim, key, datetime(2026, 11, day, tzinfo=UTC)))
    return pl.DataFrame(rows, schema={"claim_id": pl.String, "cluster_key": pl.String,
                                      "submitted_at": pl.Datetime("us", "UTC")}, orient="row")


def _previous(mapping: dict[str, str]) -> pl.DataFrame:
    return pl.DataFrame({"claim_id": list(mapping), "customer_id": list(mapping.values())},
                        schema={"claim_id": pl.String, "customer_id": pl.String})


def _ids(claim_customer: pl.DataFrame) -> dict[str, str]:
    return dict(zip(claim_customer["claim_id"], claim_customer["customer_id"], strict=True))


def test_first_night_issues_ids_in_order_of_first_claim():
    cc, lineage = customer_ids_assigned(
        _clusters({"x": ["c3", "c4"], "y": ["c1"], "z": ["c2"]}), _previous({}), next_number=1
    )
    assert _ids(cc) == {"c1": "C0000001", "c2": "C0000002", "c3": "C0000003", "c4": "C0000003"}
    assert lineage.is_empty()


def test_ids_survive_new_claims_and_new_customers_get_new_numbers():
    previous = _previous({"c1": "C0000001", "c2": "C0000002"})
    cc, lineage = customer_ids_assigned(
        _clusters({"a": ["c1", "c5"], "b": ["c2"], "c": ["c6"]}), previous, next_number=3
    )
    assert _ids(cc) == {"c1": "C0000001", "c5": "C0000001", "c2": "C0000002", "c6": "C0000003"}
    assert lineage.is_empty()


def test_a_merge_keeps_the_bigger_customer_and_records_the_other():
    previous = _previous({"c1": "C0000001", "c2": "C0000002", "c3": "C0000002"})
    cc, lineage = customer_ids_assigned(_clusters({"a": ["c1", "c2", "c3"]}), previous, next_number=3)
    assert set(_ids(cc).values()) == {"C0000002"}
    assert lineage.rows() == [("C0000001", "C0000002", "merged", 1)]


def test_a_split_keeps_the_id_on_the_bigger_piece_and_records_the_new_one():
    previous = _previous({"c1": "C0000001", "c2": "C0000001", "c3": "C0000001"})
    cc, lineage = customer_ids_assigned(_clusters({"a": ["c1", "c2"], "b": ["c3"]}), previous, next_number=2)
    assert _ids(cc) == {"c1": "C0000001", "c2": "C0000001", "c3": "C0000002"}
    assert lineage.rows() == [("C0000001", "C0000002", "split", 1)]


def test_a_customer_left_without_claims_is_retired():
    cc, lineage = customer_ids_assigned(
        _clusters({"a": ["c1"]}), _previous({"c1": "C0000001", "c9": "C0000009"}), next_number=10
    )
    assert _ids(cc) == {"c1": "C0000001"}
    assert lineage.rows() == [("C0000009", None, "retired", 0)]


def test_assignment_does_not_depend_on_row_order():
    clusters = _clusters({"a": ["c1", "c5"], "b": ["c2", "c3"], "c": ["c4"]})
    previous = _previous({"c1": "C0000001", "c2": "C0000001", "c3": "C0000002"})
    one = customer_ids_assigned(clusters, previous, next_number=3)
    two = customer_ids_assigned(clusters.reverse(), previous.reverse(), next_number=3)
    assert one[0].equals(two[0]) and one[1].equals(two[1])
