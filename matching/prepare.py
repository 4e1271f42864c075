"""The frame Splink sees: one row per claim, only the comparable parts, evidence that says
nothing about the company removed (shared phones, free-mail domains)."""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources

import polars as pl

from transforms.names import romanise_core

# the key of the Splink input (matching.settings hands it to Splink); defined here, where the
# input is built, so that preparing a claim needs no Splink import
UNIQUE_ID = "claim_id"

MATCH_COLUMNS = (
    UNIQUE_ID, "name_norm", "core_name", "core_pinyin", "trade_name", "trade_pinyin", "is_latin_name",
    "legal_form", "region", "branch",
    "credit_code_norm", "phone", "company_email_domain", "website_domain", "contact_name_norm",
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
    pattern = "(" + "|".join(industry_words()) + ")+$"
    trade = pl.col("core_name").str.replace(pattern, "")
    with_trade = standardised.with_columns(
        pl.when(trade.str.len_chars() >= 2).then(trade).otherwise(pl.col("core_name")).alias("trade_name")
    )
    names = with_trade["trade_name"].drop_nulls().unique().sort()
    pinyin = pl.DataFrame({
        "trade_name": names,
        "trade_pinyin": [romanise_core(n)[0] for n in names],
    }, schema={"trade_name": pl.String, "trade_pinyin": pl.String})
    return (
        with_trade.join(pinyin, on="trade_name", how="left")
        .with_columns(
            pl.when(~pl.col("is_shared_phone").fill_null(False)).then(pl.col("phone_e164")).alias("phone"),
            pl.when(~pl.col("is_free_mail").fill_null(True)).then(pl.col("email_domain")).alias("company_email_domain"),
        )
        .select(MATCH_COLUMNS)
        .sort(UNIQUE_ID)
    )
