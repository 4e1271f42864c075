"""Who is asking, and whether they may: every page and every write goes through `guarded`.

A person is signed in by their session cookie, or — when config/web.yaml trusts a reverse proxy —
by the proxy's header on a request from one of its addresses (a session is then opened for them,
so their forms carry a CSRF token like everyone's). A write (POST) needs the session's CSRF token
in the form field `csrf_token` or the header `X-CSRF-Token`, else 403.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from functools import wraps
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from web.people import Person, normal_login
from web.runtime import Runtime
from web.sessions import Session, csrf_valid, session_for, session_opened

SESSION_COOKIE = "recon_session"


@dataclass(frozen=True)
class Visit:
    """A signed-in request: who, their session, and a session token to set if one was just opened."""

    person: Person
    session: Session
    new_token: str | None = None
    form: FormData | None = None  # a write's fields, CSRF token checked


def runtime(request: Request) -> Runtime:
    return request.app.state.runtime


def _proxy_login(request: Request, rt: Runtime) -> str | None:
    proxy = rt.config.trusted_proxy
    if proxy is None or request.client is None:
        return None
    try:
        address = ipaddress.ip_address(request.client.host)
    except ValueError:
        return None
    if address not in proxy.addresses:
        return None
    # a proxy that appends to a header its client sent, instead of replacing it, would pass the
    # client's own value on: more than one value signs nobody in
    values = request.headers.getlist(proxy.header)
    return normal_login(values[0]) if len(values) == 1 else None


def visit_of(request: Request) -> Visit | None:
    rt = runtime(request)
    token = request.cookies.get(SESSION_COOKIE)
    session = session_for(rt.store, token)
    proxied = _proxy_login(request, rt)
    if proxied is not None:
        person = rt.people().get(proxied)
        if person is None:
            return None
        if session is not None and session.login == proxied:
            return Visit(person, session)
        new_token, session = session_opened(rt.store, proxied, rt.config.session_hours)
        return Visit(person, session, new_token)
    if session is None:
        return None
    person = rt.people().get(session.login)
    return Visit(person, session) if person is not None else None


def set_session_cookie(response: Response, token: str, rt: Runtime) -> None:
    """Lax, not strict: a link to a review card shared in chat or mail opens signed in; every write
    checks its CSRF token, so a cross-site form post gains nothing."""
    response.set_cookie(SESSION_COOKIE, token, max_age=rt.config.session_hours * 3600, httponly=True,
                        samesite="lax", secure=rt.config.secure_cookies, path="/")


def _refused(request: Request, status: int, zh: str, en: str) -> Response:
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": {"status": status, "zh": zh, "en": en}}, status_code=status)
    return runtime(request).templates.TemplateResponse(
        request, "refused.html", {"status": status, "zh": zh, "en": en, "visit": None}, status_code=status)


Handler = Callable[[Request, Visit], Response]


def guarded(allowed: Callable[[Person], bool]) -> Callable[[Handler], Callable[[Request], Awaitable[Response]]]:
    """A page for the people `allowed` admits: others get 403, strangers the sign-in page (an API
    call: 401), a write without its CSRF token 403. The session check and the handler run on a
    worker thread (they read SQLite and DuckDB), so one slow page never holds up a rep's typing."""

    def wrap(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        @wraps(handler)
        async def endpoint(request: Request) -> Response:
            visit = await run_in_threadpool(visit_of, request)
            if visit is None:
                if request.method == "GET" and not request.url.path.startswith("/api/"):
                    return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
                return _refused(request, 401, "请先登录", "sign in first")
            if not allowed(visit.person):
                return _refused(request, 403, "您没有权限打开这个页面", "you may not open this page")
            if request.method == "POST":
                form = await request.form()
                given = request.headers.get("X-CSRF-Token") or form.get("csrf_token")
                if not csrf_valid(visit.session.csrf_token, given if isinstance(given, str) else None):
                    return _refused(request, 403, "表单已失效，请刷新页面后重试", "missing or wrong CSRF token")
                visit = replace(visit, form=form)
            response = await run_in_threadpool(handler, request, visit)
            if visit.new_token is not None:
                set_session_cookie(response, visit.new_token, runtime(request))
            return response

        return endpoint

    return wrap
