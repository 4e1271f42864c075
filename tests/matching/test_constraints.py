from datetime import UTC, datetime

import polars as pl

from matching.constraints import constraints_from_decisions, decisions_latest


def _decisions(rows):
    return pl.DataFrame(rows, schema={
        "decision_id": pl.String, "kind": pl.String, "claim_id_a": pl.String, "claim_id_b": pl.String,
        "decision": pl.String, "decided_at": pl.Datetime("us", "UTC"),
    }, orient="row")


def _at(day):
    return datetime(2026, 11, day, tzinfo=UTC)


def test_pairs_and_claims_become_must_cannot_links_and_isolation():
    constraints = constraints_from_decisions(_decisions([
        ("D1", "pair", "b", "a", "same", _at(1)),
        ("D2", "pair", "c", "d", "different", _at(2)),
        ("D3", "claim", "e", None, "different", _at(3)),
        ("D4", "appeal", "f", None, "overturn", _at(4)),
    ]))
    assert constraints.must_link == (("a", "b"),)
    assert constraints.cannot_link == (("c", "d"),)
    assert constraints.isolated == ("e",)


def test_the_later_decision_on_a_pair_stands_whatever_the_file_order():
    rows = [
        ("D1", "pair", "a", "b", "same", _at(1)),
        ("D2", "pair", "b", "a", "different", _at(5)),
    ]
    for ordered in (rows, rows[::-1]):
        latest = decisions_latest(_decisions(ordered))
        assert latest.select("decision_id", "decision").rows() == [("D2", "different")]
        assert constraints_from_decisions(_decisions(ordered)).cannot_link == (("a", "b"),)
