"""Hostile input to the prospect lookup (`recon lookup`, `recon serve-lookup`).

What is shown is safe to print: no control character, terminal escape or bidi override from a
name or a query reaches a terminal or a client, and no phone number or e-mail address typed into a
company name is shown. The HTTP service answers every malformed request with a JSON 4xx promptly,
answers at most `max_workers` requests at once (503 beyond them), and logs a client that went
away in one line.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import struct
import threading
import time
from contextlib import contextmanager

import duckdb
import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.answer_text import answer_text
from service.http import make_server
from service.query import Lookup, QueryError, parse_query, shown
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


# --- the HTTP service -------------------------------------------------------------------------

@contextmanager
def _serving(lookup: SnapshotLookup, **options):
    """`make_server` on a free loopback port in this process; yields the server."""
    server = make_server(lookup, "127.0.0.1", 0, **options)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def snapshot_lookup(lookup_warehouse):
    lookup = SnapshotLookup(lookup_warehouse, DEFAULT_POLICY)
    lookup.snapshot()
    return lookup


@pytest.fixture(scope="module")
def server(snapshot_lookup):
    with _serving(snapshot_lookup, log_requests=False) as server:
        server.RequestHandlerClass.body_timeout = 0.5
        server.RequestHandlerClass.header_seconds = 1.0
        yield server


def _raw(server, request: bytes, *, half_close: bool = False) -> tuple[int, dict[str, str], bytes, float]:
    """Send `request` as bytes: status, headers (lower-case names), body and seconds taken."""
    started = time.perf_counter()
    with socket.create_connection(("127.0.0.1", server.server_port), timeout=30) as sock:
        sock.sendall(request)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in header_lines)}
    return int(status_line.split()[1]), headers, body, time.perf_counter() - started


def _post(body: bytes, content_length: int | None = None) -> bytes:
    length = len(body) if content_length is None else content_length
    return (b"POST /lookup HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n" % length) + body


def _json_error(status: int, headers: dict[str, str], body: bytes) -> dict:
    assert headers["content-type"] == "application/json; charset=utf-8"
    error = json.loads(body)["error"]
    assert error["status"] == status and error["zh"] and error["en"]
    return error


@pytest.mark.parametrize(("request_bytes", "status", "reason"), [
    (_post(b'{"name": "\\ud800"}'), 400, "lone surrogate"),
    (_post(b'{"name": "\\udfff\\ud800x", "top": 3}'), 400, "lone surrogate"),
    (_post(b"[" * 4000 + b"]" * 4000), 400, "nested too deeply"),
    (_post(b'{"a":' * 1000 + b"1" + b"}" * 1000), 400, "nested too deeply"),
], ids=["lone surrogate", "surrogate pair reversed", "4000-deep array", "1000-deep object"])
def test_a_hostile_json_body_is_a_json_400_not_a_500(server, request_bytes, status, reason):
    got, headers, body, _ = _raw(server, request_bytes)
    assert got == status, body
    assert reason in _json_error(status, headers, body)["en"]


def test_a_body_cut_short_is_a_prompt_400(server):
    got, headers, body, seconds = _raw(server, _post('{"name": "字节跳动"}'.encode(), 100), half_close=True)
    assert got == 400 and "Content-Length" in _json_error(400, headers, body)["en"]
    assert seconds < 0.5


def test_a_body_that_never_arrives_is_a_408_after_the_body_timeout_not_a_500(server):
    got, headers, body, seconds = _raw(server, _post('{"name": "字节跳动"}'.encode(), 100))
    assert got == 408 and "did not arrive" in _json_error(408, headers, body)["en"]
    assert seconds < 5  # the body timeout (0.5 s here), not the 10 s request timeout


def test_headers_trickled_past_the_header_deadline_are_a_json_408(server):
    """One header line every 0.3 s keeps each read within the 10 s socket timeout; the whole
    request must still arrive within header_seconds (1 s here) or get a 408."""
    stop = threading.Event()
    with socket.create_connection(("127.0.0.1", server.server_port), timeout=8) as sock:
        def trickle() -> None:
            try:
                sock.sendall(b"GET /health HTTP/1.1\r\n")
                while not stop.wait(0.3):
                    sock.sendall(b"X-Slow: a\r\n")
            except OSError:
                pass

        sender = threading.Thread(target=trickle, daemon=True)
        started = time.perf_counter()
        sender.start()
        try:
            received = b""
            while chunk := sock.recv(65536):
                received += chunk
        finally:
            stop.set()
            sender.join(timeout=5)
    seconds = time.perf_counter() - started
    head, _, body = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.0 408 ") and seconds < 4
    assert "did not arrive" in json.loads(body)["error"]["en"]


@pytest.mark.parametrize("method", [b"PUT", b"DELETE", b"PATCH", b"OPTIONS", b"TRACE", b"CONNECT"])
def test_other_methods_are_a_json_501_naming_the_allowed_ones(server, method):
    got, headers, body, _ = _raw(server, method + b" /lookup HTTP/1.1\r\nContent-Length: 0\r\n\r\n")
    assert got == 501 and "Unsupported method" in _json_error(501, headers, body)["en"]
    assert headers["allow"] == "GET, HEAD, POST"


def test_head_answers_like_get_without_a_body(server):
    got, headers, body, _ = _raw(server, b"HEAD /health HTTP/1.1\r\n\r\n")
    assert (got, body) == (200, b"")
    assert headers["content-type"] == "application/json; charset=utf-8" and int(headers["content-length"]) > 0
    got, headers, body, _ = _raw(server, b"HEAD /nowhere HTTP/1.1\r\n\r\n")
    assert (got, body, headers["content-type"]) == (404, b"", "application/json; charset=utf-8")


@pytest.mark.parametrize(("request_bytes", "status"), [
    (b"GET /lookup?name=" + b"x" * 70_000 + b" HTTP/1.1\r\n\r\n", 414),
    (b"GET /health HTTP/1.1\r\nX-Long: " + b"a" * 70_000 + b"\r\n\r\n", 431),
    (b"GET /health HTTP/1.1\r\n" + b"X-Many: a\r\n" * 120 + b"\r\n", 431),
], ids=["URL over 64 KiB", "header line over 64 KiB", "over 100 headers"])
def test_over_long_requests_are_json_errors(server, request_bytes, status):
    # already JSON before this hardening (send_error); pinned with the rest
    got, headers, body, _ = _raw(server, request_bytes)
    assert got == status
    _json_error(status, headers, body)


def test_error_texts_echoing_the_client_are_neutralised(server):
    got, headers, body, _ = _raw(server, "GET /lookup?name=x&\u202eevil\x1b[2J=1 HTTP/1.1\r\n\r\n".encode())
    assert got == 400
    error = _json_error(400, headers, body)
    assert "unknown parameter" in error["en"] and "evil" in error["en"] and not _unsafe(error)


def test_a_hostile_display_name_is_served_neutralised_and_masked(hostile_warehouse):
    lookup = SnapshotLookup(hostile_warehouse, DEFAULT_POLICY)
    with _serving(lookup, log_requests=False) as server:
        got, _, body, _ = _raw(server, "GET /lookup?name=字节跳动 HTTP/1.1\r\n\r\n".encode())
    answer = json.loads(body)
    assert got == 200 and answer["matches"][0]["display_name"] == SHOWN_DISPLAY_NAME
    assert not _unsafe(answer) and not [c for c in CONTACTS_IN_NAME if c in body.decode()]


def test_requests_past_the_workers_get_a_json_503(snapshot_lookup):
    with _serving(snapshot_lookup, log_requests=False, max_workers=1, queue_seconds=0.3) as server:
        idle = socket.create_connection(("127.0.0.1", server.server_port))  # holds the one worker
        try:
            time.sleep(0.2)
            got, headers, body, seconds = _raw(server, b"GET /health HTTP/1.1\r\n\r\n")
            assert got == 503 and "busy" in _json_error(503, headers, body)["en"]
            assert headers["retry-after"] == "1" and seconds < 5
        finally:
            idle.close()
        deadline = time.monotonic() + 5
        while (got := _raw(server, b"GET /health HTTP/1.1\r\n\r\n")[0]) == 503 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert got == 200, "the worker is free again once the idle client leaves"


def test_a_burst_of_clients_is_held_until_accepted_not_dropped(snapshot_lookup):
    # nothing accepts here (no serve_forever): socketserver's backlog of 5 held six connections and
    # dropped the rest, which TCP retried a second later
    server = make_server(snapshot_lookup, "127.0.0.1", 0, log_requests=False)
    clients = []
    try:
        for _ in range(40):
            clients.append(socket.create_connection(("127.0.0.1", server.server_port), timeout=0.5))
    finally:
        for client in clients:
            client.close()
        server.server_close()
    assert len(clients) == 40


def test_max_workers_must_be_positive(snapshot_lookup):
    with pytest.raises(ValueError, match="max_workers"):
        make_server(snapshot_lookup, "127.0.0.1", 0, max_workers=0)


def _reset_after(server, request: bytes) -> None:
    """Send `request`, then drop the connection with a reset instead of reading the answer."""
    sock = socket.create_connection(("127.0.0.1", server.server_port))
    sock.sendall(request)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def test_a_client_going_away_is_one_log_line_without_traceback(snapshot_lookup, capfd, caplog):
    with _serving(snapshot_lookup, log_requests=True) as server:
        for _ in range(3):
            _reset_after(server, "GET /lookup?name=字节跳动 HTTP/1.1\r\n\r\n".encode())
        _reset_after(server, _post(b'{"name": ', 100))
        time.sleep(1.5)
        assert _raw(server, b"GET /health HTTP/1.1\r\n\r\n")[0] == 200
    err = capfd.readouterr().err
    assert "Traceback" not in err and "Exception occurred" not in err
    assert not [r for r in caplog.records if r.exc_info]
    assert all(len(line) < 200 for line in err.splitlines())


def test_the_request_log_shows_no_escape_sequence(snapshot_lookup, capfd):
    with _serving(snapshot_lookup, log_requests=True) as server:
        _raw(server, b"GET /\x1b]8;;http://evil.example\x1b\\x\x1b[2J HTTP/1.1\r\n\r\n")
        _raw(server, b"GET / HTTP/1.\x1b[31m1\r\n\r\n")
    err = capfd.readouterr().err
    assert err and "\x1b" not in err
