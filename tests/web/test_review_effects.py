"""What a review card says each answer would change (web.review_effects), and the evidence
in words (web.evidence_words)."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl

from web.evidence_words import evidence_in_words
from web.review_effects import MAX_LINES, answer_effects


def _claims(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(rows, orient="row", schema={
        "customer_id": pl.String, "claim_id": pl.String, "rep_id": pl.String, "rep_name": pl.String,
        "submitted_at": pl.Datetime("us", "UTC"), "outcome": pl.String, "display_name": pl.String,
        "current_owner_name": pl.String})


def test_same_hands_the_later_customers_protections_to_the_first_registrant_as_conflicts():
    claims = _claims([
        ("C1", "A1", "S1", "张三", datetime(2026, 5, 1, tzinfo=UTC), "granted", "甲公司", "张三"),
        ("C2", "B1", "S2", "李四", datetime(2026, 6, 1, tzinfo=UTC), "granted", "甲公司集团", "李四"),
        ("C2", "B2", "S1", "张三", datetime(2026, 6, 2, tzinfo=UTC), "granted", "甲公司集团", "李四"),
        ("C2", "B3", "S3", "王五", datetime(2026, 6, 3, tzinfo=UTC), "conflict", "甲公司集团", "李四"),
    ])
    effects = answer_effects(claims.reverse())  # whatever the row order
    same = "\n".join(effects["same"])
    assert "张三（S1） 于 2026-05-01 先报备" in same
    assert "报备 B1（李四（S2），2026-06-01）由「获得保护」变为「撞单」" in same
    assert "B2" not in same and "B3" not in same  # the winner's own claim, and one already refused
    assert any("甲公司集团 归 李四" in line for line in effects["different"])


def test_a_long_list_of_changes_is_cut_with_a_count():
    rows = [("C1", "A1", "S1", "张三", datetime(2026, 1, 1, tzinfo=UTC), "granted", "甲", "张三")] + [
        ("C2", f"B{i:02d}", f"S{i + 10}", "某", datetime(2026, 2, 1 + i, tzinfo=UTC), "renewed", "乙", None)
        for i in range(MAX_LINES + 3)]
    same = answer_effects(_claims(rows))["same"]
    assert sum("变为「撞单」" in line for line in same) == MAX_LINES
    assert any("另有 3 条" in line for line in same)


def test_evidence_lines_in_words():
    words = evidence_in_words(["company_name: same pinyin (homophone typo) (12.4)",
                               "phone: missing on one side (0.0)", "contact_name: All other comparisons (-0.9)",
                               "credit_code_norm: Exact match on credit_code_norm (12.4)", "something odd"])
    assert [(w["field"], w["finding"], w["stance"]) for w in words] == [
        ("公司名称", "拼音相同（同音错字）", "for"), ("电话", "一方未填", "neutral"), ("联系人", "不一致", "against"),
        ("信用代码", "完全一致", "for"), ("", "something odd", "neutral")]
