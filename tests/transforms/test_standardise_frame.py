"""standardise_claims on small hand-made frames: one behaviour per test."""

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from transforms.standardise import ADDED_COLUMNS, REQUIRED_COLUMNS, standardise_claims

TEXT_SCHEMA = {"claim_id": pl.String, **dict.fromkeys(REQUIRED_COLUMNS, pl.String)}


def _claims(**columns: list) -> pl.DataFrame:
    height = len(next(iter(columns.values())))
    data = {name: columns.get(name, [None] * height) for name in TEXT_SCHEMA}
    return pl.DataFrame(data, schema=TEXT_SCHEMA)


def test_each_field_is_standardised_beside_the_input():
    claims = _claims(
        claim_id=["c1", "c2", "c3"],
        company_name=["北京字节跳动科技有限公司", "字節跳動（北京）科技有限公司上海分公司", None],
        contact_name=["王总", "李 四", None],
        phone=["+86 138-0013-8000", "0755-86013388转8001", "12345678901"],
        email=["ZS@ByteDance.com", "abc@qq.com", "not mail"],
        website=["https://www.bytedance.com/cn", None, "无"],
        credit_code=["9144 0300 7152 6726 XG", "914403001922038217", None],
    )
    expected_added = pl.DataFrame(
        {
            "name_norm": ["北京字节跳动科技有限公司", "字节跳动(北京)科技有限公司上海分公司", None],
            "legal_form": ["有限责任公司", "有限责任公司", None],
            "region": ["北京", "北京", None],
            "region_source": ["name", "name", None],
            "branch": [None, "上海分公司", None],
            "core_name": ["字节跳动科技", "字节跳动科技", None],
            "core_pinyin": ["zijietiaodongkeji", "zijietiaodongkeji", None],
            "core_initials": ["zjtdkj", "zjtdkj", None],
            "is_latin_name": [False, False, None],
            "phone_e164": ["+8613800138000", "+8675586013388", None],
            "phone_ext": [None, "8001", None],
            "phone_type": ["mobile", "landline", None],
            "phone_alt_e164": [None, None, None],
            "is_shared_phone": [False, False, None],
            "has_unreadable_phone": [False, False, True],
            "email_norm": ["zs@bytedance.com", "abc@qq.com", None],
            "email_domain": ["bytedance.com", "qq.com", None],
            "is_free_mail": [False, True, None],
            "has_unreadable_email": [False, False, True],
            "website_domain": ["bytedance.com", None, None],
            "credit_code_norm": ["9144030071526726XG", None, None],
            "has_invalid_credit_code": [False, True, False],
            "contact_name_norm": ["王", "李四", None],
        },
        schema=ADDED_COLUMNS,
    )
    expected = pl.concat([claims, expected_added], how="horizontal")
    assert_frame_equal(standardise_claims(claims), expected)


def test_lazy_input_gives_the_same_frame():
    claims = _claims(claim_id=["c1", "c2"], company_name=["华为技术有限公司", "华为终端有限公司"])
    assert_frame_equal(standardise_claims(claims.lazy()), standardise_claims(claims))


@pytest.mark.parametrize("column", REQUIRED_COLUMNS)
def test_missing_column_is_named_in_the_error(column):
    claims = _claims(claim_id=["c1"]).drop(column)
    with pytest.raises(ValueError, match=column):
        standardise_claims(claims)


def test_existing_output_column_is_refused():
    claims = _claims(claim_id=["c1"]).with_columns(region=pl.lit("北京"))
    with pytest.raises(ValueError, match="region"):
        standardise_claims(claims)


def test_shared_phone_needs_enough_distinct_companies():
    claims = _claims(
        claim_id=["c1", "c2", "c3", "c4", "c5", "c6", "c7"],
        company_name=[
            "北京字节跳动科技有限公司",
            "字节跳动（北京）科技有限公司",  # same core as c1: one company
            "华为技术有限公司",
            "华为终端有限公司",
            "华为技术有限公司",
            "腾讯科技（深圳）有限公司",
            None,
        ],
        phone=[
            "400-800-1234",
            "4008001234",
            "400 800 1234",
            "13800138000",
            "+86 138 0013 8000",
            "(0755)86013388",
            None,
        ],
    )
    result = standardise_claims(claims, shared_phone_min_companies=2)
    assert result["is_shared_phone"].to_list() == [True, True, True, True, True, False, None]
    stricter = standardise_claims(claims, shared_phone_min_companies=3)
    assert stricter["is_shared_phone"].to_list() == [False, False, False, False, False, False, None]


def test_shared_phone_ignores_claims_without_a_company_name():
    claims = _claims(
        claim_id=["c1", "c2", "c3"],
        company_name=["华为技术有限公司", None, None],
        phone=["13800138000", "13800138000", "13800138000"],
    )
    result = standardise_claims(claims, shared_phone_min_companies=2)
    assert result["is_shared_phone"].to_list() == [False, False, False]


def test_other_columns_pass_through_and_input_is_not_mutated():
    claims = _claims(claim_id=["c1", "c2"], company_name=["a", "b"]).with_columns(
        source=pl.Series(["crm", "sheet"]), received_at=pl.Series([1, 2])
    )
    before = claims.clone()
    result = standardise_claims(claims)
    assert_frame_equal(result.select(claims.columns), before)
    assert_frame_equal(claims, before)


def test_untyped_null_and_numeric_columns_are_read_as_text():
    claims = pl.DataFrame(
        {
            "claim_id": [1, 2],
            "company_name": [None, None],
            "contact_name": [None, None],
            "phone": [13800138000, None],
            "email": [None, None],
            "website": [None, None],
            "credit_code": [None, None],
        }
    )
    result = standardise_claims(claims)
    assert result["phone_e164"].to_list() == ["+8613800138000", None]
    assert result["has_invalid_credit_code"].to_list() == [False, False]
    assert result.schema["name_norm"] == pl.String


def test_empty_frame_keeps_the_contract_schema():
    result = standardise_claims(_claims(claim_id=[]))
    assert result.height == 0
    assert dict(result.schema) == {**TEXT_SCHEMA, **ADDED_COLUMNS}


def test_an_unreadable_phone_or_email_is_ignored_and_flagged_but_none_given_is_not():
    claims = _claims(
        claim_id=["c1", "c2", "c3", "c4"],
        phone=["随便写的", "无", "18592172390 微信同号", None],
        email=["zhang@@qq", "  ", "a@qq.com", "N/A"],
    )
    result = standardise_claims(claims)
    assert result["phone_e164"].to_list() == [None, None, "+8618592172390", None]
    assert result["has_unreadable_phone"].to_list() == [True, False, False, False]
    assert result["email_norm"].to_list() == [None, None, "a@qq.com", None]
    assert result["has_unreadable_email"].to_list() == [True, False, False, False]


def test_the_mobile_is_the_phone_and_the_landline_beside_it_the_alternative():
    claims = _claims(claim_id=["c1", "c2"], phone=["座机:021-55556666 手机:13912345678", "13800138000"])
    result = standardise_claims(claims)
    assert result["phone_e164"].to_list() == ["+8613912345678", "+8613800138000"]
    assert result["phone_alt_e164"].to_list() == ["+862155556666", None]


def test_region_comes_from_the_name_then_city_address_and_province_columns():
    claims = _claims(
        claim_id=["c1", "c2", "c3", "c4", "c5", "c6"],
        company_name=["北京字节跳动科技有限公司", "字节跳动科技有限公司", "字节跳动科技有限公司",
                      "字节跳动科技有限公司", "字节跳动科技有限公司", "字节跳动科技有限公司"],
    ).with_columns(
        province=pl.Series(["广东省", "广东省", "广东", "广东省", None, "华南"]),
        city=pl.Series(["深圳市", "深圳", None, None, None, None]),
        address=pl.Series([None, "上海市浦东新区张江路1号", "广东省广州市天河区体育西路", None, "建国路88号", None]),
    )
    result = standardise_claims(claims)
    assert result["region"].to_list() == ["北京", "深圳", "广州", "广东", None, None]
    assert result["region_source"].to_list() == ["name", "city", "address", "province", None, None]


def test_without_place_columns_the_region_is_the_names():
    claims = _claims(claim_id=["c1", "c2"], company_name=["深圳市腾讯计算机系统有限公司", "腾讯科技有限公司"])
    result = standardise_claims(claims)
    assert result["region"].to_list() == ["深圳", None]
    assert result["region_source"].to_list() == ["name", None]
