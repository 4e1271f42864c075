"""Windows over giant blocks: small blocks pair in full, giant ones by overlapping windows that
keep the block connected, whatever the row order."""

import itertools
import random

import polars as pl
import pytest

from matching.blocks import window_columns, window_rules, with_window_keys, with_window_keys_reusing


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


def _night(seed: int, n: int) -> pl.DataFrame:
    """Claims in blocks of every size (a few giant), with nulls, name-shape columns and pinyin."""
    rng = random.Random(seed)
    names = ["华为技术", "小店", "腾讯", "阿里", *(f"公司{i}" for i in range(40))]
    rows = []
    for i in range(n):
        name = rng.choice(names[:4]) if rng.random() < 0.6 else rng.choice(names)
        rows.append({
            "claim_id": f"C{rng.randrange(10**6):06d}-{i}", "name_norm": name + rng.choice(["有限公司", "集团", ""]),
            "core_name": None if rng.random() < 0.05 else name, "core_pinyin": f"py{names.index(name) % 7}",
            "phone": rng.choice([None, "1", "2", "3"]), "company_email_domain": rng.choice([None, "a.cn", "b.cn"]),
            "contact_name_norm": rng.choice([None, "王", "李"]), "name_head": name[:1], "name_tail": name[-1:],
        })
    return pl.DataFrame(rows)


COLUMNS = ("core_name", "phone", "name_head", "name_tail")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_window_keys_of_untouched_blocks_carried_from_last_night_equal_keys_ranked_afresh(seed):
    """An incremental night ranks only the blocks holding a claim new, changed or gone, and takes
    last night's keys for the others: the keys equal those of ranking every block."""
    last = _night(seed, 400)
    rng = random.Random(seed)
    gone = last.sample(20, seed=seed)["claim_id"]
    changed = last.sample(15, seed=seed + 1).with_columns(pl.col("phone").reverse(), pl.col("core_name").shuffle(seed))
    tonight = pl.concat([last.filter(~pl.col("claim_id").is_in(pl.concat([gone, changed["claim_id"]]).implode())),
                         changed, _night(seed + 10, 30)]).sample(fraction=1.0, shuffle=True, seed=rng.randrange(99))
    last_keys = with_window_keys(last, COLUMNS, max_block=10)
    touched_ids = pl.concat([changed["claim_id"], tonight["claim_id"].filter(~tonight["claim_id"].is_in(
        last["claim_id"].implode()))])
    before = last.filter(pl.col("claim_id").is_in(pl.concat([gone, changed["claim_id"]]).implode()))
    touched = {c: pl.concat([tonight.filter(pl.col("claim_id").is_in(touched_ids.implode()))[c], before[c]])
               .drop_nulls().unique() for c in COLUMNS}
    keys = [k for c in COLUMNS for k in window_columns(c)]
    earlier = tonight.sort("claim_id").select("claim_id").join(
        last_keys.filter(~pl.col("claim_id").is_in(touched_ids.implode())).select("claim_id", *keys),
        on="claim_id", how="left", maintain_order="left").drop("claim_id")
    assert earlier.height == tonight.height and earlier[keys[0]].null_count() >= touched_ids.len()
    assert with_window_keys_reusing(tonight, COLUMNS, earlier, touched, max_block=10).equals(
        with_window_keys(tonight, COLUMNS, max_block=10))
