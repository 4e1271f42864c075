"""The checks every claim must pass, as data, and the columns they look at.

Each check names one column and one kind of test; `adapters/expectations.py` turns them into Great
Expectations expectations. Reasons are written for a sales assistant, in Chinese and English,
with the offending value filled in from the row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import polars as pl

from transforms.schema import CLAIM_FIELDS, FIELD_LENGTH_LIMITS

CheckKind = Literal["not_null", "null", "true", "in_set", "in_roster", "not_regex", "not_after_as_of"]

# A name a spreadsheet would run as a formula, or that carries web markup or script; read on
# `company_name_folded` (NFKC, lower case, outer whitespace such as a leading tab removed), so
# full-width ＝＋－＠ and ＜ count too. Brackets, a hyphen inside the name and a leading digit
# (3M中国有限公司, 58同城) are ordinary.
_FORMULA_START = r"^[=+\-@]"
_MARKUP = (
    r"<\s*/?\s*[a-z!]",  # a tag, closing tag or comment: <script, </div, <!--
    r"&(?:lt|gt|quot|amp|#x?[0-9a-f]+);",  # an HTML entity
    r"(?:java|vb)script\s*:",
    r"\bon[a-z]{4,}\s*=",  # an event handler: onerror=, onload=
)
NAME_MARKUP = "|".join((_FORMULA_START, *_MARKUP))
# what a spreadsheet shows for a formula that failed (the sheet reader keeps it as the cell's text)
EXCEL_ERROR_VALUE = r"^#(?:n/a|div/0!|value!|ref!|name\?|num!|null!|spill!|calc!|getting_data)$"


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
        "text_undecodable", "text_decodable", "true",
        "该行有无法识别的字符（文件这一行既不是 UTF-8 也不是 GB18030 编码），请重新导出这一行",
        "this row has bytes that are neither UTF-8 nor GB18030; export the row again",
    ),
    Check(
        "field_too_long", "field_over_limit", "null",
        "{field_over_limit}，请核对这一行", "{field_over_limit_en}; check the row",
    ),
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
        "company_name_markup", "company_name_folded", "not_regex",
        "客户名称“{company_name}”含有网页代码或公式，请填写公司全称",
        "company name '{company_name}' carries web markup or a formula; give the company's full name",
        NAME_MARKUP,
    ),
    Check(
        "company_name_error_value", "company_name_folded", "not_regex",
        "客户名称是表格的错误值“{company_name}”（公式出错），请填写公司全称",
        "the company name is the spreadsheet error '{company_name}' (a failed formula); give the company's name",
        EXCEL_ERROR_VALUE,
    ),
    Check(
        "claim_id_duplicate", "duplicate_of", "null",
        "报备编号“{claim_id}”重复，以{duplicate_of}的那一条为准",
        "claim id '{claim_id}' is a duplicate; the one in {duplicate_of} is the one considered",
    ),
)

DUPLICATE_CHECK = "claim_id_duplicate"


def claims_checkable(parsed: pl.DataFrame) -> pl.DataFrame:
    """Add the helper columns the checks read, except `duplicate_of`: `submitted_at_readable`,
    `company_name_folded` (NFKC, lower case, outer whitespace removed), `text_decodable` (no field
    holds U+FFFD, the mark of bytes the reader could not decode) and `field_over_limit` /
    `field_over_limit_en` (the first field longer than FIELD_LENGTH_LIMITS allows, in words).

    A phone or e-mail is not checked here: an unreadable one never refuses a claim, it is
    ignored and flagged by standardisation (`has_unreadable_phone`, `has_unreadable_email`).
    """
    written = {f: "submitted_at_text" if f == "submitted_at" else f for f in CLAIM_FIELDS}
    text = {f: column for f, column in written.items() if column in parsed.columns}
    over = [(pl.col(text[f]).str.len_chars() > limit, text[f], limit)
            for f, limit in FIELD_LENGTH_LIMITS.items() if f in text]
    return parsed.with_columns(
        ~pl.any_horizontal(pl.col(c).str.contains("\ufffd", literal=True).fill_null(False) for c in text.values())
        .alias("text_decodable"),
        _first_over(over, "{} 超过 {} 个字符（{} 个）", "field_over_limit"),
        _first_over(over, "{} is longer than {} characters ({})", "field_over_limit_en"),
        (pl.col("submitted_at").is_not_null() | pl.col("submitted_at_text").is_null())
        .alias("submitted_at_readable"),
        pl.col("company_name").str.normalize("NFKC").str.strip_chars().str.to_lowercase()
        .alias("company_name_folded"),
    )


def _first_over(over: list[tuple[pl.Expr, str, int]], template: str, name: str) -> pl.Expr:
    """The first field over its limit, said with `template` (field, limit, length); else null."""
    said = pl.lit(None, pl.String)
    for is_over, field, limit in reversed(over):
        said = pl.when(is_over).then(pl.format(template, pl.lit(field), pl.lit(limit), pl.col(field).str.len_chars()))\
            .otherwise(said)
    return said.alias(name)


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


def reasons_for(row: dict[str, Any], check_codes: list[str], as_of: str) -> tuple[str, str]:
    """The Chinese and English reasons for the failed checks of one row, in catalogue order."""
    by_code = {c.code: c for c in CHECKS}
    values = {k: ("" if v is None else v) for k, v in row.items()} | {"as_of": as_of}
    ordered = [by_code[c] for c in by_code if c in check_codes]
    return (
        "；".join(c.reason_zh.format(**values) for c in ordered),
        "; ".join(c.reason_en.format(**values) for c in ordered),
    )
