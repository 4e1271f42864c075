"""Standardised claims: the per-field functions applied to a whole frame of claims.

Each Python-level function runs once per distinct value (``unique`` -> function -> left
join back in row order), so the cost follows the number of distinct spellings, not rows.
The result depends only on the set of rows, never on their order.
"""

from collections.abc import Callable, Sequence
from dataclasses import fields

import polars as pl

from transforms.contacts import normalise_contact
from transforms.credit_codes import normalise_credit_code
from transforms.emails import normalise_email
from transforms.names import name_structure, normalise_name, romanise_core
from transforms.phones import normalise_phone
from transforms.websites import website_domain

REQUIRED_COLUMNS = ("company_name", "contact_name", "phone", "email", "website", "credit_code")
ADDED_COLUMNS: dict[str, pl.DataType] = {
    "name_norm": pl.String(),
    "legal_form": pl.String(),
    "region": pl.String(),
    "branch": pl.String(),
    "core_name": pl.String(),
    "core_pinyin": pl.String(),
    "core_initials": pl.String(),
    "is_latin_name": pl.Boolean(),
    "phone_e164": pl.String(),
    "phone_ext": pl.String(),
    "phone_type": pl.String(),
    "is_shared_phone": pl.Boolean(),
    "email_norm": pl.String(),
    "email_domain": pl.String(),
    "is_free_mail": pl.Boolean(),
    "website_domain": pl.String(),
    "credit_code_norm": pl.String(),
    "has_invalid_credit_code": pl.Boolean(),
    "contact_name_norm": pl.String(),
}
_KEY = "__value"
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
    frame = claims.collect() if isinstance(claims, pl.LazyFrame) else claims
    missing = [name for name in REQUIRED_COLUMNS if name not in frame.columns]
    if missing:
        raise ValueError(f"claims lack required column(s): {', '.join(missing)}")
    clashing = [name for name in ADDED_COLUMNS if name in frame.columns]
    if clashing:
        raise ValueError(f"claims already have standardised column(s): {', '.join(clashing)}")
    values = {name: frame.get_column(name).cast(pl.String) for name in REQUIRED_COLUMNS}

    name_norm = _map_distinct(values["company_name"], normalise_name, ["name_norm"])
    structure = _map_distinct(
        name_norm.get_column("name_norm"),
        lambda norm: _fields(name_structure(norm)),
        ["legal_form", "region", "branch", "core_name", "is_latin_name"],
    )
    pinyin = _map_distinct(
        structure.get_column("core_name"), romanise_core, ["core_pinyin", "core_initials"]
    )
    phones = _map_distinct(
        values["phone"],
        lambda raw: _fields(normalise_phone(raw)),
        ["phone_e164", "phone_ext", "phone_type"],
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

    added = pl.concat(
        [name_norm, structure, pinyin, phones, emails, sites, codes, contacts], how="horizontal"
    ).with_columns(_shared_phone(shared_phone_min_companies))
    return pl.concat([frame, added.select(list(ADDED_COLUMNS))], how="horizontal")


def _shared_phone(min_companies: int) -> pl.Expr:
    """True where the row's phone carries at least ``min_companies`` distinct core names."""
    companies = pl.col("core_name").drop_nulls().n_unique().over("phone_e164")
    return (
        pl.when(pl.col("phone_e164").is_not_null())
        .then(companies >= min_companies)
        .alias("is_shared_phone")
    )


def _fields(parts: object) -> tuple:
    """The values of a parts dataclass, in field order (the order of ADDED_COLUMNS)."""
    return tuple(getattr(parts, field.name) for field in fields(parts))


def _map_distinct(
    values: pl.Series, function: Callable[[str], object], columns: Sequence[str]
) -> pl.DataFrame:
    """``function`` applied once per distinct non-null value, joined back in row order.

    ``function`` returns a scalar for one column or a tuple for several; a null value
    gives nulls.
    """
    schema = {name: ADDED_COLUMNS[name] for name in columns}
    distinct = values.drop_nulls().unique().to_list()
    results = [function(value) for value in distinct]
    rows = results if len(columns) > 1 else [(result,) for result in results]
    lookup = pl.DataFrame(rows, schema=schema, orient="row").with_columns(
        pl.Series(_KEY, distinct, dtype=pl.String)
    )
    keys = values.rename(_KEY).to_frame()
    return keys.join(lookup, on=_KEY, how="left", maintain_order="left").select(columns)
