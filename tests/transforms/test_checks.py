from datetime import UTC, datetime

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.checks import CHECKS, claims_checkable, duplicates_marked, reasons_for


def _parsed(rows: list[dict]) -> pl.DataFrame:
    base = {
        "raw_row_id": None, "claim_id": None, "submitted_at": None, "submitted_at_text": None,
        "source": "webform", "file_name": "a.csv", "row_number": 0, "raw_record": "{}",
        "phone": None, "email": None,
    }
    return pl.DataFrame([base | r for r in rows], schema={
        "raw_row_id": pl.String, "claim_id": pl.String, "submitted_at": pl.Datetime("us", "UTC"),
        "submitted_at_text": pl.String, "source": pl.String, "file_name": pl.String,
        "row_number": pl.Int64, "raw_record": pl.String, "phone": pl.String, "email": pl.String,
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
    duplicate_of = dict(zip(out["raw_row_id"], out["duplicate_of"]))
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
    assert dict(zip(out["raw_row_id"], out["duplicate_of"])) == {"1-2": "文件 a.csv 第 3 行", "1-3": None}


def test_only_the_first_of_several_phones_and_addresses_is_checked():
    out = claims_checkable(_parsed([
        {"raw_row_id": "1", "claim_id": "A", "phone": "13800138000 / 010-12345678", "email": "张三 <Zhang@ByteDance.com>"},
        {"raw_row_id": "2", "claim_id": "B", "phone": "13800138000；13900139000", "email": "a@x.com; b@y.com"},
    ]))
    assert out["phone_digits"].to_list() == ["13800138000", "13800138000"]
    assert out["email_lower"].to_list() == ["zhang@bytedance.com", "a@x.com"]


def test_helper_columns_for_phone_and_email_checks():
    out = claims_checkable(_parsed([
        {"raw_row_id": "1", "claim_id": "A", "phone": "(0755) 8888-1234 转 8001", "email": "Zhang@QQ.com"},
        {"raw_row_id": "2", "claim_id": "B", "phone": "１３８ ００１３ ８０００", "email": None},
        {"raw_row_id": "3", "claim_id": "C", "phone": "+86 138-0013-8000"},
    ]))
    assert out["phone_digits"].to_list() == ["075588881234", "13800138000", "+8613800138000"]
    assert out["email_lower"].to_list() == ["zhang@qq.com", None, None]
    assert out["submitted_at_readable"].to_list() == [True, True, True]


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
