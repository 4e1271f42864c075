"""Writers of the claim files in each source's own format, and of the plain UTF-8 tables.

- form: UTF-8 with BOM, CRLF, Chinese headers and category labels, local time without offset;
- crm: GB18030, LF, English headers, ISO 8601 with +08:00 (a few in UTC with Z);
- sheet: see sheet.py.
"""

from __future__ import annotations

import csv
import random
from datetime import date, datetime, time
from pathlib import Path
from typing import IO, TYPE_CHECKING

from samplegen.plan import SOURCES
from samplegen.render import Claim
from samplegen.sampling import TimeFormatter, Window
from samplegen.sheet import SheetWriter

if TYPE_CHECKING:
    from _csv import _writer as CsvWriter

FORM_HEADER = (
    "提交编号", "提交时间", "销售工号", "销售姓名", "客户全称", "联系人", "联系电话", "电子邮箱",
    "公司网址", "统一社会信用代码", "客户类别", "所属行业", "备注", "所在省份", "所在城市", "详细地址",
)
CRM_HEADER = (
    "Lead ID", "Created Time", "Owner ID", "Owner Name", "Account Name", "Contact Name", "Mobile",
    "Email", "Website", "USCC", "Rating", "Industry", "Description", "Province", "City", "Address",
)
FORM_CATEGORIES = (
    "A类（明确购买意向）", "B类（有明确采购计划）", "C类（可能有采购计划）", "D类（行业标杆客户）",
    "E类",
)
CRM_RATINGS = ("A类-有意向", "B类-有计划", "C类-可能有计划", "D类-行业标杆", "E类")
_UTC_SHARE = 0.03  # CRM API exports that came out in UTC


def open_table(path: Path, header: tuple[str, ...]) -> tuple[IO[str], CsvWriter]:
    """(file, csv writer) for a UTF-8, LF-terminated table whose header is already written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("w", encoding="utf-8", newline="")
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(header)
    return handle, writer


class ClaimFiles:
    """The three source files of one run, written in claim order."""

    def __init__(self, out_dir: Path, end_date: date, window: Window, rng: random.Random) -> None:
        stamp = end_date.strftime("%Y%m%d")
        self.paths = {
            "form": out_dir / "form" / f"webform_export_{stamp}.csv",
            "crm": out_dir / "crm" / f"crm_leads_{stamp}.csv",
            "sheet": out_dir / "sheet" / "报备登记表.xlsx",
        }
        for path in self.paths.values():
            path.parent.mkdir(parents=True, exist_ok=True)
        self._times = TimeFormatter(window)
        self._rng = rng
        self._form_file = self.paths["form"].open("w", encoding="utf-8-sig", newline="")
        self._form = csv.writer(self._form_file, lineterminator="\r\n")
        self._form.writerow(FORM_HEADER)
        self._crm_file = self.paths["crm"].open("w", encoding="gb18030", newline="")
        self._crm = csv.writer(self._crm_file, lineterminator="\n")
        self._crm.writerow(CRM_HEADER)
        title = f"{end_date.year}年客户报备登记表（销售助理维护）"
        created = datetime.combine(end_date, time(18, 0))  # fixed, so equal seeds give equal bytes
        self._sheet = SheetWriter(self.paths["sheet"], title, created, window, rng)

    def write(self, source: int, claim_id: str, claim: Claim) -> None:
        """Append the claim to the file of `source` (an index into SOURCES)."""
        name = SOURCES[source]
        if name == "form":
            self._form.writerow(self._row(claim_id, self._form_time(claim), claim, FORM_CATEGORIES))
        elif name == "crm":
            self._crm.writerow(self._row(claim_id, self._crm_time(claim), claim, CRM_RATINGS))
        else:
            self._sheet.write(claim_id, claim)

    @staticmethod
    def _row(claim_id: str, when: str, c: Claim, categories: tuple[str, ...]) -> tuple[str, ...]:
        return (
            claim_id, when, c.rep_id, c.rep_name, c.company_name, c.contact_name, c.phone, c.email,
            c.website, c.credit_code, categories[c.category], c.industry, c.note, c.province, c.city,
            c.address,
        )

    def _form_time(self, claim: Claim) -> str:
        if claim.timestamp_defect == "unparseable":
            return claim.bad_time_text
        if claim.timestamp_defect == "future":
            return self._times.year_typo(claim.moment).strftime("%Y-%m-%d %H:%M:%S")
        return self._times.plain(claim.moment)

    def _crm_time(self, claim: Claim) -> str:
        if claim.timestamp_defect == "unparseable":
            text = claim.bad_time_text
            return text.replace(" ", "T") + "+08:00" if text[:1].isdigit() else text
        if claim.timestamp_defect == "future":
            return self._times.year_typo(claim.moment).strftime("%Y-%m-%dT%H:%M:%S+08:00")
        if self._rng.random() < _UTC_SHARE:
            return self._times.iso_utc(claim.moment)
        return self._times.iso(claim.moment)

    def close(self) -> None:
        self._form_file.close()
        self._crm_file.close()
        self._sheet.close()
