"""Small, real input files written into a test's tmp_path: the three source formats, a roster
and a sources.yaml pointing at them. Each test changes only what it is about."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

import xlsxwriter
import yaml

from matching.match_model import MatchModel

REPO = Path(__file__).resolve().parents[2]

ROSTER = [
    ("S001", "王磊", "华北一组", "张伟", "zhang.wei@example-corp.cn", "50"),
    ("S002", "李娜", "华北一组", "张伟", "zhang.wei@example-corp.cn", "50"),
    ("S003", "陈静", "华东大客户组", "刘洋", "liu.yang@example-corp.cn", "30"),
]

FORM_HEADER = ["提交编号", "提交时间", "销售工号", "销售姓名", "客户全称", "联系人", "联系电话",
               "电子邮箱", "公司网址", "统一社会信用代码", "客户类别", "所属行业", "备注", "所在省份", "所在城市",
               "详细地址"]
FORM_ROWS = [
    ["WF-0001", "2026-11-20 09:15:00", "S001", "王磊", "北京字节跳动科技有限公司", "张三", "+86 138-0013-8000",
     "zhangsan@bytedance.com", "https://www.bytedance.com/", "", "A类（明确购买意向）", "互联网", ""],
    ["WF-0002", "2026-11-21 10:00:00", "S002", "李娜", "字节跳动（北京）科技有限公司", "李四", "13800138000",
     "lisi@qq.com", "", "", "B类（有明确采购计划）", "互联网", "=HYPERLINK(\"http://evil.example\",\"点我\")"],
]

CRM_HEADER = ["Lead ID", "Created Time", "Owner ID", "Owner Name", "Account Name", "Contact Name", "Mobile",
              "Email", "Website", "USCC", "Rating", "Industry", "Description", "Province", "City", "Address"]
CRM_ROWS = [
    ["L-0001", "2026-11-22T14:02:11+08:00", "S003", "陈静", "华为技术有限公司", "王五", "0755-28780808",
     "wangwu@huawei.com", "huawei.com", "914403001922038216", "C类-可能有计划", "通信设备", "䶮 rare char"],
    ["L-0002", "2026-11-23T06:02:11Z", "S001", "王磊", "華為終端有限公司", "赵六", "１３９００１３９０００",
     "", "", "", "D类-行业标杆", "通信设备", ""],
]

SHEET_HEADER = ["报备编号", "报备时间", "工号", "销售", "客户名称", "联系人", "电话", "邮箱", "网址",
                "信用代码", "类别", "行业", "备注", "省份", "城市", "地址"]


DECISION_HEADER = ["decision_id", "kind", "claim_id_a", "claim_id_b", "decision", "reviewer", "decided_at", "note"]


def write_inputs(root: Path, *, form_rows=None, crm_rows=None, sheet_rows=None, roster=None, decisions=None) -> Path:
    """Write every input under `root` and return the path of its sources.yaml.
    `decisions`: rows of DECISION_HEADER, written to decisions.csv (none: no decisions file)."""
    samples = root / "inputs"
    for sub in ("form", "crm", "sheet"):
        (samples / sub).mkdir(parents=True, exist_ok=True)
    write_csv(samples / "reps.csv", ["rep_id", "rep_name", "team", "manager", "manager_email", "quota"],
              roster if roster is not None else ROSTER, encoding="utf-8")
    write_csv(samples / "form" / "webform_export.csv", FORM_HEADER,
              FORM_ROWS if form_rows is None else form_rows, encoding="utf-8-sig", newline="\r\n")
    write_csv(samples / "crm" / "crm_leads.csv", CRM_HEADER,
              CRM_ROWS if crm_rows is None else crm_rows, encoding="gb18030")
    write_sheet(samples / "sheet" / "报备登记表.xlsx", sheet_rows if sheet_rows is not None else default_sheet_rows())
    config = yaml.safe_load((REPO / "config" / "sources.yaml").read_text(encoding="utf-8"))
    config["roster"] = {"path": "inputs/reps.csv"}
    for side_input in ("followups", "extensions", "appeals", "decisions"):
        config.pop(side_input, None)
    if decisions is not None:
        write_csv(samples / "decisions.csv", DECISION_HEADER, decisions, encoding="utf-8")
        config["decisions"] = {"path": "inputs/decisions.csv"}
    for source, pattern in zip(config["sources"], ("inputs/form/*.csv", "inputs/crm/*.csv", "inputs/sheet/*.xlsx"),
                               strict=True):
        source["path"] = pattern
    path = root / "sources.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def write_policy(root: Path, **overrides) -> Path:
    """The project's policy.yaml with top-level keys overridden, written under `root`."""
    policy = yaml.safe_load((REPO / "config" / "policy.yaml").read_text(encoding="utf-8")) | overrides
    path = root / "policy.yaml"
    path.write_text(yaml.safe_dump(policy, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def write_csv(path: Path, header: list[str], rows, *, encoding: str, newline: str = "\n") -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=newline)
    writer.writerow(header)
    # rows may leave the trailing optional columns (province, city, address) out
    writer.writerows(list(row) + [""] * (len(header) - len(row)) for row in rows)
    path.write_bytes(buffer.getvalue().encode(encoding))


def default_sheet_rows() -> list[list]:
    return [
        ["ZL-0001", datetime(2026, 11, 24, 14, 2), "S002", "李娜", "上海浦东发展银行股份有限公司", "钱七",
         75588881234, "", "", "", "A", "银行", ""],
        ["ZL-0002", "2026/11/24 9:05", "S003", "陈静", "A&B科技（上海）有限公司", "+孙八",
         "021-62345678", "sun@example.cn", "", "", "B", "软件", ""],
        ["ZL-0003", 46350.5848, "S001", "王磊", "腾讯科技（深圳）有限公司", "周九", "13700137000", "", "",
         "", "C", "互联网", ""],
    ]


def write_sheet(path: Path, rows: list[list]) -> None:
    workbook = xlsxwriter.Workbook(str(path))
    workbook.set_properties({"created": datetime(2026, 11, 25)})
    sheet = workbook.add_worksheet("报备登记")
    stamp = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    sheet.merge_range(0, 0, 0, len(SHEET_HEADER) - 1, "2026年客户报备登记表（销售助理维护）")
    sheet.write_row(1, 0, SHEET_HEADER)
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row):
            if isinstance(value, datetime):
                sheet.write_datetime(r, c, value, stamp)
            elif isinstance(value, (int, float)):
                sheet.write_number(r, c, value)
            elif value:
                sheet.write_string(r, c, value)
    workbook.close()


def place_model(root: Path, model: MatchModel) -> None:
    """Put a trained matching model where a warehouse at `root/var/warehouse.duckdb` looks for it,
    so a test's tiny input is scored by a model trained on realistic data."""
    directory = root / "var" / "model"
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "splink_model.json").write_text(model.to_json(), encoding="utf-8")
