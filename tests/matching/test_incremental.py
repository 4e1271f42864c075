"""The pieces of an incremental night (matching.incremental) on small hand-made frames."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import polars as pl
import pytest

from matching.incremental import (
    RETENTION_MARGIN_BITS,
    blocks_touched,
    claims_affected,
    claims_of_rarer_values,
    claims_touched,
    links_changed,
    matching_fingerprint,
    pairs_retained,
    positions_carried,
    retention_probability,
    rows_changed,
    term_frequency_drift,
    window_keys_replaced,
)


def _prepared(rows: list[tuple[str, str | None, str | None]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema={"claim_id": pl.String, "core_name": pl.String, "phone": pl.String},
                        orient="row")


def _pairs(rows: list[tuple[str, str]], forced: bool = False) -> pl.DataFrame:
    return pl.DataFrame(rows, schema={"claim_id_l": pl.String, "claim_id_r": pl.String}, orient="row").with_columns(
        pl.lit(forced).alias("is_forced"))


def test_new_changed_and_partners_of_gone_claims_are_touched():
    previous = _prepared([("a", "华为", "1"), ("b", "华为", None), ("c", "小米", "2"), ("d", "小米", None),
                          ("e", "联想", None)])
    tonight = _prepared([("a", "华为", "1"), ("b", "华为", None), ("c", "小米", "9"), ("e", "联想", None),
                         ("f", "联想", None)])
    # last night's pairs by their claims' positions among a b c d e
    pairs = pl.DataFrame({"pos_l": [0, 2, 3], "pos_r": [1, 3, 4]}, schema={"pos_l": pl.UInt32, "pos_r": pl.UInt32})
    # c changed, f is new, d is gone: e was paired with d
    touched, gone = claims_touched(tonight, previous, pairs, previous["claim_id"].sort())
    assert touched.to_list() == ["c", "e", "f"]
    assert sorted(gone["claim_id"]) == ["c", "d"]  # c's old row, and d
    # the blocks to pair again: those of a touched claim, and those a gone claim was in
    blocks = blocks_touched(tonight, touched, gone, ["core_name", "phone"])
    assert blocks["core_name"].to_list() == ["小米", "联想"]
    assert blocks["phone"].to_list() == ["2", "9"]


def test_positions_map_last_nights_untouched_claims_to_tonights():
    # last night a b c d e; tonight a b c e f g with c touched, d gone, f and g new
    tonight_of_last, last_of_tonight = positions_carried(
        pl.Series(["a", "b", "c", "d", "e"]), pl.Series(["0", "a", "b", "c", "e", "f"]), pl.Series(["c", "f"]))
    assert tonight_of_last.to_list() == [1, 2, None, None, 4]
    assert last_of_tonight.to_list() == [None, 0, 1, None, 4, None]


def test_retained_pairs_are_those_between_untouched_claims_still_present():
    pairs = pl.concat([_pairs([("a", "b"), ("a", "c")]), _pairs([("b", "d"), ("b", "e")], forced=True)])
    # their positions last night, among a b c d e
    pairs = pairs.with_columns(pl.Series("pos_l", [0, 0, 1, 1], dtype=pl.UInt32),
                               pl.Series("pos_r", [1, 2, 3, 4], dtype=pl.UInt32))
    tonight_of_last, _ = positions_carried(pl.Series(["a", "b", "c", "d", "e"]), pl.Series(["a", "b", "c", "e"]),
                                           pl.Series(["c"]))
    kept = pairs_retained(pairs, tonight_of_last)
    assert kept.select("claim_id_l", "claim_id_r", "_l", "_r").rows() == [("a", "b", 0, 1), ("b", "e", 1, 3)]
    assert kept.columns == [*pairs.columns, "_l", "_r"]


def test_retention_floor_is_the_margin_below_the_review_floor():
    floor = retention_probability(0.5)
    assert math.isclose(math.log2(floor / (1 - floor)), -RETENTION_MARGIN_BITS)
    assert retention_probability(0.8) < 0.8


def test_term_frequency_drift_is_how_far_a_shared_values_frequency_fell():
    previous = _prepared([(str(i), "华为" if i < 2 else None, None) for i in range(4)])
    tonight = _prepared([(str(i), "华为" if i < 2 else "小米", None) for i in range(8)])
    # 华为: 2 of 2 named claims before, 2 of 8 tonight: its frequency fell four times, 2 bits
    assert term_frequency_drift(tonight, previous, ["core_name"]) == pytest.approx(2.0)
    assert term_frequency_drift(previous, previous, ["core_name"]) == 0.0
    assert term_frequency_drift(tonight, previous, ["phone"]) == 0.0  # no value at all


def test_a_value_fewer_claims_carry_touches_its_claims_instead_of_adding_to_the_drift():
    previous = _prepared([(str(i), "华为" if i < 3 else "小米", None) for i in range(6)])
    # one 华为 claim corrected to 小米: 华为 3 → 2 claims (its frequency fell 0.58 bits), 小米 3 → 4
    tonight = _prepared([(str(i), "华为" if i < 2 else "小米", None) for i in range(6)])
    assert claims_of_rarer_values(tonight, previous, ["core_name"]).to_list() == ["0", "1"]
    assert term_frequency_drift(tonight, previous, ["core_name"]) == 0.0  # 小米 is more common, not rarer
    gone = _prepared([(str(i), "华为" if i < 3 else "小米", None) for i in range(5)])  # a 小米 claim deleted
    assert claims_of_rarer_values(gone, previous, ["core_name"]).to_list() == ["3", "4"]
    assert claims_of_rarer_values(previous, previous, ["core_name", "phone"]).is_empty()


def _claims(ids: list[str], names: dict[str, str] | None = None) -> pl.DataFrame:
    names = names or {}
    return pl.DataFrame({"claim_id": ids, "name_norm": [names.get(i) for i in ids],
                         "region": [None] * len(ids), "credit_code_norm": [None] * len(ids)},
                        schema={"claim_id": pl.String, "name_norm": pl.String, "region": pl.String,
                                "credit_code_norm": pl.String})


def test_affected_claims_reach_every_customer_a_link_leads_to_and_no_other():
    claims = _claims(["a1", "a2", "b1", "b2", "c1", "n"])
    previous = pl.DataFrame({"claim_id": ["a1", "a2", "b1", "b2", "c1"], "customer_id": ["A", "A", "B", "B", "C"]})
    # the new claim n links to b2 only; B's claims come along, A and C stay as they are
    links = _pairs([("a1", "a2"), ("b1", "b2"), ("b2", "n")])
    assert claims_affected(claims, links, previous, pl.Series(["n"])).to_list() == ["b1", "b2", "n"]
    # a link left from before between A and B (held apart by names) pulls A in too
    links = _pairs([("a1", "a2"), ("b1", "b2"), ("b2", "n"), ("a2", "b1")])
    assert claims_affected(claims, links, previous, pl.Series(["n"])).to_list() == ["a1", "a2", "b1", "b2", "n"]
    # as do a reviewer's must-link and one written name shared with C (clustered as one unit)
    named = _claims(["a1", "a2", "b1", "b2", "c1", "n"], {"n": "小米科技有限责任公司", "c1": "小米科技有限责任公司"})
    got = claims_affected(named, _pairs([]), previous, pl.Series(["n"]), must_link=[("n", "a1")])
    assert got.to_list() == ["a1", "a2", "c1", "n"]


def test_the_fingerprint_changes_with_the_model_and_the_thresholds():
    base = matching_fingerprint('{"m": 1}', (0.8, 0.5, False))
    assert base == matching_fingerprint('{"m": 1}', (0.8, 0.5, False))
    assert base != matching_fingerprint('{"m": 2}', (0.8, 0.5, False))
    assert base != matching_fingerprint('{"m": 1}', (0.8, 0.4, False))


def test_links_changed_are_the_claims_of_links_made_or_lost_or_no_longer_held_alike_by_the_names():
    def links(rows: list[tuple[str, str, bool]]) -> pl.DataFrame:
        return pl.DataFrame(rows, schema={"claim_id_l": pl.String, "claim_id_r": pl.String,
                                          "exempt_from_names": pl.Boolean}, orient="row")

    before = links([("a", "b", False), ("c", "d", False), ("f", "g", True)])
    tonight = links([("a", "b", False), ("d", "e", False), ("f", "g", False)])
    assert links_changed(before, tonight).to_list() == ["c", "d", "e", "f", "g"]


def test_links_compared_by_position_give_the_claims_ids_give_and_a_touched_claims_links_count_as_lost():
    def links(rows: list[tuple[str, str, bool, int | None, int | None]]) -> pl.DataFrame:
        return pl.DataFrame(rows, schema={"claim_id_l": pl.String, "claim_id_r": pl.String,
                                          "exempt_from_names": pl.Boolean, "pos_l": pl.UInt32, "pos_r": pl.UInt32},
                            orient="row")

    # tonight's positions: a 0, b 1, d 2, e 3, f 4, g 5, h 6, k 7 (c is gone; h was touched)
    before = links([("a", "b", False, 0, 1), ("c", "d", False, None, 2), ("f", "g", True, 4, 5),
                    ("h", "k", False, None, 7)])
    tonight = links([("a", "b", False, 0, 1), ("d", "e", False, 2, 3), ("f", "g", False, 4, 5),
                     ("h", "k", False, 6, 7)])
    assert links_changed(before, tonight).to_list() == ["c", "d", "e", "f", "g", "h", "k"]
    by_id = links_changed(before.drop("pos_l", "pos_r"), tonight.drop("pos_l", "pos_r"))
    assert by_id.to_list() == ["c", "d", "e", "f", "g"]  # h and k: a touched claim is a seed anyway


def test_rows_changed_are_the_new_the_changed_and_the_gone_whatever_the_time_zones_spelling():
    at = datetime(2026, 11, 25, 8, tzinfo=UTC)
    last = pl.DataFrame({"claim_id": ["a", "b", "c", "d"], "phone": ["1", "2", None, "4"],
                         "submitted_at": [at] * 4}).with_columns(pl.col("submitted_at").dt.convert_time_zone("Etc/UTC"))
    tonight = pl.DataFrame({"claim_id": ["a", "b", "c", "e"], "phone": ["1", "9", None, "5"], "submitted_at": [at] * 4})
    assert rows_changed(tonight, last, "claim_id").to_list() == ["b", "d", "e"]
    assert rows_changed(tonight, tonight.sample(fraction=1.0, shuffle=True, seed=1), "claim_id").is_empty()
    assert rows_changed(tonight.drop("phone"), last, "claim_id") is None


def test_window_keys_replaced_are_the_touched_the_gone_and_the_claims_moved_to_another_window():
    keys = {"blk_phone_a": pl.UInt64, "blk_phone_b": pl.UInt64}
    tonight = pl.DataFrame({"claim_id": ["a", "b", "c", "d", "n"], "blk_phone_a": [1, 2, None, 4, 5],
                            "blk_phone_b": [None, 7, None, 8, None]}, schema={"claim_id": pl.String, **keys})
    # last night's keys row for row: `b` moved to another window, `c` had no keys either night,
    # `d` was touched tonight and `n` is new (null rows)
    earlier = pl.DataFrame({"blk_phone_a": [1, 2, None, None, None], "blk_phone_b": [None, 6, None, None, None]},
                           schema=keys)
    assert window_keys_replaced(tonight, earlier, pl.Series(["d", "gone", "n"])).to_list() == ["b", "d", "gone", "n"]
    assert window_keys_replaced(tonight, tonight.drop("claim_id"), pl.Series([], dtype=pl.String)).is_empty()


def test_a_full_rebuild_says_which_part_of_the_fingerprint_changed():
    from flows.matching_plan import _what_changed
    from matching.incremental import code_fingerprint

    last = {"code_fingerprint": code_fingerprint(), "model_fingerprint": "m1"}
    assert "policy.yaml" in _what_changed(last, "m1")
    assert "model changed" in _what_changed(last, "m2")
    assert "code changed" in _what_changed(last | {"code_fingerprint": "older"}, "m1")
    assert "model or thresholds" in _what_changed(last | {"model_fingerprint": None}, "m1")
