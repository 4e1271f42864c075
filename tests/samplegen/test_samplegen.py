"""The sample generator writes what the pipeline's sources.yaml expects, deterministically, with
truth labels that cover every claim and deliberately bad rows that are where the labels say."""

from __future__ import annotations

import csv
import io
import random
from collections import Counter
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import openpyxl
import pytest
from stdnum.cn import uscc

from samplegen import generate
from samplegen.cli import DEFAULT_CLAIMS, DEFAULT_END_DATE, DEFAULT_SEED, main
from samplegen.code_issuer import check_char
from samplegen.defects import DEFECT_KINDS
from samplegen.sheet import HEADER as SHEET_HEADER
from samplegen.writers import CRM_HEADER, FORM_HEADER

REPO = Path(__file__).resolve().parents[2]
BUNDLED = REPO / "data" / "samples"
SEED = DEFAULT_SEED
END = DEFAULT_END_DATE
SHANGHAI = timezone(timedelta(hours=8))


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return generate(tmp_path_factory.mktemp("a"), DEFAULT_CLAIMS, SEED, END)


@pytest.fixture(scope="module")
def claims(samples: dict[str, Path]) -> dict[str, list[dict[str, object]]]:
    """Rows of every source keyed by canonical column names, via each source's own header."""
    form = _csv_rows(samples["form"], "utf-8-sig")
    crm = _csv_rows(samples["crm"], "gb18030")
    sheet = openpyxl.load_workbook(samples["sheet"])["报备登记"]
    sheet_rows = [
        dict(zip(SHEET_HEADER, (c.value for c in row), strict=True)) for row in sheet.iter_rows(min_row=3)
    ]
    canon = ("claim_id", "submitted_at", "rep_id", "rep_name", "company_name", "contact_name")
    canon += ("phone", "email", "website", "credit_code", "category", "industry", "note")
    return {
        name: [dict(zip(canon, row.values(), strict=False)) for row in rows]
        for name, rows in (("form", form), ("crm", crm), ("sheet", sheet_rows))
    }


def _csv_rows(path: Path, encoding: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode(encoding), newline="")))


def _table(path: Path) -> list[dict[str, str]]:
    return _csv_rows(path, "utf-8")


def _defects(samples: dict[str, Path], kind: str) -> list[dict[str, str]]:
    return [d for d in _table(samples["defects"]) if d["defect"] == kind]


def test_same_seed_gives_identical_bytes(samples: dict[str, Path], tmp_path: Path) -> None:
    again = generate(tmp_path, DEFAULT_CLAIMS, SEED, END)
    assert sorted(again) == sorted(samples)
    for name, path in samples.items():
        assert again[name].read_bytes() == path.read_bytes(), name


def test_another_seed_gives_other_claims(samples: dict[str, Path], tmp_path: Path) -> None:
    other = generate(tmp_path, DEFAULT_CLAIMS, SEED + 1, END)
    assert other["form"].read_bytes() != samples["form"].read_bytes()


def test_form_export_is_utf8_with_bom_and_crlf(samples: dict[str, Path]) -> None:
    raw = samples["form"].read_bytes()
    assert samples["form"].name == "webform_export_20261125.csv"
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.count(b"\n") == raw.count(b"\r\n") > 100
    header = next(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert tuple(header) == FORM_HEADER


def test_crm_export_is_gb18030_not_utf8_nor_gbk(samples: dict[str, Path]) -> None:
    raw = samples["crm"].read_bytes()
    assert samples["crm"].name == "crm_leads_20261125.csv"
    text = raw.decode("gb18030")
    assert not text.isascii()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    with pytest.raises(UnicodeDecodeError):  # 䶮 / 㵘 exist in GB18030 only
        raw.decode("gbk")
    assert b"\r\n" not in raw
    assert tuple(next(csv.reader(io.StringIO(text)))) == CRM_HEADER


def test_sheet_has_merged_title_then_headers(samples: dict[str, Path]) -> None:
    sheet = openpyxl.load_workbook(samples["sheet"])["报备登记"]
    assert sheet["A1"].value == "2026年客户报备登记表（销售助理维护）"
    assert "A1:P1" in {str(r) for r in sheet.merged_cells.ranges}
    assert tuple(c.value for c in sheet[2]) == SHEET_HEADER
    assert sheet["A3"].value == "ZL-0001"


def test_sheet_cell_types_are_as_hand_kept(claims: dict[str, list[dict[str, object]]]) -> None:
    times = Counter(type(r["submitted_at"]) for r in claims["sheet"])
    assert times[datetime] > times[str] > 0 and times[float] > 0
    serials = [r["submitted_at"] for r in claims["sheet"] if isinstance(r["submitted_at"], float)]
    assert all(45000 < s < 47000 for s in serials)  # 2023..2028 as Excel day numbers
    numeric_phones = [r["phone"] for r in claims["sheet"] if isinstance(r["phone"], int)]
    assert 0 < len(numeric_phones) < len(claims["sheet"]) / 5


def test_every_claim_id_has_a_truth_label(
    samples: dict[str, Path], claims: dict[str, list[dict[str, object]]]
) -> None:
    truth = _table(samples["truth"])
    ids = [t["claim_id"] for t in truth]
    assert len(ids) == len(set(ids)) == DEFAULT_CLAIMS
    in_files = {r["claim_id"] for rows in claims.values() for r in rows}
    assert in_files == set(ids)
    flags = {(t["company_key"], t["is_hard_negative_group"]) for t in truth}
    assert len(flags) == len({key for key, _ in flags})  # one flag per company
    per_company = Counter(t["company_key"] for t in truth)
    assert 100 <= len(per_company) <= 140
    assert 0.2 < sum(1 for n in per_company.values() if n == 1) / len(per_company) < 0.4


def test_credit_codes_valid_except_deliberate_ones(
    samples: dict[str, Path], claims: dict[str, list[dict[str, object]]]
) -> None:
    deliberate = {d["claim_id"] for d in _defects(samples, "invalid_credit_code")}
    codes = {r["claim_id"]: str(r["credit_code"]) for rows in claims.values() for r in rows}
    present = {cid: code for cid, code in codes.items() if code not in ("", "None")}
    assert 0.25 < len(present) / len(codes) < 0.45
    invalid = {cid for cid, code in present.items() if not uscc.is_valid(code.strip().upper())}
    assert deliberate and invalid == deliberate


def test_check_character_agrees_with_stdnum() -> None:
    rng = random.Random(1)
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    for _ in range(2000):
        stem = "91" + "".join(rng.choice(alphabet) for _ in range(15))
        assert check_char(stem) == uscc.calc_check_digit(stem)


def test_reviewer_decisions_split_hard_negatives_join_variants(samples: dict[str, Path]) -> None:
    truth = {t["claim_id"]: t for t in _table(samples["truth"])}
    decisions = _table(samples["decisions"])
    assert 3 <= len(decisions) <= 6
    different = [d for d in decisions if d["decision"] == "different"]
    same = [d for d in decisions if d["decision"] == "same"]
    assert different and same
    for d in different:
        a, b = truth[d["claim_id_a"]], truth[d["claim_id_b"]]
        assert a["company_key"] != b["company_key"]
        assert a["is_hard_negative_group"] == b["is_hard_negative_group"] == "true"
    for d in same:
        assert truth[d["claim_id_a"]]["company_key"] == truth[d["claim_id_b"]]["company_key"]


def test_every_defect_kind_present_and_spread_over_sources(samples: dict[str, Path]) -> None:
    defects = _table(samples["defects"])
    assert set(DEFECT_KINDS) <= {d["defect"] for d in defects}
    assert {d["source"] for d in defects} == {"form", "crm", "sheet"}
    assert 0.03 <= len(defects) / DEFAULT_CLAIMS <= 0.05


def test_bad_values_are_written_verbatim(
    samples: dict[str, Path], claims: dict[str, list[dict[str, object]]]
) -> None:
    by_id = {r["claim_id"]: r for rows in claims.values() for r in rows}
    duplicate = _defects(samples, "duplicate_claim_id")[0]
    repeated = [r for r in claims[duplicate["source"]] if r["claim_id"] == duplicate["claim_id"]]
    assert len(repeated) == 2 and repeated[0] == repeated[1]
    note = by_id[_defects(samples, "formula_in_note")[0]["claim_id"]]["note"]
    assert note == '=HYPERLINK("http://evil.example","点我")'
    contact = by_id[_defects(samples, "contact_starts_with_symbol")[0]["claim_id"]]
    assert str(contact["contact_name"])[0] in "+-@"
    script = by_id[_defects(samples, "script_in_company_name")[0]["claim_id"]]
    assert str(script["company_name"]).endswith("<script>alert(1)</script>")
    assert not by_id[_defects(samples, "missing_company_name")[0]["claim_id"]]["company_name"]


def test_formula_note_is_a_string_cell_in_the_sheet(samples: dict[str, Path]) -> None:
    in_sheet = {
        d["claim_id"] for d in _defects(samples, "formula_in_note") if d["source"] == "sheet"
    }
    assert in_sheet
    sheet = openpyxl.load_workbook(samples["sheet"])["报备登记"]
    cells = [row[12] for row in sheet.iter_rows(min_row=3) if row[0].value in in_sheet]
    assert cells and all(c.data_type == "s" and c.value.startswith("=") for c in cells)


def test_clean_timestamps_parse_and_fall_in_the_window(
    samples: dict[str, Path], claims: dict[str, list[dict[str, object]]]
) -> None:
    bad = {d["claim_id"] for d in _table(samples["defects"]) if "timestamp" in d["defect"]}
    start = datetime(2026, 5, 1, tzinfo=SHANGHAI)
    end = datetime(2026, 11, 26, tzinfo=SHANGHAI)
    for row in claims["form"]:
        if row["claim_id"] not in bad:
            when = datetime.strptime(str(row["submitted_at"]), "%Y-%m-%d %H:%M:%S")
            assert start <= when.replace(tzinfo=SHANGHAI) < end
    crm_times = [str(r["submitted_at"]) for r in claims["crm"] if r["claim_id"] not in bad]
    assert all(start <= datetime.fromisoformat(t) < end for t in crm_times)
    assert sum(t.endswith("+08:00") for t in crm_times) > 0.9 * len(crm_times)


def test_roster_and_followups(samples: dict[str, Path]) -> None:
    reps = _table(samples["reps"])
    assert 20 <= len(reps) <= 40
    assert 4 <= len({r["team"] for r in reps}) <= 6
    assert Counter(r["quota"] for r in reps).most_common(1)[0][0] == "50"
    assert all(r["manager_email"].isascii() and "@" in r["manager_email"] for r in reps)
    truth_ids = {t["claim_id"] for t in _table(samples["truth"])}
    followups = _table(samples["followups"])
    assert followups and {f["claim_id"] for f in followups} < truth_ids
    assert {f["activity_type"] for f in followups} <= {"电话", "拜访", "微信", "邮件", "演示"}
    assert all(f["activity_at"].endswith("+08:00") for f in followups)


def test_bundled_samples_are_the_default_output(samples: dict[str, Path]) -> None:
    # the run configuration is config/sources.yaml for the bundled samples, whose appeals and
    # extensions are written by hand
    generated = {k: v for k, v in samples.items() if k not in ("sources", "appeals", "extensions")}
    for path in generated.values():
        bundled = BUNDLED / path.relative_to(samples["reps"].parent)
        assert bundled.read_bytes() == path.read_bytes(), f"regenerate {bundled}"


def test_readme_lists_every_bad_row(samples: dict[str, Path]) -> None:
    readme = (BUNDLED / "README.md").read_text(encoding="utf-8")
    for defect in _table(samples["defects"]):
        assert defect["claim_id"] in readme


def test_cli_writes_files_and_rejects_tiny_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--out", str(tmp_path), "--claims", "150", "--end-date", "2026-06-30"]) == 0
    assert (tmp_path / "form" / "webform_export_20260630.csv").exists()
    assert "claims_truth.csv" in capsys.readouterr().out
    assert main(["--out", str(tmp_path / "x"), "--claims", "10"]) == 2


def test_end_date_moves_the_window(tmp_path: Path) -> None:
    paths = generate(tmp_path, 150, SEED, date(2027, 3, 31))
    assert paths["crm"].name == "crm_leads_20270331.csv"
    rows = _csv_rows(paths["form"], "utf-8-sig")
    assert max(r["提交时间"] for r in rows if r["提交时间"].startswith("202")) < "2027-04-01"


@pytest.mark.usefixtures("prefect_harness")
def test_the_written_sources_yaml_runs_the_night_on_the_generated_files(
    samples: dict[str, Path], tmp_path: Path
) -> None:
    from flows.nightly import nightly

    summary = nightly(samples["sources"], tmp_path / "w.duckdb", date(2026, 11, 25))
    assert int(summary.audit["rows_read"].sum()) == 401  # as on the bundled samples, which it reproduces
    assert summary.audit["source"].to_list() == ["webform", "crm", "sheet"]
    assert _table(samples["appeals"]) == [] and _table(samples["extensions"]) == []
