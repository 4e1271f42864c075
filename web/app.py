"""The screens as one Starlette application (`recon web` serves it with uvicorn)."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from web import pages_auth, pages_desk, pages_lookup, pages_rulings
from web.runtime import STATIC, Runtime, WebSettings

# no inline script or style, nothing from another site, never inside another site's frame
SECURITY_HEADERS = [
    (b"content-security-policy", b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                                 b"frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cache-control", b"no-store"),
]


class SecurityHeaders:
    """Adds SECURITY_HEADERS to every HTTP response (static files may be cached)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith("/static/")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [h for h in SECURITY_HEADERS if not (static and h[0] == b"cache-control")]
                message["headers"] = [*message.get("headers", []), *headers]
            await send(message)

        await self.app(scope, receive, with_headers)


async def health(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


def create_app(settings: WebSettings, warm: bool = False) -> Starlette:
    """The application; ConfigError (and the roster's SourceFileError) if the configuration is wrong.
    `warm`: build the typeahead index at once (`recon web` does; tests build it when they type)."""
    app = Starlette(routes=[
        Route("/login", pages_auth.login_form, methods=["GET"]),
        Route("/login", pages_auth.login, methods=["POST"]),
        Route("/logout", pages_auth.logout, methods=["POST"]),
        Route("/", pages_lookup.lookup_page, methods=["GET"]),
        Route("/api/suggest", pages_lookup.suggest, methods=["GET"]),
        Route("/api/check", pages_lookup.check, methods=["GET"]),
        Route("/review", pages_desk.queue_page, methods=["GET"]),
        Route("/review/{review_id}", pages_desk.card_page, methods=["GET"]),
        Route("/review/{review_id}", pages_desk.answer_pair, methods=["POST"]),
        Route("/audit", pages_desk.audit_page, methods=["GET"]),
        Route("/appeals", pages_rulings.appeals_page, methods=["GET"]),
        Route("/appeals/{appeal_id}", pages_rulings.rule_appeal, methods=["POST"]),
        Route("/extensions", pages_rulings.extensions_page, methods=["GET"]),
        Route("/extensions/{request_id}", pages_rulings.rule_extension, methods=["POST"]),
        Route("/health", health, methods=["GET"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ])
    app.state.runtime = Runtime.start(settings, warm)
    app.add_middleware(SecurityHeaders)
    return app
