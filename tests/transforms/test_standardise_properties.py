"""Invariants of claim standardisation, checked with hypothesis.

Every per-field function is idempotent on its own output and never raises on arbitrary
Unicode; spelling variants of one name share a name_norm; standardise_claims keeps every
row, ignores row order and agrees with the per-field functions a lookup would use.
"""

from dataclasses import replace

import opencc
import phonenumbers
import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from transforms import distinct_map, phones
from transforms.contacts import normalise_contact
from transforms.credit_codes import normalise_credit_code
from transforms.emails import normalise_email
from transforms.names import name_parts, normalise_name
from transforms.phones import normalise_phone, phone_text
from transforms.standardise import ADDED_COLUMNS, REQUIRED_COLUMNS, standardise_claims
from transforms.websites import website_domain

_TO_TRADITIONAL = opencc.OpenCC("s2t")

# A modest number of examples keeps the file under a few seconds; no example database is
# written into the working directory.
SETTINGS = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

any_text = st.text(max_size=60) | st.text(st.characters(codec="utf-8"), max_size=300)
REGIONS = ["北京", "北京市", "上海", "深圳市", "广东省", "广东深圳", "内蒙古", "浦东新区", ""]
TRADE_NAMES = ["字节跳动", "华为", "腾讯", "阿里巴巴", "万科", "平安", "招商", "美的", "海尔"]
INDUSTRIES = ["科技", "信息技术", "网络科技", "贸易", "电子", "终端", "Technology"]
FORMS = ["有限公司", "有限责任公司", "股份有限公司", "集团有限公司", "(集团)股份有限公司"]
FORMS += ["Co., Ltd.", "Inc."]
company_names = st.builds(
    lambda region, trade, industry, form: f"{region}{trade}{industry}{form}",
    st.sampled_from(REGIONS),
    st.lists(st.sampled_from(TRADE_NAMES), min_size=1, max_size=2).map("".join),
    st.sampled_from(INDUSTRIES),
    st.sampled_from([*FORMS, ""]),
)
phone_like = st.builds(
    lambda prefix, d, sep, ext: f"{prefix}{sep.join([d[:3], d[3:7], d[7:]])}{ext}",
    st.sampled_from(["", "+86 ", "0086", "86", "(0755)", "0"]),
    st.text(st.sampled_from("0123456789"), min_size=7, max_size=12),
    st.sampled_from(["", "-", " ", "．", "/"]),
    st.sampled_from(["", "转8001", " ext 12", "-123", "#9"]),
)
FULL_WIDTH = {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)} | {" ": "\u3000"}


def _full_width(text: str) -> str:
    return "".join(FULL_WIDTH.get(char, char) for char in text)


@SETTINGS
@given(any_text | company_names)
def test_name_functions_are_idempotent_and_total(raw):
    parts = name_parts(raw)
    if parts.name_norm is not None:
        assert normalise_name(parts.name_norm) == parts.name_norm
        assert name_parts(parts.name_norm) == parts
        assert parts.core_name


@SETTINGS
@given(any_text | phone_like)
def test_phone_function_is_idempotent_and_total(raw):
    parts = normalise_phone(raw)
    if parts.e164 is not None:
        assert parts.e164.startswith("+") and parts.phone_type in {"mobile", "landline", "other"}
        # phone_text writes the kept number back, not the alternative beside it
        assert normalise_phone(phone_text(parts)) == replace(parts, alt_e164=None)


@SETTINGS
@given(phone_like)
def test_phone_shortcut_agrees_with_the_full_parser(raw):
    shortcut = phones._plain(raw)
    if shortcut.e164 is not None:
        assert shortcut == phones._parse(raw)
    try:
        number = phonenumbers.parse(raw, "CN")
    except phonenumbers.NumberParseException:
        return
    is_typed = phonenumbers.number_type(number) != phonenumbers.PhoneNumberType.UNKNOWN
    assert phonenumbers.is_valid_number(number) == is_typed


@SETTINGS
@given(any_text | st.emails())
def test_email_function_is_idempotent_and_total(raw):
    parts = normalise_email(raw)
    if parts.email_norm is not None:
        assert normalise_email(parts.email_norm) == parts
        assert parts.email_norm.endswith("@" + parts.email_domain)


@SETTINGS
@given(any_text | st.emails().map(lambda e: "https://www." + e.split("@")[1] + "/path"))
def test_website_function_is_idempotent_and_total(raw):
    domain = website_domain(raw)
    if domain is not None:
        assert website_domain(domain) == domain


@SETTINGS
@given(any_text | st.text(st.sampled_from("0123456789ABCDEFGHJKLMNPQRTUWXY -"), max_size=22))
def test_credit_code_function_is_idempotent_and_total(raw):
    parts = normalise_credit_code(raw)
    if parts.credit_code_norm is not None:
        assert normalise_credit_code(parts.credit_code_norm) == parts
    assert not (parts.credit_code_norm and parts.has_invalid_credit_code)


titled_contacts = st.builds(
    lambda surname, title: surname + title,
    st.sampled_from(["王", "李", "張", "欧阳", "John "]),
    st.sampled_from(["总", "先生", "经理", "", "女士", "总经理"]),
)


@SETTINGS
@given(any_text | titled_contacts)
def test_contact_function_is_idempotent_and_total(raw):
    name = normalise_contact(raw)
    if name is not None:
        assert normalise_contact(name) == name


@SETTINGS
@given(company_names, st.sampled_from(["()", "（）", "[]", "【】"]), st.booleans())
def test_spelling_variants_share_name_norm(name, brackets, spaced):
    bracketed = name.replace("(", brackets[0]).replace(")", brackets[1])
    variants = [
        bracketed,
        _full_width(name),
        _TO_TRADITIONAL.convert(name),
        " ".join(name) if spaced else name.upper(),
    ]
    assert {normalise_name(v) for v in variants} == {normalise_name(name)}


@SETTINGS
@given(
    st.sampled_from(["北京", "深圳", "上海", "广州市", "内蒙古"]),
    st.lists(st.sampled_from(TRADE_NAMES), min_size=1, max_size=2).map("".join),
    st.sampled_from(["科技", "网络", "终端"]),
)
def test_region_position_does_not_change_core(region, trade, industry):
    leading = name_parts(f"{region}{trade}{industry}有限公司")
    bracketed = name_parts(f"{trade}（{region}）{industry}有限公司")
    assert (leading.core_name, leading.region) == (bracketed.core_name, bracketed.region)


claim_values = st.none() | any_text
claim_rows = st.lists(
    st.fixed_dictionaries(
        {
            "company_name": claim_values | company_names,
            "contact_name": claim_values,
            "phone": claim_values | phone_like | st.just("+86 138-0013-8000"),
            "email": claim_values | st.emails(),
            "website": claim_values,
            "credit_code": claim_values | st.just("91110000802100433B"),
        }
    ),
    max_size=12,
)


def _frame(rows: list[dict]) -> pl.DataFrame:
    data = {"claim_id": list(range(len(rows)))}
    data |= {c: [row[c] for row in rows] for c in REQUIRED_COLUMNS}
    schema = {"claim_id": pl.Int64, **dict.fromkeys(REQUIRED_COLUMNS, pl.String)}
    return pl.DataFrame(data, schema=schema)


@settings(SETTINGS, max_examples=60)
@given(claim_rows, st.randoms(use_true_random=False))
def test_frame_keeps_rows_ignores_order_and_matches_field_functions(rows, rng):
    frame = _frame(rows)
    result = standardise_claims(frame, shared_phone_min_companies=2)
    assert result.height == frame.height
    assert result.columns == frame.columns + list(ADDED_COLUMNS)
    assert_frame_equal(result.select(frame.columns), frame)

    order = list(range(frame.height))
    rng.shuffle(order)
    shuffled = standardise_claims(frame[order], shared_phone_min_companies=2).sort("claim_id")
    assert_frame_equal(shuffled, result)

    for row in result.iter_rows(named=True):
        parts = name_parts(row["company_name"])
        assert (row["name_norm"], row["core_name"], row["core_pinyin"]) == (
            parts.name_norm,
            parts.core_name,
            parts.core_pinyin,
        )
        assert row["phone_e164"] == normalise_phone(row["phone"]).e164
        assert row["email_norm"] == normalise_email(row["email"]).email_norm
        assert row["website_domain"] == website_domain(row["website"])
        code = normalise_credit_code(row["credit_code"])
        assert row["credit_code_norm"] == code.credit_code_norm
        assert row["has_invalid_credit_code"] == code.has_invalid_credit_code
        assert row["contact_name_norm"] == normalise_contact(row["contact_name"])


@settings(SETTINGS, max_examples=40)
@given(claim_rows)
def test_a_few_rows_mapped_one_by_one_give_what_mapping_distinct_values_gives(rows):
    # a lookup's few rows are mapped one by one, the nightly's many by distinct value: same frame
    frame = _frame(rows + rows[:3])  # repeated values too
    one_by_one = standardise_claims(frame, shared_phone_min_companies=2)
    original = distinct_map.SMALL_FRAME_ROWS
    distinct_map.SMALL_FRAME_ROWS = -1
    try:
        by_distinct = standardise_claims(frame, shared_phone_min_companies=2)
    finally:
        distinct_map.SMALL_FRAME_ROWS = original
    assert frame.height <= original
    assert_frame_equal(one_by_one, by_distinct)


def test_very_long_values_do_not_raise():
    long_text = "北京字节跳动（" * 5000 + "分公司" + "\x00\u200b😀" * 1000
    functions = (
        name_parts,
        normalise_phone,
        normalise_email,
        website_domain,
        normalise_credit_code,
        normalise_contact,
    )
    for function in functions:
        function(long_text)
