import re
from datetime import UTC, datetime

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.checks import CHECKS, NAME_MARKUP, claims_checkable, duplicates_marked, reasons_for


def _parsed(rows: list[dict]) -> pl.DataFrame:
    base = {
        "raw_row_id": None, "claim_id": None, "submitted_at": None, "submitted_at_text": None,
        "source": "webform", "file_name": "a.csv", "row_number": 0, "raw_record": "{}",
        "company_name": None,
    }
    return pl.DataFrame([base | r for r in rows], schema={
        "raw_row_id": pl.String, "claim_id": pl.String, "submitted_at": pl.Datetime("us", "UTC"),
        "submitted_at_text": pl.String, "source": pl.String, "file_name": pl.String,
        "row_number": pl.Int64, "raw_record": pl.String, "company_name": pl.String,
    })


def _at(day: int) -> datetime:
    return datetime(2026, 11, day, tzinfo=UTC)


def _marked(rows, failing=()):
    return duplicates_marked(claims_checkable(_parsed(rows)), pl.Series(list(failing), dtype=pl.String))


def test_of_repeated_claim_ids_the_earliest_submission_is_kept():
    out = _marked([
        {"raw_row_id": "1-2", "claim_id": "X", "submitted_at": _at(5), "row_number": 2},
        {"raw_row_id": "1-3", "claim_id": "X", "submitted_at": _at(3), "row_number": 3},
        {"raw_row_id": "1-4", "claim_id": "Y", "submitted_at": _at(4), "row_number": 4},
    ])
    duplicate_of = dict(zip(out["raw_row_id"], out["duplicate_of"], strict=True))
    assert duplicate_of == {"1-2": "文件 a.csv 第 3 行", "1-3": None, "1-4": None}


@settings(max_examples=30, deadline=None)
@given(st.permutations(list(range(6))))
def test_which_duplicate_is_kept_does_not_depend_on_row_order(order):
    rows = [
        {"raw_row_id": f"1-{i}", "claim_id": f"C{i % 2}", "submitted_at": _at(10 - i % 3),
         "row_number": i, "raw_record": f'{{"n":{i}}}'}
        for i in range(6)
    ]
    out = _marked([rows[i] for i in order])
    kept = sorted(out.filter(pl.col("duplicate_of").is_null())["raw_row_id"].to_list())
    assert kept == ["1-2", "1-5"]  # the earliest submission of C0 and of C1


def test_a_valid_copy_is_kept_over_an_earlier_broken_one():
    out = _marked([
        {"raw_row_id": "1-2", "claim_id": "X", "submitted_at": _at(3), "row_number": 2},
        {"raw_row_id": "1-3", "claim_id": "X", "submitted_at": _at(5), "row_number": 3},
    ], failing=["1-2"])
    assert dict(zip(out["raw_row_id"], out["duplicate_of"], strict=True)) == {"1-2": "文件 a.csv 第 3 行", "1-3": None}


REFUSED_NAMES = [
    '=HYPERLINK("http://evil.example","点我")', "+86", "-1+1", "@SUM(A1)", "＝１＋１", "＋86 138", "－科技",
    "北京字节跳动科技有限公司<script>alert(1)</script>", "</div>华为技术有限公司", "<img src=x onerror=alert(1)>",
    "华为&lt;b&gt;技术有限公司", "javascript:alert(1)", "ＪＡＶＡＳＣＲＩＰＴ：alert(1)", "某某公司 onload = x",
    "＜script＞科技有限公司", "<!-- x -->腾讯",
]
ACCEPTED_NAMES = [
    "3M中国有限公司", "58同城信息技术有限公司", "字节跳动（北京）科技有限公司", "华为(深圳)技术有限公司",
    "中铁十八局-第三工程有限公司", "AT&T中国", "《读者》出版集团", "Salesforce (China) Co., Ltd.", "TCL科技",
    "1号店", "A+B 设计有限公司", "Bonjour设计", "E-Home Tech",
]


def _folded(names: list[str]) -> list[str]:
    rows = [{"raw_row_id": str(i), "company_name": n} for i, n in enumerate(names)]
    return claims_checkable(_parsed(rows))["company_name_folded"].to_list()


@pytest.mark.parametrize("name", REFUSED_NAMES)
def test_a_name_starting_a_formula_or_carrying_markup_is_caught(name):
    assert re.search(NAME_MARKUP, _folded([name])[0])


@pytest.mark.parametrize("name", ACCEPTED_NAMES)
def test_brackets_hyphens_ampersands_and_leading_digits_are_ordinary(name):
    assert not re.search(NAME_MARKUP, _folded([name])[0])


def test_the_name_is_checked_folded_to_half_width_lower_case_without_outer_whitespace():
    assert _folded(["\t＝ＳＵＭ(1) ", "ＡＢＣ科技", None]) == ["=sum(1)", "abc科技", None]


def test_reasons_are_in_catalogue_order_and_carry_the_value():
    zh, en = reasons_for(
        {"rep_id": "S999", "category": "E类", "submitted_at_text": None},
        ["category_invalid", "rep_unknown"], "2026-11-26",
    )
    assert zh == "销售工号“S999”不在销售名单中；客户类别“E类”不是 A/B/C/D 之一"
    assert en == "rep id 'S999' is not in the reps roster; category 'E类' is not one of A, B, C, D"


def test_every_check_has_a_distinct_code_and_both_reasons():
    codes = [c.code for c in CHECKS]
    assert len(codes) == len(set(codes))
    assert all(c.reason_zh and c.reason_en for c in CHECKS)


def test_a_refused_name_is_explained_with_the_value_and_what_to_do():
    zh, en = reasons_for({"company_name": "=1+1"}, ["company_name_markup"], "2026-11-26")
    assert zh == "客户名称“=1+1”含有网页代码或公式，请填写公司全称"
    assert "web markup or a formula" in en and "'=1+1'" in en


def test_a_phone_or_email_is_never_a_reason_to_refuse():
    assert not [c.code for c in CHECKS if "phone" in c.column or "email" in c.column]
