"""`recon serve-lookup`: the lookup as a small JSON endpoint for a web form or a chat bot.

    GET  /lookup?name=字节跳动&phone=13800138000&top=5
    POST /lookup   {"name": "字节跳动", "email": "a@bytedance.com"}
    GET  /health

Standard library only (`ThreadingHTTPServer`); meant for localhost or behind the form's own
server. The query string may be percent-encoded or raw UTF-8 (as curl sends a name typed in the
URL). Every error — bad input, and http.server's own refusals (malformed or too long request
line, unsupported method) — is a JSON body `{"error": {"status", "zh", "en"}}`; the warehouse is
reloaded when the nightly run replaces it.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from service.query import NoWarehouseError, QueryError, parse_query
from service.snapshot import SnapshotLookup

MAX_BODY_BYTES = 8192
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
    log_requests: bool = True
    server_version = "recon-lookup"
    timeout = 10  # seconds a client may take to send its request: a stalled one frees its thread

    def parse_request(self) -> bool:
        # http.server reads the request line as Latin-1 and splits it at any Unicode space, so
        # raw UTF-8 in a URL became mojibake, or "Bad request syntax" when one of its bytes
        # reads as a Latin-1 space (0x85, 0xA0). Percent-encoding those bytes first makes a
        # raw UTF-8 query string the same as its percent-encoded form.
        self.raw_requestline = _NON_ASCII.sub(lambda byte: b"%%%02X" % byte[0][0], self.raw_requestline)
        return super().parse_request()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own refusals (bad request line, too long, unsupported method …) as the
        same JSON error body as ours, then close."""
        status = HTTPStatus(code)
        if self.request_version == "HTTP/0.9":
            # a request line too broken to name its version still gets a status line and headers
            self.request_version = "HTTP/1.0"
        self.log_error("code %d, message %s", status.value, message)
        self.close_connection = True
        self._error(status, _REFUSALS_ZH.get(status, "请求无法处理"), message or status.phrase)

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path == "/health":
            self._respond(lambda: _health(self.lookup))
        elif url.path == "/lookup":
            self._respond(lambda: self.lookup.answer(parse_query(_form_fields(url.query))))
        else:
            self._error(HTTPStatus.NOT_FOUND, "没有这个地址", f"no such path {url.path!r}; use /lookup or /health")

    def do_POST(self) -> None:
        if urlsplit(self.path).path != "/lookup":
            self._error(HTTPStatus.NOT_FOUND, "没有这个地址", "no such path; POST to /lookup")
            return
        self._respond(lambda: self.lookup.answer(parse_query(self._json_body())))

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
            body = json.loads(self.rfile.read(length).decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise _BadRequest("请求内容不是有效的 JSON", "the body is not valid JSON (UTF-8)") from None
        if not isinstance(body, dict):
            raise _BadRequest("请求内容必须是 JSON 对象", "the body must be a JSON object")
        return body

    def _respond(self, produce) -> None:
        try:
            self._send(HTTPStatus.OK, produce())
        except (QueryError, _BadRequest) as exc:
            self._error(getattr(exc, "status", HTTPStatus.BAD_REQUEST), exc.zh, exc.en)
        except NoWarehouseError as exc:
            self._error(HTTPStatus.SERVICE_UNAVAILABLE, "暂无可查询的数据", str(exc))
        except Exception:
            log.exception("lookup failed for %s", self.path)
            self._error(HTTPStatus.INTERNAL_SERVER_ERROR, "查询出错，请稍后再试", "internal error; see the server log")

    def _error(self, status: HTTPStatus, zh: str, en: str) -> None:
        self._send(status, {"error": {"status": status.value, "zh": zh, "en": en}})

    def _send(self, status: HTTPStatus, payload: dict) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self.send_response(status.value)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:
        if self.log_requests:
            sys.stderr.write(f"{self.address_string()} {format % args}\n")


def make_server(
    lookup: SnapshotLookup, host: str = "127.0.0.1", port: int = 8765, *, log_requests: bool = True
) -> ThreadingHTTPServer:
    """A server answering lookups from `lookup`; call `serve_forever()` on it. Each request is
    logged on stderr unless `log_requests` is false."""
    handler = type("Handler", (LookupHandler,), {"lookup": lookup, "log_requests": log_requests})
    return ThreadingHTTPServer((host, port), handler)


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
    return {"status": "ok", "warehouse_as_of": snap.as_of, "claims": snap.prepared.height}
