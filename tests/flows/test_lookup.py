"""`recon lookup` against a warehouse built by the nightly flow: every spelling family of
DOMAIN.md finds the right customer first, unknown and sister companies are not taken for a known
customer, no contact detail is ever shown, and the published file is only ever read."""

import json
import os

import duckdb
import pytest

from flows.cli import DEFAULT_POLICY
from flows.lookup import Lookup, QueryError, parse_query
from tests.flows.inputs import REPO
from tests.flows.lookup_inputs import BYTEDANCE_CODE, CONTACT_DETAILS
from tests.flows.subprocesses import recon, recon_env

# (family, query): each should find 北京字节跳动科技有限公司 (WF-0001) first
BYTEDANCE_SPELLINGS = [
    ("exact", {"name": "北京字节跳动科技有限公司"}),
    ("legal form changed", {"name": "北京字节跳动科技股份有限公司"}),
    ("region moved", {"name": "字节跳动（北京）科技有限公司"}),
    ("half-width brackets", {"name": "字节跳动(北京)科技有限公司"}),
    ("full-width and spaces", {"name": "　北京 字节跳动 科技有限公司 "}),
    ("traditional", {"name": "北京字節跳動科技有限公司"}),
    ("short name", {"name": "字节跳动"}),
    ("English name", {"name": "Beijing Zijie Tiaodong Technology Co., Ltd."}),
    ("pinyin upper case", {"name": "ZIJIE TIAODONG TECHNOLOGY CO.,LTD."}),
    ("homophone typo", {"name": "北京字节跳栋科技有限公司"}),
    # a dropped or extra character changes every blocking key of the name (as in the nightly
    # run): the rep's phone or e-mail is what brings the customer up
    ("dropped character, with phone", {"name": "北京字节跳科技有限公司", "phone": "13800138000"}),
    ("extra character, with e-mail", {"name": "北京字节跳动动科技有限公司", "email": "lisi@bytedance.com"}),
    ("phone as +86 with dashes", {"name": "字节跳动", "phone": "+86 138-0013-8000"}),
    ("phone in full-width digits only", {"phone": "１３８００１３８０００"}),
    ("company mail domain only", {"email": "Wang.Wu@ByteDance.com"}),
    ("credit code only", {"credit_code": BYTEDANCE_CODE.lower()}),
]


@pytest.fixture(scope="module")
def lookup(lookup_warehouse):
    return Lookup(lookup_warehouse, DEFAULT_POLICY)


@pytest.fixture(scope="module")
def customer_of(lookup_warehouse):
    with duckdb.connect(str(lookup_warehouse), read_only=True) as con:
        return dict(con.execute("select claim_id, customer_id from claim_customer").fetchall())


@pytest.mark.parametrize(("family", "query"), BYTEDANCE_SPELLINGS, ids=[f for f, _ in BYTEDANCE_SPELLINGS])
def test_every_spelling_family_finds_the_customer_first(lookup, customer_of, family, query):
    answer = lookup.answer(parse_query(query))
    first = answer["matches"][0]
    assert first["customer_id"] == customer_of["WF-0001"], (family, answer["matches"])
    assert first["display_name"] == "北京字节跳动科技有限公司"
    assert first["owner"] == {"rep_id": "S001", "name": "王磊", "team": "华北一组"}
    assert first["status"] == "protected" and first["protection_end"].startswith("2027-02-18")
    assert first["agreed"], "the rep is told what agreed"


def test_full_names_and_codes_are_sure_and_near_spellings_likely(lookup):
    def verdict(query):
        return lookup.answer(parse_query(query))["matches"][0]["verdict"]

    assert verdict({"name": "北京字節跳動科技有限公司"}) == "sure"
    assert verdict({"credit_code": BYTEDANCE_CODE}) == "sure"
    assert verdict({"name": "字节跳动（北京）科技有限公司"}) == "likely"
    assert verdict({"name": "北京字节跳栋科技有限公司"}) == "likely"
    assert verdict({"name": "字节跳动", "phone": "+86 138-0013-8000"}) == "likely"


def test_an_unknown_company_gets_no_confident_match(lookup):
    for query in ({"name": "青岚星河生物科技有限公司"}, {"name": "青岚星河生物科技有限公司", "phone": "13912345678"}):
        answer = lookup.answer(parse_query(query))
        assert answer["known"] is False
        assert all(m["verdict"] not in ("sure", "likely") for m in answer["matches"])


def test_a_sister_company_is_related_not_the_same_customer(lookup, customer_of):
    answer = lookup.answer(parse_query({"name": "光华网络科技有限公司"}))
    assert customer_of["WF-0002"] not in [m["customer_id"] for m in answer["matches"]]
    related = answer["related_companies"]
    assert [(r["customer_id"], r["verdict"]) for r in related] == [(customer_of["WF-0002"], "related")]
    assert related[0]["owner"]["name"] == "陈静"
    # 华为终端 beside a known 华为技术, even with a mailbox on the group's domain, is not the same
    # customer; but 华为技术 is protected and weakly similar, so the rep is told to check it
    answer = lookup.answer(parse_query({"name": "华为终端有限公司", "email": "zhao@huawei.com"}))
    assert all(m["verdict"] not in ("sure", "likely", "possible") for m in answer["matches"])
    assert [(m["display_name"], m["verdict"], m["status"]) for m in answer["matches"]] == [
        ("华为技术有限公司", "weak", "protected")]
    assert answer["known"] is True


def test_a_customer_in_the_public_pool_says_so(lookup, customer_of):
    first = lookup.answer(parse_query({"name": "苏州明远精密机械有限公司"}))["matches"][0]
    assert first["customer_id"] == customer_of["WF-0003"]
    assert (first["status"], first["status_zh"], first["owner"]) == ("public_pool", "公海", None)


def test_no_answer_ever_shows_a_customers_contact_details(lookup):
    queries = [q for _, q in BYTEDANCE_SPELLINGS] + [
        {"name": "华为技术有限公司"}, {"name": "光华医药"}, {"name": "华为终端有限公司", "email": "zhao@huawei.com"},
    ]
    for query in queries:
        answer = lookup.answer(parse_query(query))
        shown = json.dumps({k: v for k, v in answer.items() if k != "query"}, ensure_ascii=False)
        assert answer["matches"] or answer["related_companies"]
        for detail in CONTACT_DETAILS:
            assert detail not in shown, (query, detail)


@pytest.mark.parametrize(("params", "reason"), [
    ({"name": "  "}, "the company name is empty"),
    ({"name": None, "phone": None}, "a company name is required"),
    ({"name": "字" * 201}, "too long"),
    ({"name": "字节跳动", "top": 0}, "top must be"),
    ({"name": "字节跳动", "top": "five"}, "top must be"),
    ({"name": "字节跳动", "owner": "S001"}, "unknown parameter"),
])
def test_bad_queries_are_refused_with_a_reason(params, reason):
    with pytest.raises(QueryError, match=reason) as refused:
        parse_query(params)
    assert refused.value.zh and refused.value.en


@pytest.mark.parametrize(("params", "reason"), [
    ({"name": "字节跳动", "phone": "123"}, "phone number"),
    ({"name": "字节跳动", "email": "not-an-address"}, "e-mail address"),
    ({"name": "字节跳动", "credit_code": "91110108MA01ABCDE0"}, "credit code"),
])
def test_unreadable_contact_fields_are_refused(lookup, params, reason):
    with pytest.raises(QueryError, match=reason):
        lookup.answer(parse_query(params))


def test_a_replaced_warehouse_is_reloaded(lookup_warehouse, tmp_path, customer_of):
    live = tmp_path / "warehouse.duckdb"
    live.write_bytes(lookup_warehouse.read_bytes())
    lookup = Lookup(live, DEFAULT_POLICY)
    query = parse_query({"name": "北京字节跳动科技有限公司"})
    assert lookup.answer(query)["matches"][0]["display_name"] == "北京字节跳动科技有限公司"

    nxt = tmp_path / "warehouse.duckdb.building"
    nxt.write_bytes(live.read_bytes())
    with duckdb.connect(str(nxt)) as con:
        con.execute("update customers set display_name = '字节跳动（新名）' where customer_id = ?",
                    [customer_of["WF-0001"]])
        con.execute("checkpoint")
    os.replace(nxt, live)  # as flows.warehouse.publish does
    assert lookup.answer(query)["matches"][0]["display_name"] == "字节跳动（新名）"


def test_cli_json_works_while_another_process_reads_the_warehouse(lookup_warehouse, tmp_path, customer_of):
    before = lookup_warehouse.read_bytes()
    with duckdb.connect(str(lookup_warehouse), read_only=True) as analyst:
        analyst.execute("select count(*) from claims").fetchall()
        done = recon("lookup", "字節跳動", "--phone", "+86 138 0013 8000", "--json", "--warehouse",
                     str(lookup_warehouse), "--policy", str(REPO / "config" / "policy.yaml"), env=recon_env(tmp_path))
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["known"] is True
    assert answer["matches"][0]["customer_id"] == customer_of["WF-0001"]
    assert answer["query"]["standardised"]["phone_e164"] == "+8613800138000"
    assert lookup_warehouse.read_bytes() == before


def test_cli_exit_codes_and_text_output(lookup_warehouse, tmp_path):
    env = recon_env(tmp_path)
    policy = str(REPO / "config" / "policy.yaml")
    text = recon("lookup", "光华网络科技有限公司", "--warehouse", str(lookup_warehouse), "--policy", policy, env=env)
    assert text.returncode == 0, text.stderr
    assert "光华医药有限公司" in text.stdout and "related" in text.stdout and "陈静" in text.stdout
    unknown = recon("lookup", "青岚星河生物科技有限公司", "--warehouse", str(lookup_warehouse), "--policy", policy, env=env)
    assert unknown.returncode == 0 and "no known customer" in unknown.stdout
    missing = recon("lookup", "字节跳动", "--warehouse", str(tmp_path / "none.duckdb"), "--policy", policy, env=env)
    assert missing.returncode == 1 and "no warehouse" in missing.stderr
    bad = recon("lookup", "字节跳动", "--top", "99", "--warehouse", str(lookup_warehouse), "--policy", policy, env=env)
    assert bad.returncode == 2 and "top must be" in bad.stderr
