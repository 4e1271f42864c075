"""Hostile input to the prospect lookup (`recon lookup`, `recon serve-lookup`).

What is shown is safe to print: no control character, terminal escape or bidi override from a
name or a query reaches a terminal or a client, and no phone number or e-mail address typed into a
company name is shown.
"""

from __future__ import annotations

import json
import re
import shutil

import duckdb
import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.query import Lookup, QueryError, answer_text, parse_query, shown
from service.snapshot import SnapshotLookup
from settings.paths import DEFAULT_POLICY
from tests.flows.subprocesses import recon, recon_env
from transforms.contact_masking import contacts_masked
from transforms.export_safety import neutralise_controls

# C0 (but space), DEL, C1, bidi embeddings/overrides/isolates/marks, line separators, surrogates
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]")
# ByteDance's display name as a hostile source could have published it: a screen clear, an OSC 8
# link, a right-to-left override, a bell, and the contact typed into the name
HOSTILE_DISPLAY_NAME = ("北京字节跳动科技有限公司\x1b[2J\x1b]8;;http://evil.example\x1b\\点我\x1b]8;;\x1b\\"
                        "\u202e（王经理 13698765432 wang@x.cn）\x07")
SHOWN_DISPLAY_NAME = "北京字节跳动科技有限公司点我（王经理 136****5432 w***@x.cn）"
HOSTILE_TEAM = "华北一组\u2067\x9b31m"
CONTACTS_IN_NAME = ("13698765432", "wang@x.cn")


def _texts(value: object):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)


def _unsafe(value: object) -> list[str]:
    return [text for text in _texts(value) if UNSAFE.search(text)]


# --- the pure functions ---------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "expected"), [
    ("\x1b[31m红色\x1b[0m", "红色"),
    ("\x1b[2J\x1b[H清屏", "清屏"),
    ("a\x1b]8;;http://evil.example\x1b\\点我\x1b]8;;\x1b\\b", "a点我b"),  # OSC 8 ended by ST
    ("a\x1b]8;;http://evil.example\x07点我\x1b]8;;\x07b", "a点我b"),  # ended by BEL
    ("a\x9d8;;http://evil.example\x9c点我\x9d8;;\x9cb", "a点我b"),  # 8-bit OSC and ST
    ("a\x9b31mb", "ab"),  # 8-bit CSI
    ("a\x1bcb", "ab"),  # ESC c: full reset
    ("a\x1b]0;title never ended", "a0;title never ended"),  # unterminated: its text stays
    ("华为\u202e司公限有\u202c", "华为司公限有"),
    ("\u2066x\u2069\u2067y\u2069\u2068z\u2069\u200e\u200f\u061c", "xyz"),
    ("第一行\n第二行\r\n\t完", "第一行 第二行   完"),
    ("a\u2028b\u2029c\x85d", "a b c d"),
    ("a\x00b\x07c\x7fd\x80e\x9ff", "abcdef"),
    ("lone \ud800 surrogate", "lone  surrogate"),
    ("北京字节跳动科技有限公司", "北京字节跳动科技有限公司"),
    (None, None),
])
def test_controls_escapes_and_bidi_are_neutralised(raw, expected):
    assert neutralise_controls(raw) == expected


@given(st.text(alphabet=st.characters(codec=None, exclude_categories=())))
def test_nothing_unsafe_survives_and_a_second_pass_changes_nothing(text):
    once = neutralise_controls(text)
    assert not UNSAFE.search(once)
    assert neutralise_controls(once) == once


@given(st.text(alphabet=st.characters(exclude_categories=("Cc", "Cf", "Cs", "Zl", "Zp"))))
def test_text_without_controls_is_returned_unchanged(text):
    assert neutralise_controls(text) == text


@pytest.mark.parametrize(("name", "expected"), [
    ("北京某某科技有限公司（王经理 13698765432 wang@x.cn）", "北京某某科技有限公司（王经理 136****5432 w***@x.cn）"),
    ("深圳市腾达贸易有限公司 联系人李生+86 138-0013-8000", "深圳市腾达贸易有限公司 联系人李生138****8000"),
    ("上海宏远物流有限公司(电话021-62345678)", "上海宏远物流有限公司(电话****5678)"),
    ("广州白云电器（0755）2878 0808", "广州白云电器（****0808"),
    ("杭州某某网络 QQ 123456789", "杭州某某网络 QQ ****6789"),
    ("成都蓉城科技有限公司１３９１２３４５６７８", "成都蓉城科技有限公司139****5678"),
    ("武汉光谷生物 Zhang.San@guanggu-bio.com.cn", "武汉光谷生物 Z***@guanggu-bio.com.cn"),
    ("南京某某公司王经理wang.li@163.com", "南京某某公司王经理w***@163.com"),
    ("西安某某公司 li＠x.cn", "西安某某公司 l***＠x.cn"),
])
def test_phones_and_mail_addresses_in_a_name_are_masked(name, expected):
    assert contacts_masked(name) == expected


@pytest.mark.parametrize("name", [
    "三六零安全科技股份有限公司", "北京奇虎360科技有限公司", "58同城信息技术有限公司", "1号店（上海）电子商务有限公司",
    "37互娱（上海）科技有限公司", "4399网络股份有限公司", "12306铁路服务", "北京2345网络科技有限公司 第1分公司",
    "3M中国有限公司", "华为技术有限公司", "ABC@公司", "Shanghai No.1 Trading Co., Ltd.", "版本2.0.1软件", None,
])
def test_names_that_merely_contain_digits_are_not_masked(name):
    assert contacts_masked(name) == name


def test_shown_masks_names_only_and_neutralises_every_text():
    answer = {"query": {"name": "某公司 13698765432", "phone": "13698765432\x1b[0m"},
              "matches": [{"display_name": "甲\u202e 010-62345678", "verdict_zh": "可能\x07", "probability": 0.5}]}
    assert shown(answer) == {"query": {"name": "某公司 136****5432", "phone": "13698765432"},
                             "matches": [{"display_name": "甲 ****5678", "verdict_zh": "可能", "probability": 0.5}]}


def test_a_lone_surrogate_is_not_a_query():
    for field in ("name", "phone", "email", "credit_code"):
        with pytest.raises(QueryError, match="lone surrogate"):
            parse_query({field: "字节\ud800跳动"})


# --- the lookup over a warehouse whose names are hostile ------------------------------------

@pytest.fixture(scope="module")
def hostile_warehouse(lookup_warehouse, tmp_path_factory):
    """A copy of the lookup warehouse (and its model) where ByteDance's display name and its
    owner's team carry escapes, a bidi override and a contact."""
    root = tmp_path_factory.mktemp("hostile") / "var"
    shutil.copytree(lookup_warehouse.parent, root, ignore=shutil.ignore_patterns("*.lock"))
    warehouse = root / lookup_warehouse.name
    with duckdb.connect(str(warehouse)) as con:
        con.execute("update customers set display_name = $name where display_name = '北京字节跳动科技有限公司'",
                    {"name": HOSTILE_DISPLAY_NAME})
        con.execute("update reps set team = $team where rep_id = 'S001'", {"team": HOSTILE_TEAM})
    return warehouse


@pytest.mark.parametrize("kind", [Lookup, SnapshotLookup])
def test_a_hostile_display_name_is_shown_neutralised_and_masked(hostile_warehouse, kind):
    answer = kind(hostile_warehouse, DEFAULT_POLICY).answer(parse_query({"name": "字节跳动"}))
    first = answer["matches"][0]
    assert first["display_name"] == SHOWN_DISPLAY_NAME
    assert first["owner"]["team"] == "华北一组"
    assert not _unsafe(answer)
    text = answer_text(answer)
    assert SHOWN_DISPLAY_NAME in text and not UNSAFE.search(text.replace("\n", ""))
    assert not [c for c in CONTACTS_IN_NAME if c in text or c in json.dumps(answer, ensure_ascii=False)]


def test_a_hostile_query_is_echoed_neutralised_and_masked(lookup_warehouse):
    name = "北京字节跳动\u202e科技有限公司\x1b[31m（王经理 13698765432 wang@x.cn）"
    answer = Lookup(lookup_warehouse, DEFAULT_POLICY).answer(parse_query({"name": name}))
    assert answer["query"]["name"] == "北京字节跳动科技有限公司（王经理 136****5432 w***@x.cn）"
    assert not _unsafe(answer)
    assert not [c for c in CONTACTS_IN_NAME if c in json.dumps(answer, ensure_ascii=False)]


def test_recon_lookup_prints_nothing_unsafe(hostile_warehouse, tmp_path):
    env = recon_env(tmp_path)
    for extra in ([], ["--json"]):
        done = recon("lookup", "字节跳动", *extra, "--warehouse", str(hostile_warehouse), env=env)
        assert done.returncode == 0, done.stderr
        assert not UNSAFE.search(done.stdout.replace("\n", "")), extra
        assert "\\u001b" not in done.stdout and "\\u202e" not in done.stdout
        assert SHOWN_DISPLAY_NAME in done.stdout and not [c for c in CONTACTS_IN_NAME if c in done.stdout]
