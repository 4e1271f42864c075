"""`/review`: the reviewer's desk — the night's queue in its order, one card per pair with both
claims side by side, the evidence in words and what each answer would change; same / different /
skip with a note, recorded in the desk with who and when. `/audit`: every answer and ruling ever
given on the screens, newest first; a pair's answer is reversed by answering again."""

from __future__ import annotations

from urllib.parse import quote

import polars as pl
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from adapters.desk_store import PAIR_ANSWERS
from adapters.warehouse import NoWarehouseError
from matching.review import SIDE_BY_SIDE
from matching.review_effects import answer_effects
from web import warehouse_views as views
from web.evidence_words import evidence_in_words
from web.guard import Visit, guarded, runtime
from web.people import Person

MAX_NOTE = 500


def _desk_worker(person: Person) -> bool:
    return person.works_the_desk


def _latest_answers(rt_store_decisions: pl.DataFrame) -> dict[str, dict]:
    """The latest desk answer per pair, keyed by review_id ('claim_id_l|claim_id_r')."""
    latest = rt_store_decisions.group_by("claim_id_a", "claim_id_b", maintain_order=True).last()
    return {f"{row['claim_id_a']}|{row['claim_id_b']}": row for row in latest.iter_rows(named=True)}


def _unavailable(request: Request, visit: Visit, exc: NoWarehouseError) -> Response:
    return runtime(request).templates.TemplateResponse(
        request, "refused.html", {"visit": visit, "status": 503, "zh": "还没有发布的数据，请等夜间任务完成",
                                  "en": str(exc)}, status_code=503)


@guarded(_desk_worker)
async def queue_page(request: Request, visit: Visit) -> Response:
    rt = runtime(request)
    try:
        with views.warehouse_read(rt.settings.warehouse) as con:
            queue, as_of = views.review_queue(con), views.as_of(con)
    except NoWarehouseError as exc:
        return _unavailable(request, visit, exc)
    answers = _latest_answers(rt.store.decisions())
    items = [row | {"answer": answers.get(row["review_id"])} for row in queue.iter_rows(named=True)]
    waiting = [item for item in items if item["answer"] is None or item["answer"]["decision"] == "skip"]
    return rt.templates.TemplateResponse(request, "review_queue.html", {
        "visit": visit, "items": items, "as_of": as_of, "next_id": waiting[0]["review_id"] if waiting else None,
        "decided": len(items) - len(waiting)})


def _card(row: dict, claims: pl.DataFrame) -> dict:
    sides = [{field: row[f"{field}_{side}"] for field in ("claim_id", "customer_id", "claims", "names",
                                                            "first_rep", *SIDE_BY_SIDE)} for side in ("l", "r")]
    return {"row": row, "sides": sides, "evidence": evidence_in_words(row["evidence"]),
            "effects": answer_effects(claims)}


@guarded(_desk_worker)
async def card_page(request: Request, visit: Visit) -> Response:
    rt = runtime(request)
    review_id = request.path_params["review_id"]
    try:
        with views.warehouse_read(rt.settings.warehouse) as con:
            queue = views.review_queue(con)
            found = queue.filter(pl.col("review_id") == review_id)
            if found.is_empty():
                return rt.templates.TemplateResponse(request, "refused.html", {
                    "visit": visit, "status": 404, "zh": "复核队列中没有这对报备（可能已在今晚处理）",
                    "en": "this pair is not in tonight's review queue"}, status_code=404)
            row = found.row(0, named=True)
            claims = views.customer_claims(con, [row["customer_id_l"], row["customer_id_r"]])
    except NoWarehouseError as exc:
        return _unavailable(request, visit, exc)
    decisions = rt.store.decisions()
    history = decisions.filter((pl.col("claim_id_a") + "|" + pl.col("claim_id_b")) == review_id).reverse()
    position = queue["review_id"].to_list().index(review_id)
    return rt.templates.TemplateResponse(request, "review_card.html", {
        "visit": visit, "card": _card(row, claims), "history": history.to_dicts(), "position": position + 1,
        "total": queue.height, "answers": PAIR_ANSWERS})


def _next_waiting(queue: pl.DataFrame, answers: dict[str, dict], after: str) -> str | None:
    ids = queue["review_id"].to_list()
    start = ids.index(after) + 1 if after in ids else 0
    for review_id in ids[start:] + ids[:start]:
        if review_id not in answers:
            return review_id
    return None


@guarded(_desk_worker)
async def answer_pair(request: Request, visit: Visit) -> Response:
    rt = runtime(request)
    review_id = request.path_params["review_id"]
    form = await request.form()
    decision, note = str(form.get("decision") or ""), str(form.get("note") or "").strip()[:MAX_NOTE]
    claim_a, _, claim_b = review_id.partition("|")
    answers = _latest_answers(rt.store.decisions())
    try:
        with views.warehouse_read(rt.settings.warehouse) as con:
            queue = views.review_queue(con)
    except NoWarehouseError as exc:
        return _unavailable(request, visit, exc)
    # a pair of tonight's queue, or one answered before (a reversal from the audit list)
    if decision not in PAIR_ANSWERS or not claim_b or (
            review_id not in queue["review_id"].to_list() and review_id not in answers):
        return rt.templates.TemplateResponse(request, "refused.html", {
            "visit": visit, "status": 400, "zh": "无法记录：不是待复核的报备对，或答案无效",
            "en": "not a pair awaiting review, or not an answer"}, status_code=400)
    rt.store.record_pair(claim_a, claim_b, decision, visit.person.name, visit.person.login, note)
    if form.get("return") == "audit":
        return RedirectResponse("/audit", status_code=303)
    following = _next_waiting(queue, _latest_answers(rt.store.decisions()), review_id)
    return RedirectResponse(f"/review/{quote(following, safe='')}" if following else "/review", status_code=303)


@guarded(_desk_worker)
async def audit_page(request: Request, visit: Visit) -> Response:
    rt = runtime(request)
    decisions = rt.store.decisions()
    current = {row["decision_id"] for row in _latest_answers(decisions).values()}
    entries = [
        {"id": row["decision_id"], "what": "复核", "subject": f"{row['claim_id_a']} ↔ {row['claim_id_b']}",
         "review_id": f"{row['claim_id_a']}|{row['claim_id_b']}", "answer": row["decision"],
         "who": f"{row['reviewer']}（{row['login']}）", "when": row["decided_at"], "note": row["note"],
         "current": row["decision_id"] in current}
        for row in decisions.iter_rows(named=True)
    ] + [
        {"id": row["ruling_id"], "what": "申诉", "subject": row["appeal_id"], "review_id": None,
         "answer": row["decision"], "who": f"{row['reviewer']}（{row['login']}）", "when": row["decided_at"],
         "note": row["note"], "current": None}
        for row in rt.store.appeal_rulings().iter_rows(named=True)
    ] + [
        {"id": row["ruling_id"], "what": "延期", "subject": row["request_id"], "review_id": None,
         "answer": "approve" if row["approved"] else "refuse", "who": f"{row['approver']}（{row['login']}）",
         "when": row["decided_at"], "note": row["note"], "current": None}
        for row in rt.store.extension_rulings().iter_rows(named=True)
    ]
    entries.sort(key=lambda entry: (entry["when"], entry["id"]), reverse=True)
    return rt.templates.TemplateResponse(request, "audit.html", {"visit": visit, "entries": entries})
