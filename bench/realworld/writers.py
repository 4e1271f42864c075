"""Writes the batch in the project's three real input formats, plus the roster, side inputs,
its own sources.yaml and the truth (labels.csv).

Column headers, category labels and the sheet name come from the project's config/sources.yaml,
so the files are exactly what a deployment would read: web form CSV in UTF-8 with BOM and CRLF,
CRM CSV in GB18030, and the assistant's workbook with a title row above the header (written
with openpyxl, another writer than the project's own sample generator uses).
"""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

import yaml
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from bench.realworld.claims import Claim
from bench.realworld.roster import Rep

REPO = Path(__file__).resolve().parents[2]
_FILES = {"form": "form/webform_export.csv", "crm": "crm/crm_leads.csv", "sheet": "sheet/报备登记表.xlsx"}
_SIDE_INPUTS = ("followups", "extensions", "appeals", "decisions")
_PLACE_FIELDS = ("province", "city", "address")


def _project_sources() -> dict:
    return yaml.safe_load((REPO / "config" / "sources.yaml").read_text(encoding="utf-8"))


def _row(claim: Claim, fields: list[str], labels: dict[str, str]) -> list[object]:
    values = {
        "claim_id": claim.claim_id, "rep_id": claim.rep.rep_id, "rep_name": claim.rep.rep_name,
        "company_name": claim.company_name, "contact_name": claim.contact_name, "phone": claim.phone,
        "email": claim.email, "website": claim.website, "credit_code": claim.credit_code,
        "category": labels.get(claim.category, claim.category), "industry": claim.entity.industry,
        "note": claim.note, "province": claim.entity.city.province, "city": claim.entity.city.name,
    }
    return [values.get(f, "") for f in fields]


def write_batch(out: Path, claims: list[Claim], reps: list[Rep], *, with_region_columns: bool) -> Path:
    """Write every file of the batch under `out`; returns the path of its sources.yaml."""
    config = _project_sources()
    for source in config["sources"]:
        kind = source["kind"]
        if not with_region_columns:   # the project's sources.yaml maps them; leave them out of the files
            source["columns"] = {h: f for h, f in source["columns"].items() if f not in _PLACE_FIELDS}
        headers = list(source["columns"])
        fields = [source["columns"][h] for h in headers]
        labels = {v: k for k, v in source.get("values", {}).get("category", {}).items()}
        rows = [c for c in claims if c.source == kind]
        path = out / _FILES[kind]
        path.parent.mkdir(parents=True, exist_ok=True)
        if kind == "sheet":
            _write_sheet(path, source["sheet_name"], headers, fields, rows)
        else:
            _write_csv(path, kind, headers, fields, labels, rows)
        source["path"] = _FILES[kind]
    _write_roster(out / "reps.csv", reps)
    for side in _SIDE_INPUTS:
        header = (REPO / "data" / "samples" / f"{side}.csv").read_text(encoding="utf-8").splitlines()[0]
        (out / f"{side}.csv").write_text(header + "\n", encoding="utf-8")
        config[side] = {"path": f"{side}.csv"}
    config["roster"] = {"path": "reps.csv"}
    config.pop("delivery", None)
    sources_yaml = out / "sources.yaml"
    sources_yaml.write_text(
        "# Real-world evaluation batch (bench/realworld): the project's source layouts, this batch's files.\n"
        + yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    _write_labels(out / "labels.csv", claims)
    return sources_yaml


def _write_csv(path: Path, kind: str, headers: list[str], fields: list[str], labels: dict[str, str],
               claims: list[Claim]) -> None:
    """Form: UTF-8 with BOM, CRLF, local time. CRM: GB18030, LF, ISO 8601 with +08:00."""
    encoding, newline = ("utf-8-sig", "\r\n") if kind == "form" else ("gb18030", "\n")
    with path.open("w", encoding=encoding, newline="") as f:
        writer = csv.writer(f, lineterminator=newline)
        writer.writerow(headers)
        for claim in claims:
            row = _row(claim, fields, labels)
            when = (claim.submitted.strftime("%Y-%m-%d %H:%M:%S") if kind == "form"
                    else claim.submitted.isoformat() + "+08:00")
            writer.writerow([when if f == "submitted_at" else v for f, v in zip(fields, row, strict=True)])


def _write_sheet(path: Path, sheet_name: str, headers: list[str], fields: list[str], claims: list[Claim]) -> None:
    """Title in row 1, headers in row 2; times mostly real datetime cells, every 4th typed as text."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(sheet_name)
    sheet.append([f"{claims[0].submitted.year if claims else ''}年客户报备登记表（销售助理维护）"])
    sheet.append(headers)
    for i, claim in enumerate(claims):
        minute = claim.submitted.replace(second=0)
        cells: list[object] = []
        for f, value in zip(fields, _row(claim, fields, {}), strict=True):
            if f == "submitted_at":
                value = minute.strftime("%Y/%m/%d %H:%M") if i % 4 == 3 else _datetime_cell(sheet, minute)
            elif isinstance(value, str) and value:
                value = _text_cell(sheet, value)
            cells.append(value or None)
        sheet.append(cells)
    book.save(path)


def _datetime_cell(sheet, moment: datetime) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=moment)
    cell.number_format = "yyyy-mm-dd hh:mm"
    return cell


def _text_cell(sheet, text: str) -> WriteOnlyCell:
    """A string cell even when the text starts with '=' (openpyxl would store a formula)."""
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"
    return cell


def _write_roster(path: Path, reps: list[Rep]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(("rep_id", "rep_name", "team", "manager", "manager_email", "quota"))
        for r in reps:
            writer.writerow((r.rep_id, r.rep_name, r.team, r.manager, r.manager_email, ""))


def _write_labels(path: Path, claims: list[Claim]) -> None:
    """The truth: one row per claim."""
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(("claim_id", "entity", "entity_name", "group_key", "phenomenon", "tags", "is_hard",
                         "is_valid", "source", "province", "city"))
        for c in claims:
            writer.writerow((c.claim_id, c.entity.key, c.entity.name, c.entity.group_key, c.phenomenon,
                             "|".join(dict.fromkeys(c.tags)), str(c.is_hard).lower(), str(c.is_valid).lower(),
                             c.source, c.entity.city.province, c.entity.city.name))
