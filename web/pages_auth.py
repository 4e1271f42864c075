"""Sign-in and sign-out. The sign-in form is protected from cross-site posting by a token in both
a cookie and the form (double submit), since there is no session yet to hold one."""

from __future__ import annotations

import secrets

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from web.guard import SESSION_COOKIE, Visit, guarded, runtime, set_session_cookie, visit_of
from web.people import normal_login
from web.sessions import csrf_valid, password_matches, session_closed, session_opened

LOGIN_CSRF_COOKIE = "recon_login_csrf"


def _next_page(value: object) -> str:
    """Only a path of this site: never another site (an open redirect)."""
    text = value if isinstance(value, str) else "/"
    return text if text.startswith("/") and not text.startswith("//") and "\\" not in text else "/"


def _login_page(request: Request, error: str | None = None, status: int = 200) -> Response:
    token = secrets.token_urlsafe(24)
    response = runtime(request).templates.TemplateResponse(
        request, "login.html",
        {"visit": None, "csrf": token, "error": error, "next": _next_page(request.query_params.get("next"))},
        status_code=status)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict",
                        secure=runtime(request).config.secure_cookies, path="/login")
    return response


async def login_form(request: Request) -> Response:
    if visit_of(request) is not None:
        return RedirectResponse(_next_page(request.query_params.get("next")), status_code=303)
    return _login_page(request)


async def login(request: Request) -> Response:
    rt = runtime(request)
    form = await request.form()
    given = form.get("csrf_token")
    if not csrf_valid(request.cookies.get(LOGIN_CSRF_COOKIE), given if isinstance(given, str) else None):
        return _login_page(request, "表单已失效，请重新登录。", status=403)
    login_name, password = normal_login(str(form.get("login") or "")), str(form.get("password") or "")
    if rt.sign_in_failures.locked(login_name):
        return _login_page(request, "密码错误次数过多，请 15 分钟后再试。", status=429)
    person = rt.people().get(login_name)
    # Argon2 takes tens of milliseconds by design: off the event loop, so typing elsewhere is not held up
    if not await run_in_threadpool(password_matches, rt.store, login_name, password) or person is None:
        rt.sign_in_failures.failed(login_name)
        return _login_page(request, "账号或密码不正确。", status=401)
    rt.sign_in_failures.succeeded(login_name)
    token, _ = session_opened(rt.store, person.login, rt.config.session_hours)
    response = RedirectResponse(_next_page(form.get("next")), status_code=303)
    set_session_cookie(response, token, rt)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@guarded(lambda person: True)
def logout(request: Request, visit: Visit) -> Response:
    session_closed(runtime(request).store, request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
