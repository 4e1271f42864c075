"""The nightly flow end to end on small real files: what lands where, and what never gets lost."""

from datetime import date

import duckdb
import polars as pl
import pytest
import yaml

from adapters.readers import SourceFileError
from flows.nightly import nightly
from tests.flows.inputs import CRM_ROWS, FORM_ROWS, default_sheet_rows, write_inputs

AS_OF = date(2026, 11, 26)
pytestmark = pytest.mark.usefixtures("prefect_harness")


def _table(warehouse, query: str) -> pl.DataFrame:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.sql(query).pl()


def _contents(warehouse) -> dict[str, pl.DataFrame]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        names = [r[0] for r in con.execute("select table_name from duckdb_tables() order by 1").fetchall()]
        # run_log and matching_runs record each run (wall-clock times), run_context the run id
        return {n: con.sql(f"select * from {n}").pl() for n in names
                if n not in ("run_log", "run_context", "matching_runs")}


def test_every_row_is_accepted_or_quarantined_with_a_reason(tmp_path):
    bad_form = [
        *FORM_ROWS,
        ["WF-0003", "2062-11-20 09:15:00", "S001", "王磊", "未来科技有限公司", "", "", "", "", "",
         "A类（明确购买意向）", "", ""],
        ["WF-0004", "2026-11-20 09:15:00", "S999", "无名", "某某科技有限公司", "", "12345", "zhang@@qq", "", "",
         "E类", "", ""],
        ["WF-0005", "昨天下午", "S001", "王磊", "", "", "", "", "", "", "C类（可能有采购计划）", "", ""],
        ["WF-0001", "2026-11-25 09:15:00", "S002", "李娜", "北京字节跳动科技有限公司", "", "", "", "", "",
         "A类（明确购买意向）", "", ""],
        ["WF-0006", "2026-11-25 10:15:00", "S002", "李娜", "<script>alert(1)</script>科技有限公司", "", "", "",
         "", "", "A类（明确购买意向）", "", ""],
    ]
    sources = write_inputs(tmp_path, form_rows=bad_form)
    warehouse = tmp_path / "var" / "warehouse.duckdb"
    summary = nightly(sources, warehouse, AS_OF)

    audit = summary.audit
    assert (audit["rows_read"] == audit["accepted"] + audit["quarantined"] + audit["superseded"]).all()
    assert audit.filter(pl.col("source") == "webform")[["rows_read", "accepted", "quarantined"]].row(0) == (7, 2, 5)

    quarantine = _table(warehouse, "select claim_id, row_number, failed_checks, reason_zh from quarantine")
    by_row = {r["row_number"]: r for r in quarantine.iter_rows(named=True)}
    assert by_row[4]["failed_checks"] == ["submitted_at_future"]
    assert "晚于对账日期 2026-11-26" in by_row[4]["reason_zh"]
    # the phone 12345 and e-mail zhang@@qq are no reason to refuse: only the rep and the category are
    assert set(by_row[5]["failed_checks"]) == {"rep_unknown", "category_invalid"}
    assert "销售工号“S999”不在销售名单中" in by_row[5]["reason_zh"]
    assert set(by_row[6]["failed_checks"]) == {"company_missing", "submitted_at_unreadable"}
    assert by_row[7]["failed_checks"] == ["claim_id_duplicate"]
    assert "第 2 行" in by_row[7]["reason_zh"]
    assert by_row[8]["failed_checks"] == ["company_name_markup"]
    assert "含有网页代码或公式，请填写公司全称" in by_row[8]["reason_zh"]

    claims = _table(warehouse, "select * from claims order by claim_id")
    assert claims.height == 2 + len(CRM_ROWS) + len(default_sheet_rows())
    assert claims["claim_id"].is_unique().all()
    # values that look like formulas or HTML are stored verbatim, never altered at ingest
    notes = dict(zip(claims["claim_id"], claims["note"], strict=True))
    assert notes["WF-0002"] == '=HYPERLINK("http://evil.example","点我")'
    names = dict(zip(claims["claim_id"], claims["company_name"], strict=True))
    assert names["ZL-0002"] == "A&B科技（上海）有限公司"
    assert names["L-0002"] == "華為終端有限公司"
    assert dict(zip(claims["claim_id"], claims["category"], strict=True))["L-0001"] == "C"
    # the exported quarantine list neutralises nothing it need not, and every reason is there
    exported = summary.outputs["quarantine list"].read_bytes()
    assert exported.startswith(b"\xef\xbb\xbf") and "晚于对账日期".encode() in exported


def test_a_rerun_on_unchanged_files_adds_nothing_and_gives_identical_tables(tmp_path):
    sources = write_inputs(tmp_path)
    warehouse = tmp_path / "var" / "warehouse.duckdb"
    nightly(sources, warehouse, AS_OF)
    first = _contents(warehouse)
    second_summary = nightly(sources, warehouse, AS_OF)
    assert second_summary.files_new == 0
    second = _contents(warehouse)
    assert first.keys() == second.keys()
    for name in first:
        assert first[name].equals(second[name]), name
    assert _table(warehouse, "select count(*) as n from run_log")["n"][0] == 2


def test_a_changed_file_is_taken_again_and_the_old_version_is_superseded(tmp_path):
    sources = write_inputs(tmp_path)
    warehouse = tmp_path / "var" / "warehouse.duckdb"
    nightly(sources, warehouse, AS_OF)
    corrected = [row[:] for row in FORM_ROWS]
    corrected[1][4] = "字节跳动（北京）科技有限公司·更正"
    write_inputs(tmp_path, form_rows=corrected)
    nightly(sources, warehouse, AS_OF)

    audit = _table(warehouse, "select * from ingest_audit where source = 'webform' order by ingest_seq")
    assert audit["is_current"].to_list() == [False, True]
    assert audit["superseded"].to_list() == [2, 0]
    assert audit["accepted"].to_list() == [0, 2]
    assert _table(warehouse, "select count(*) as n from raw_claims where source = 'webform'")["n"][0] == 4
    name = _table(warehouse, "select company_name from claims where claim_id = 'WF-0002'")["company_name"][0]
    assert name.endswith("更正")


def test_row_order_does_not_change_the_published_claims(tmp_path):
    ordered = write_inputs(tmp_path / "a")
    shuffled = write_inputs(
        tmp_path / "b", form_rows=FORM_ROWS[::-1], crm_rows=CRM_ROWS[::-1], sheet_rows=default_sheet_rows()[::-1]
    )
    nightly(ordered, tmp_path / "a" / "w.duckdb", AS_OF)
    nightly(shuffled, tmp_path / "b" / "w.duckdb", AS_OF)
    query = "select * exclude (row_number, raw_row_id, file_sha256) from claims order by claim_id"
    assert _table(tmp_path / "a" / "w.duckdb", query).equals(_table(tmp_path / "b" / "w.duckdb", query))


def test_of_two_copies_of_a_claim_submitted_at_once_the_same_is_kept_whatever_the_row_order(tmp_path):
    """Same claim id, time, source and file: the duplicate check's tie-break is the rows' content
    (read from raw_claims for repeated ids only), not their place in the file."""
    copy = [*FORM_ROWS[0][:5], "另一位联系人", *FORM_ROWS[0][6:]]
    kept = []
    for name, rows in (("a", [*FORM_ROWS, copy]), ("b", [copy, *FORM_ROWS])):
        warehouse = tmp_path / name / "w.duckdb"
        nightly(write_inputs(tmp_path / name, form_rows=rows), warehouse, AS_OF)
        kept.append(_table(warehouse, "select contact_name from claims where claim_id = 'WF-0001'")["contact_name"][0])
        assert _table(warehouse, "select failed_checks from quarantine")["failed_checks"].to_list() == [
            ["claim_id_duplicate"]]
    assert kept[0] == kept[1]


@pytest.mark.parametrize(
    ("break_input", "message"),
    [
        (lambda root: (root / "inputs" / "sheet" / "报备登记表.xlsx").write_bytes(b"PK\x03\x04 broken"),
         "报备登记表.xlsx: is not a readable Excel workbook"),
        (lambda root: (root / "inputs" / "crm" / "crm_leads.csv").write_text(
            "Lead ID,Created Time,Owner ID\nL-9,2026-11-22T14:02:11+08:00,S001\n", encoding="utf-8"),
         "crm_leads.csv: missing column(s) 'Owner Name'"),
        (lambda root: (root / "inputs" / "crm" / "crm_leads.csv").write_bytes(b"\xff\xfe\x00garbage\x81"),
         "crm_leads.csv: cannot be decoded as UTF-8 or GB18030"),
    ],
    ids=["corrupt-xlsx", "missing-column", "undecodable"],
)
def test_an_unreadable_file_stops_the_run_and_leaves_the_warehouse_untouched(tmp_path, break_input, message):
    sources = write_inputs(tmp_path)
    warehouse = tmp_path / "var" / "warehouse.duckdb"
    nightly(sources, warehouse, AS_OF)
    before = _contents(warehouse)
    mtime = warehouse.stat().st_mtime_ns

    break_input(tmp_path)
    (tmp_path / "inputs" / "form" / "webform_export_2.csv").write_bytes(
        (tmp_path / "inputs" / "form" / "webform_export.csv").read_bytes().replace(b"WF-000", b"WF-100")
    )
    with pytest.raises(SourceFileError) as caught:
        nightly(sources, warehouse, date(2026, 11, 27))
    assert message in str(caught.value)
    assert warehouse.stat().st_mtime_ns == mtime
    after = _contents(warehouse)
    assert all(before[n].equals(after[n]) for n in before)
    assert not (warehouse.parent / "warehouse.duckdb.building").exists()


def test_a_reader_open_during_publish_keeps_the_old_data_and_a_new_reader_sees_the_new(tmp_path):
    sources = write_inputs(tmp_path)
    warehouse = tmp_path / "var" / "warehouse.duckdb"
    nightly(sources, warehouse, AS_OF)
    analyst = duckdb.connect(str(warehouse), read_only=True)
    try:
        assert analyst.execute("select count(*) from claims").fetchall()[0][0] == 7
        more = [*FORM_ROWS, ["WF-0009", "2026-11-26 11:00:00", "S002", "李娜", "新客户有限公司", "", "", "", "", "",
                             "C类（可能有采购计划）", "", ""]]
        write_inputs(tmp_path, form_rows=more)
        nightly(sources, warehouse, AS_OF)
        assert analyst.execute("select count(*) from claims").fetchall()[0][0] == 7
    finally:
        analyst.close()
    assert _table(warehouse, "select count(*) as n from claims")["n"][0] == 8


def test_excel_dates_numbers_and_zones_are_read_as_the_assistant_meant(tmp_path):
    sources = write_inputs(tmp_path)
    warehouse = tmp_path / "var" / "warehouse.duckdb"
    nightly(sources, warehouse, AS_OF)
    claims = _table(
        warehouse,
        "select claim_id, strftime(timezone('Asia/Shanghai', submitted_at), '%Y-%m-%d %H:%M') as local "
        "from claims where source = 'sheet' order by claim_id",
    )
    assert claims["local"].to_list() == ["2026-11-24 14:02", "2026-11-24 09:05", "2026-11-24 14:02"]


def test_a_valid_copy_of_a_claim_wins_over_an_earlier_broken_one(tmp_path):
    rows = [
        *FORM_ROWS,
        ["WF-0007", "2026-11-20 09:00:00", "S999", "无名", "新希望乳业股份有限公司", "", "", "", "", "",
         "B类（有明确采购计划）", "", ""],
        ["WF-0007", "2026-11-20 10:00:00", "S001", "王磊", "新希望乳业股份有限公司", "", "", "", "", "",
         "B类（有明确采购计划）", "", ""],
    ]
    warehouse = tmp_path / "var" / "warehouse.duckdb"
    nightly(write_inputs(tmp_path, form_rows=rows), warehouse, AS_OF)
    kept = _table(warehouse, "select rep_id from claims where claim_id = 'WF-0007'")
    assert kept["rep_id"].to_list() == ["S001"]
    refused = _table(warehouse, "select failed_checks from quarantine where claim_id = 'WF-0007'")
    assert refused["failed_checks"].to_list() == [["claim_id_duplicate", "rep_unknown"]]


def test_rows_of_a_source_removed_from_the_config_are_refused_not_lost(tmp_path):
    sources = write_inputs(tmp_path)
    warehouse = tmp_path / "var" / "warehouse.duckdb"
    nightly(sources, warehouse, AS_OF)
    config = yaml.safe_load(sources.read_text(encoding="utf-8"))
    config["sources"] = [s for s in config["sources"] if s["name"] != "crm"]
    sources.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    summary = nightly(sources, warehouse, date(2026, 11, 27))
    audit = summary.audit
    assert (audit["rows_read"] == audit["accepted"] + audit["quarantined"] + audit["superseded"]).all()
    retired = _table(warehouse, "select claim_id, reason_en from quarantine where source = 'crm' order by 1")
    assert retired["claim_id"].to_list() == ["L-0001", "L-0002"]
    assert retired["reason_en"].str.contains("no longer in sources.yaml").all()
