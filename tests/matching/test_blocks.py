"""Windows over giant blocks: small blocks pair in full, giant ones by overlapping windows that
keep the block connected, whatever the row order."""

import itertools

import polars as pl

from matching.blocks import window_columns, window_rules, with_window_keys


def _claims(n_big: int) -> pl.DataFrame:
    return pl.DataFrame({
        "claim_id": [f"C{i:04d}" for i in range(n_big + 3)],
        "name_norm": [f"华为技术有限公司{i % 3}" for i in range(n_big)] + ["小店", "小店", "别家"],
        "core_name": ["华为技术"] * n_big + ["小店", "小店", None],
        "phone": [None] * (n_big + 3),
    })


def _pairs(frame: pl.DataFrame) -> set[tuple[str, str]]:
    pairs = set()
    for key in window_columns("core_name"):
        for _, group in frame.filter(pl.col(key).is_not_null()).group_by(key):
            pairs |= set(itertools.combinations(sorted(group["claim_id"]), 2))
    return pairs


def _connected(ids: list[str], pairs: set[tuple[str, str]]) -> bool:
    parent = {i: i for i in ids}

    def root(i):
        while parent[i] != i:
            i = parent[i]
        return i

    for a, b in pairs:
        parent[root(a)] = root(b)
    return len({root(i) for i in ids}) == 1


def test_a_small_block_pairs_in_full_and_a_null_pairs_with_nothing():
    keyed = with_window_keys(_claims(5), ("core_name",), max_block=10)
    first, second = window_columns("core_name")
    small = keyed.filter(pl.col("core_name") == "小店")
    assert small[first].n_unique() == 1 and small[first].null_count() == 0 and small[second].is_null().all()
    assert keyed.filter(pl.col("core_name") == "华为技术")[first].n_unique() == 1
    assert keyed.filter(pl.col("core_name").is_null())[first].is_null().all()
    assert len(_pairs(keyed)) == 5 * 4 // 2 + 1


def test_a_giant_block_is_paired_by_overlapping_windows_and_stays_connected():
    keyed = with_window_keys(_claims(200), ("core_name",), max_block=10)
    big = keyed.filter(pl.col("core_name") == "华为技术")
    pairs = {p for p in _pairs(keyed) if p[0] in set(big["claim_id"])}
    assert len(pairs) <= 200 * 10  # not 200 * 199 / 2
    assert _connected(big["claim_id"].to_list(), pairs)
    # alike claims (same full name) sit in the same windows
    same_name = [p for p in pairs if big.filter(pl.col("claim_id").is_in(p))["name_norm"].n_unique() == 1]
    assert len(same_name) > len(pairs) * 0.8


def test_window_keys_do_not_depend_on_row_order():
    claims = _claims(60)
    ordered = with_window_keys(claims, ("core_name",), max_block=10)
    shuffled = with_window_keys(claims.sample(fraction=1.0, shuffle=True, seed=3), ("core_name",), max_block=10)
    assert ordered.equals(shuffled)


def test_rules_join_on_both_window_keys():
    assert [r["blocking_rule"] for r in window_rules(("phone",))] == [
        'l."blk_phone_a" = r."blk_phone_a"', 'l."blk_phone_b" = r."blk_phone_b"']
