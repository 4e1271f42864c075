"""The sales assistant's spreadsheet (报备登记表.xlsx), with the cell types a hand-kept sheet has.

Row 1 is a merged title, row 2 the headers, data from row 3. 报备时间 is mostly a real datetime
cell, sometimes text typed as '2026/3/5 14:02', now and then a bare Excel serial number; a few
phones are numeric cells, landlines having lost their leading zero.
"""

from __future__ import annotations

import random
from datetime import datetime
from pathlib import Path

import xlsxwriter

from samplegen.render import Claim
from samplegen.sampling import TimeFormatter, Window

SHEET_NAME = "报备登记"
HEADER = (
    "报备编号", "报备时间", "工号", "销售", "客户名称", "联系人", "电话", "邮箱", "网址",
    "信用代码", "类别", "行业", "备注", "省份", "城市", "地址",
)
CATEGORIES = ("A", "B", "C", "D", "E")
_WIDTHS = (10, 17, 7, 8, 34, 14, 20, 28, 26, 22, 6, 10, 30, 8, 10, 36)


class SheetWriter:
    """Streams rows into the workbook (constant_memory), so a 50k-row sheet stays cheap."""

    def __init__(
        self, path: Path, title: str, created: datetime, window: Window, rng: random.Random
    ) -> None:
        self._window = window
        self._times = TimeFormatter(window)
        self._rng = rng
        # Nothing a rep typed may turn into a formula or a hyperlink: strings stay strings.
        options = {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        }
        self._book = xlsxwriter.Workbook(str(path), options)
        self._book.set_properties({"title": title, "author": "销售助理", "created": created})
        self._sheet = self._book.add_worksheet(SHEET_NAME)
        self._date_format = self._book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        for col, width in enumerate(_WIDTHS):
            self._sheet.set_column(col, col, width)
        title_format = self._book.add_format({"bold": True, "font_size": 14, "align": "center"})
        self._sheet.merge_range(0, 0, 0, len(HEADER) - 1, title, title_format)
        header_format = self._book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        for col, name in enumerate(HEADER):
            self._sheet.write_string(1, col, name, header_format)
        self._row = 2

    def write(self, claim_id: str, claim: Claim) -> None:
        """Append one data row; empty values stay blank cells."""
        sheet, row = self._sheet, self._row
        sheet.write_string(row, 0, claim_id)
        self._write_time(row, claim)
        text_cells = (claim.rep_id, claim.rep_name, claim.company_name, claim.contact_name)
        for col, value in enumerate(text_cells, start=2):
            if value:
                sheet.write_string(row, col, value)
        self._write_phone(row, claim)
        for col, value in enumerate((claim.email, claim.website, claim.credit_code), start=7):
            if value:
                sheet.write_string(row, col, value)
        sheet.write_string(row, 10, CATEGORIES[claim.category])
        for col, value in enumerate(
            (claim.industry, claim.note, claim.province, claim.city, claim.address), start=11
        ):
            if value:
                sheet.write_string(row, col, value)
        self._row += 1

    def _write_time(self, row: int, claim: Claim) -> None:
        if claim.timestamp_defect == "unparseable":
            self._sheet.write_string(row, 1, claim.bad_time_text)
            return
        minute = claim.moment - claim.moment % 60  # the assistant types minutes, not seconds
        if claim.timestamp_defect == "future":
            self._sheet.write_datetime(row, 1, self._times.year_typo(minute), self._date_format)
            return
        roll = self._rng.random()
        if roll < 0.75:
            self._sheet.write_datetime(row, 1, self._window.local(minute), self._date_format)
        elif roll < 0.95:
            self._sheet.write_string(row, 1, self._times.slash_minutes(minute))
        else:
            self._sheet.write_number(row, 1, self._times.excel_serial(minute))

    def _write_phone(self, row: int, claim: Claim) -> None:
        digits = claim.phone_digits
        numeric_share = 0.4 if digits.startswith("0") else 0.12
        if digits and self._rng.random() < numeric_share:
            self._sheet.write_number(row, 6, int(digits))  # a landline loses its leading zero here
        elif claim.phone:
            self._sheet.write_string(row, 6, claim.phone)

    def close(self) -> None:
        self._book.close()

