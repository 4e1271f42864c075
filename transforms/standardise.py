"""Standardised claims: the per-field functions applied to a whole frame of claims.

Each Python-level function runs once per distinct value (``unique`` -> function -> left
join back in row order), so the cost follows the number of distinct spellings, not rows.
The result depends only on the set of rows, never on their order. A phone or e-mail that
cannot be read is not an error: its standardised columns are null and a flag says so.
"""

from collections.abc import Callable, Sequence
from dataclasses import fields
from typing import TYPE_CHECKING

import polars as pl

from transforms.contacts import normalise_contact
from transforms.credit_codes import normalise_credit_code
from transforms.distinct_map import map_distinct
from transforms.emails import normalise_email
from transforms.names import name_structure, normalise_name, romanise_core
from transforms.phones import normalise_phone
from transforms.places import REGION_SOURCES, address_region, claim_region, column_region
from transforms.websites import website_domain

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

REQUIRED_COLUMNS = ("company_name", "contact_name", "phone", "email", "website", "credit_code")
# read when present (a query typed at lookup time has none of them)
OPTIONAL_COLUMNS = ("province", "city", "address")
ADDED_COLUMNS: dict[str, pl.DataType] = {
    "name_norm": pl.String(),
    "legal_form": pl.String(),
    "region": pl.String(),
    "region_source": pl.String(),
    "branch": pl.String(),
    "core_name": pl.String(),
    "core_pinyin": pl.String(),
    "core_initials": pl.String(),
    "is_latin_name": pl.Boolean(),
    "phone_e164": pl.String(),
    "phone_ext": pl.String(),
    "phone_type": pl.String(),
    "phone_alt_e164": pl.String(),
    "is_shared_phone": pl.Boolean(),
    "has_unreadable_phone": pl.Boolean(),
    "email_norm": pl.String(),
    "email_domain": pl.String(),
    "is_free_mail": pl.Boolean(),
    "has_unreadable_email": pl.Boolean(),
    "website_domain": pl.String(),
    "credit_code_norm": pl.String(),
    "has_invalid_credit_code": pl.Boolean(),
    "contact_name_norm": pl.String(),
}
# intermediate columns: the region candidates `region` is chosen from
_WORKING_COLUMNS = ADDED_COLUMNS | {name: pl.String() for name in REGION_SOURCES}
# what people type for "none": not an unreadable value, just no value
NOT_GIVEN = frozenset({"", "无", "暂无", "没有", "空", "未知", "不详", "-", "--", "/", "n/a", "na", "none", "null"})
# a phone seen with this many distinct companies is a switchboard or an agency's number
SHARED_PHONE_MIN_COMPANIES = 3


def standardise_claims(
    claims: pl.DataFrame | pl.LazyFrame, *, shared_phone_min_companies: int = SHARED_PHONE_MIN_COMPANIES
) -> pl.DataFrame:
    """Claims with the standardised columns of ADDED_COLUMNS appended; one row per claim.

    ``is_shared_phone`` marks a phone seen with at least ``shared_phone_min_companies``
    distinct core names in this frame (a switchboard or an agency), which must not count
    as evidence that two claims are the same company. Raises ValueError naming a missing
    required column; never raises on the content of a value.
    """
    frame = _checked(claims)
    values = {name: frame.get_column(name).cast(pl.String) for name in REQUIRED_COLUMNS}
    places = {
        name: frame.get_column(name).cast(pl.String)
        if name in frame.columns
        else pl.Series(name, [None] * frame.height, pl.String)
        for name in OPTIONAL_COLUMNS
    }
    added = pl.concat(
        [*_name_columns(values["company_name"], places), *_contact_columns(values)],
        how="horizontal",
    ).with_columns(*claim_region(), _shared_phone(shared_phone_min_companies))
    return pl.concat([frame, added.select(list(ADDED_COLUMNS))], how="horizontal")


def standardise_claims_reusing(
    claims: pl.DataFrame, previous: pl.DataFrame, *, shared_phone_min_companies: int = SHARED_PHONE_MIN_COMPANIES
) -> tuple[pl.DataFrame, int]:
    """`standardise_claims(claims)`, taking the standardised columns of a claim whose input columns
    are those of its row in `previous` (last night's standardised claims) from that row; returns
    (the claims, how many were standardised afresh). `is_shared_phone` is computed over all rows
    again (a phone becomes shared when a third company is written with it); every other
    standardised column depends on its own row only."""
    inputs = [c for c in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS) if c in claims.columns]
    if previous.is_empty() or not set(inputs) | set(ADDED_COLUMNS) <= set(previous.columns):
        return standardise_claims(claims, shared_phone_min_companies=shared_phone_min_companies), claims.height
    kept = [c for c in ADDED_COLUMNS if c != "is_shared_phone"]
    frame = _checked(claims).with_row_index("_row")
    earlier = previous.select("claim_id", *inputs, *kept).cast({c: claims.schema[c] for c in inputs})
    reused = frame.join(earlier.unique("claim_id", keep="none"), on=["claim_id", *inputs], how="inner",
                        nulls_equal=True)
    fresh = frame.filter(~pl.col("_row").is_in(reused["_row"].implode()))
    standardised = standardise_claims(fresh.drop("_row"), shared_phone_min_companies=shared_phone_min_companies)
    together = pl.concat([reused.with_columns(pl.lit(None, pl.Boolean).alias("is_shared_phone")),
                          standardised.with_columns(fresh["_row"])], how="diagonal_relaxed")
    return (together.sort("_row").drop("_row").with_columns(_shared_phone(shared_phone_min_companies))
            .select(*claims.columns, *ADDED_COLUMNS), fresh.height)


def _checked(claims: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """The claims collected, once they are known to have every required column and none of the
    standardised ones; else ValueError naming the columns."""
    frame = claims.collect() if isinstance(claims, pl.LazyFrame) else claims
    missing = [name for name in REQUIRED_COLUMNS if name not in frame.columns]
    if missing:
        raise ValueError(f"claims lack required column(s): {', '.join(missing)}")
    clashing = [name for name in ADDED_COLUMNS if name in frame.columns]
    if clashing:
        raise ValueError(f"claims already have standardised column(s): {', '.join(clashing)}")
    return frame


def _name_columns(company_name: pl.Series, places: dict[str, pl.Series]) -> list[pl.DataFrame]:
    """The name's standardised form, its structure and pinyin, and the region columns, one row per claim."""
    name_norm = _map_distinct(company_name, normalise_name, ["name_norm"])
    structure = _map_distinct(
        name_norm.get_column("name_norm"),
        lambda norm: _fields(name_structure(norm)),
        ["legal_form", "name_region", "branch", "core_name", "is_latin_name"],
    )
    regions = pl.concat(
        [
            _map_distinct(places["city"], column_region, ["city_region"]),
            _map_distinct(places["address"], address_region, ["address_region"]),
            _map_distinct(places["province"], column_region, ["province_region"]),
        ],
        how="horizontal",
    )
    pinyin = _map_distinct(
        structure.get_column("core_name"), romanise_core, ["core_pinyin", "core_initials"]
    )
    return [name_norm, structure, regions, pinyin]


def _contact_columns(values: dict[str, pl.Series]) -> list[pl.DataFrame]:
    """The standardised phone, e-mail, site, credit code and contact, and the unreadable flags,
    one row per claim."""
    phones = _map_distinct(
        values["phone"],
        lambda raw: _fields(normalise_phone(raw)),
        ["phone_e164", "phone_ext", "phone_type", "phone_alt_e164"],
    )
    emails = _map_distinct(
        values["email"],
        lambda raw: _fields(normalise_email(raw)),
        ["email_norm", "email_domain", "is_free_mail"],
    )
    sites = _map_distinct(values["website"], website_domain, ["website_domain"])
    codes = _map_distinct(
        values["credit_code"],
        lambda raw: _fields(normalise_credit_code(raw)),
        ["credit_code_norm", "has_invalid_credit_code"],
    ).with_columns(pl.col("has_invalid_credit_code").fill_null(False))
    contacts = _map_distinct(values["contact_name"], normalise_contact, ["contact_name_norm"])
    unreadable = pl.DataFrame([
        _unreadable(values["phone"], phones.get_column("phone_e164")).alias("has_unreadable_phone"),
        _unreadable(values["email"], emails.get_column("email_norm")).alias("has_unreadable_email"),
    ])
    return [phones, emails, sites, codes, contacts, unreadable]


def _unreadable(raw: pl.Series, read: pl.Series) -> pl.Series:
    """True where something other than a "none" word was given and nothing could be read from it."""
    given = raw.is_not_null() & ~raw.str.strip_chars().str.to_lowercase().is_in(list(NOT_GIVEN))
    return given & read.is_null()


def _shared_phone(min_companies: int) -> pl.Expr:
    """True where the row's phone carries at least ``min_companies`` distinct core names."""
    companies = pl.col("core_name").drop_nulls().n_unique().over("phone_e164")
    return (
        pl.when(pl.col("phone_e164").is_not_null())
        .then(companies >= min_companies)
        .alias("is_shared_phone")
    )


def _fields(parts: "DataclassInstance") -> tuple[object, ...]:
    """The values of a parts dataclass, in field order (the order of ADDED_COLUMNS)."""
    return tuple(getattr(parts, field.name) for field in fields(parts))


def _map_distinct(values: pl.Series, function: Callable[[str], object], columns: Sequence[str]) -> pl.DataFrame:
    """`function` over `values` (`transforms.distinct_map`), as the working columns `columns`."""
    return map_distinct(values, function, {name: _WORKING_COLUMNS[name] for name in columns})
