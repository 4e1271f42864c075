"""`/`: a rep checks a prospect before registering. Candidates appear as they type
(`/api/suggest`, the typeahead index); "查重" runs the full check (`/api/check`, the same answer
as `recon lookup`). Neither ever returns a contact detail of a known customer."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from adapters.warehouse import NoWarehouseError
from service.query import QueryError, parse_query
from web.guard import Visit, guarded, runtime

MAX_TYPED = 100
SUGGESTIONS = 8


@guarded(lambda person: True)
def lookup_page(request: Request, visit: Visit) -> Response:
    return runtime(request).templates.TemplateResponse(request, "lookup.html", {"visit": visit})


def _no_warehouse(exc: NoWarehouseError) -> JSONResponse:
    return JSONResponse({"error": {"status": 503, "zh": "还没有发布的数据，请等夜间任务完成", "en": str(exc)}},
                        status_code=503)


@guarded(lambda person: True)
def suggest(request: Request, visit: Visit) -> Response:
    typed = request.query_params.get("q", "")[:MAX_TYPED]
    try:
        index = runtime(request).typeahead()
    except NoWarehouseError as exc:
        return _no_warehouse(exc)
    return JSONResponse({"q": typed, "suggestions": index.suggest(typed, SUGGESTIONS)})


@guarded(lambda person: True)
def check(request: Request, visit: Visit) -> Response:
    params = {key: request.query_params.get(key) or None for key in ("name", "phone", "email", "credit_code")}
    try:
        query = parse_query({**params, "top": "5"})
        answer = runtime(request).lookup.answer(query)
    except QueryError as exc:
        return JSONResponse({"error": {"status": 400, "zh": exc.zh, "en": exc.en}}, status_code=400)
    except NoWarehouseError as exc:
        return _no_warehouse(exc)
    return JSONResponse(answer)
