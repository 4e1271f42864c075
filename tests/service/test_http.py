"""`recon serve-lookup` over a real socket on loopback: answers, bad input, unknown paths."""

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.flows.inputs import REPO
from tests.flows.subprocesses import free_port, recon_env
from tests.service.lookup_inputs import CONTACT_DETAILS


@pytest.fixture(scope="module")
def server(lookup_warehouse, tmp_path_factory):
    """The endpoint as two processes on one port; yields its base URL, then stops them."""
    process, base = _started(lookup_warehouse, tmp_path_factory.mktemp("serve"))
    try:
        _processes_answering(base, 2)
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def _started(warehouse, home, *, program=("-m", "cli"), processes=2,
             stderr=subprocess.DEVNULL) -> tuple[subprocess.Popen, str]:
    """`recon serve-lookup --processes 2` (or `program` with its arguments) once /health
    answers, and its base URL."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, *program, "serve-lookup", "--port", str(port), "--warehouse", str(warehouse),
         "--policy", str(REPO / "config" / "policy.yaml"), "--processes", str(processes)],
        env=recon_env(home), cwd=REPO, stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while True:
        assert process.poll() is None, "serve-lookup exited"
        try:
            if _get(f"{base}/health")[0] == 200:
                return process, base
        except OSError:
            pass
        assert time.monotonic() < deadline, "serve-lookup did not come up"
        time.sleep(0.2)


def _processes_answering(base: str, count: int) -> set[int]:
    """The process ids /health answers from, once `count` distinct ones have (each copy loads its data)."""
    seen: set[int] = set()
    deadline = time.monotonic() + 180
    while len(seen) < count:
        assert time.monotonic() < deadline, f"only processes {seen} answered"
        seen.add(_get(f"{base}/health")[1]["process"])
    return seen


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"  # a zombie nobody reaped has stopped
    except FileNotFoundError:
        return False


def _get(url: str) -> tuple[int, dict]:
    return _call(urllib.request.Request(url))


def _post(url: str, body: bytes) -> tuple[int, dict]:
    return _call(urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"}))


def _call(request: urllib.request.Request) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_health_says_what_is_loaded(server):
    status, body = _get(f"{server}/health")
    assert status == 200 and body["status"] == "ok"
    assert body["claims"] > 2500 and body["warehouse_as_of"] == "2026-11-26"


def test_get_answers_a_lookup(server):
    query = urllib.parse.urlencode({"name": "字节跳动（北京）科技有限公司", "top": "3"})
    status, body = _get(f"{server}/lookup?{query}")
    assert status == 200
    first = body["matches"][0]
    assert (first["display_name"], first["verdict"], first["owner"]["name"]) == (
        "北京字节跳动科技有限公司", "likely", "王磊")
    assert body["known"] is True


def test_post_answers_a_lookup_without_contact_details(server):
    status, body = _post(f"{server}/lookup", json.dumps({"name": "字节跳动", "phone": "+86 138-0013-8000"}).encode())
    assert status == 200
    assert body["matches"][0]["display_name"] == "北京字节跳动科技有限公司"
    shown = json.dumps({k: v for k, v in body.items() if k != "query"}, ensure_ascii=False)
    assert not [d for d in CONTACT_DETAILS if d in shown]


@pytest.mark.parametrize(("query", "reason"), [
    ({"name": ""}, "the company name is empty"),
    ({"name": "  ", "phone": "13800138000"}, "the company name is empty"),
    ({"top": "3"}, "a company name is required"),
    ({"name": "字" * 201}, "too long"),
    ({"name": "字节跳动", "top": "0"}, "top must be"),
    ({"name": "字节跳动", "top": "abc"}, "top must be"),
    ({"name": "字节跳动", "owner": "S001"}, "unknown parameter"),
    ({"name": "字节跳动", "phone": "12345"}, "phone number"),
    ({"name": "字节跳动", "credit_code": "91110108MA01ABCDE0"}, "credit code"),
])
def test_bad_get_input_is_a_400_with_both_languages(server, query, reason):
    status, body = _get(f"{server}/lookup?{urllib.parse.urlencode(query)}")
    assert status == 400
    assert reason in body["error"]["en"] and body["error"]["zh"]


def test_bad_post_bodies_are_400(server):
    for raw, reason in ((b"{not json", "not valid JSON"), (b'["name"]', "JSON object"),
                        (json.dumps({"name": "字节跳动", "top": 51}).encode(), "top must be"),
                        (json.dumps({"name": 42}).encode(), "must be text")):
        status, body = _post(f"{server}/lookup", raw)
        assert status == 400 and reason in body["error"]["en"], raw


def test_a_repeated_parameter_and_an_unknown_path(server):
    status, body = _get(f"{server}/lookup?name=a&name=b")
    assert status == 400 and "more than once" in body["error"]["en"]
    status, body = _get(f"{server}/customers")
    assert status == 404 and "no such path" in body["error"]["en"]
    status, body = _post(f"{server}/health", b"{}")
    assert status == 404


def test_a_negative_content_length_is_a_400_not_a_hung_request(server):
    import http.client

    host, port = urllib.parse.urlsplit(server).netloc.split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        connection.putrequest("POST", "/lookup")
        connection.putheader("Content-Type", "application/json")
        connection.putheader("Content-Length", "-1")
        connection.endheaders()
        response = connection.getresponse()
        assert response.status == 400 and "Content-Length" in json.loads(response.read())["error"]["en"]
    finally:
        connection.close()


def _raw(server: str, request: bytes) -> tuple[int, str, dict]:
    """Send `request` as bytes over a socket (no client library re-encoding it): status,
    Content-Type and the JSON body."""
    import http.client
    import socket

    host, port = urllib.parse.urlsplit(server).netloc.split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(request)
        response = http.client.HTTPResponse(sock)
        response.begin()
        return response.status, response.getheader("Content-Type"), json.loads(response.read())


def _raw_get(server: str, target: str) -> tuple[int, str, dict]:
    return _raw(server, b"GET " + target.encode("utf-8") + b" HTTP/1.1\r\nHost: localhost\r\n\r\n")


@pytest.mark.parametrize(("name", "display_name"), [
    ("字节跳动", "北京字节跳动科技有限公司"),
    # 公 is E5 85 AC in UTF-8: 0x85 read as Latin-1 is a space, which http.server split on
    ("华为技术有限公司", "华为技术有限公司"),
])
def test_raw_utf8_and_percent_encoded_names_get_the_same_answer(server, name, display_name):
    status, content_type, raw = _raw_get(server, f"/lookup?name={name}")
    assert (status, content_type) == (200, "application/json; charset=utf-8"), raw
    assert raw["query"]["name"] == name
    assert raw["matches"][0]["display_name"] == display_name and raw["known"] is True
    status, encoded = _get(f"{server}/lookup?{urllib.parse.urlencode({'name': name})}")
    assert status == 200 and encoded == raw


@pytest.mark.parametrize(("request_bytes", "status", "reason"), [
    (b"GET /lookup?name=a b HTTP/1.1\r\n\r\n", 400, "Bad request syntax"),
    (b"GET /lookup?name=\xe5\xad\x97\xff HTTP/1.1\r\n\r\n", 400, "not valid UTF-8"),
    (b"GET /lookup?name=%E5%AD%FF HTTP/1.1\r\n\r\n", 400, "not valid UTF-8"),
    (b"GET /lookup?name=x HTTP/9.9\r\n\r\n", 505, "Invalid HTTP version"),
    (b"PUT /lookup HTTP/1.1\r\nContent-Length: 0\r\n\r\n", 501, "Unsupported method"),
    (b"GET /lookup?name=" + b"x" * 70_000 + b" HTTP/1.1\r\n\r\n", 414, "URI Too Long"),
    (b"hello there\r\n\r\n", 400, "Bad HTTP/0.9 request type"),
])
def test_every_refusal_is_json_with_both_languages(server, request_bytes, status, reason):
    got, content_type, body = _raw(server, request_bytes)
    assert (got, content_type) == (status, "application/json; charset=utf-8")
    assert body["error"]["status"] == status
    assert reason in body["error"]["en"] and body["error"]["zh"]


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGKILL], ids=["stopped", "killed"])
def test_two_processes_answer_alike_and_stop_with_the_first(lookup_warehouse, tmp_path, stop):
    """SIGTERM (a service manager's stop) ends the copies with the first process; after a SIGKILL
    of the first process only, its copy notices within a second or two and ends too."""
    process, base = _started(lookup_warehouse, tmp_path)
    try:
        pids = _processes_answering(base, 2)
        assert process.pid in pids
        answers = {json.dumps(_get(f"{base}/lookup?name=%E5%AD%97%E8%8A%82%E8%B7%B3%E5%8A%A8")[1]) for _ in range(6)}
        assert len(answers) == 1
        process.send_signal(stop)  # the first process only
        process.wait(timeout=30)
        deadline = time.monotonic() + 15
        while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_alive(pid) for pid in pids)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)


# serve-lookup with one copy whose stop never returns, and a stop bound of two seconds
_HANGING_STOP = """
import sys, threading
from service import processes
processes.STOP_SECONDS = 2.0
processes.copies_stopped = lambda copies: threading.Event().wait()
from cli.main import main
sys.exit(main(sys.argv[1:]))
"""


def test_a_stop_that_hangs_is_forced_with_every_threads_stack(lookup_warehouse, tmp_path):
    """Whatever hangs while stopping (here the copies), SIGTERM ends the process within the bound:
    exit 1, and stderr shows where it hung."""
    errors = tmp_path / "stderr.txt"
    with errors.open("wb") as stderr:
        process, _ = _started(lookup_warehouse, tmp_path, program=("-c", _HANGING_STOP), processes=1, stderr=stderr)
    try:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 1
        assert "in <lambda>" in errors.read_text() and "in serve_lookup" in errors.read_text()
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
