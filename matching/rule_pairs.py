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

An incremental night carries last night's rule pairs between untouched claims over by their bits
(`carried_rule_bits`), and searches again only where they may differ:
- a chain depends on its block's claims alone: only the blocks holding a new, changed or removed
  claim are chained again; the others' chain bits are carried;
- a slip depends on its two claims and their sharing a window: only the claims whose window key is
  new tonight (a new or changed claim, or one a new claim moved to another window) are joined to
  their windows; two claims that both kept the key shared it last night, and a kept pair keeps its
  slip bits while its claims still share a window;
- the deletion pairs are found in full: a new name can change a group's representative or push a
  key past MAX_DELETION_BLOCK.
"""

from __future__ import annotations

from functools import reduce

import duckdb
import polars as pl

from matching.blocks import moved_pairs_sql, window_key_names
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


def slip_pairs(claims: pl.DataFrame, column: str, con: duckdb.DuckDBPyConnection,
               earlier: pl.DataFrame | None = None) -> pl.DataFrame:
    """Pairs sharing a window of the name-shape key `column` whose names are a slip or a
    translation apart; with `earlier` (row for row with `claims`, last night's window keys of
    `column`, null for a touched claim), only those with a claim whose key is new tonight."""
    keys = window_key_names((column,))
    frame = claims.select(POSITION, "core_name", "is_latin_name", *keys)
    if earlier is None:
        joins = [f"select l.{POSITION} as _l, r.{POSITION} as _r from _slip_claims l join _slip_claims r "
                 f"on l.{key} = r.{key} and l.{POSITION} < r.{POSITION} where {SLIP_SQL}" for key in keys]
    else:  # the names' test is symmetric: a moved claim on the left, the other on either side
        frame = frame.hstack(earlier.select(pl.col(key).alias(f"_was_{key}") for key in keys))
        joins = [moved_pairs_sql("_slip_claims", "_slip_claims", key, f"_was_{key}", SLIP_SQL) for key in keys]
    con.register("_slip_claims", frame)
    try:
        pairs = con.sql(" union ".join(joins)).pl()
        return pairs.with_columns(pl.lit(RULE_BITS[column]).alias("forced_by")).cast(PAIR_SCHEMA)
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


def rule_pairs(windowed: pl.DataFrame, con: duckdb.DuckDBPyConnection, searched: pl.DataFrame | None = None,
               earlier: pl.DataFrame | None = None) -> pl.DataFrame:
    """The chain, slip and deletion pairs of `windowed` (claims sorted by claim id, with the
    window keys of SLIP_COLUMNS) as distinct positions `_l` < `_r`, with the bits of the rules
    that asked for each (`forced_by`). An incremental night passes, row for row with `windowed`,
    `searched` (one boolean per column of CHAIN_COLUMNS: the claims whose blocks are chained
    again) and `earlier` (last night's window keys of SLIP_COLUMNS, null for a touched claim)."""
    claims = windowed.with_row_index(POSITION)

    def block_of(column: str) -> pl.DataFrame:
        return claims if searched is None else claims.filter(searched[column])

    return pl.concat(
        [*(chain_pairs(block_of(column), column) for column in CHAIN_COLUMNS),
         *(slip_pairs(claims, column, con, None if earlier is None else earlier.select(window_key_names((column,))))
           for column in SLIP_COLUMNS),
         deletion_pairs(claims, con)],
        how="vertical",
    ).group_by("_l", "_r").agg(pl.col("forced_by").bitwise_or())


def carried_rule_bits(pairs: pl.DataFrame, windowed: pl.DataFrame, searched: pl.DataFrame) -> pl.Series:
    """Of each kept pair's `forced_by` (`pairs`: from an earlier night, between two untouched
    claims, at positions `_l`, `_r` of `windowed`), the bits of the rules still asking for it
    without a search: a chain's whose block is not chained again (`searched`, as `rule_pairs`
    takes it; both claims share the chained value, so the block is found through the claim at
    `_l`), and a slip's while the two claims still share a window of its key."""
    left, right = pairs["_l"], pairs["_r"]
    chained = [pl.when(searched[column].gather(left)).then(0).otherwise(RULE_BITS[column])
               for column in CHAIN_COLUMNS]
    slipped = [pl.when(pl.any_horizontal([(windowed[key].gather(left) == windowed[key].gather(right)).fill_null(False)
                                          for key in window_key_names((column,))]))
               .then(RULE_BITS[column]).otherwise(0) for column in SLIP_COLUMNS]
    mask = pl.select(reduce(lambda a, b: a | b, [*chained, *slipped]).cast(pl.UInt8)).to_series()
    return (pairs["forced_by"].cast(pl.UInt8) & mask).alias("_carried")
