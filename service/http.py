"""`recon serve-lookup`: the lookup as a small JSON endpoint for a web form or a chat bot.

    GET  /lookup?name=字节跳动&phone=13800138000&top=5
    POST /lookup   {"name": "字节跳动", "email": "a@bytedance.com"}
    GET  /health

Standard library only (`ThreadingHTTPServer`); meant for localhost or behind the form's own
server. The query string may be percent-encoded or raw UTF-8 (as curl sends a name typed in the
URL). Every error — bad input, and http.server's own refusals (malformed or too long request
line or headers, unsupported method) — is a JSON body `{"error": {"status", "zh", "en"}}`, its
texts as `service.query.shown` leaves answers (no control character, escape or bidi override);
the warehouse is reloaded when the nightly run replaces it. Concurrent lookups are answered
together, a batch at a time (`service.batching`).

At most `max_workers` requests are answered at once (`service.bounded_server`); a connection that finds
them all busy waits up to `queue_seconds`, then gets a JSON 503. So that slow clients cannot hold
the workers, the request line and headers must all arrive within `header_seconds` and a POST body
within `body_timeout` (else a JSON 408). A client that goes away before its answer costs one
short log line, not a traceback.
"""

from __future__ import annotations

import json
import logging
import os
import re
import socket
import sys
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

from service.batching import LookupBatcher
from service.bounded_server import BoundedServer, raw_response
from service.query import NoWarehouseError, QueryError, parse_query
from service.snapshot import SnapshotLookup
from transforms.export_safety import neutralise_controls

MAX_BODY_BYTES = 8192
MAX_WORKERS = 32  # request threads mostly wait for their batch (service.batching): cheap
QUEUE_SECONDS = 2.0
ALLOWED_METHODS = "GET, HEAD, POST"
log = logging.getLogger("recon.lookup_server")
_NON_ASCII = re.compile(rb"[\x80-\xff]")
# http.server's own refusals, in Chinese (its English message is kept)
_REFUSALS_ZH = {
    HTTPStatus.BAD_REQUEST: "请求格式错误",
    HTTPStatus.NOT_FOUND: "没有这个地址",
    HTTPStatus.REQUEST_TIMEOUT: "请求超时",
    HTTPStatus.REQUEST_ENTITY_TOO_LARGE: "请求过大",
    HTTPStatus.REQUEST_URI_TOO_LONG: "请求地址过长",
    HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE: "请求头过大或过多",
    HTTPStatus.EXPECTATION_FAILED: "不支持的 Expect 请求头",
    HTTPStatus.NOT_IMPLEMENTED: "不支持的请求方法，请用 GET 或 POST",
    HTTPStatus.HTTP_VERSION_NOT_SUPPORTED: "不支持的 HTTP 版本",
}


class _BadRequest(Exception):
    def __init__(self, zh: str, en: str, status: HTTPStatus = HTTPStatus.BAD_REQUEST) -> None:
        super().__init__(en)
        self.zh, self.en, self.status = zh, en, status


class LookupHandler(BaseHTTPRequestHandler):
    """One request: /lookup or /health answered from `lookup`, every error as a JSON body."""

    lookup: SnapshotLookup
    batcher: LookupBatcher  # answers concurrent requests together
    log_requests: bool = True
    server_version = "recon-lookup"
    timeout = 10  # seconds a client may take to send its request: a stalled one frees its thread
    header_seconds = 10.0  # for the whole request line and headers: trickling them cannot hold a worker
    body_timeout = 5.0  # seconds for a POST body (at most MAX_BODY_BYTES) once its headers are in

    def handle_one_request(self) -> None:
        self._deadline_lock = threading.Lock()
        self._headers_read = self._responded = self._cut_off = False
        timer = threading.Timer(self.header_seconds, self._cut_off_slow_client)
        timer.daemon = True
        timer.start()
        try:
            super().handle_one_request()
        finally:
            timer.cancel()

    def _cut_off_slow_client(self) -> None:
        """After `header_seconds` without the whole request line and headers (a client sending
        them a byte at a time, each within `timeout`): a JSON 408, and no more reading."""
        with self._deadline_lock:
            if self._headers_read or self._responded:
                return
            self._cut_off = True
        en = f"the request line and headers did not arrive within {self.header_seconds:g} s"
        try:
            self.connection.sendall(raw_response(self.server_version, HTTPStatus.REQUEST_TIMEOUT, "请求超时", en))
            self.connection.shutdown(socket.SHUT_RD)  # the handler's read returns: its thread ends
        except OSError:
            pass
        self.log_error("code 408, message %s", en)

    def parse_request(self) -> bool:
        # http.server reads the request line as Latin-1 and splits it at any Unicode space, so
        # raw UTF-8 in a URL became mojibake, or "Bad request syntax" when one of its bytes
        # reads as a Latin-1 space (0x85, 0xA0). Percent-encoding those bytes first makes a
        # raw UTF-8 query string the same as its percent-encoded form.
        self.raw_requestline = _NON_ASCII.sub(lambda byte: b"%%%02X" % byte[0][0], self.raw_requestline)
        parsed = super().parse_request()
        with self._deadline_lock:
            self._headers_read = True
            return parsed and not self._cut_off

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own refusals (bad request line, too long, unsupported method …) as the
        same JSON error body as ours, then close."""
        status = HTTPStatus(code)
        if self.request_version == "HTTP/0.9":
            # a request line too broken to name its version still gets a status line and headers
            self.request_version = "HTTP/1.0"
        self.log_error("code %d, message %s", status.value, message)
        self.close_connection = True
        allow = {"Allow": ALLOWED_METHODS} if status == HTTPStatus.NOT_IMPLEMENTED else {}
        self._error(status, _REFUSALS_ZH.get(status, "请求无法处理"), message or status.phrase, allow)

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path == "/health":
            self._respond(lambda: _health(self.lookup))
        elif url.path == "/lookup":
            self._respond(lambda: self.batcher.answer(parse_query(_form_fields(url.query))))
        else:
            self._error(HTTPStatus.NOT_FOUND, "没有这个地址", f"no such path {url.path!r}; use /lookup or /health")

    def do_HEAD(self) -> None:
        """GET's status and headers without its body (`_send` leaves it out), e.g. `curl -I /health`."""
        self.do_GET()

    def do_POST(self) -> None:
        if urlsplit(self.path).path != "/lookup":
            self._error(HTTPStatus.NOT_FOUND, "没有这个地址", "no such path; POST to /lookup")
            return
        self._respond(lambda: self.batcher.answer(parse_query(self._json_body())))

    def _json_body(self) -> dict:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            raise _BadRequest("请求长度无效", "invalid Content-Length") from None
        if length < 0:
            raise _BadRequest("请求长度无效", "invalid Content-Length")
        if length > MAX_BODY_BYTES:
            raise _BadRequest("请求过大", f"request body over {MAX_BODY_BYTES} bytes",
                              HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
        try:
            body = json.loads(self._body(length).decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise _BadRequest("请求内容不是有效的 JSON", "the body is not valid JSON (UTF-8)") from None
        except RecursionError:
            raise _BadRequest("请求内容嵌套过深", "the JSON body is nested too deeply") from None
        if not isinstance(body, dict):
            raise _BadRequest("请求内容必须是 JSON 对象", "the body must be a JSON object")
        return body

    def _body(self, length: int) -> bytes:
        """The body's `length` bytes; a body cut short (the client closed its side) is a 400, one
        that has not all arrived within `body_timeout` a 408, either way before any lookup."""
        self.connection.settimeout(self.body_timeout)
        try:
            body = self.rfile.read(length)
        except TimeoutError:
            self.close_connection = True
            raise _BadRequest("请求内容未按 Content-Length 送达",
                              f"the body did not arrive within {self.body_timeout:g} s (Content-Length {length})",
                              HTTPStatus.REQUEST_TIMEOUT) from None
        finally:
            self.connection.settimeout(self.timeout)
        if len(body) < length:
            self.close_connection = True
            raise _BadRequest("请求内容比 Content-Length 短",
                              f"the body ended after {len(body)} of its Content-Length {length} bytes")
        return body

    def _respond(self, produce) -> None:
        try:
            payload = produce()
        except (QueryError, _BadRequest) as exc:
            self._error(getattr(exc, "status", HTTPStatus.BAD_REQUEST), exc.zh, exc.en)
        except NoWarehouseError as exc:
            self._error(HTTPStatus.SERVICE_UNAVAILABLE, "暂无可查询的数据", str(exc))
        except ConnectionError:
            raise  # the client went away while sending: BoundedServer.handle_error says so in one line
        except Exception:
            log.exception("lookup failed for %s", neutralise_controls(self.path))
            self._error(HTTPStatus.INTERNAL_SERVER_ERROR, "查询出错，请稍后再试", "internal error; see the server log")
        else:
            self._send(HTTPStatus.OK, payload)

    def _error(self, status: HTTPStatus, zh: str, en: str, headers: dict[str, str] | None = None) -> None:
        error = {"status": status.value, "zh": neutralise_controls(zh), "en": neutralise_controls(en)}
        self._send(status, {"error": error}, headers)

    def _send(self, status: HTTPStatus, payload: dict, headers: dict[str, str] | None = None) -> None:
        with self._deadline_lock:
            if self._cut_off:  # the 408 is already sent
                self.close_connection = True
                return
            self._responded = True
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self.send_response(status.value)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:
        # the request line is the client's text: no escape sequence reaches the operator's terminal
        if self.log_requests:
            sys.stderr.write(f"{self.address_string()} {neutralise_controls(format % args)}\n")


def make_server(
    lookup: SnapshotLookup, host: str = "127.0.0.1", port: int = 8765, *, log_requests: bool = True,
    max_workers: int = MAX_WORKERS, queue_seconds: float = QUEUE_SECONDS, listening: socket.socket | None = None,
) -> BoundedServer:
    """A server answering lookups from `lookup`, at most `max_workers` at once; call
    `serve_forever()` on it. Each request is logged on stderr unless `log_requests` is false.
    With `listening`, an already listening socket (`service.processes`), host and port are ignored."""
    handler = type("Handler", (LookupHandler,),
                   {"lookup": lookup, "batcher": LookupBatcher(lookup), "log_requests": log_requests})
    server = BoundedServer((host, port), handler, max_workers=max_workers, queue_seconds=queue_seconds,
                           log_requests=log_requests, bind=listening is None)
    if listening is not None:
        server.socket.close()
        listening.setblocking(False)  # as BoundedServer.server_activate leaves its own
        server.socket = listening
        server.server_address = listening.getsockname()
        server.server_name, server.server_port = server.server_address[:2]
    return server


def _form_fields(query: str) -> dict[str, str]:
    """Query-string fields; a field given twice is refused rather than silently picking one."""
    try:
        fields = parse_qs(query, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise _BadRequest("请求参数不是有效的 UTF-8 文字", "the query string is not valid UTF-8") from None
    repeated = sorted(k for k, v in fields.items() if len(v) > 1)
    if repeated:
        raise _BadRequest(f"参数重复：{', '.join(repeated)}",
                          f"parameter(s) given more than once: {', '.join(repeated)}")
    return {k: v[0] for k, v in fields.items()}


def _health(lookup: SnapshotLookup) -> dict:
    snap = lookup.snapshot()
    return {"status": "ok", "warehouse_as_of": snap.as_of, "claims": snap.prepared.height, "process": os.getpid()}
