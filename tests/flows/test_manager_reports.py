"""Managers' conflict reports and reps' notices from a hand-made night with four teams and three
managers, read as a person would: the HTML in headless Chromium, the workbook cell by cell."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date

import duckdb
import openpyxl
import polars as pl
import pytest

from flows.nightly import nightly
from tests.flows.inputs import write_inputs, write_policy

pytestmark = pytest.mark.usefixtures("prefect_harness")

AS_OF = date(2026, 11, 26)
CODE_BYTEDANCE, CODE_SCRIPT, CODE_HUAWEI = "91110000MA01ABCD1M", "91440300MA5EXAMP1F", "91310000MA1FL0001R"
# a script in a name is refused at ingest (company_name_markup); brackets and & pass and must be escaped
SCRIPT_NAME = "A&B<高新>科技有限公司"
ROSTER = [  # 刘经理 manages two teams; 周经理 and 吴经理 one each
    ("S101", "王磊", "华北一组", "刘经理", "liu@example-corp.cn", "50"),
    ("S102", "李娜", "华北二组", "刘经理", "liu@example-corp.cn", "50"),
    ("S201", "陈静", "华东组", "周经理", "zhou@example-corp.cn", "50"),
    ("S301", "赵敏", "西南组", "吴经理", "", "50"),
]
FORM_ROWS = [  # owners first, claimants later: every later claim is a conflict
    ["WF-1", "2026-11-10 09:00:00", "S101", "王磊", "北京字节跳动科技有限公司", "张三", "13800138000",
     "zhangsan@bytedance.com", "", CODE_BYTEDANCE, "A类（明确购买意向）", "互联网", ""],
    ["WF-2", "2026-11-11 09:00:00", "S102", "李娜", SCRIPT_NAME, "=HYPERLINK(\"http://evil.example\")",
     "13700137000", "", "", CODE_SCRIPT, "A类（明确购买意向）", "软件", ""],
    ["WF-3", "2026-11-12 09:00:00", "S301", "赵敏", "华为技术有限公司", "钱五", "13600136000",
     "qianwu@huawei.com", "", CODE_HUAWEI, "A类（明确购买意向）", "通信", ""],
    ["WF-4", "2026-11-20 10:00:00", "S201", "陈静", "字节跳动（北京）科技有限公司", "孙六", "+86 139-0013-9000",
     "sunliu@corp-secret.cn", "", CODE_BYTEDANCE, "B类（有明确采购计划）", "互联网", ""],
    ["WF-5", "2026-11-21 10:00:00", "S301", "赵敏", SCRIPT_NAME, "周七", "13500135000",
     "zhouqi@other-team.cn", "", CODE_SCRIPT, "B类（有明确采购计划）", "软件", ""],
    ["WF-6", "2026-11-22 10:00:00", "S201", "陈静", "華為技術有限公司", "吴八", "13300133000",
     "wuba@unrelated.cn", "", CODE_HUAWEI, "B类（有明确采购计划）", "通信", ""],
]


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    root = tmp_path_factory.mktemp("reports")
    sources = write_inputs(root, form_rows=FORM_ROWS, crm_rows=[], sheet_rows=[], roster=ROSTER)
    summary = nightly(sources, root / "var" / "warehouse.duckdb", AS_OF, _whole_month(root))
    return summary


def _whole_month(root):
    """A policy under which every claim of this first night is new (none is history)."""
    return write_policy(root, first_night_window_days=30)


def _files(night) -> dict[str, object]:
    return {r.scope.manager: r for r in night.people_files.reports}


def _dom(path) -> str:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium): the page is not opened")
    profile = path.parent / f".chromium-{path.stem}"
    result = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={profile}", "--dump-dom", path.as_uri()],
        capture_output=True, text=True, timeout=120, check=False,
    )
    shutil.rmtree(profile, ignore_errors=True)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_the_night_has_the_three_conflicts(night):
    with duckdb.connect(str(night.warehouse), read_only=True) as con:
        conflicts = con.sql("select claim_id, owner_rep_id from conflict_details order by claim_id").fetchall()
    assert conflicts == [("WF-4", "S101"), ("WF-5", "S102"), ("WF-6", "S301")]
    with duckdb.connect(str(night.warehouse), read_only=True) as con:
        rules = con.sql("select owner_claim_id, decision_basis from conflict_details order by claim_id").fetchall()
    assert rules == [("WF-1", "sure_link"), ("WF-2", "sure_link"), ("WF-3", "sure_link")]  # the shared codes
    assert sorted(_files(night)) == ["刘经理", "吴经理", "周经理"]
    assert not night.problems


def _cells(path) -> str:
    book = openpyxl.load_workbook(path)
    return "\n".join(str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row
                     if c.value is not None)


@pytest.mark.parametrize("reader", ["html", "xlsx"])
def test_a_manager_sees_their_teams_conflicts_and_nothing_of_other_teams(night, reader):
    report = _files(night)["刘经理"]  # owner side of WF-4 (华北一组) and WF-5 (华北二组)
    text = _dom(report.html) if reader == "html" else _cells(report.xlsx)
    assert report.conflicts == 2
    assert "北京字节跳动科技有限公司" in text and "王磊" in text  # our spelling, our rep
    assert "陈静" in text and "华东组" in text  # the claimant: name and team only
    for leak in ("字节跳动（北京）", "WF-4", "孙六", "sunliu", "corp-secret", "0013-9000", "139****9000",
                 "周七", "zhouqi", "13500135000", "135****5000", "WF-5",
                 "华为", "華為", "WF-6", "吴八", "unrelated"):  # WF-6 is between two other teams
        assert leak not in text, leak
    assert "138****8000" in text and "13800138000" not in text  # our own contacts, masked
    assert "z***@bytedance.com" in text and "zhangsan@" not in text


def test_the_claimant_side_report_hides_the_owners_details(night):
    dom = _dom(_files(night)["周经理"].html)  # claimant of WF-4 and WF-6
    assert "字节跳动（北京）科技有限公司" in dom and "139****9000" in dom and "s***@corp-secret.cn" in dom
    assert "王磊" in dom and "华北一组" in dom and "赵敏" in dom
    for leak in ("北京字节跳动科技有限公司", "WF-1", "张三", "zhangsan", "138****8000", "WF-3", "钱五", "qianwu"):
        assert leak not in dom, leak


def test_angle_brackets_in_a_company_name_are_shown_as_text(night):
    for report in night.people_files.reports:
        dom = _dom(report.html)
        assert "<高新>" not in dom
    dom = _dom(_files(night)["刘经理"].html)
    assert "A&amp;B&lt;高新&gt;科技有限公司" in dom


def test_workbooks_hold_no_formula_and_no_cell_that_would_start_one(night):
    contents = []
    for report in night.people_files.reports:
        book = openpyxl.load_workbook(report.xlsx)
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (report.xlsx.name, cell.coordinate)
                    if isinstance(cell.value, str):
                        assert not cell.value.startswith(("=", "+", "-", "@")), cell.value
                        contents.append(cell.value)
    assert "'=HYPERLINK(\"http://evil.example\")" in contents  # kept, as text
    assert SCRIPT_NAME in contents


def test_each_new_claim_gets_one_notice_and_teams_get_their_csv(night):
    with duckdb.connect(str(night.warehouse), read_only=True) as con:
        notices = con.sql("select * from rep_notices").pl()
    assert sorted(notices["claim_id"]) == [f"WF-{i}" for i in range(1, 7)]
    conflict = notices.filter(pl.col("claim_id") == "WF-4").row(0, named=True)
    assert "王磊" in conflict["notice_zh"] and "华北一组" in conflict["notice_zh"] and "申诉" in conflict["notice_zh"]
    assert not conflict["is_colleague"]
    files = {p.name: p for p in night.people_files.notices}
    assert sorted(files) == sorted(f"notices_{t}.csv" for t in ("华北一组", "华北二组", "华东组", "西南组"))
    raw = files["notices_华北二组.csv"].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    table = pl.read_csv(raw[3:])
    assert table["claim_id"].to_list() == ["WF-2"]
    for path in files.values():
        for row in pl.read_csv(path.read_bytes()[3:], infer_schema=False).iter_rows():
            assert not any(v and v.startswith(("=", "+", "-", "@")) for v in row)


def test_the_reports_are_e_mailed_to_each_manager_with_an_address(tmp_path):
    from email import message_from_bytes, policy

    import yaml

    from tests.adapters.test_delivery import Mailbox, _server

    mailbox = Mailbox()
    with _server(mailbox) as port:
        sources = write_inputs(tmp_path, form_rows=FORM_ROWS, crm_rows=[], sheet_rows=[], roster=ROSTER)
        config = yaml.safe_load(sources.read_text(encoding="utf-8"))
        config["delivery"] = {"smtp": {"host": "127.0.0.1", "port": port, "sender": "recon@example.com",
                                       "tls": "none", "timeout_seconds": 10}}
        sources.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
        summary = nightly(sources, tmp_path / "var" / "warehouse.duckdb", AS_OF, _whole_month(tmp_path))
    assert summary.people_files.delivery == {"刘经理": "sent", "吴经理": "no address", "周经理": "sent"}
    received = {rcpt[0]: message_from_bytes(raw, policy=policy.default) for rcpt, raw in mailbox.received}
    assert sorted(received) == ["liu@example-corp.cn", "zhou@example-corp.cn"]
    files = _files(summary)["刘经理"]
    attached = {part.get_filename(): part.get_content() for part in received["liu@example-corp.cn"].iter_attachments()}
    assert attached[files.xlsx.name] == files.xlsx.read_bytes()
    assert attached[files.html.name] == files.html.read_text(encoding="utf-8")
    assert not summary.problems


def test_a_failure_after_publishing_is_reported_and_the_night_stays_published(tmp_path):
    sources = write_inputs(tmp_path, form_rows=FORM_ROWS, crm_rows=[], sheet_rows=[], roster=ROSTER)
    warehouse = tmp_path / "var" / "warehouse.duckdb"
    warehouse.parent.mkdir(parents=True)
    (warehouse.parent / "reports").write_text("a file where the reports folder should be", encoding="utf-8")
    summary = nightly(sources, warehouse, AS_OF, _whole_month(tmp_path))
    assert len(summary.problems) == 1 and summary.problems[0].startswith("reports were not written")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from rep_notices").fetchone()[0] == 6


def test_the_first_night_replays_history_without_notifying_it(tmp_path):
    sources = write_inputs(tmp_path, form_rows=FORM_ROWS, crm_rows=[], sheet_rows=[], roster=ROSTER)
    warehouse = tmp_path / "var" / "warehouse.duckdb"
    first = nightly(sources, warehouse, AS_OF)  # the default policy: history is what came before 11-25
    assert (first.backfill.claims, first.backfill.before) == (6, date(2026, 11, 25))
    assert sum(r.conflicts for r in first.people_files.reports) == 0 and first.new_conflicts == {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from rep_notices").fetchone()[0] == 0
        assert con.execute("select count(*) from conflicts").fetchone()[0] == 3  # history still decides

    late = ["WF-7", "2026-11-27 10:00:00", "S102", "李娜", "北京字节跳动科技有限公司", "孙六", "13900139001",
            "", "", CODE_BYTEDANCE, "B类（有明确采购计划）", "互联网", ""]
    sources = write_inputs(tmp_path, form_rows=[*FORM_ROWS, late], crm_rows=[], sheet_rows=[], roster=ROSTER)
    second = nightly(sources, warehouse, date(2026, 11, 27))
    assert second.backfill.before is None
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select claim_id, outcome from rep_notices").fetchall() == [("WF-7", "conflict")]
    assert second.new_conflicts == {"华北二组": 1}
