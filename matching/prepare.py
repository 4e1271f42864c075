"""The frame Splink sees: one row per claim, only the comparable parts, evidence that says
nothing about the company removed (shared phones, free-mail domains).

A phone is no evidence when it is shared: seen with three or more companies (a switchboard or an
agency, `transforms.standardise`), or used by one rep for two companies of different trade names
(the rep's own mobile). Besides the names, the frame carries the keys of `matching.name_keys` and
`matching.aliases`, and `is_registered_name` (a Chinese name with its legal form: a full
registered name, which two different companies never share).
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from functools import cache
from importlib import resources

import polars as pl

from matching.aliases import with_alias_key
from matching.name_keys import chinese_industry, english_industry, head_and_tail_keys, latin_head
from transforms.distinct_map import map_distinct
from transforms.names import romanise_core

# the key of the Splink input (matching.settings hands it to Splink); defined here, where the
# input is built, so that preparing a claim needs no Splink import
UNIQUE_ID = "claim_id"

MATCH_COLUMNS = (
    UNIQUE_ID, "name_norm", "core_name", "core_pinyin", "trade_name", "trade_pinyin", "is_latin_name",
    "legal_form", "region", "branch",
    "credit_code_norm", "phone", "company_email_domain", "website_domain", "contact_name_norm",
    "alias_key", "name_head", "name_tail", "is_registered_name", "trade_is_shared", "rep_id", "industry_concepts",
    "core_is_common",
)


@cache
def industry_words() -> tuple[str, ...]:
    """Industry words (科技, 技术, 贸易 …) from the reference list, longest first."""
    with resources.files("transforms.reference_data").joinpath("generic_terms.csv").open(encoding="utf-8") as f:
        words = [row["term"] for row in csv.DictReader(f) if row["notes"].startswith("industry word")]
    return tuple(sorted(set(words), key=lambda w: (-len(w), w)))


def claims_for_matching(standardised: pl.DataFrame) -> pl.DataFrame:
    """Standardised claims → the Splink input, sorted by claim id.

    `trade_name` is the core name with a trailing industry word removed (字节跳动科技 → 字节跳动),
    so a short name still meets its full name; kept only when at least two characters remain.
    """
    with_trade = standardised.with_columns(trade_name())
    keyed = _name_keys(with_trade)
    shared = pl.col("is_shared_phone").fill_null(False) | _rep_own_phone(keyed)
    keyed = keyed.join(_trade_pinyin(with_trade), on="trade_name", how="left")
    return (
        keyed.with_columns(_trade_is_shared(keyed), (pl.len().over("core_name") >= 2).alias("core_is_common"))
        .with_columns(
            pl.when(~shared).then(pl.col("phone_e164")).alias("phone"),
            pl.when(~pl.col("is_free_mail").fill_null(True)).then(pl.col("email_domain")).alias("company_email_domain"),
        )
        .select(MATCH_COLUMNS)
        .sort(UNIQUE_ID)
    )


def trade_name() -> pl.Expr:
    """`trade_name`: the core name without its trailing industry words, if two characters remain."""
    trade = pl.col("core_name").str.replace("(" + "|".join(industry_words()) + ")+$", "")
    return pl.when(trade.str.len_chars() >= 2).then(trade).otherwise(pl.col("core_name")).alias("trade_name")


def _trade_pinyin(frame: pl.DataFrame) -> pl.DataFrame:
    """`trade_name`, `trade_pinyin` per distinct trade name. A trade name that is also some claim's
    core name takes that claim's `core_pinyin`, the same `romanise_core` of the same text
    (`transforms.standardise`). Any other is its core's pinyin without that of the industry words
    cut off (the core smallest in code-point order, for determinism): romanising 113k names at
    1M claims took 10 s. A polyphone then reads as in the full name (德长机械 → dechang, alone
    dezhang), which is how the company is called; if the cut does not fall on a syllable
    boundary, the trade name is romanised alone."""
    known = (frame.filter(pl.col("core_name").is_in(frame["trade_name"].drop_nulls().implode()))
             .select(pl.col("core_name").alias("trade_name"), pl.col("core_pinyin").alias("trade_pinyin"))
             .unique("trade_name"))
    others = (frame.filter(pl.col("trade_name").is_not_null()
                           & ~pl.col("trade_name").is_in(known["trade_name"].implode()))
              .group_by("trade_name").agg(pl.col("core_pinyin").sort_by("core_name").first(), pl.col("core_name").min())
              .with_columns(pl.col("core_name").str.slice(pl.col("trade_name").str.len_chars()).alias("cut")))
    cut_pinyin = _mapped(others.select("cut").unique(), "cut", lambda cut: romanise_core(cut)[0], "cut_pinyin",
                         pl.String())
    pinyin, cut = pl.col("core_pinyin"), pl.col("cut_pinyin")
    derived = (others.join(cut_pinyin, on="cut", how="left")
               .select("trade_name", pl.when(pinyin.str.ends_with(cut) & (pinyin.str.len_bytes() > cut.str.len_bytes()))
                       .then(pinyin.str.head(pinyin.str.len_bytes() - cut.str.len_bytes())).alias("trade_pinyin")))
    missing = derived.filter(pl.col("trade_pinyin").is_null())["trade_name"]
    romanised = pl.DataFrame({"trade_name": missing, "trade_pinyin": [romanise_core(n)[0] for n in missing]},
                             schema={"trade_name": pl.String, "trade_pinyin": pl.String})
    return pl.concat([known.cast(romanised.schema), derived.filter(pl.col("trade_pinyin").is_not_null()), romanised])


def _rep_own_phone(frame: pl.DataFrame) -> pl.Expr:
    """True where one rep wrote the row's phone for two or more different trade names."""
    names = pl.col("trade_name").drop_nulls().n_unique().over("phone_e164", "rep_id")
    return pl.col("phone_e164").is_not_null() & pl.col("rep_id").is_not_null() & (names >= 2)


def _mapped(frame: pl.DataFrame, column: str, function: Callable[[str], object], alias: str,
            dtype: pl.DataType) -> pl.DataFrame:
    """`frame` plus `alias` = `function(column)`, called once per distinct non-null value."""
    return frame.hstack(map_distinct(frame[column], function, {alias: dtype}))


def _name_keys(frame: pl.DataFrame) -> pl.DataFrame:
    """`is_latin_name` (no Chinese character: 瓦轴B and TCL科技 are Chinese names),
    `is_registered_name`, `alias_key`, `name_head`, `name_tail` and `industry_concepts`, each
    computed once per distinct value."""
    if "rep_id" not in frame.columns:
        frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias("rep_id"))
    latin = ~pl.col("core_name").str.contains("[\u4e00-\u9fff]")
    frame = frame.with_columns(latin.alias("is_latin_name"))
    # a short name the core alone does not tell apart, told by its region (铜陵有色)
    frame = with_alias_key(frame)
    head, tail = head_and_tail_keys(frame["trade_name"])
    frame = frame.with_columns(head.alias("_chinese_head"), tail.alias("name_tail"))
    latin_names = frame.filter(pl.col("is_latin_name").fill_null(False)).select("company_name").unique()
    latin_keys = _mapped(latin_names, "company_name", latin_head, "_latin_head", pl.String())
    latin_keys = _mapped(latin_keys, "company_name", english_industry, "_latin_industry", pl.String())
    frame = frame.join(latin_keys, on="company_name", how="left")
    chinese_cores = frame.filter(~pl.col("is_latin_name").fill_null(True)).select("core_name").unique()
    frame = frame.join(_mapped(chinese_cores, "core_name", chinese_industry, "_chinese_industry", pl.String()),
                       on="core_name", how="left")
    latin = pl.col("is_latin_name").fill_null(False)
    return frame.with_columns(
        pl.when(latin).then(pl.col("_latin_head")).otherwise(pl.col("_chinese_head")).alias("name_head"),
        pl.when(latin).then(pl.col("_latin_industry")).otherwise(pl.col("_chinese_industry")).alias("industry_concepts"),
        (pl.col("legal_form").is_not_null() & ~pl.col("is_latin_name").fill_null(True)).alias("is_registered_name"),
    ).drop("_chinese_head", "_latin_head", "_latin_industry", "_chinese_industry")


def _trade_is_shared(frame: pl.DataFrame) -> pl.Expr:
    """True where two or more different core names, each written on at least two claims, share
    the trade name's pinyin (华为技术 and 华为投资 share huawei, so do 信前 and 芯千; a one-off typo
    does not count): an English name carrying that pinyin could mean either company."""
    repeated = frame.filter(~pl.col("is_latin_name").fill_null(True) & (pl.len().over("core_name") >= 2))
    shared = (repeated.group_by("trade_pinyin").agg(pl.col("core_name").n_unique())
              .filter(pl.col("core_name") >= 2)["trade_pinyin"].drop_nulls())
    return pl.col("trade_pinyin").is_in(shared.implode()).fill_null(False).alias("trade_is_shared")
