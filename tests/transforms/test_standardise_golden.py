"""Golden cases: hand-checked inputs with the expected value of every output they cover.

golden_standardise.csv has one row per case: ``field`` says which input it is (name,
phone, email, website, credit_code, contact), ``input`` the raw value (``<null>`` for a
null), and the columns of that field's outputs the expected values (empty = null). Each
case is checked through the per-field function and through standardise_claims.
"""

import csv
from pathlib import Path

import polars as pl
import pytest

from transforms.contacts import normalise_contact
from transforms.credit_codes import normalise_credit_code
from transforms.emails import normalise_email
from transforms.names import name_parts
from transforms.phones import normalise_phone
from transforms.standardise import REQUIRED_COLUMNS, standardise_claims
from transforms.websites import website_domain

GOLDEN = Path(__file__).with_name("golden_standardise.csv")
NULL_INPUT = "<null>"
BOOLEAN_COLUMNS = {"is_latin_name", "is_free_mail", "has_invalid_credit_code"}
INPUT_COLUMN = {
    "name": "company_name",
    "phone": "phone",
    "email": "email",
    "website": "website",
    "credit_code": "credit_code",
    "contact": "contact_name",
}
OUTPUT_COLUMNS = {
    "name": [
        "name_norm", "legal_form", "region", "branch", "core_name",
        "core_pinyin", "core_initials", "is_latin_name",
    ],
    "phone": ["phone_e164", "phone_ext", "phone_type"],
    "email": ["email_norm", "email_domain", "is_free_mail"],
    "website": ["website_domain"],
    "credit_code": ["credit_code_norm", "has_invalid_credit_code"],
    "contact": ["contact_name_norm"],
}


def _load() -> list[dict[str, str]]:
    with GOLDEN.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


ROWS = _load()


def _raw(row: dict[str, str]) -> str | None:
    return None if row["input"] == NULL_INPUT else row["input"]


def _expected(row: dict[str, str]) -> dict[str, object]:
    expected: dict[str, object] = {}
    for column in OUTPUT_COLUMNS[row["field"]]:
        text = row[column]
        if column in BOOLEAN_COLUMNS:
            expected[column] = {"true": True, "false": False, "": None}[text]
        else:
            expected[column] = text or None
    return expected


def _field_outputs(field: str, raw: str | None) -> dict[str, object]:
    if field == "name":
        parts = name_parts(raw)
        return {column: getattr(parts, column) for column in OUTPUT_COLUMNS["name"]}
    if field == "phone":
        phone = normalise_phone(raw)
        return {
            "phone_e164": phone.e164,
            "phone_ext": phone.extension,
            "phone_type": phone.phone_type,
        }
    if field == "email":
        email = normalise_email(raw)
        return {
            "email_norm": email.email_norm,
            "email_domain": email.email_domain,
            "is_free_mail": email.is_free_mail,
        }
    if field == "website":
        return {"website_domain": website_domain(raw)}
    if field == "credit_code":
        code = normalise_credit_code(raw)
        return {
            "credit_code_norm": code.credit_code_norm,
            "has_invalid_credit_code": code.has_invalid_credit_code,
        }
    return {"contact_name_norm": normalise_contact(raw)}


def test_golden_table_is_large_and_covers_every_field():
    assert len(ROWS) >= 150
    assert {row["field"] for row in ROWS} == set(OUTPUT_COLUMNS)


@pytest.mark.parametrize("row", ROWS, ids=[f"{r['field']}:{r['input']}" for r in ROWS])
def test_field_function_gives_golden_parts(row):
    assert _field_outputs(row["field"], _raw(row)) == _expected(row)


def test_standardise_claims_gives_golden_parts():
    columns = {name: [] for name in REQUIRED_COLUMNS}
    for row in ROWS:
        for field, column in INPUT_COLUMN.items():
            columns[column].append(_raw(row) if field == row["field"] else None)
    claims = pl.DataFrame(
        {"claim_id": list(range(len(ROWS))), **columns},
        schema={"claim_id": pl.Int64, **dict.fromkeys(REQUIRED_COLUMNS, pl.String)},
    )
    result = standardise_claims(claims)
    mismatches = [
        (row["field"], row["input"], column, got, want)
        for row, produced in zip(ROWS, result.iter_rows(named=True), strict=True)
        for column, want in _expected(row).items()
        if (got := produced[column]) != want
    ]
    assert mismatches == []


def test_domain_region_variants_share_core_and_hard_negatives_stay_apart():
    first = name_parts("北京字节跳动科技有限公司")
    moved = name_parts("字节跳动（北京）科技有限公司")
    assert (first.core_name, first.region) == (moved.core_name, moved.region)
    assert name_parts("华为技术有限公司").core_name != name_parts("华为终端有限公司").core_name
    assert name_parts("北京大学").core_name == "北京大学"
