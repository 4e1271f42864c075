"""`recon lookup` against a warehouse built by the nightly flow: every spelling family of
DOMAIN.md finds the right customer first, unknown and sister companies are not taken for a known
customer, no contact detail is ever shown, and the published file is only ever read."""

import json
import os
import subprocess
import sys

import duckdb
import pytest

from service.answer_text import answer_text
from service.batching import WARM_UP_QUERIES
from service.query import Lookup, NoWarehouseError, QueryError, parse_query
from service.snapshot import SnapshotLookup
from settings.paths import DEFAULT_POLICY
from tests.flows.inputs import REPO
from tests.flows.subprocesses import recon, recon_env
from tests.service.lookup_inputs import BYTEDANCE_CODE, CONTACT_DETAILS, filler_rows

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
    # a homophone alone may be another company (信前 / 芯千): possible; with the phone, likely
    assert verdict({"name": "北京字节跳栋科技有限公司"}) == "possible"
    assert verdict({"name": "北京字节跳栋科技有限公司", "phone": "13800138000"}) == "likely"
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


@pytest.mark.parametrize(("query", "known", "first"), [
    # a short name reaching a customer another rep protects only weakly: still known, so that a
    # bot trusting `known` never tells the rep the customer is free
    ({"name": "光华"}, True, ("光华医药有限公司", "weak", "protected")),
    ({"name": "字节跳动"}, True, ("北京字节跳动科技有限公司", "weak", "protected")),
    # a public-pool customer: weakly similar is not known, at the review floor it is
    ({"name": "明远精密"}, False, ("苏州明远精密机械有限公司", "weak", "public_pool")),
    # the same trade name under another legal form: the names agree
    ({"name": "苏州明远精密机械股份有限公司"}, True, ("苏州明远精密机械有限公司", "likely", "public_pool")),
    ({"name": "青岚星河生物科技有限公司"}, False, None),
])
def test_known_when_a_plausible_customer_is_protected_or_reaches_the_review_floor(lookup, query, known, first):
    answer = lookup.answer(parse_query(query))
    shown = [(m["display_name"], m["verdict"], m["status"]) for m in answer["matches"]]
    assert shown[:1] == ([first] if first else [])
    assert answer["known"] is known
    text = answer_text(answer)
    assert ("free to register" in text) is (not known), text


def test_known_counts_customers_beyond_those_shown(lookup):
    query = {"name": "光华", "top": 1}
    assert lookup.answer(parse_query(query))["known"] is True
    # a public-pool customer is shown first; the protected one on the same phone is beyond top=1
    answer = lookup.answer(parse_query({"name": "明远精密", "phone": "13600136000", "top": 1}))
    assert [(m["display_name"], m["status"]) for m in answer["matches"]] == [
        ("苏州明远精密机械有限公司", "public_pool")]
    assert answer["known"] is True


@pytest.fixture(scope="module")
def in_memory(lookup_warehouse):
    return SnapshotLookup(lookup_warehouse, DEFAULT_POLICY)


SERVER_QUERIES = [q for _, q in BYTEDANCE_SPELLINGS] + [
    {"name": "光华网络科技有限公司"}, {"name": "华为终端有限公司", "email": "zhao@huawei.com"}, {"name": "光华"},
    {"name": "明远精密"}, {"name": "苏州明远精密机械股份有限公司"}, {"name": "青岚星河生物科技有限公司"},
    {"name": "Huawei Technologies Co., Ltd."}, {"name": filler_rows()[0][4], "top": 50}, {"phone": "0755-2878 0808"},
]


@pytest.mark.parametrize("query", SERVER_QUERIES, ids=[json.dumps(q, ensure_ascii=False) for q in SERVER_QUERIES])
def test_the_server_copy_answers_as_the_command_line_does(lookup, in_memory, query):
    expected = lookup.answer(parse_query(query))
    assert in_memory.answer(parse_query(query)) == expected
    assert expected["matches"] or expected["related_companies"] or not expected["known"]


def test_the_warm_up_queries_are_answered_not_refused(in_memory):
    # a refused warm-up query would leave the tables it should load for a client to wait for
    answers = in_memory.answer_many(WARM_UP_QUERIES)
    assert all(isinstance(answer, dict) for answer in answers)
    assert {a["query"]["standardised"]["phone_e164"] for a in answers} == {"+8613800138000", None}
    assert any(a["query"]["name"].isascii() for a in answers)


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
    os.replace(nxt, live)  # as adapters.warehouse.publish does
    assert lookup.answer(query)["matches"][0]["display_name"] == "字节跳动（新名）"


def test_a_warehouse_published_before_claims_for_matching_is_refused_with_a_reason(lookup_warehouse, tmp_path):
    old = tmp_path / "warehouse.duckdb"
    old.write_bytes(lookup_warehouse.read_bytes())
    with duckdb.connect(str(old)) as con:
        con.execute("drop table claims_for_matching")
    with pytest.raises(NoWarehouseError, match=r"(?s)claims_for_matching.*next `recon run`"):
        Lookup(old, DEFAULT_POLICY).answer(parse_query({"name": "字节跳动"}))


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
    unknown = recon("lookup", "青岚星河生物科技有限公司", "--warehouse", str(lookup_warehouse), "--policy", policy,
                    env=env)
    assert unknown.returncode == 0 and "no known customer" in unknown.stdout
    missing = recon("lookup", "字节跳动", "--warehouse", str(tmp_path / "none.duckdb"), "--policy", policy, env=env)
    assert missing.returncode == 1 and "no warehouse" in missing.stderr
    bad = recon("lookup", "字节跳动", "--top", "99", "--warehouse", str(lookup_warehouse), "--policy", policy, env=env)
    assert bad.returncode == 2 and "top must be" in bad.stderr


def test_a_lookup_imports_no_orchestration_validation_or_splink(lookup_warehouse, tmp_path):
    """The command-line lookup runs in a fresh process each time: it must not pay for Prefect,
    Great Expectations or Splink (seconds of imports), so none of them may be imported."""
    heavy = ("prefect", "great_expectations", "splink", "sqlglot")
    code = (
        "import json, sys\n"
        "from cli.main import main\n"
        "code = main(['lookup', '字节跳动', '--phone', '13800138000', '--json',"
        f" '--warehouse', {str(lookup_warehouse)!r}, '--policy', {str(REPO / 'config' / 'policy.yaml')!r}])\n"
        f"heavy = sorted({{m.split('.')[0] for m in sys.modules}} & {set(heavy)!r})\n"
        "print('IMPORTED ' + json.dumps(heavy), file=sys.stderr)\n"
        "sys.exit(code)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=recon_env(tmp_path), capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["matches"][0]["display_name"] == "北京字节跳动科技有限公司"
    imported = next(line for line in done.stderr.splitlines() if line.startswith("IMPORTED "))
    assert json.loads(imported.removeprefix("IMPORTED ")) == []


def test_a_cold_command_line_lookup_on_the_samples_warehouse(samples_run, tmp_path):
    """`recon lookup` as a rep runs it, a fresh process per call, on the warehouse the nightly
    flow built from data/samples: a protected customer by its own name, and a made-up company."""
    summary, warehouse = samples_run
    with duckdb.connect(str(warehouse), read_only=True) as con:
        customer_id, display_name, rep_id = con.execute(
            "select c.customer_id, c.display_name, o.rep_id from customers as c "
            "join ownership_current as o using (customer_id) "
            "where c.claim_count >= 2 and c.display_name like '%有限公司' "
            "order by c.claim_count desc, customer_id limit 1"
        ).fetchone()
    env, policy = recon_env(tmp_path), str(REPO / "config" / "policy.yaml")
    done = recon("lookup", display_name, "--json", "--warehouse", str(warehouse), "--policy", policy, env=env)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    first = answer["matches"][0]
    assert (first["customer_id"], first["verdict"], first["owner"]["rep_id"]) == (customer_id, "sure", rep_id)
    assert answer["known"] is True and answer["warehouse_as_of"] == str(summary.as_of)
    unknown = recon("lookup", "青岚星河生物科技有限公司", "--warehouse", str(warehouse), "--policy", policy, env=env)
    assert unknown.returncode == 0, unknown.stderr
    assert "free to register" in unknown.stdout and "no known customer" in unknown.stdout


def test_queries_answered_together_get_the_answers_each_gets_alone(lookup, in_memory):
    queries = [parse_query(q) for q in SERVER_QUERIES]
    queries.insert(3, parse_query({"name": "字节跳动", "phone": "12345"}))  # refused, yet the others are answered
    alone = []
    for query in queries:
        try:
            alone.append(in_memory.answer(query))
        except QueryError as exc:
            alone.append(str(exc))
    together = [str(a) if isinstance(a, QueryError) else a for a in in_memory.answer_many(queries)]
    assert together == alone
    assert together[3].startswith("电话号码无法识别")
    answered = [q.name for q in queries if q.phone != "12345"]
    assert [a["query"]["name"] for a in together if isinstance(a, dict)] == answered
