import zipfile

import pytest

from adapters.readers import ROW_NUMBER, SourceFileError, decode_text, read_source_file
from settings.sources import load_sources
from tests.flows.inputs import REPO, write_inputs

CONFIG = load_sources(REPO / "config" / "sources.yaml")
FORM, CRM, SHEET = CONFIG.sources


def test_auto_encoding_reads_bom_utf8_and_gb18030(tmp_path):
    path = tmp_path / "x.csv"
    assert decode_text(path, "\ufeff客户".encode("utf-8"), "auto") == "客户"
    assert decode_text(path, "䶮科技".encode("gb18030"), "auto") == "䶮科技"
    assert decode_text(path, b"plain", "auto") == "plain"


def test_a_declared_encoding_that_does_not_fit_names_the_file(tmp_path):
    path = tmp_path / "crm.csv"
    with pytest.raises(SourceFileError, match=r"crm.csv: is not valid utf-8 \(bad byte at offset"):
        decode_text(path, "华为技术".encode("gb18030"), "utf-8")


def test_gb18030_crm_export_keeps_a_character_gbk_lacks(tmp_path):
    write_inputs(tmp_path)
    read = read_source_file(tmp_path / "inputs" / "crm" / "crm_leads.csv", CRM)
    assert read.rows["Description"].to_list()[0] == "䶮 rare char"
    assert read.rows[ROW_NUMBER].to_list() == [2, 3]
    with pytest.raises(UnicodeDecodeError):
        (tmp_path / "inputs" / "crm" / "crm_leads.csv").read_bytes().decode("gbk")


def test_bom_form_export_headers_have_no_bom(tmp_path):
    write_inputs(tmp_path)
    read = read_source_file(tmp_path / "inputs" / "form" / "webform_export.csv", FORM)
    assert read.rows.columns[1] == "提交编号"
    assert (tmp_path / "inputs" / "form" / "webform_export.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_sheet_skips_the_title_row_and_reads_every_cell_as_text(tmp_path):
    write_inputs(tmp_path)
    read = read_source_file(tmp_path / "inputs" / "sheet" / "报备登记表.xlsx", SHEET)
    rows = read.rows
    assert rows["报备编号"].to_list() == ["ZL-0001", "ZL-0002", "ZL-0003"]
    assert rows[ROW_NUMBER].to_list() == [3, 4, 5]  # the Excel row numbers an assistant sees
    assert rows["报备时间"].to_list() == ["2026-11-24 14:02:00", "2026/11/24 9:05", "46350.5848"]
    assert rows["电话"].to_list()[0] == "75588881234"
    assert rows["联系人"].to_list()[1] == "+孙八"


def test_blank_rows_are_counted_not_read(tmp_path):
    write_inputs(tmp_path, form_rows=[["WF-1"] + [""] * 12, [""] * 13, ["WF-2"] + [""] * 12])
    read = read_source_file(tmp_path / "inputs" / "form" / "webform_export.csv", FORM)
    assert read.rows["提交编号"].to_list() == ["WF-1", "WF-2"]
    assert read.rows[ROW_NUMBER].to_list() == [2, 4]
    assert read.blank_rows == 1


def test_a_corrupt_workbook_is_named(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not really a workbook")
    with pytest.raises(SourceFileError, match=r"broken\.xlsx: is not a readable Excel workbook"):
        read_source_file(path, SHEET)


def test_a_workbook_without_the_configured_sheet_names_both(tmp_path):
    write_inputs(tmp_path)
    path = tmp_path / "inputs" / "sheet" / "报备登记表.xlsx"
    renamed = SHEET.model_copy(update={"sheet_name": "Sheet1"})
    with pytest.raises(SourceFileError, match="has no worksheet 'Sheet1' \\(it has 报备登记\\)"):
        read_source_file(path, renamed)
    assert zipfile.is_zipfile(path)
