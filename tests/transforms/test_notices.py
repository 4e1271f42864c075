"""Rep notices: one per claim new tonight, with the reason and the next step."""

from datetime import UTC, date, datetime

import polars as pl
import pytest

from transforms.notices import UnknownOutcomeError, rep_notices

AS_OF = date(2026, 11, 26)
ROSTER = pl.DataFrame({"rep_id": ["S1", "S2", "S3"], "rep_name": ["王磊", "李娜", "陈静"],
                       "team": ["北一", "北一", "东"]})
CLAIMS = pl.DataFrame({
    "claim_id": ["C1", "C2", "C3"], "company_name": ["甲公司", "甲公司", "乙公司"],
    "phone": ["随便写的", None, "13800138000"], "email": [None, "zhang@@qq", "a@qq.com"],
    "has_unreadable_phone": [True, False, False], "has_unreadable_email": [False, True, False],
})


def _outcomes(outcome_c2="conflict", owner_c2="S1") -> pl.DataFrame:
    at = datetime(2026, 11, 20, tzinfo=UTC)
    return pl.DataFrame({
        "claim_id": ["C1", "C2", "C3"], "customer_id": ["K1", "K1", "K2"], "rep_id": ["S1", "S2", "S3"],
        "submitted_at": [at, at, at], "outcome": ["granted", outcome_c2, "over_quota"],
        "reason_zh": ["报备成功", "撞单：该客户已由王磊 (S1)报备", "保护名额已满"],
        "reason_en": ["granted", "conflict: 王磊 (S1) already protects this customer", "over quota"],
        "owner_rep_id": ["S1", owner_c2, None], "protection_end": [at, at, None],
    })


def _first(days: dict[str, date]) -> pl.DataFrame:
    return pl.DataFrame({"claim_id": list(days), "first_accepted_on": list(days.values()),
                         "is_backfill": [False] * len(days)})


def test_only_claims_first_accepted_tonight_get_a_notice():
    first = _first({"C1": date(2026, 11, 1), "C2": AS_OF, "C3": AS_OF})
    notices = rep_notices(_outcomes(), CLAIMS, ROSTER, first, AS_OF)
    assert sorted(notices["claim_id"]) == ["C2", "C3"]


def test_a_conflict_names_the_owner_and_says_when_it_is_a_colleague():
    notices = rep_notices(_outcomes(), CLAIMS, ROSTER, _first({"C2": AS_OF}), AS_OF)
    notice = notices.row(0, named=True)
    assert notice["is_colleague"] and notice["owner_team"] == "北一"
    assert "王磊" in notice["notice_zh"] and "本组同事" in notice["notice_zh"] and "申诉" in notice["notice_zh"]
    assert "a colleague in your team" in notice["notice_en"]


def test_over_quota_says_the_quota_is_full_and_what_to_do():
    notice = rep_notices(_outcomes(), CLAIMS, ROSTER, _first({"C3": AS_OF}), AS_OF).row(0, named=True)
    assert "名额已满" in notice["notice_zh"] and "release a customer" in notice["notice_en"]
    assert not notice["is_colleague"]


def test_an_outcome_without_a_next_step_is_refused():
    with pytest.raises(UnknownOutcomeError, match="escalated"):
        rep_notices(_outcomes(outcome_c2="escalated"), CLAIMS, ROSTER, _first({"C2": AS_OF}), AS_OF)


def test_a_renewal_that_changes_nothing_is_not_called_an_update():
    outcomes = _outcomes().with_columns(
        pl.when(pl.col("claim_id") == "C1").then(pl.lit("renewed")).otherwise(pl.col("outcome")).alias("outcome"),
        pl.when(pl.col("claim_id") == "C1").then(pl.lit("续报：现有保护期至2026-12-30，晚于新的保护期，保持不变"))
        .otherwise(pl.col("reason_zh")).alias("reason_zh"),
    )
    notice = rep_notices(outcomes, CLAIMS, ROSTER, _first({"C1": AS_OF}), AS_OF).row(0, named=True)
    assert "保持不变" in notice["notice_zh"] and "更新" not in notice["notice_zh"]
    assert "继续跟进" in notice["notice_zh"]


def test_history_replayed_on_the_first_night_gets_no_notice():
    first = _first({"C1": AS_OF, "C2": AS_OF}).with_columns(pl.Series("is_backfill", [True, False]))
    assert rep_notices(_outcomes(), CLAIMS, ROSTER, first, AS_OF)["claim_id"].to_list() == ["C2"]


def test_an_unreadable_phone_or_email_is_named_after_the_next_step():
    first = _first({"C1": AS_OF, "C2": AS_OF, "C3": AS_OF})
    notices = {r["claim_id"]: r for r in rep_notices(_outcomes(), CLAIMS, ROSTER, first, AS_OF).iter_rows(named=True)}
    assert notices["C1"]["notice_zh"].endswith("记录跟进，闲置过久会被释放到公海。联系电话“随便写的”无法识别，已忽略。")
    assert notices["C1"]["notice_en"].endswith(
        "released to the pool. The phone '随便写的' could not be read and was ignored.")
    assert notices["C2"]["notice_zh"].endswith("。电子邮箱“zhang@@qq”无法识别，已忽略。")
    assert "无法识别" not in notices["C3"]["notice_zh"] and "could not be read" not in notices["C3"]["notice_en"]
