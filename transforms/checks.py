"""The checks every claim must pass, as data, and the columns they look at.

Each check names one column and one kind of test; `flows/validation.py` turns them into Great
Expectations expectations. Reasons are written for a sales assistant, in Chinese and English,
with the offending value filled in from the row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import polars as pl

CheckKind = Literal["not_null", "null", "true", "in_set", "in_roster", "regex", "not_after_as_of"]

PHONE_PLAUSIBLE = r"^\+?[0-9]{7,15}$"
EMAIL_PLAUSIBLE = r"^[^@\s]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}$"


@dataclass(frozen=True)
class Check:
    code: str
    column: str
    kind: CheckKind
    reason_zh: str
    reason_en: str
    pattern: str | None = None


CHECKS: tuple[Check, ...] = (
    Check(
        "source_retired", "source_configured", "true",
        "来源“{source}”已不在 sources.yaml 中，该行不再采用",
        "source '{source}' is no longer in sources.yaml; its rows are no longer used",
    ),
    Check("claim_id_missing", "claim_id", "not_null", "缺少报备编号", "the claim id is missing"),
    Check("company_missing", "company_name", "not_null", "缺少客户名称", "the company name is missing"),
    Check("rep_missing", "rep_id", "not_null", "缺少销售工号", "the rep id is missing"),
    Check("submitted_at_missing", "submitted_at_text", "not_null", "缺少报备时间", "the submission time is missing"),
    Check(
        "submitted_at_unreadable", "submitted_at_readable", "true",
        "报备时间“{submitted_at_text}”无法识别为日期",
        "the submission time '{submitted_at_text}' is not a date we can read",
    ),
    Check(
        "submitted_at_future", "submitted_at", "not_after_as_of",
        "报备时间“{submitted_at_text}”晚于对账日期 {as_of}，请核对年份",
        "the submission time '{submitted_at_text}' is after the reconciliation date {as_of}",
    ),
    Check(
        "rep_unknown", "rep_id", "in_roster",
        "销售工号“{rep_id}”不在销售名单中", "rep id '{rep_id}' is not in the reps roster",
    ),
    Check("category_missing", "category", "not_null", "缺少客户类别", "the customer category is missing"),
    Check(
        "category_invalid", "category", "in_set",
        "客户类别“{category}”不是 A/B/C/D 之一", "category '{category}' is not one of A, B, C, D",
    ),
    Check(
        "phone_implausible", "phone_digits", "regex",
        "联系电话“{phone}”不像有效号码", "phone '{phone}' does not look like a phone number",
        PHONE_PLAUSIBLE,
    ),
    Check(
        "email_malformed", "email_lower", "regex",
        "电子邮箱“{email}”格式不正确", "e-mail '{email}' is not a well-formed address",
        EMAIL_PLAUSIBLE,
    ),
    Check(
        "claim_id_duplicate", "duplicate_of", "null",
        "报备编号“{claim_id}”重复，以{duplicate_of}的那一条为准",
        "claim id '{claim_id}' is a duplicate; the one in {duplicate_of} is the one considered",
    ),
)

_EXTENSION = r"(?i)\s*(转|分机|ext\.?|x|#).*$"
_SEPARATORS = r"[\s\-().（）]"
# Several values in one cell: the first is checked (and the first is what standardisation uses).
_LIST_SEPARATORS = r"[;；,，、/]"
_EMAIL = r"[^\s<>;,；，]+@[^\s<>;,；，]+"
DUPLICATE_CHECK = "claim_id_duplicate"


def claims_checkable(parsed: pl.DataFrame) -> pl.DataFrame:
    """Add the helper columns the checks read, except `duplicate_of`: `submitted_at_readable`,
    `phone_digits` (first number, separators and extension removed) and `email_lower` (first
    address, display name removed)."""
    first_phone = pl.col("phone").str.normalize("NFKC").str.replace(_LIST_SEPARATORS + ".*$", "")
    email = pl.col("email").str.normalize("NFKC").str.to_lowercase()
    return parsed.with_columns(
        (pl.col("submitted_at").is_not_null() | pl.col("submitted_at_text").is_null())
        .alias("submitted_at_readable"),
        first_phone.str.replace(_EXTENSION, "").str.replace_all(_SEPARATORS, "").alias("phone_digits"),
        pl.coalesce(email.str.extract("(" + _EMAIL + ")", 1), email).alias("email_lower"),
    )


def duplicates_marked(checkable: pl.DataFrame, failing_row_ids: pl.Series) -> pl.DataFrame:
    """Add `duplicate_of`: for every row but one per claim id, where the kept row was read.

    The kept row is one that passed every other check if there is one, then the earliest
    submission, then source, file and content, so the choice never depends on row order and a
    valid claim is never lost to a broken copy of it.
    """
    winner_order = ["_failed", "submitted_at", "source", "file_name", "raw_record", "row_number"]
    flagged = checkable.with_columns(pl.col("raw_row_id").is_in(failing_row_ids.implode()).alias("_failed"))
    first = (
        flagged.filter(pl.col("claim_id").is_not_null())
        .sort(winner_order, nulls_last=True)
        .group_by("claim_id", maintain_order=True)
        .agg(pl.col("raw_row_id").first().alias("_first_row_id"),
             pl.format("文件 {} 第 {} 行", pl.col("file_name").first(), pl.col("row_number").first())
             .alias("_first_where"))
    )
    return (
        flagged.join(first, on="claim_id", how="left")
        .with_columns(
            pl.when(pl.col("_first_row_id") != pl.col("raw_row_id")).then(pl.col("_first_where")).alias("duplicate_of")
        )
        .drop("_first_row_id", "_first_where", "_failed")
    )


def reasons_for(row: dict, check_codes: list[str], as_of: str) -> tuple[str, str]:
    """The Chinese and English reasons for the failed checks of one row, in catalogue order."""
    by_code = {c.code: c for c in CHECKS}
    values = {k: ("" if v is None else v) for k, v in row.items()} | {"as_of": as_of}
    ordered = [by_code[c] for c in by_code if c in check_codes]
    return (
        "；".join(c.reason_zh.format(**values) for c in ordered),
        "; ".join(c.reason_en.format(**values) for c in ordered),
    )
