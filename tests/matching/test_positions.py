"""A pair's claims are looked up by position when the per-claim frame is the night's claims in id
order, by id otherwise, with the same result."""

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.positions import both_sides

CLAIMS = pl.DataFrame({"claim_id": ["a", "b", "c", "d"], "customer_id": ["C1", "C1", "C2", None],
                       "region": ["北京", None, "上海", "广州"]})


def _pairs(ends: list[tuple[int, int]]) -> pl.DataFrame:
    ids = CLAIMS["claim_id"]
    return pl.DataFrame({"claim_id_l": [ids[left] for left, _ in ends], "claim_id_r": [ids[right] for _, right in ends],
                         "pos_l": [left for left, _ in ends], "pos_r": [right for _, right in ends]},
                        schema={"claim_id_l": pl.String, "claim_id_r": pl.String, "pos_l": pl.UInt32,
                                "pos_r": pl.UInt32})


def test_sides_gathered_by_position_are_each_claims_own_row():
    sides = both_sides(_pairs([(0, 2), (1, 3)]), CLAIMS, ["customer_id", "region"])
    assert sides.columns == ["customer_id_l", "region_l", "customer_id_r", "region_r"]
    assert sides.rows() == [("C1", "北京", "C2", "上海"), ("C1", None, None, "广州")]


def test_a_frame_of_other_claims_is_joined_by_id_and_a_missing_claim_is_null():
    # positions count the night's four claims; this frame lacks "a", so its rows are shifted
    subset = CLAIMS.filter(pl.col("claim_id") != "a")
    sides = both_sides(_pairs([(0, 2), (2, 3)]), subset, ["customer_id"])
    assert sides.rows() == [(None, "C2"), ("C2", None)]


def test_pairs_without_positions_are_joined_by_id():
    pairs = pl.DataFrame({"claim_id_l": ["c", "a"], "claim_id_r": ["d", "b"]})
    assert both_sides(pairs, CLAIMS, ["customer_id"]).rows() == [("C2", None), ("C1", "C1")]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3)).filter(lambda e: e[0] < e[1]), max_size=12),
       st.permutations(range(4)))
def test_gathering_and_joining_agree(ends, order):
    pairs = _pairs(ends)
    shuffled = CLAIMS[list(order)]  # the same claims out of id order: joined
    assert both_sides(pairs, CLAIMS, ["customer_id", "region"]).equals(
        both_sides(pairs, shuffled, ["customer_id", "region"]))
