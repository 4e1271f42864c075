"""Customer ids and reviewer decisions across several nights of the real flow."""

from datetime import date

import duckdb
import polars as pl
import pytest

from flows.nightly import nightly
from tests.flows.inputs import FORM_ROWS, place_model, write_inputs

pytestmark = pytest.mark.usefixtures("prefect_harness")


def _customers(warehouse) -> dict[str, str]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return dict(con.execute("select claim_id, customer_id from claim_customer").fetchall())


def _lineage(warehouse) -> pl.DataFrame:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.sql("select run_id, old_customer_id, new_customer_id, reason from customer_lineage "
                       "order by run_id, reason").pl()


def _decision(decision_id, a, b, ruling):
    return [decision_id, "pair", a, b, ruling, "运营-陈静", "2026-11-26T10:00:00+08:00", "测试"]


def test_ids_survive_a_night_with_new_claims(tmp_path, sample_model):
    place_model(tmp_path, sample_model)
    warehouse = tmp_path / "var" / "warehouse.duckdb"
    nightly(write_inputs(tmp_path), warehouse, date(2026, 11, 26))
    first = _customers(warehouse)
    assert first["WF-0001"] == first["WF-0002"]

    more = [*FORM_ROWS, ["WF-0003", "2026-11-26 16:00:00", "S003", "陈静", "北京字节跳动科技有限公司", "张三",
                         "13800138000", "", "", "", "C类（可能有采购计划）", "互联网", ""]]
    nightly(write_inputs(tmp_path, form_rows=more), warehouse, date(2026, 11, 27))
    second = _customers(warehouse)
    assert {k: second[k] for k in first} == first
    assert second["WF-0003"] == first["WF-0001"]
    assert _lineage(warehouse).is_empty()


def test_a_split_and_a_merge_are_recorded_and_decisions_keep_applying(tmp_path, sample_model):
    place_model(tmp_path, sample_model)
    warehouse = tmp_path / "var" / "warehouse.duckdb"
    nightly(write_inputs(tmp_path), warehouse, date(2026, 11, 26))
    first = _customers(warehouse)
    assert first["ZL-0001"] != first["ZL-0003"]

    decisions = [_decision("D1", "WF-0002", "WF-0001", "different"), _decision("D2", "ZL-0001", "ZL-0003", "same")]
    nightly(write_inputs(tmp_path, decisions=decisions), warehouse, date(2026, 11, 27))
    second = _customers(warehouse)
    assert second["WF-0001"] != second["WF-0002"]
    assert second["WF-0001"] == first["WF-0001"]  # the earlier claim keeps the id
    assert second["ZL-0001"] == second["ZL-0003"]
    lineage = _lineage(warehouse)
    assert lineage.select("old_customer_id", "new_customer_id", "reason").rows() == sorted([
        (first["WF-0001"], second["WF-0002"], "split"),
        (max(first["ZL-0001"], first["ZL-0003"]), min(first["ZL-0001"], first["ZL-0003"]), "merged"),
    ], key=lambda r: r[2])
    assert set(lineage["run_id"]) == {"2026-11-27-1"}

    # the decisions file is emptied: the carried decisions still apply, nothing moves again,
    # and a new customer never gets the id a merge retired
    more = [*FORM_ROWS, ["WF-0003", "2026-11-28 16:00:00", "S003", "陈静", "全新材料科技有限公司", "", "", "", "",
                         "", "C类（可能有采购计划）", "", ""]]
    nightly(write_inputs(tmp_path, form_rows=more, decisions=[]), warehouse, date(2026, 11, 28))
    third = _customers(warehouse)
    assert {k: third[k] for k in second} == second
    assert third["WF-0003"] not in set(first.values()) | set(second.values())
    assert _lineage(warehouse).height == 2
