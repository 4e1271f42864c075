"""`/appeals` and `/extensions`: open appeals (申诉) and extension requests (延期) with the claim,
the conflict and its evidence; a ruling with a reason, recorded in the desk with who and when and
applied by the next night. A manager sees and rules only on their own teams' reps' items; contact
details show only for claims of teams the viewer may see."""

from __future__ import annotations

import polars as pl
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from adapters.warehouse import NoWarehouseError
from transforms.schema import APPEAL_DECISIONS
from web import warehouse_views as views
from web.evidence_words import evidence_in_words
from web.guard import Visit, guarded, runtime
from web.people import Person

MAX_REASON = 500
NO_WAREHOUSE_ZH = "还没有发布的数据，请等夜间任务完成"
CONTACTS = {"": ("contact_name", "phone", "email"), "owner_": ("owner_contact_name", "owner_phone", "owner_email"),
            "other_": ("other_contact_name", "other_phone", "other_email")}
TEAM_OF = {"": "team", "owner_": "owner_team", "other_": "other_team"}


def _rules(person: Person) -> bool:
    return person.rules


def _masked(row: dict, person: Person) -> dict:
    """The row with the contact details of teams `person` may not see replaced by None."""
    shown = dict(row)
    for side, fields in CONTACTS.items():
        if not person.sees_contacts_of(row.get(TEAM_OF[side])):
            shown.update(dict.fromkeys(fields))
            shown[f"{side}contacts_hidden"] = True
    return shown


def _refusal(request: Request, visit: Visit, status: int, zh: str, en: str) -> Response:
    return runtime(request).templates.TemplateResponse(
        request, "refused.html", {"visit": visit, "status": status, "zh": zh, "en": en}, status_code=status)


def _reason(form: FormData) -> str:
    return str(form.get("reason") or "").strip()[:MAX_REASON]


@guarded(_rules)
async def appeals_page(request: Request, visit: Visit) -> Response:
    rt = runtime(request)
    try:
        with views.warehouse_read(rt.settings.warehouse) as con:
            appeals = views.appeals(con)
    except NoWarehouseError as exc:
        return _refusal(request, visit, 503, NO_WAREHOUSE_ZH, str(exc))
    rulings = rt.store.appeal_rulings().group_by("appeal_id", maintain_order=True).last()
    desk = {row["appeal_id"]: row for row in rulings.iter_rows(named=True)}
    mine = [row for row in appeals.iter_rows(named=True) if visit.person.may_rule_for(row["team"])]
    items = [_masked(row, visit.person) | {"desk": desk.get(row["appeal_id"]),
                                          "evidence_words": evidence_in_words(row["evidence"]),
                                          "choices": APPEAL_DECISIONS.get(row["kind"], ())} for row in mine]
    open_items = [item for item in items if item["status"] == "open" and item["desk"] is None]
    return rt.templates.TemplateResponse(request, "appeals.html", {
        "visit": visit, "open_items": open_items, "ruled": [i for i in items if i not in open_items]})


@guarded(_rules)
async def rule_appeal(request: Request, visit: Visit) -> Response:
    rt = runtime(request)
    appeal_id = request.path_params["appeal_id"]
    form = await request.form()
    try:
        with views.warehouse_read(rt.settings.warehouse) as con:
            found = views.appeals(con).filter(pl.col("appeal_id") == appeal_id)
    except NoWarehouseError as exc:
        return _refusal(request, visit, 503, NO_WAREHOUSE_ZH, str(exc))
    if found.is_empty():
        return _refusal(request, visit, 404, "没有这个申诉", "no such appeal")
    appeal = found.row(0, named=True)
    if not visit.person.may_rule_for(appeal["team"]):
        return _refusal(request, visit, 403, "只能裁决本团队销售的申诉", "you may rule only on your own teams' appeals")
    decision, reason = str(form.get("decision") or ""), _reason(form)
    if decision not in APPEAL_DECISIONS.get(appeal["kind"], ()) or not reason:
        return _refusal(request, visit, 400, "请选择裁决并填写理由", "choose a ruling and give a reason")
    rt.store.record_appeal(appeal_id, decision, visit.person.name, visit.person.login, reason)
    return RedirectResponse("/appeals", status_code=303)


@guarded(_rules)
async def extensions_page(request: Request, visit: Visit) -> Response:
    rt = runtime(request)
    try:
        with views.warehouse_read(rt.settings.warehouse) as con:
            requests = views.extensions(con)
    except NoWarehouseError as exc:
        return _refusal(request, visit, 503, NO_WAREHOUSE_ZH, str(exc))
    rulings = rt.store.extension_rulings().group_by("request_id", maintain_order=True).last()
    desk = {row["request_id"]: row for row in rulings.iter_rows(named=True)}
    mine = [row for row in requests.iter_rows(named=True) if visit.person.may_rule_for(row["team"])]
    items = [_masked(row, visit.person) | {"desk": desk.get(row["request_id"])} for row in mine]
    open_items = [item for item in items if item["approved"] is None and item["desk"] is None]
    return rt.templates.TemplateResponse(request, "extensions.html", {
        "visit": visit, "open_items": open_items, "ruled": [i for i in items if i not in open_items]})


@guarded(_rules)
async def rule_extension(request: Request, visit: Visit) -> Response:
    rt = runtime(request)
    request_id = request.path_params["request_id"]
    form = await request.form()
    try:
        with views.warehouse_read(rt.settings.warehouse) as con:
            found = views.extensions(con).filter(pl.col("request_id") == request_id)
    except NoWarehouseError as exc:
        return _refusal(request, visit, 503, NO_WAREHOUSE_ZH, str(exc))
    if found.is_empty():
        return _refusal(request, visit, 404, "没有这个延期申请", "no such extension request")
    if not visit.person.may_rule_for(found["team"][0]):
        return _refusal(request, visit, 403, "只能审批本团队销售的延期申请",
                        "you may rule only on your own teams' requests")
    decision, reason = str(form.get("decision") or ""), _reason(form)
    if decision not in ("approve", "refuse") or not reason:
        return _refusal(request, visit, 400, "请选择批准或拒绝并填写理由", "choose approve or refuse and give a reason")
    rt.store.record_extension(request_id, decision == "approve", visit.person.name, visit.person.login, reason)
    return RedirectResponse("/extensions", status_code=303)
