"""The typeahead of the "check before you register" page, on a handful of claims built here: what a
rep types finds the known customer (name, short name, pinyin, initials, phone, address, credit code),
ranked and limited, with its owner or the public pool, and never a contact detail."""

import json
import random
from datetime import UTC, datetime

import duckdb
import polars as pl
import pytest

from matching.aliases import alias_key
from service.typeahead import RESULT_KEYS, TypeaheadIndex, load_typeahead
from service.warehouse_reader import CUSTOMER_SCHEMA
from transforms.names import name_parts

CREDIT_CODE = "91510118694075612L"
DIGITS_ONLY_CODE = "913501280513022281"  # a valid code of digits alone: not taken for a phone number
# (customer_id, company name as registered, phone, e-mail): three claims of 万洲, two of 瓦房店轴承
CLAIMS = [
    ("C1", "瓦房店轴承股份有限公司", None, "zhao@zwz-bearing.com"),
    ("C1", "瓦房店軸承股份有限公司", None, None),
    ("C2", "万洲贸易有限公司", None, None),
    ("C2", "万洲贸易（上海）有限公司", None, None),
    ("C2", "上海万洲贸易有限公司", None, None),
    ("C3", "北京字节跳动科技有限公司", "+8613800138000", "lisi@bytedance.com"),
    ("C4", "洛阳轴承研究所有限公司", None, "someone@qq.com"),
    ("C5", "华康科技有限公司（13698765432）", "+8613698765432", None),
    ("C6", "华康贸易有限公司", None, None),
]
# every contact value of CLAIMS, in the forms a result could leak it in
CONTACT_VALUES = ["13800138000", "13698765432", "zhao", "lisi", "someone", "bytedance.com", "zwz-bearing",
                  "qq.com", CREDIT_CODE, DIGITS_ONLY_CODE]
OWNERS = {  # customer → (rep, name, team, protection end in UTC)
    "C1": ("S001", "王五", "华北一组", datetime(2026, 12, 31, 17, 0, tzinfo=UTC)),  # 2027-01-01 in Shanghai
    "C3": ("S002", "李四", "华东二组", datetime(2027, 3, 1, 2, 0, tzinfo=UTC)),
}


def _frames(claims: list[tuple]) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(names, contacts, customers) of `claims`, standardised as the nightly run does."""
    names, contacts = [], []
    for customer_id, company, phone, email in claims:
        parts = name_parts(company)
        names.append({
            "customer_id": customer_id, "company_name": company, "name_norm": parts.name_norm,
            "core_name": parts.core_name, "core_pinyin": parts.core_pinyin, "core_initials": parts.core_initials,
            "is_latin_name": parts.is_latin_name, "trade_name": parts.core_name, "trade_pinyin": parts.core_pinyin,
            "alias_key": alias_key(parts.core_name),
        })
        domain = email.split("@")[1] if email else None
        contacts.append({
            "customer_id": customer_id, "phone_e164": phone, "phone_alt_e164": None, "email_norm": email,
            "email_domain": domain, "is_free_mail": domain == "qq.com" if domain else None,
            "credit_code_norm": {"C3": CREDIT_CODE, "C2": DIGITS_ONLY_CODE}.get(customer_id),
        })
    customers = pl.DataFrame([
        {"customer_id": cid, "display_name": next(c[1] for c in CLAIMS + claims if c[0] == cid),
         "owner_rep_id": OWNERS.get(cid, (None,) * 4)[0], "owner_name": OWNERS.get(cid, (None,) * 4)[1],
         "team": OWNERS.get(cid, (None,) * 4)[2], "protection_end": OWNERS.get(cid, (None,) * 4)[3],
         "idle_release_at": None}
        for cid in sorted({c[0] for c in claims})
    ], schema=CUSTOMER_SCHEMA)
    return pl.DataFrame(names), pl.DataFrame(contacts), customers


@pytest.fixture(scope="module")
def index() -> TypeaheadIndex:
    return TypeaheadIndex.from_frames(*_frames(CLAIMS))


def _found(index: TypeaheadIndex, text: str, limit: int = 8) -> list[tuple[str, str, str]]:
    return [(r["customer_id"], r["matched_by"], r["matched_name"]) for r in index.suggest(text, limit)]


@pytest.mark.parametrize(("typed", "matched_by"), [("wz", "initials"), ("瓦轴", "short_name"), ("wazhou", "pinyin")])
def test_the_stock_short_name_finds_the_company_by_its_characters_pinyin_and_initials(index, typed, matched_by):
    # 瓦轴 is nowhere in the claims: the listed-company table says it is 瓦房店轴承's short name
    assert _found(index, typed)[0] == ("C1", matched_by, "瓦轴")


def test_an_exact_key_ranks_before_a_prefix_of_a_customer_with_more_claims(index):
    # 万洲贸易 (3 claims) has initials wzmy, which "wz" only opens
    assert [cid for cid, _, _ in _found(index, "wz")] == ["C1", "C2"]
    assert [cid for cid, _, _ in _found(index, "wz", limit=1)] == ["C1"]


def test_traditional_and_full_width_input_is_read_as_claims_are(index):
    assert _found(index, "瓦房店軸承")[0][0] == "C1"
    assert _found(index, "ｗａｚｈｏｕ")[0][0] == "C1"
    assert _found(index, "北京字節")[0][:2] == ("C3", "name")


def test_chinese_text_inside_a_name_is_found_after_the_prefixes(index):
    # 洛阳轴承研究所's core opens with 轴承 (洛阳 is its region); 瓦房店轴承 only holds it
    assert [cid for cid, _, _ in _found(index, "轴承")] == ["C4", "C1"]
    assert _found(index, "字节跳动")[0][0] == "C3"  # the core, a prefix once region and legal form are cut


@pytest.mark.parametrize("typed", ["138 0013 8000", "+86 138-0013-8000", "１３８００１３８０００"])
def test_a_complete_phone_in_any_format_finds_its_customer_by_display_name(index, typed):
    assert _found(index, typed) == [("C3", "phone", "北京字节跳动科技有限公司")]


def test_a_phone_still_being_typed_finds_nothing(index):
    assert _found(index, "138 0013 800") == []
    assert _found(index, "1380013") == []


def test_an_address_or_its_company_domain_finds_the_customer_but_free_mail_does_not(index):
    assert _found(index, "LiSi@ByteDance.com") == [("C3", "email", "北京字节跳动科技有限公司")]
    assert _found(index, "wang@bytedance.com") == [("C3", "email", "北京字节跳动科技有限公司")]
    assert _found(index, "other@qq.com") == []


def test_a_credit_code_is_matched_exactly(index):
    assert _found(index, CREDIT_CODE.lower()) == [("C3", "credit_code", "北京字节跳动科技有限公司")]
    assert _found(index, CREDIT_CODE[:-1] + "X") == []
    assert _found(index, DIGITS_ONLY_CODE) == [("C2", "credit_code", "万洲贸易有限公司")]


def test_no_result_ever_holds_a_contact_detail(index):
    typed = ["138 0013 8000", "13698765432", "+86 136 9876 5432", "lisi@bytedance.com", "x@zwz-bearing.com",
             "someone@qq.com", CREDIT_CODE, DIGITS_ONLY_CODE, "华康", "hk", "huakang", "瓦", "北京", "轴承"]
    results = [index.suggest(text) for text in typed]
    assert any(results)
    shown = json.dumps(results, ensure_ascii=False)
    assert [value for value in CONTACT_VALUES if value.lower() in shown.lower()] == []
    assert all(tuple(r) == RESULT_KEYS for found in results for r in found)


def test_protected_and_public_pool_customers(index):
    (protected,) = index.suggest("瓦房店", limit=1)
    assert protected.pop("matched_name") in {"瓦房店轴承股份有限公司", "瓦房店軸承股份有限公司"}  # as registered
    assert protected == {
        "customer_id": "C1", "display_name": "瓦房店轴承股份有限公司", "matched_by": "name",
        "owner_rep_id": "S001", "owner_name": "王五", "owner_team": "华北一组",
        "protection_end": "2027-01-01", "status": "protected",
    }
    (free,) = index.suggest("万洲", limit=1)
    assert (free["status"], free["owner_rep_id"], free["owner_name"], free["protection_end"]) == (
        "public_pool", None, None, None)


def test_answers_do_not_depend_on_the_order_of_the_input_rows(index):
    claims = [*CLAIMS, ("C7", "华康科技有限公司", None, None)]
    shuffled = random.Random(7).sample(claims, len(claims))
    first, again = (TypeaheadIndex.from_frames(*_frames(rows)) for rows in (claims, shuffled))
    for text in ("华康", "hk", "wz", "轴", "瓦"):
        assert again.suggest(text) == first.suggest(text)
    # one claim each: by display name (C5's is longer: its phone, masked when shown)
    assert [r["customer_id"] for r in first.suggest("华康科技")] == ["C7", "C5"]


@pytest.mark.parametrize("typed", ["", "   ", "w", "@", "+86"])
def test_blank_or_too_short_input_finds_nothing(index, typed):
    assert index.suggest(typed) == []


def test_one_chinese_character_answers(index):
    assert [cid for cid, _, _ in _found(index, "瓦")] == ["C1"]


def test_the_loader_reads_a_published_warehouse(samples_run):
    _, warehouse = samples_run
    index = load_typeahead(warehouse)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        company, customer_id, phone = con.execute(
            "select company_name, customer_id, phone_e164 from claims join claim_customer using (claim_id) "
            "where phone_e164 like '+861%' order by claim_id limit 1").fetchone()
    assert customer_id in [r["customer_id"] for r in index.suggest(company)]
    assert customer_id in [r["customer_id"] for r in index.suggest(phone)]
