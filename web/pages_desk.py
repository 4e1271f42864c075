"""`/review`: the reviewer's desk — the night's queue in its order, one card per pair with both
claims side by side, the evidence in words and what each answer would change; same / different /
skip with a note, recorded in the desk with who and when. `/audit`: every answer and ruling ever
given on the screens, newest first; a pair's answer is reversed by answering again."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

import polars as pl
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from adapters.desk_store import PAIR_ANSWERS
from adapters.warehouse import NoWarehouseError
from matching.review import SIDE_BY_SIDE
from web import warehouse_views as views
from web.evidence_words import evidence_in_words
from web.guard import Visit, guarded, runtime
from web.people import Person
from web.review_effects import answer_effects

MAX_NOTE = 500
ANSWER_WORDS = {"same": "同一客户", "different": "不同客户", "skip": "跳过"}


def _desk_worker(person: Person) -> bool:
    return person.works_the_desk


@dataclass(frozen=True)
class PairAnswers:
    """The desk's answers per pair (review_id 'claim_id_l|claim_id_r'): the one that stands — the
    latest same or different, what the night applies — and the pairs whose latest row is a skip
    (seen, set aside; a skip never undoes an answer)."""

    standing: dict[str, dict]
    skipped: dict[str, dict]

    @classmethod
    def of(cls, decisions: pl.DataFrame) -> PairAnswers:
        keyed = decisions.with_columns((pl.col("claim_id_a") + "|" + pl.col("claim_id_b")).alias("review_id"))
        latest = keyed.group_by("review_id", maintain_order=True).last()
        standing = keyed.filter(pl.col("decision") != "skip").group_by("review_id", maintain_order=True).last()
        return cls({row["review_id"]: row for row in standing.iter_rows(named=True)},
                   {row["review_id"]: row for row in latest.filter(pl.col("decision") == "skip").iter_rows(named=True)})

    def waiting(self, review_ids: list[str], after: str | None = None) -> str | None:
        """The next pair after `after` (in queue order, wrapping round) with no answer, not skipped."""
        start = review_ids.index(after) + 1 if after in review_ids else 0
        for review_id in review_ids[start:] + review_ids[:start]:
            if review_id not in self.standing and review_id not in self.skipped:
                return review_id
        return None


def _unavailable(request: Request, visit: Visit, exc: NoWarehouseError) -> Response:
    return runtime(request).templates.TemplateResponse(
        request, "refused.html", {"visit": visit, "status": 503, "zh": "还没有发布的数据，请等夜间任务完成",
                                  "en": str(exc)}, status_code=503)


@guarded(_desk_worker)
def queue_page(request: Request, visit: Visit) -> Response:
    rt = runtime(request)
    try:
        with views.warehouse_read(rt.settings.warehouse) as con:
            queue, as_of = views.review_queue(con), views.as_of(con)
    except NoWarehouseError as exc:
        return _unavailable(request, visit, exc)
    answers = PairAnswers.of(rt.store.decisions())
    items = [row | {"answer": answers.standing.get(row["review_id"]), "skip": answers.skipped.get(row["review_id"])}
             for row in queue.iter_rows(named=True)]
    undecided = [item["review_id"] for item in items if item["answer"] is None]
    next_id = answers.waiting(queue["review_id"].to_list()) or (undecided[0] if undecided else None)
    return rt.templates.TemplateResponse(request, "review_queue.html", {
        "visit": visit, "items": items, "as_of": as_of, "next_id": next_id, "decided": len(items) - len(undecided)})


def _card(row: dict, claims: pl.DataFrame) -> dict:
    sides = [{field: row[f"{field}_{side}"] for field in ("claim_id", "customer_id", "claims", "names",
                                                            "first_rep", *SIDE_BY_SIDE)} for side in ("l", "r")]
    return {"row": row, "sides": sides, "evidence": evidence_in_words(row["evidence"]),
            "effects": answer_effects(claims)}


@guarded(_desk_worker)
def card_page(request: Request, visit: Visit) -> Response:
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
    standing = PairAnswers.of(decisions).standing.get(review_id)
    position = queue["review_id"].to_list().index(review_id)
    local_claims = claims.with_columns(pl.col("submitted_at").dt.convert_time_zone(rt.zone.key))
    return rt.templates.TemplateResponse(request, "review_card.html", {
        "visit": visit, "card": _card(row, local_claims),
        "history": history.to_dicts(), "position": position + 1, "total": queue.height, "answers": PAIR_ANSWERS,
        "seen": standing["decision_id"] if standing else ""})


@guarded(_desk_worker)
def answer_pair(request: Request, visit: Visit) -> Response:
    rt = runtime(request)
    review_id = request.path_params["review_id"]
    form = visit.form or FormData()
    decision, note = str(form.get("decision") or ""), str(form.get("note") or "").strip()[:MAX_NOTE]
    claim_a, _, claim_b = review_id.partition("|")
    answers = PairAnswers.of(rt.store.decisions())
    try:
        with views.warehouse_read(rt.settings.warehouse) as con:
            queue = views.review_queue(con)
    except NoWarehouseError as exc:
        return _unavailable(request, visit, exc)
    # a pair of tonight's queue, or one answered before (a reversal from the audit list)
    if decision not in PAIR_ANSWERS or not claim_b or (
            review_id not in queue["review_id"].to_list() and review_id not in answers.standing):
        return rt.templates.TemplateResponse(request, "refused.html", {
            "visit": visit, "status": 400, "zh": "无法记录：不是待复核的报备对，或答案无效",
            "en": "not a pair awaiting review, or not an answer"}, status_code=400)
    standing = answers.standing.get(review_id)
    if decision != "skip" and str(form.get("seen") or "") != (standing["decision_id"] if standing else ""):
        # someone answered since this card was shown: say who, record nothing
        when = standing["decided_at"].astimezone(rt.zone)
        return rt.templates.TemplateResponse(request, "refused.html", {
            "visit": visit, "status": 409,
            "zh": f"{standing['reviewer']} 已在 {when:%m-%d %H:%M} 判为「{ANSWER_WORDS[standing['decision']]}」，"
                  "您的判断未记录，请重新打开这一对再决定。",
            "en": "someone answered this pair since you opened it; nothing was recorded"}, status_code=409)
    rt.store.record_pair(claim_a, claim_b, decision, visit.person.name, visit.person.login, note)
    if form.get("return") == "audit":
        return RedirectResponse("/audit", status_code=303)
    following = PairAnswers.of(rt.store.decisions()).waiting(queue["review_id"].to_list(), review_id)
    return RedirectResponse(f"/review/{quote(following, safe='')}" if following else "/review", status_code=303)


@guarded(_desk_worker)
def audit_page(request: Request, visit: Visit) -> Response:
    rt = runtime(request)
    decisions = rt.store.decisions()
    current = {row["decision_id"] for row in PairAnswers.of(decisions).standing.values()}
    entries = [
        {"id": row["decision_id"], "what": "复核", "subject": f"{row['claim_id_a']} ↔ {row['claim_id_b']}",
         "review_id": f"{row['claim_id_a']}|{row['claim_id_b']}", "answer": row["decision"],
         "who": f"{row['reviewer']}（{row['login']}）", "when": row["decided_at"], "note": row["note"],
         "current": row["decision_id"] in current if row["decision"] != "skip" else None}
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
