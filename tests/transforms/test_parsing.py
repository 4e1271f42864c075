from datetime import UTC, datetime

import polars as pl
from polars.testing import assert_series_equal

from transforms.parsing import SourceFormat, claims_parsed, claims_parsed_by_source
from transforms.schema import CLAIM_FIELDS


def _raw(**columns) -> pl.DataFrame:
    height = len(next(iter(columns.values())))
    base = {f: [None] * height for f in CLAIM_FIELDS}
    return pl.DataFrame(base | columns, schema={f: pl.String for f in CLAIM_FIELDS})


def _utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_iso_with_offset_and_z_become_utc():
    out = claims_parsed(
        _raw(submitted_at=["2026-05-03T14:02:11+08:00", "2026-05-03T06:02:11Z", "2026-05-03 14:02:11.5+08:00"]),
        value_maps={}, timestamp_formats=["iso"], zone="Asia/Shanghai",
    )
    assert out["submitted_at"].to_list() == [
        _utc(2026, 5, 3, 6, 2, 11), _utc(2026, 5, 3, 6, 2, 11), _utc(2026, 5, 3, 6, 2, 11, 500000)
    ]


def test_local_times_are_read_in_the_business_zone():
    out = claims_parsed(
        _raw(submitted_at=["2026/3/5 14:02", "2026-11-25 14:02:33", "2026/3/5"]),
        value_maps={}, timestamp_formats=["%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d"],
        zone="Asia/Shanghai",
    )
    assert out["submitted_at"].to_list() == [
        _utc(2026, 3, 5, 6, 2), _utc(2026, 11, 25, 6, 2, 33), _utc(2026, 3, 4, 16, 0)
    ]


def test_excel_serial_dates_are_days_since_1899_12_30_local_time():
    out = claims_parsed(
        _raw(submitted_at=["46086.5848", "45000", "13800138000", "12.5"]),
        value_maps={}, timestamp_formats=["excel_serial"], zone="Asia/Shanghai",
    )
    # 46086.5848 = 2026-03-05 14:02:07 in Shanghai; phone-sized and tiny numbers are not dates
    assert out["submitted_at"].to_list() == [_utc(2026, 3, 5, 6, 2, 7), _utc(2023, 3, 14, 16, 0), None, None]


def test_unreadable_times_stay_null_and_keep_their_text():
    out = claims_parsed(
        _raw(submitted_at=["2026-13-45 25:00:00", "昨天下午", None, "   "]),
        value_maps={}, timestamp_formats=["iso", "%Y-%m-%d %H:%M:%S"], zone="Asia/Shanghai",
    )
    assert out["submitted_at"].null_count() == 4
    assert out["submitted_at_text"].to_list() == ["2026-13-45 25:00:00", "昨天下午", None, None]


def test_value_maps_translate_coded_values_and_leave_others():
    out = claims_parsed(
        _raw(submitted_at=[None] * 3, category=[" A类-有意向 ", "B", "E类"]),
        value_maps={"category": {"A类-有意向": "A"}}, timestamp_formats=["iso"], zone="Asia/Shanghai",
    )
    assert_series_equal(out["category"], pl.Series("category", ["A", "B", "E类"]))


def test_input_frame_is_not_mutated():
    raw = _raw(submitted_at=["2026-05-03T14:02:11+08:00"], company_name=["  字节跳动 "])
    before = raw.clone()
    claims_parsed(raw, value_maps={}, timestamp_formats=["iso"], zone="Asia/Shanghai")
    assert raw.equals(before)


def test_each_source_is_read_its_own_way_and_a_retired_source_is_kept_unconfigured():
    rows = _raw(submitted_at=["2026/05/03 14:02", "2026-05-03T14:02:00", "2026-05-03T14:02:00"],
                category=["重点", "A", "A"]).with_columns(source=pl.Series(["crm", "form", "old_export"]))
    formats = {
        "crm": SourceFormat("Asia/Shanghai", {"category": {"重点": "A"}}, ("%Y/%m/%d %H:%M",)),
        "form": SourceFormat("UTC"),
    }
    out = claims_parsed_by_source(rows, formats, retired_zone="Asia/Shanghai").sort("source")
    assert out["source"].to_list() == ["crm", "form", "old_export"]
    assert out["source_configured"].to_list() == [True, True, False]
    assert out["category"].to_list() == ["A", "A", "A"]
    assert out["submitted_at"].to_list() == [_utc(2026, 5, 3, 6, 2), _utc(2026, 5, 3, 14, 2), _utc(2026, 5, 3, 6, 2)]
