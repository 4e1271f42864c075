"""Hostile input files: each is built here by code and read as a night reads it. The outcome
asserted is the documented one: rows kept (or quarantined with a reason), or the night stopped with
one line naming the file — never garbled text, never a silently dropped row or file, never a crash
of the process."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest
import xlsxwriter
import yaml

from adapters.ingest import SourceFile, read_new_files
from adapters.readers import SourceFileError, decode_text, file_sha256, read_source_file
from settings.sources import load_sources
from tests.flows.inputs import FORM_HEADER, FORM_ROWS, REPO, write_csv, write_inputs
from transforms.checks import EXCEL_ERROR_VALUE, claims_checkable
from transforms.parsing import claims_parsed
from transforms.schema import CLAIM_FIELDS

UTF8_ROWS = "提交编号,客户全称\nWF-1,北京字节跳动科技有限公司\nWF-2,华为技术有限公司\n"
GB_ROW = "WF-3,腾讯科技（深圳）有限公司\n"


def _source(tmp_path: Path, name: str = "webform"):
    config = load_sources(write_inputs(tmp_path))
    return next(s for s in config.sources if s.name == name)


def _night(tmp_path: Path, sources: Path):
    from flows.nightly import nightly

    warehouse = tmp_path / "var" / "warehouse.duckdb"
    nightly(sources, warehouse, date(2026, 11, 26))
    return duckdb.connect(str(warehouse), read_only=True)


def _form_pattern(sources: Path, pattern: str) -> None:
    config = yaml.safe_load(sources.read_text(encoding="utf-8"))
    config["sources"][0]["path"] = pattern
    sources.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")


# 1. files of one name in two folders ------------------------------------------------------------

@pytest.mark.usefixtures("prefect_harness")
def test_two_files_of_one_name_in_two_folders_are_both_ingested_and_accounted_for(tmp_path):
    sources = write_inputs(tmp_path)
    (tmp_path / "inputs" / "form" / "webform_export.csv").unlink()
    for folder, row in (("m1", FORM_ROWS[0]), ("m2", FORM_ROWS[1])):
        (tmp_path / "inputs" / "form" / folder).mkdir()
        write_csv(tmp_path / "inputs" / "form" / folder / "leads.csv", FORM_HEADER, [row], encoding="utf-8")
    _form_pattern(sources, "inputs/form/*/leads.csv")
    with _night(tmp_path, sources) as con:
        files = con.execute("select file_name, rows_read, accepted, superseded from ingest_audit "
                            "where source = 'webform' order by file_name").fetchall()
        claims = con.execute("select claim_id from claims where source = 'webform' order by 1").fetchall()
    assert files == [("m1/leads.csv", 1, 1, 0), ("m2/leads.csv", 1, 1, 0)]
    assert claims == [("WF-0001",), ("WF-0002",)]


@pytest.mark.usefixtures("prefect_harness")
def test_the_same_file_in_two_folders_is_read_twice_and_its_repeated_claims_quarantined(tmp_path):
    sources = write_inputs(tmp_path)
    original = tmp_path / "inputs" / "form" / "webform_export.csv"
    for folder in ("m1", "m2"):
        (tmp_path / "inputs" / "form" / folder).mkdir()
        (tmp_path / "inputs" / "form" / folder / "leads.csv").write_bytes(original.read_bytes())
    original.unlink()
    _form_pattern(sources, "inputs/form/*/leads.csv")
    with _night(tmp_path, sources) as con:
        audit = con.execute("select sum(rows_read), sum(accepted), sum(quarantined) from ingest_audit "
                            "where source = 'webform'").fetchone()
        reasons = con.execute("select distinct failed_checks from quarantine where source = 'webform'").fetchall()
    assert audit == (4, 2, 2)
    assert reasons == [(["claim_id_duplicate"],)]


# 2. encodings -----------------------------------------------------------------------------------

def test_a_utf8_file_with_one_gb18030_row_keeps_every_row_readable(tmp_path):
    data = UTF8_ROWS.encode() + GB_ROW.encode("gb18030") + "WF-4,阿里巴巴（中国）有限公司\n".encode()
    text = decode_text(tmp_path / "f.csv", data, "auto")
    for name in ("北京字节跳动科技有限公司", "腾讯科技（深圳）有限公司", "阿里巴巴（中国）有限公司"):
        assert name in text


def test_a_gb18030_file_with_one_utf8_row_keeps_every_row_readable(tmp_path):
    data = UTF8_ROWS.encode("gb18030") + "WF-3,小米科技有限责任公司\n".encode()
    text = decode_text(tmp_path / "f.csv", data, "auto")
    assert "北京字节跳动科技有限公司" in text and "小米科技有限责任公司" in text


def test_a_row_in_neither_encoding_is_quarantined_and_its_neighbours_kept(tmp_path):
    raw = pl.DataFrame({f: [None, None] for f in CLAIM_FIELDS}, schema=dict.fromkeys(CLAIM_FIELDS, pl.String))
    path = tmp_path / "f.csv"
    path.write_bytes("提交编号,客户全称\nWF-1,华为技术有限公司\n".encode() + b"WF-2,\xff\xfe\xfd\n")
    text = decode_text(path, path.read_bytes(), "auto")
    names = [line.split(",")[1] for line in text.splitlines()[1:]]
    raw = raw.with_columns(pl.Series("company_name", names), pl.Series("submitted_at", ["2026-11-20"] * 2))
    checked = claims_checkable(claims_parsed(raw, value_maps={}, timestamp_formats=["iso"], zone="UTC"))
    assert checked["text_decodable"].to_list() == [True, False]
    assert checked["company_name"][0] == "华为技术有限公司"


# 3. a name of megabytes ---------------------------------------------------------------------------

def test_an_overlong_field_is_flagged_without_quoting_it():
    raw = pl.DataFrame({f: ["x"] for f in CLAIM_FIELDS}, schema=dict.fromkeys(CLAIM_FIELDS, pl.String))
    raw = raw.with_columns(pl.lit("某" * 5_000_000).alias("company_name"), pl.lit("a" * 300).alias("note"))
    checked = claims_checkable(claims_parsed(raw, value_maps={}, timestamp_formats=["iso"], zone="UTC"))
    assert checked["field_over_limit"][0] == "company_name 超过 200 个字符（5000000 个）"
    assert checked["field_over_limit_en"][0] == "company_name is longer than 200 characters (5000000)"


@pytest.mark.usefixtures("prefect_harness")
def test_a_five_megabyte_company_name_is_quarantined_and_the_night_goes_on(tmp_path):
    rows = [FORM_ROWS[0], ["WF-0009", "2026-11-20 09:15:00", "S001", "王磊", "某" * 5_000_000, "", "", "", "", "",
                           "A类（明确购买意向）", "", ""]]
    with _night(tmp_path, write_inputs(tmp_path, form_rows=rows)) as con:
        refused = con.execute("select claim_id, failed_checks, length(reason_zh) from quarantine "
                              "where claim_id = 'WF-0009'").fetchall()
        accepted = con.execute("select count(*) from claims where claim_id = 'WF-0001'").fetchone()
    assert refused[0][:2] == ("WF-0009", ["field_too_long"]) and refused[0][2] < 200
    assert accepted == (1,)


# 4. a workbook claiming a giant range -------------------------------------------------------------

def test_a_sheet_whose_range_ends_at_xfd1048576_is_refused_before_loading(tmp_path):
    source = _source(tmp_path, "sheet")
    path = tmp_path / "giant.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("报备登记")
    sheet.write_row(1, 0, ["报备编号", "客户名称"])
    sheet.write(1048575, 16383, "x")
    workbook.close()
    assert path.stat().st_size < 10_000
    # in a child process: were the check to fail, the reader's abort must not take the test run with it
    probe = ("import sys; from pathlib import Path; from settings.sources import SourceConfig; "
             "from adapters.readers import read_source_file, SourceFileError\n"
             f"source = SourceConfig.model_validate_json({source.model_dump_json()!r})\n"
             "try:\n    read_source_file(Path(sys.argv[1]), source)\n"
             "except SourceFileError as exc:\n    print(exc)\n")
    done = subprocess.run([sys.executable, "-c", probe, str(path)], cwd=REPO, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-500:]
    assert "giant.xlsx: the sheet's used range ends at XFD1048576" in done.stdout


# 5. files that used to give tracebacks ----------------------------------------------------------

@pytest.mark.parametrize(("name", "content"), [("empty.csv", b""), ("blank.csv", b"\n\n"), ("list.json", b"[]")])
def test_an_empty_file_is_read_as_no_rows(tmp_path, name, content):
    source = _source(tmp_path).model_copy(update={"format": "json" if name.endswith("json") else "csv"})
    path = tmp_path / name
    path.write_bytes(content)
    assert read_source_file(path, source).rows.height == 0


def test_an_empty_sheet_is_read_as_no_rows(tmp_path):
    path = tmp_path / "empty.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    workbook.add_worksheet("报备登记")
    workbook.close()
    assert read_source_file(path, _source(tmp_path, "sheet")).rows.height == 0


def test_deeply_nested_json_is_one_message(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    source = _source(tmp_path).model_copy(update={"format": "json"})
    with pytest.raises(SourceFileError, match=r"deep.json: is nested too deeply"):
        read_source_file(path, source)


def test_a_json_object_giving_a_key_twice_is_refused(tmp_path):
    path = tmp_path / "twice.json"
    path.write_text('[{"提交编号": "WF-1", "客户全称": "甲公司", "客户全称": "乙公司"}]', encoding="utf-8")
    source = _source(tmp_path).model_copy(update={"format": "json"})
    with pytest.raises(SourceFileError, match=r"gives the key '客户全称' twice"):
        read_source_file(path, source)


def test_classic_mac_line_endings_are_read_as_rows(tmp_path):
    path = tmp_path / "mac.csv"
    write_csv(path, FORM_HEADER, FORM_ROWS, encoding="utf-8", newline="\r")
    rows = read_source_file(path, _source(tmp_path)).rows
    assert rows["提交编号"].to_list() == ["WF-0001", "WF-0002"]


def test_a_malformed_csv_is_named_without_quoting_its_rows(tmp_path):
    path = tmp_path / "broken.csv"
    path.write_text('提交编号,客户全称,联系电话\nWF-1,"甲公司,13698765432\nWF-2,乙公司,wang@x.cn,extra,"x\n',
                    encoding="utf-8")
    with pytest.raises(SourceFileError) as caught:
        read_source_file(path, _source(tmp_path))
    assert "broken.csv" in str(caught.value)
    assert "13698765432" not in str(caught.value) and "wang@x.cn" not in str(caught.value)


def test_a_missing_column_message_shows_headers_cut_short(tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text("提交编号," + "某" * 500 + "\nWF-1,x\n", encoding="utf-8")
    source = _source(tmp_path)
    with pytest.raises(SourceFileError) as caught:
        read_new_files([SourceFile(source, path, file_sha256(path), "odd.csv")], first_seq=1,
                       ingested_at=datetime(2026, 11, 26, tzinfo=UTC))
    assert "某" * 31 not in str(caught.value) and "missing column(s)" in str(caught.value)


# 6. silent surprises ----------------------------------------------------------------------------

def test_a_repeated_header_is_refused_naming_it(tmp_path):
    path = tmp_path / "dup.csv"
    path.write_text("提交编号,客户全称,客户全称\nWF-1,甲公司,乙公司\n", encoding="utf-8")
    with pytest.raises(SourceFileError, match=r"the header '客户全称' appears more than once \(columns 2 and 3\)"):
        read_source_file(path, _source(tmp_path))


def _workbook(path: Path, header: list[str], rows: list[list[str]]):
    """A sheet as the assistant keeps it: a title row, the header, the rows; returned open for
    more cells (close it)."""
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("报备登记")
    sheet.write_row(0, 0, ["title"])
    sheet.write_row(1, 0, header)
    for number, row in enumerate(rows, start=2):
        sheet.write_row(number, 0, row)
    return workbook, sheet


def test_a_repeated_header_in_a_sheet_is_refused_naming_it(tmp_path):
    path = tmp_path / "dup.xlsx"
    workbook, _ = _workbook(path, ["报备编号", "客户名称", "客户名称"], [["ZL-1", "甲公司", "乙公司"]])
    workbook.close()
    with pytest.raises(SourceFileError, match=r"the header '客户名称' appears more than once"):
        read_source_file(path, _source(tmp_path, "sheet"))


def test_nul_escape_and_other_control_characters_never_reach_a_claim():
    raw = pl.DataFrame({f: ["x"] for f in CLAIM_FIELDS}, schema=dict.fromkeys(CLAIM_FIELDS, pl.String))
    raw = raw.with_columns(pl.lit("华为\x00技术\x1b[31m有限公司\x7f").alias("company_name"),
                           pl.lit("第一行\n第二行\t注").alias("note"))
    parsed = claims_parsed(raw, value_maps={}, timestamp_formats=["iso"], zone="UTC")
    assert parsed["company_name"][0] == "华为技术[31m有限公司"
    assert parsed["note"][0] == "第一行\n第二行\t注"


def test_spreadsheet_error_cells_are_kept_as_their_text_so_they_are_flagged_not_blank(tmp_path):
    path = tmp_path / "errors.xlsx"
    workbook, sheet = _workbook(path, ["报备编号", "客户名称", "电话"], [["ZL-1", "甲公司"]])
    sheet.write_formula(2, 2, "=NA()", None, "#N/A")
    sheet.write(3, 0, "ZL-2")
    sheet.write_formula(3, 1, "=1/0", None, "#DIV/0!")
    sheet.write(3, 2, "13800138000")
    workbook.close()
    rows = read_source_file(path, _source(tmp_path, "sheet")).rows
    assert rows.select("客户名称", "电话").rows() == [("甲公司", "#N/A"), ("#DIV/0!", "13800138000")]
    from transforms.standardise import standardise_claims

    raw = pl.DataFrame({f: ["x", "x"] for f in CLAIM_FIELDS}, schema=dict.fromkeys(CLAIM_FIELDS, pl.String))
    raw = raw.with_columns(pl.Series("company_name", ["甲公司", "#DIV/0!"]), pl.Series("phone", ["#N/A", None]))
    checked = claims_checkable(claims_parsed(raw, value_maps={}, timestamp_formats=["iso"], zone="UTC"))
    assert checked["company_name_folded"].str.contains(EXCEL_ERROR_VALUE).to_list() == [False, True]
    assert standardise_claims(checked.head(1))["has_unreadable_phone"].to_list() == [True]
