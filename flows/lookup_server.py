"""`recon serve-lookup`: the lookup as a small JSON endpoint for a web form or a chat bot.

    GET  /lookup?name=字节跳动&phone=13800138000&top=5
    POST /lookup   {"name": "字节跳动", "email": "a@bytedance.com"}
    GET  /health

Standard library only (`ThreadingHTTPServer`); meant for localhost or behind the form's own
server. Bad input gets 400 with the reason in Chinese and English; the warehouse is reloaded
when the nightly run replaces it.
"""

from __future__ import annotations

import json
import logging
import sys
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from flows.lookup import Lookup, NoWarehouseError, QueryError, parse_query

MAX_BODY_BYTES = 8192
log = logging.getLogger("recon.lookup_server")


class _BadRequest(Exception):
    def __init__(self, zh: str, en: str, status: HTTPStatus = HTTPStatus.BAD_REQUEST) -> None:
        super().__init__(en)
        self.zh, self.en, self.status = zh, en, status


def make_server(
    lookup: Lookup, host: str = "127.0.0.1", port: int = 8765, *, log_requests: bool = True
) -> ThreadingHTTPServer:
    """A server answering lookups from `lookup`; call `serve_forever()` on it. Each request is
    logged on stderr unless `log_requests` is false."""

    class Handler(BaseHTTPRequestHandler):
        server_version = "recon-lookup"
        timeout = 10  # seconds a client may take to send its request: a stalled one frees its thread

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if url.path == "/health":
                self._respond(lambda: _health(lookup))
            elif url.path == "/lookup":
                self._respond(lambda: lookup.answer(parse_query(_form_fields(url.query))))
            else:
                self._error(HTTPStatus.NOT_FOUND, "没有这个地址", f"no such path {url.path!r}; use /lookup or /health")

        def do_POST(self) -> None:
            if urlsplit(self.path).path != "/lookup":
                self._error(HTTPStatus.NOT_FOUND, "没有这个地址", "no such path; POST to /lookup")
                return
            self._respond(lambda: lookup.answer(parse_query(self._json_body())))

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
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args) -> None:
            if log_requests:
                sys.stderr.write(f"{self.address_string()} {format % args}\n")

    return ThreadingHTTPServer((host, port), Handler)


def _form_fields(query: str) -> dict[str, str]:
    """Query-string fields; a field given twice is refused rather than silently picking one."""
    fields = parse_qs(query, keep_blank_values=True)
    repeated = sorted(k for k, v in fields.items() if len(v) > 1)
    if repeated:
        raise _BadRequest(f"参数重复：{', '.join(repeated)}", f"parameter(s) given more than once: {', '.join(repeated)}")
    return {k: v[0] for k, v in fields.items()}


def _health(lookup: Lookup) -> dict:
    snap = lookup.snapshot()
    return {"status": "ok", "warehouse_as_of": snap.as_of, "claims": snap.prepared.height}
