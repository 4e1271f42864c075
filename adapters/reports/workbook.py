"""A manager's conflicts as an .xlsx workbook: one row per conflict, and a guide sheet.

XlsxWriter is told never to turn strings into formulas, numbers or links, and every text from
input is formula-neutralised as well, so a cell can only ever hold text.
"""

from __future__ import annotations

import io
from datetime import date

import polars as pl
import xlsxwriter

from transforms.export_safety import formulas_neutralised, neutralise_formula

# column → header (Chinese / English), in sheet order
COLUMNS: dict[str, str] = {
    "customer_as_we_know_it": "客户 Customer",
    "customer_id": "客户编号 Customer id",
    "submitted_at": "撞单时间 Conflict at",
    "claimant_name": "报备人 Claimant",
    "claimant_team": "报备人团队 Claimant team",
    "claim_id": "报备编号 Claim id",
    "claimant_company_name": "报备名称 Company as claimed",
    "claimant_category": "类别 Category",
    "claimant_contact_name": "联系人 Contact",
    "claimant_phone": "电话 Phone",
    "claimant_email": "邮箱 E-mail",
    "owner_name": "负责人 Owner",
    "owner_team": "负责人团队 Owner team",
    "protection_end": "保护至 Protected until",
    "owner_claim_id": "负责人报备编号 Owner's claim id",
    "owner_company_name": "负责人报备名称 Owner's company as claimed",
    "owner_contact_name": "负责人联系人 Owner's contact",
    "owner_phone": "负责人电话 Owner's phone",
    "owner_email": "负责人邮箱 Owner's e-mail",
    "rule_zh": "判定依据 Rule",
    "match_probability": "匹配概率 Match probability",
    "evidence": "匹配证据 Evidence",
    "appeal_status": "申诉 Appeal",
    "holder_name": "现负责人 Holder now",
    "holder_until": "现保护至 Held until",
    "action_zh": "建议 What to do",
    "action_en": "What to do (English)",
}
GUIDE = (
    ("这是什么", "本组销售作为报备人或负责人的撞单：今晚新增的，以及申诉尚未裁决的。"),
    ("What this is", ("Conflicts in which one of your reps is the claimant or the owner: tonight's new ones "
                     "and those with an appeal awaiting a ruling.")),
    ("隐私", "其他团队只显示销售姓名和团队；电话、邮箱已打码。"),
    ("Privacy", "Other teams show only the rep's name and team; phones and e-mails are masked."),
    ("申诉", ("在 appeals.csv 登记申诉（appeal_id, claim_id, rep_id, appealed_at, kind=conflict, reason），"
             "运营裁决后生效。")),
    ("Appeals", "Record an appeal as a row in appeals.csv (kind = conflict); it applies once sales-ops rule on it."),
)


def report_workbook(manager: str, as_of: date, cases: pl.DataFrame) -> bytes:
    """The workbook's bytes: sheet 冲突 Conflicts (all cases) and 说明 Guide."""
    rows = formulas_neutralised(
        cases.with_columns(pl.col("evidence").list.join("\n"))
        .select(list(COLUMNS))
        .with_columns(pl.col(c).cast(pl.String) for c in COLUMNS if c != "match_probability")
    )
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"strings_to_formulas": False, "strings_to_numbers": False,
                                        "strings_to_urls": False, "in_memory": True})
    bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    sheet = book.add_worksheet("冲突 Conflicts")
    for col, header in enumerate(COLUMNS.values()):
        sheet.write_string(0, col, header, bold)
        sheet.set_column(col, col, 18)
    for r, row in enumerate(rows.iter_rows(), start=1):
        for col, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, float):
                sheet.write_number(r, col, round(value, 4), wrap)
            else:
                sheet.write_string(r, col, value, wrap)
    sheet.freeze_panes(1, 1)
    sheet.autofilter(0, 0, max(1, rows.height), len(COLUMNS) - 1)
    guide = book.add_worksheet("说明 Guide")
    guide.set_column(0, 0, 16)
    guide.set_column(1, 1, 90)
    guide.write_string(0, 0, neutralise_formula(f"{manager} · {as_of.isoformat()}"), bold)
    for r, (title, text) in enumerate(GUIDE, start=2):
        guide.write_string(r, 0, title, bold)
        guide.write_string(r, 1, text, wrap)
    book.close()
    return buffer.getvalue()
