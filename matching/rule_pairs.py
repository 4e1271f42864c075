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
- each such pair is then scored by `matching.scoring.PairScorer`, which computes what Splink's
  `predict` computes from the same model.
"""

from __future__ import annotations

import duckdb
import polars as pl

from matching.blocks import window_columns
from matching.prepare import UNIQUE_ID
from matching.scoring import PairScorer, compared_columns, scoring_model, term_frequencies

CHAIN_COLUMNS = ("credit_code_norm", "core_name", "alias_key")
SLIP_COLUMNS = ("name_head", "name_tail")
_CHAIN_ORDER = ("region", "name_norm", UNIQUE_ID)
# identical core names are the chains' (l.core_name <> r.core_name)
SLIP_SQL = (
    "l.core_name <> r.core_name and (l.is_latin_name <> r.is_latin_name "
    "or levenshtein(l.core_name, r.core_name) <= 1 "
    "or starts_with(l.core_name, r.core_name) or starts_with(r.core_name, l.core_name))"
)
_TF_COLUMN = "core_name"


def chain_pairs(prepared: pl.DataFrame, column: str) -> pl.DataFrame:
    """Each claim paired with the next of its `column` block (sorted by region, name, claim id)."""
    ordered = prepared.filter(pl.col(column).is_not_null()).sort([column, *_CHAIN_ORDER], nulls_last=True)
    nxt = pl.col(UNIQUE_ID).shift(-1).over(column)
    return (
        ordered.select(pl.col(UNIQUE_ID).alias("a"), nxt.alias("b"))
        .drop_nulls()
        .select(pl.min_horizontal("a", "b").alias("claim_id_l"), pl.max_horizontal("a", "b").alias("claim_id_r"))
    )


def slip_pairs(windowed: pl.DataFrame, con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Pairs sharing a window of a name-shape key whose names are a slip or a translation apart."""
    keys = [key for column in SLIP_COLUMNS for key in window_columns(column)]
    columns = [UNIQUE_ID, "core_name", "is_latin_name", *keys]
    con.register("_slip_claims", windowed.select(columns))
    try:
        selects = " union ".join(
            f"select l.{UNIQUE_ID} as claim_id_l, r.{UNIQUE_ID} as claim_id_r from _slip_claims l "
            f"join _slip_claims r on l.{key} = r.{key} and l.{UNIQUE_ID} < r.{UNIQUE_ID} where {SLIP_SQL}"
            for key in keys
        )
        return pl.DataFrame(con.sql(selects).pl())
    finally:
        con.unregister("_slip_claims")


MIN_DELETION_CHARS = 3
MAX_DELETION_CHARS = 8
# a key shared by more distinct names than this is a common pair of characters, not a slip
MAX_DELETION_BLOCK = 50


def _deletion_keys(trade: str) -> list[str]:
    if not MIN_DELETION_CHARS <= len(trade) <= MAX_DELETION_CHARS:
        return [trade]
    return [trade, *{trade[:i] + trade[i + 1:] for i in range(len(trade))}]


def deletion_pairs(prepared: pl.DataFrame, con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """One claim per distinct Chinese core name and region, paired with another whose trade name
    is one deletion away from its own (or shares a deletion) and whose core is one edit away."""
    chinese = prepared.filter(~pl.col("is_latin_name").fill_null(True) & pl.col("trade_name").is_not_null())
    representatives = chinese.group_by("core_name", "region").agg(
        pl.col(UNIQUE_ID).min(), pl.col("trade_name").first())
    trades = representatives["trade_name"].unique()
    keys = pl.DataFrame({"trade_name": trades, "key": [_deletion_keys(t) for t in trades]},
                        schema={"trade_name": pl.String, "key": pl.List(pl.String)}).explode("key")
    keyed = representatives.join(keys, on="trade_name").filter(pl.len().over("key") <= MAX_DELETION_BLOCK)
    con.register("_deletion_keys", keyed.select(UNIQUE_ID, "core_name", "key"))
    try:
        return pl.DataFrame(con.sql(
            f"select distinct l.{UNIQUE_ID} as claim_id_l, r.{UNIQUE_ID} as claim_id_r "
            f"from _deletion_keys l join _deletion_keys r on l.key = r.key and l.{UNIQUE_ID} < r.{UNIQUE_ID} "
            "where l.core_name <> r.core_name and levenshtein(l.core_name, r.core_name) <= 1"
        ).pl(), schema={"claim_id_l": pl.String, "claim_id_r": pl.String})
    finally:
        con.unregister("_deletion_keys")


def rule_pairs_scored(prepared: pl.DataFrame, windowed: pl.DataFrame, model: dict,
                      con: duckdb.DuckDBPyConnection, kept: tuple[str, ...]) -> pl.DataFrame:
    """The chain and slip pairs, scored: `claim_id_l` < `claim_id_r` and the `kept` columns."""
    ids = pl.concat(
        [*(chain_pairs(prepared, column) for column in CHAIN_COLUMNS), slip_pairs(windowed, con),
         deletion_pairs(prepared, con)], how="vertical"
    ).unique().sort("claim_id_l", "claim_id_r")
    scoring = scoring_model(model)
    # only what the levels compare and what is kept, not every column of the claims
    read = [c for c in prepared.columns if c != UNIQUE_ID and (c in compared_columns(scoring) or f"{c}_l" in kept)]
    sides = prepared.select(UNIQUE_ID, *read).join(term_frequencies(prepared, _TF_COLUMN), on=_TF_COLUMN, how="left")
    pairs = ids
    for side in ("l", "r"):
        pairs = pairs.join(sides.rename({c: f"{c}_{side}" for c in sides.columns}), on=f"{UNIQUE_ID}_{side}",
                           how="left")
    scored = PairScorer(scoring, con).scored(pairs)
    return scored.select([c for c in scored.columns if c in kept or c.startswith(("gamma_", "mw_"))])
