"""Pairs the link rules need whatever the model's probability, found and scored cheaply.

Splink only returns pairs at or above the review floor, but the rules in `matching.links` link on
a shared credit code, an identical core name, a listed company's known name, a one-character slip
and an English name meeting its pinyin, however low the model scores them (other phones, other
contacts). Scoring every pair of those blocks through Splink a second time cost more than the
whole night's matching; so:
- *chains*: the claims sharing a credit code, a core name or an alias key only need to be
  connected, not paired with each other: sorted by region and name, each is paired with the next
  (n - 1 pairs per block; a change of region breaks the chain exactly where the rules would);
- *slips*: in the small windows of the name-shape keys (`matching.blocks`), only the pairs whose
  core names are one edit apart, one the prefix of the other, or one English and one Chinese;
- *one character added, dropped or replaced in a short trade name* (安妮 / 安许妮, 荣安 / 荣暖安)
  changes both name-shape keys; so the distinct trade names are keyed by themselves and by each
  way of dropping one character (a deletion neighbourhood), and one claim per distinct core name
  and region is paired with those whose core names are one edit apart;
- they are returned as claim positions and scored in the same query as the blocked pairs
  (`matching.predict`), kept whatever their probability, with `forced_by`: one bit per rule that
  asked for the pair (RULE_BITS).

The chains and slips of a block depend on its claims alone: an incremental night searches only
the blocks a new, changed or removed claim touched, and carries the other blocks' pairs over from
the last night by their bits (`carried_rule_bits`). The deletion pairs are found in full: a new
name can change a group's representative or push a key past MAX_DELETION_BLOCK.
"""

from __future__ import annotations

from functools import reduce

import duckdb
import polars as pl

from matching.blocks import window_key_names
from matching.prepare import UNIQUE_ID

CHAIN_COLUMNS = ("credit_code_norm", "core_name", "alias_key")
SLIP_COLUMNS = ("name_head", "name_tail")
_CHAIN_ORDER = ("region", "name_norm", UNIQUE_ID)
# identical core names are the chains' (l.core_name <> r.core_name); the edit distance, the costly
# test, only for names whose lengths allow a distance of one
SLIP_SQL = (
    "l.core_name <> r.core_name and (l.is_latin_name <> r.is_latin_name "
    "or starts_with(l.core_name, r.core_name) or starts_with(r.core_name, l.core_name) "
    "or (abs(length(l.core_name) - length(r.core_name)) <= 1 and levenshtein(l.core_name, r.core_name) <= 1))"
)
# the columns whose blocks the chains and slips search, each with its bit of `forced_by`
RULE_BITS = {"credit_code_norm": 1, "core_name": 2, "alias_key": 4, "name_head": 8, "name_tail": 16}
DELETION_BIT = 32
# a claim's position: its row in the claims sorted by claim id (`matching.blocks.with_window_keys`)
POSITION = "_pos"
PAIR_SCHEMA = pl.Schema({"_l": pl.UInt32, "_r": pl.UInt32, "forced_by": pl.UInt8})


def chain_pairs(claims: pl.DataFrame, column: str) -> pl.DataFrame:
    """Each claim paired with the next of its `column` block (sorted by region, name, claim id),
    as positions."""
    ordered = claims.filter(pl.col(column).is_not_null()).sort([column, *_CHAIN_ORDER], nulls_last=True)
    nxt = pl.col(POSITION).shift(-1).over(column)
    return (
        ordered.select(pl.col(POSITION).alias("a"), nxt.alias("b"))
        .drop_nulls()
        .select(pl.min_horizontal("a", "b").alias("_l"), pl.max_horizontal("a", "b").alias("_r"),
                pl.lit(RULE_BITS[column]).alias("forced_by"))
        .cast(PAIR_SCHEMA)
    )


def slip_pairs(claims: pl.DataFrame, column: str, con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Pairs sharing a window of the name-shape key `column` whose names are a slip or a
    translation apart."""
    keys = window_key_names((column,))
    con.register("_slip_claims", claims.select(POSITION, "core_name", "is_latin_name", *keys))
    try:
        selects = " union ".join(
            f"select l.{POSITION} as _l, r.{POSITION} as _r, {RULE_BITS[column]} as forced_by from _slip_claims l "
            f"join _slip_claims r on l.{key} = r.{key} and l.{POSITION} < r.{POSITION} where {SLIP_SQL}"
            for key in keys
        )
        return con.sql(selects).pl().cast(PAIR_SCHEMA)
    finally:
        con.unregister("_slip_claims")


MIN_DELETION_CHARS = 3
MAX_DELETION_CHARS = 8
# a key shared by more distinct names than this is a common pair of characters, not a slip
MAX_DELETION_BLOCK = 50


def _deletion_keys(trades: pl.Series) -> pl.DataFrame:
    """(`trade_name`, `key`): each trade name keyed by itself and, if it has MIN_DELETION_CHARS to
    MAX_DELETION_CHARS characters, by each way of dropping one of them."""
    frame = pl.DataFrame({"trade_name": trades}).with_columns(pl.col("trade_name").str.len_chars().alias("_n"))
    deletable = pl.col("_n").is_between(MIN_DELETION_CHARS, MAX_DELETION_CHARS)
    name = pl.col("trade_name")
    drops = [frame.filter(deletable & (pl.col("_n") > i)).select(
        "trade_name", (name.str.slice(0, i) + name.str.slice(i + 1)).alias("key")) for i in range(MAX_DELETION_CHARS)]
    return pl.concat([frame.select("trade_name", name.alias("key")), *drops]).unique()


def deletion_pairs(claims: pl.DataFrame, con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """One claim per distinct Chinese core name and region, paired with another whose trade name
    is one deletion away from its own (or shares a deletion) and whose core is one edit away."""
    chinese = claims.filter(~pl.col("is_latin_name").fill_null(True) & pl.col("trade_name").is_not_null())
    representatives = chinese.group_by("core_name", "region").agg(
        pl.col(POSITION).min(), pl.col("trade_name").first())
    keys = _deletion_keys(representatives["trade_name"].unique())
    keyed = representatives.join(keys, on="trade_name").filter(pl.len().over("key") <= MAX_DELETION_BLOCK)
    con.register("_deletion_keys", keyed.select(POSITION, "core_name", "key"))
    try:
        return con.sql(
            f"select distinct l.{POSITION} as _l, r.{POSITION} as _r, {DELETION_BIT} as forced_by "
            f"from _deletion_keys l join _deletion_keys r on l.key = r.key and l.{POSITION} < r.{POSITION} "
            "where l.core_name <> r.core_name and abs(length(l.core_name) - length(r.core_name)) <= 1 "
            "and levenshtein(l.core_name, r.core_name) <= 1"
        ).pl().cast(PAIR_SCHEMA)
    finally:
        con.unregister("_deletion_keys")


def rule_pairs(windowed: pl.DataFrame, con: duckdb.DuckDBPyConnection,
               searched: pl.DataFrame | None = None) -> pl.DataFrame:
    """The chain, slip and deletion pairs of `windowed` (claims sorted by claim id, with the
    window keys of SLIP_COLUMNS) as distinct positions `_l` < `_r`, with the bits of the rules
    that asked for each (`forced_by`). `searched` (row for row with `windowed`, one boolean per
    column of RULE_BITS) limits the chains and slips to the blocks of the claims it marks."""
    claims = windowed.with_row_index(POSITION)

    def block_of(column: str) -> pl.DataFrame:
        return claims if searched is None else claims.filter(searched[column])

    return pl.concat(
        [*(chain_pairs(block_of(column), column) for column in CHAIN_COLUMNS),
         *(slip_pairs(block_of(column), column, con) for column in SLIP_COLUMNS), deletion_pairs(claims, con)],
        how="vertical",
    ).group_by("_l", "_r").agg(pl.col("forced_by").bitwise_or())


def carried_rule_bits(left: pl.Series, forced_by: pl.Series, searched: pl.DataFrame) -> pl.Series:
    """Of each kept pair's `forced_by` (from an earlier night, between two untouched claims), the
    chain and slip bits whose block is not searched again tonight: the pair is still that rule's.
    Both claims of a chain or slip pair share the rule's value, so the block is found through the
    claim at position `left`; `searched` is what `rule_pairs` takes."""
    unsearched = [pl.when(searched[column].gather(left)).then(0).otherwise(bit)
                  for column, bit in RULE_BITS.items()]
    mask = pl.select(reduce(lambda a, b: a | b, unsearched).cast(pl.UInt8)).to_series()
    return (forced_by.cast(pl.UInt8) & mask).alias("_carried")
