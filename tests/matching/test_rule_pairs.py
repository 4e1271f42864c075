"""The link rules' pairs (`matching.rule_pairs`): which rules ask for a pair, and an incremental
night's search of the touched blocks only, with the other blocks' pairs carried over."""

import random

import duckdb
import polars as pl

from matching.blocks import window_key_names
from matching.model import window_keyed
from matching.prepare import claims_for_matching
from matching.rule_pairs import CHAIN_COLUMNS, DELETION_BIT, RULE_BITS, SLIP_COLUMNS, carried_rule_bits, rule_pairs
from transforms.standardise import standardise_claims

COLUMNS = ("claim_id", "company_name", "contact_name", "phone", "email", "website", "credit_code")
# trade names one slip, one added character or one translation apart, in a few cities and trades
TRADES = ["华信", "华新", "华信达", "安妮", "安许妮", "荣安", "荣暖安", "字节跳动", "字节跳栋", "远景", "远影",
          "Huaxin", "Anni"]
CITIES = ["北京", "上海", "广州", "深圳"]
INDUSTRIES = ["科技", "贸易", "物流"]
CODES = ["914403001922038216", "91110000802100433B"]


def _claims(count: int, seed: int) -> pl.DataFrame:
    rng = random.Random(seed)
    rows = []
    for i in range(count):
        trade = rng.choice(TRADES)
        name = (f"{trade} {rng.choice(['Technology', 'Trading'])} Co., Ltd." if trade.isascii()
                else f"{rng.choice(CITIES)}{trade}{rng.choice(INDUSTRIES)}有限公司")
        code = rng.choice(CODES) if rng.random() < 0.1 else None
        rows.append((f"C{i:04d}", name, None, None, None, None, code))
    return pl.DataFrame(rows, schema=dict.fromkeys(COLUMNS, pl.String), orient="row")


def _windowed(raw: pl.DataFrame) -> pl.DataFrame:
    return window_keyed(claims_for_matching(standardise_claims(raw)))


def _by_ids(pairs: pl.DataFrame, windowed: pl.DataFrame) -> pl.DataFrame:
    ids = windowed["claim_id"]
    return pl.DataFrame({"claim_id_l": ids.gather(pairs["_l"]), "claim_id_r": ids.gather(pairs["_r"]),
                         "forced_by": pairs["forced_by"]}).sort("claim_id_l", "claim_id_r")


def test_each_pair_carries_the_bits_of_the_rules_asking_for_it():
    raw = pl.DataFrame([("a", "北京华信科技有限公司", None, None, None, None, CODES[0]),
                        ("b", "北京华信科技有限公司", None, None, None, None, CODES[0]),
                        ("c", "北京华新科技有限公司", None, None, None, None, None),
                        ("d", "上海远景贸易有限公司", None, None, None, None, None)],
                       schema=dict.fromkeys(COLUMNS, pl.String), orient="row")
    windowed = _windowed(raw)
    pairs = _by_ids(rule_pairs(windowed, duckdb.connect()), windowed)
    bits = {(row["claim_id_l"], row["claim_id_r"]): row["forced_by"] for row in pairs.iter_rows(named=True)}
    # same code and same core name: two chains; 华信 / 华新, a slip: one of the name-shape windows
    assert bits[("a", "b")] & (RULE_BITS["credit_code_norm"] | RULE_BITS["core_name"]) == 3
    assert bits[("b", "c")] & (RULE_BITS["name_head"] | RULE_BITS["name_tail"] | DELETION_BIT)
    assert not any("d" in pair for pair in bits)


def test_an_incremental_night_finds_the_full_nights_rule_pairs_searching_only_where_they_may_differ():
    """Last night had every claim but tonight's new ones, and some claims removed tonight. Tonight
    chains again the blocks those touch, joins to their windows the claims whose slip window moved,
    and carries last night's pairs between untouched claims by the bits of their untouched blocks
    and shared windows: exactly the pairs, and bits, of a full search."""
    everything = _claims(160, seed=3)
    is_new = pl.int_range(pl.len()) % 16 == 0
    is_removed = pl.int_range(pl.len()) % 23 == 3
    last, tonight = _windowed(everything.filter(~is_new)), _windowed(everything.filter(~is_removed))
    con = duckdb.connect()
    full = _by_ids(rule_pairs(tonight, con), tonight)

    changed = pl.concat([tonight.filter(pl.col("claim_id").is_in(everything.filter(is_new)["claim_id"].implode())),
                         last.filter(~pl.col("claim_id").is_in(tonight["claim_id"].implode()))])
    searched = tonight.select(pl.col(c).is_in(changed[c].drop_nulls().implode()).fill_null(False)
                              for c in CHAIN_COLUMNS)
    slip_keys = window_key_names(SLIP_COLUMNS)
    earlier = tonight.select("claim_id").join(last.select("claim_id", *slip_keys), on="claim_id", how="left",
                                              maintain_order="left").drop("claim_id")
    position = tonight.select("claim_id", pl.int_range(pl.len(), dtype=pl.UInt32).alias("_pos"))
    untouched = position.filter(~pl.col("claim_id").is_in(changed["claim_id"].implode()))
    stored = (_by_ids(rule_pairs(last, con), last)
              .join(untouched.rename({"claim_id": "claim_id_l", "_pos": "_l"}), on="claim_id_l")
              .join(untouched.rename({"claim_id": "claim_id_r", "_pos": "_r"}), on="claim_id_r"))
    carried = stored.select("_l", "_r", carried_rule_bits(stored, tonight, searched).alias("forced_by")).filter(
        pl.col("forced_by") != 0)
    found = rule_pairs(tonight, con, searched, earlier)
    incremental = pl.concat([found, carried]).group_by("_l", "_r").agg(pl.col("forced_by").bitwise_or())

    assert _by_ids(incremental, tonight).equals(full)
    # the test means something: blocks were left unchained, windows unsearched, their pairs carried
    assert 0 < searched["core_name"].sum() < tonight.height
    moved = pl.any_horizontal(earlier[k].ne_missing(tonight[k]) for k in slip_keys)
    assert 0 < tonight.select(moved).to_series().sum() < tonight.height
    assert carried.filter((pl.col("forced_by") & RULE_BITS["name_head"]) != 0).height > 0
    assert found.filter((pl.col("forced_by") & RULE_BITS["core_name"]) != 0).height > 0
    assert full.height > 50
