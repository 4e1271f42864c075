"""The tables a typeahead searches, built from the published claims (pure polars, no I/O).

Input frames, one row per published claim each (sql/queries/typeahead_*.sql read them):

    names     customer_id, company_name, name_norm, core_name, core_pinyin, core_initials,
              is_latin_name, trade_name, trade_pinyin, alias_key
    contacts  customer_id, phone_e164, phone_alt_e164, email_norm, email_domain, is_free_mail,
              credit_code_norm

and `customers` (service.warehouse_reader.CUSTOMER_SCHEMA, one row per customer). Customers are
numbered by `rank`, best first (more claims, then display name, then id), so that every key table
can hold a customer as one small integer whose order is already the answer's order.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from service.typeahead_text import CREDIT_CODE, EMAIL, EMAIL_DOMAIN, PHONE
from transforms.names import romanise_core
from transforms.schema import BUSINESS_ZONE

# name key kinds, in the order a customer's match is shown when several kinds of its keys match
KINDS = ("name", "short_name", "pinyin", "initials")
NAME, SHORT_NAME, PINYIN, INITIALS = range(len(KINDS))
_CHINESE_CHARACTER = r"[\u3400-\u9fff]"


def ranked_customers(customers: pl.DataFrame, names: pl.DataFrame, zone: str = BUSINESS_ZONE) -> pl.DataFrame:
    """One row per customer, best first, with `rank` (its row number), `claim_count` and
    `protection_end` as the 'YYYY-MM-DD' date it ends on in the business zone."""
    counts = names.group_by("customer_id").agg(pl.len().cast(pl.UInt32).alias("claim_count"))
    return (
        customers.join(counts, on="customer_id", how="left")
        .with_columns(
            pl.col("claim_count").fill_null(0),
            pl.col("protection_end").dt.convert_time_zone(zone).dt.strftime("%Y-%m-%d"),
        )
        .sort(["claim_count", "display_name", "customer_id"], descending=[True, False, False], nulls_last=True)
        .with_row_index("rank")
        .select("rank", "customer_id", "display_name", "owner_rep_id", "owner_name",
                pl.col("team").alias("owner_team"), "protection_end")
    )


@dataclass(frozen=True)
class NameKeys:
    """The name key table and the names its rows say matched."""

    keys: pl.DataFrame  # key, rank, kind, name_id: sorted by key, one row per key and customer
    names: pl.Series  # the company names as registered, then the short names, by name_id


def name_keys(names: pl.DataFrame, ranks: pl.DataFrame, aliases: pl.DataFrame) -> NameKeys:
    """Every name key of every customer, with its best kind and the name it comes from.

    Keys: the normalised name, core and trade name of each claim (kind name; for a Latin name also
    its letters and digits alone), their pinyin and initials, and the short names of the listed
    company the claim is (`aliases`: alias_core → full_core, joined on the claim's alias_key) with
    their pinyin and initials. A key two names of one customer give shows the first in name order."""
    # every key is a function of the company name (and the claim's customer): one claim per name
    claims = (names.join(ranks.select("customer_id", "rank"), on="customer_id")
              .unique(["rank", "company_name"]).sort("rank", "company_name")
              .with_row_index("name_id").with_columns(_trade_initials().alias("trade_initials")))
    claim_keys = [
        (pl.col("name_norm"), NAME), (pl.col("core_name"), NAME), (pl.col("trade_name"), NAME),
        (pl.when("is_latin_name").then(pl.col("name_norm").str.replace_all("[^a-z0-9]", "")), NAME),
        (pl.col("core_pinyin"), PINYIN), (pl.col("trade_pinyin"), PINYIN),
        (pl.col("core_initials"), INITIALS), (pl.col("trade_initials"), INITIALS),
    ]
    parts = [claims.select(key.alias("key"), "rank", pl.lit(kind, pl.UInt8).alias("kind"), "name_id")
             for key, kind in claim_keys]
    short_keys, short_names = _short_name_keys(claims, aliases, first_id=claims.height)
    # the best kind, then the first name, of a key and customer: the least of kind and name id as one number
    kind_then_name = pl.col("kind").cast(pl.UInt64) * 2**32 + pl.col("name_id").cast(pl.UInt64)
    keys = (
        pl.concat([*parts, short_keys])
        .filter(pl.col("key").str.len_bytes() > 0)
        .group_by("key", "rank").agg(kind_then_name.min().alias("best"))
        .sort("key", "rank")
        .select("key", "rank", (pl.col("best") // 2**32).cast(pl.UInt8).alias("kind"),
                (pl.col("best") % 2**32).cast(pl.UInt32).alias("name_id"))
    )
    return NameKeys(keys, pl.concat([claims["company_name"], short_names]).rechunk())


def substring_keys(keys: pl.DataFrame) -> pl.DataFrame:
    """(row, key): the rows of `keys` whose key is Chinese, of kind name or short name, in customer
    order (then kind, key): scanned in order, the first keys containing the typed text are those of
    the best ranked customers."""
    return (
        keys.with_row_index("row")
        .filter(pl.col("kind") <= SHORT_NAME, pl.col("key").str.contains(_CHINESE_CHARACTER))
        .sort("rank", "kind", "key")
        .select("row", "key")
    )


def contact_keys(contacts: pl.DataFrame, ranks: pl.DataFrame) -> pl.DataFrame:
    """(key, rank) sorted by key: each claim's phones, address, company mail domain (not free mail)
    and credit code, behind its kind's tag (service.typeahead_text). A customer's key repeats once
    per claim giving it; the lookup takes distinct customers, which is cheaper than a unique here."""
    claims = contacts.join(ranks.select("customer_id", "rank"), on="customer_id")
    company_domain = pl.when(~pl.col("is_free_mail").fill_null(True)).then(pl.col("email_domain"))
    values = [
        (pl.col("phone_e164"), PHONE), (pl.col("phone_alt_e164"), PHONE),
        (pl.col("email_norm"), EMAIL), (company_domain, EMAIL_DOMAIN), (pl.col("credit_code_norm"), CREDIT_CODE),
    ]
    return (
        pl.concat([claims.select((pl.lit(tag) + value).alias("key"), "rank") for value, tag in values])
        .drop_nulls("key")
        .sort("key")
    )


def _trade_initials() -> pl.Expr:
    """Initials of the trade name, read off the core's when the trade name opens the core and the
    core has one initial per character (always so for Chinese characters); else null. Skipping
    pypinyin keeps a million claims' load in seconds; a trade name that is not its core's head is
    rare and keeps its pinyin key."""
    one_per_character = pl.col("core_initials").str.len_chars() == pl.col("core_name").str.len_chars()
    return (
        pl.when(one_per_character & pl.col("core_name").str.starts_with(pl.col("trade_name")))
        .then(pl.col("core_initials").str.slice(0, pl.col("trade_name").str.len_chars()))
    )


def _short_name_keys(claims: pl.DataFrame, aliases: pl.DataFrame, first_id: int) -> tuple[pl.DataFrame, pl.Series]:
    """Every short name of each claim's listed company, as written and as pinyin and initials
    (key, rank, kind, name_id), and the short names by name_id from `first_id` on."""
    shorts = (
        claims.select("alias_key", "rank").drop_nulls().unique()
        .join(aliases, left_on="alias_key", right_on="full_core")
        .select("rank", pl.col("alias_core").alias("short_name"))
    )
    romanised = pl.DataFrame(
        [(core, *romanise_core(core)) for core in shorts["short_name"].unique().sort()],
        schema={"short_name": pl.String, "pinyin": pl.String, "initials": pl.String}, orient="row",
    ).with_row_index("name_id", offset=first_id)
    shorts = shorts.join(romanised, on="short_name")
    keys = pl.concat([
        shorts.select(pl.col(column).alias("key"), "rank", pl.lit(kind, pl.UInt8).alias("kind"), "name_id")
        for column, kind in (("short_name", SHORT_NAME), ("pinyin", PINYIN), ("initials", INITIALS))
    ])
    return keys, romanised["short_name"]
