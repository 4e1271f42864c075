"""`/appeals` and `/extensions`: open appeals (申诉) and extension requests (延期) with the claim,
the conflict and its evidence; a ruling with a reason, recorded in the desk with who and when and
applied by the next night. A manager sees and rules only on their own teams' reps' items; contact
details show only for claims of teams the viewer may see."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl
from duckdb import DuckDBPyConnection
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


def _listed(request: Request, visit: Visit, read: Callable[[DuckDBPyConnection], pl.DataFrame],
            rulings: pl.DataFrame, key: str) -> list[dict] | Response:
    """The items of the teams `visit.person` rules for, contacts masked, each with its latest desk ruling."""
    rt = runtime(request)
    try:
        with views.warehouse_read(rt.settings.warehouse) as con:
            rows = read(con)
    except NoWarehouseError as exc:
        return _refusal(request, visit, 503, NO_WAREHOUSE_ZH, str(exc))
    desk = {row[key]: row for row in rulings.group_by(key, maintain_order=True).last().iter_rows(named=True)}
    return [_masked(row, visit.person) | {"desk": desk.get(row[key])}
            for row in rows.iter_rows(named=True) if visit.person.may_rule_for(row["team"])]


@dataclass(frozen=True)
class Ruled:
    """What a ruling is given on: where it is read, its key, its page, the rulings it takes, and
    the refusals (zh, en) for a missing item, another team's item and an incomplete form."""

    read: Callable[[DuckDBPyConnection], pl.DataFrame]
    key: str
    page: str
    choices: Callable[[dict], tuple[str, ...]]
    missing: tuple[str, str]
    not_yours: tuple[str, str]
    incomplete: tuple[str, str]


APPEAL = Ruled(views.appeals, "appeal_id", "/appeals", lambda appeal: APPEAL_DECISIONS.get(appeal["kind"], ()),
               ("没有这个申诉", "no such appeal"),
               ("只能裁决本团队销售的申诉", "you may rule only on your own teams' appeals"),
               ("请选择裁决并填写理由", "choose a ruling and give a reason"))
EXTENSION = Ruled(views.extensions, "request_id", "/extensions", lambda _: ("approve", "refuse"),
                  ("没有这个延期申请", "no such extension request"),
                  ("只能审批本团队销售的延期申请", "you may rule only on your own teams' requests"),
                  ("请选择批准或拒绝并填写理由", "choose approve or refuse and give a reason"))


def _ruling(request: Request, visit: Visit, ruled: Ruled) -> tuple[dict, str, str] | Response:
    """(the item, the ruling, its reason) posted, if the item exists, `visit.person` rules for its
    team, and the ruling is one it takes and has a reason; else the refusal."""
    rt = runtime(request)
    try:
        with views.warehouse_read(rt.settings.warehouse) as con:
            found = ruled.read(con).filter(pl.col(ruled.key) == request.path_params[ruled.key])
    except NoWarehouseError as exc:
        return _refusal(request, visit, 503, NO_WAREHOUSE_ZH, str(exc))
    if found.is_empty():
        return _refusal(request, visit, 404, *ruled.missing)
    item = found.row(0, named=True)
    if not visit.person.may_rule_for(item["team"]):
        return _refusal(request, visit, 403, *ruled.not_yours)
    form = visit.form or FormData()
    decision, reason = str(form.get("decision") or ""), str(form.get("reason") or "").strip()[:MAX_REASON]
    if decision not in ruled.choices(item) or not reason:
        return _refusal(request, visit, 400, *ruled.incomplete)
    return item, decision, reason


@guarded(_rules)
def appeals_page(request: Request, visit: Visit) -> Response:
    rt = runtime(request)
    listed = _listed(request, visit, APPEAL.read, rt.store.appeal_rulings(), APPEAL.key)
    if isinstance(listed, Response):
        return listed
    items = [item | {"evidence_words": evidence_in_words(item["evidence"]),
                     "choices": APPEAL_DECISIONS.get(item["kind"], ())} for item in listed]
    open_items = [item for item in items if item["status"] == "open" and item["desk"] is None]
    return rt.templates.TemplateResponse(request, "appeals.html", {
        "visit": visit, "open_items": open_items, "ruled": [i for i in items if i not in open_items]})


@guarded(_rules)
def rule_appeal(request: Request, visit: Visit) -> Response:
    ruling = _ruling(request, visit, APPEAL)
    if isinstance(ruling, Response):
        return ruling
    appeal, decision, reason = ruling
    runtime(request).store.record_appeal(appeal["appeal_id"], decision, visit.person.name, visit.person.login, reason)
    return RedirectResponse(APPEAL.page, status_code=303)


@guarded(_rules)
def extensions_page(request: Request, visit: Visit) -> Response:
    rt = runtime(request)
    items = _listed(request, visit, EXTENSION.read, rt.store.extension_rulings(), EXTENSION.key)
    if isinstance(items, Response):
        return items
    open_items = [item for item in items if item["approved"] is None and item["desk"] is None]
    return rt.templates.TemplateResponse(request, "extensions.html", {
        "visit": visit, "open_items": open_items, "ruled": [i for i in items if i not in open_items]})


@guarded(_rules)
def rule_extension(request: Request, visit: Visit) -> Response:
    ruling = _ruling(request, visit, EXTENSION)
    if isinstance(ruling, Response):
        return ruling
    extension, decision, reason = ruling
    runtime(request).store.record_extension(extension["request_id"], decision == "approve", visit.person.name,
                                            visit.person.login, reason)
    return RedirectResponse(EXTENSION.page, status_code=303)
