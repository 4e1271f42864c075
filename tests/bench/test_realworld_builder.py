"""The real-world evaluation batch (bench/realworld) holds what its labels promise, in the formats
the project reads: a 500-claim batch, built once for the module."""

import csv
import io
from collections import defaultdict

import pytest
import yaml
from openpyxl import load_workbook

from bench.realworld import build
from bench.realworld.reference import FREE_MAIL, split_name

REQUIRED = ("full_name", "short_name", "former_name", "english_name", "typo", "homophone_other", "group_family",
            "same_name_other_city", "shared_mobile", "key_account", "sme", "annotated_phone", "hostile_name")


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """(labels by claim id, file rows by claim id as {claim field: value}, the batch's folder)."""
    out = tmp_path_factory.mktemp("realworld")
    built = build(out, 500, seed=7)
    with built.labels_csv.open(encoding="utf-8") as f:
        labels = {row["claim_id"]: row for row in csv.DictReader(f)}
    config = yaml.safe_load(built.sources_yaml.read_text(encoding="utf-8"))
    rows = {}
    for source in config["sources"]:
        path, columns = out / source["path"], source["columns"]
        if source["format"] == "xlsx":
            sheet = load_workbook(path, read_only=True)[source["sheet_name"]]
            table = [[("" if v is None else str(v)) for v in r] for r in sheet.iter_rows(min_row=2, values_only=True)]
        else:
            encoding = "utf-8-sig" if source["kind"] == "form" else "gb18030"
            table = list(csv.reader(io.StringIO(path.read_text(encoding=encoding), newline="")))
        header, *data = table
        for values in data:
            row = {columns[h]: v for h, v in zip(header, values, strict=False)}
            rows[row["claim_id"]] = row
    return labels, rows, out


def test_every_claim_in_the_files_is_labelled_once(batch):
    labels, rows, _ = batch
    assert len(rows) == len(labels) == 500
    assert rows.keys() == labels.keys()


def test_every_phenomenon_is_present(batch):
    labels, _, _ = batch
    tags = {t for row in labels.values() for t in row["tags"].split("|")}
    assert set(REQUIRED) <= tags
    assert {row["phenomenon"] for row in labels.values()} <= set(REQUIRED)


def test_files_are_in_their_real_encodings(batch):
    _, _, out = batch
    assert (out / "form" / "webform_export.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    crm = (out / "crm" / "crm_leads.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        crm.decode("utf-8")
    crm.decode("gb18030")
    sheet = load_workbook(out / "sheet" / "报备登记表.xlsx", read_only=True)["报备登记"]
    title, header = list(sheet.iter_rows(max_row=2, values_only=True))
    assert "报备登记表" in title[0] and header[0] == "报备编号"


def test_annotated_phones_and_hostile_names_are_written(batch):
    labels, rows, _ = batch
    annotated = [rows[c]["phone"] for c, row in labels.items() if "annotated_phone" in row["tags"]]
    assert any(mark in p for p in annotated for mark in ("微信同号", "转", "手机:", "－", "****", "+86-"))
    hostile = [rows[c]["company_name"] for c, row in labels.items() if row["phenomenon"] == "hostile_name"]
    assert hostile and all(n[0] in "=+-@<" for n in hostile)
    assert all(row["is_valid"] == "false" for row in labels.values() if row["phenomenon"] == "hostile_name")


def test_group_family_members_share_switchboard_and_domain(batch):
    labels, rows, _ = batch
    members, domains = defaultdict(set), defaultdict(set)
    for claim_id, row in labels.items():
        if row["group_key"]:
            members[row["group_key"]].add(row["entity"])
            email = rows[claim_id]["email"]
            domain = email.rpartition("@")[2]
            if domain and domain not in FREE_MAIL and row["is_valid"] == "true":
                domains[row["group_key"]].add(domain)
    assert any(len(m) > 1 for m in members.values())
    assert all(len(d) == 1 for d in domains.values())


def test_same_trade_name_in_another_city_is_another_company(batch):
    labels, _, _ = batch
    by_trade = defaultdict(set)
    for row in labels.values():
        if "same_name_other_city" in row["tags"]:
            by_trade[split_name(row["entity_name"]).trade].add((row["entity"], row["city"]))
    assert any(len({e for e, _ in found}) >= 2 and len({c for _, c in found}) >= 2 for found in by_trade.values())
