"""What a manager's report may show: masking, scopes, and the other side reduced to name and team."""

from datetime import UTC, date, datetime

import polars as pl
import pytest

from transforms.contact_masking import emails_masked, phones_masked
from transforms.reports import ManagerScope, manager_conflicts, manager_scopes, weekly_conflicts

AS_OF = date(2026, 11, 26)


@pytest.mark.parametrize(("raw", "masked"), [
    ("13800138000", "138****8000"),
    ("+86 138-0013-8000", "138****8000"),
    ("１３８００１３８０００", "138****8000"),
    ("0755-28780808 转8001", "****0808 转8001"),
    ("13800138000 / 021-62345678", "138****8000 / ****5678"),
    ("138.0013.8000", "138****8000"),
    ("138/0013/8000", "138****8000"),
    ("138–0013–8000", "138****8000"),
    (None, None),
])
def test_every_phone_number_in_a_field_is_masked(raw, masked):
    assert phones_masked(raw) == masked


@pytest.mark.parametrize(("raw", "masked"), [
    ("zhangsan@bytedance.com", "z***@bytedance.com"),
    ("张三 <zhangsan@bytedance.com>; lisi@qq.com", "张三 <z***@bytedance.com>; l***@qq.com"),
    ("ｗａｎｇ＠ｅｘａｍｐｌｅ．ｃｎ", "w***@example.cn"),
    (None, None),
])
def test_every_email_address_in_a_field_is_masked(raw, masked):
    assert emails_masked(raw) == masked


def test_contact_fields_are_masked_whatever_they_hold():
    scope = ManagerScope("刘", None, ("北一",), ("S1",))
    case = manager_conflicts(_details(owner_contact_name="张经理 13800138000 zhang@ours.cn",
                                      owner_phone="13800138000 / zhang@ours.cn"), scope, AS_OF).row(0, named=True)
    assert case["owner_contact_name"] == "张经理 138****8000 z***@ours.cn"
    assert case["owner_phone"] == "138****8000 / z***@ours.cn"


def test_contacts_typed_into_our_sides_company_name_are_masked():
    scope = ManagerScope("刘", None, ("北一",), ("S1",))
    case = manager_conflicts(_details(owner_company_name="北京某某科技有限公司（王经理 13698765432 wang@x.cn）"),
                             scope, AS_OF).row(0, named=True)
    masked = "北京某某科技有限公司（王经理 136****5432 w***@x.cn）"
    assert case["owner_company_name"] == case["customer_as_we_know_it"] == masked


def test_a_manager_scope_covers_every_team_whose_reps_name_them():
    roster = pl.DataFrame({
        "rep_id": ["S1", "S2", "S3", "S4"], "team": ["北一", "北二", "东", "西"],
        "manager": ["刘", "刘", "周", " "], "manager_email": [None, "liu@x.cn", "zhou@x.cn", None],
    })
    assert manager_scopes(roster) == [
        ManagerScope("刘", "liu@x.cn", ("北一", "北二"), ("S1", "S2")),
        ManagerScope("周", "zhou@x.cn", ("东",), ("S3",)),
    ]


def _details(**overrides) -> pl.DataFrame:
    row = {
        "claim_id": "C-2", "customer_id": "C0000001", "customer_name": "对方写法有限公司",
        "first_accepted_on": AS_OF, "is_backfill": False, "submitted_at": datetime(2026, 11, 20, 2, tzinfo=UTC),
        "claimant_rep_id": "S3", "claimant_name": "陈静", "claimant_team": "东",
        "claimant_company_name": "对方写法有限公司", "claimant_category": "B", "claimant_contact_name": "孙六",
        "claimant_phone": "13900139000", "claimant_email": "sun@secret.cn", "claimant_credit_code": None,
        "owner_rep_id": "S1", "owner_name": "王磊", "owner_team": "北一", "owner_claim_id": "C-1",
        "owner_submitted_at": datetime(2026, 11, 10, 2, tzinfo=UTC), "owner_company_name": "我方写法有限公司",
        "owner_category": "A", "owner_contact_name": "张三", "owner_phone": "13800138000",
        "owner_email": "zhang@ours.cn", "owner_credit_code": None,
        "protection_end": datetime(2027, 2, 8, 2, tzinfo=UTC), "reason_zh": "撞单", "reason_en": "conflict",
        "match_probability": 0.97, "decision_basis": "name_link", "evidence": ["company_name: x (3.0)"],
        "appeal_id": None, "appeal_status": None, "appeal_note": None, "holder_rep_id": "S1",
        "holder_name": "王磊", "holder_team": "北一", "holder_until": datetime(2027, 2, 8, 2, tzinfo=UTC),
    } | overrides
    return pl.DataFrame([row])


def test_the_owner_side_sees_its_own_claim_and_only_the_claimants_name_and_team():
    scope = ManagerScope("刘", None, ("北一",), ("S1",))
    case = manager_conflicts(_details(), scope, AS_OF).row(0, named=True)
    assert case["customer_as_we_know_it"] == "我方写法有限公司"
    assert (case["owner_claim_id"], case["owner_phone"], case["owner_email"]) == ("C-1", "138****8000",
                                                                                  "z***@ours.cn")
    assert (case["claimant_name"], case["claimant_team"]) == ("陈静", "东")
    hidden = ("claim_id", "claimant_company_name", "claimant_contact_name", "claimant_phone", "claimant_email")
    assert all(case[c] is None for c in hidden)
    assert "对方写法" not in str(case)
    assert case["action_en"].startswith("our protection stands")


def test_the_claimant_side_sees_its_claim_and_what_to_do():
    scope = ManagerScope("周", None, ("东",), ("S3",))
    case = manager_conflicts(_details(), scope, AS_OF).row(0, named=True)
    assert case["customer_as_we_know_it"] == "对方写法有限公司"
    assert case["owner_claim_id"] is None and case["owner_phone"] is None and "我方写法" not in str(case)
    assert case["action_en"].startswith("accept and stop working it")
    pool = manager_conflicts(_details(holder_rep_id=None, holder_name=None), scope, AS_OF).row(0, named=True)
    assert pool["action_en"].startswith("the customer is back in the public pool")
    pending = manager_conflicts(_details(appeal_status="open"), scope, AS_OF).row(0, named=True)
    assert pending["action_en"].startswith("appeal pending")


def test_only_new_conflicts_and_open_appeals_of_our_reps_are_shown():
    old = {"first_accepted_on": date(2026, 11, 1)}
    scope = ManagerScope("刘", None, ("北一",), ("S1",))
    assert manager_conflicts(_details(**old), scope, AS_OF).is_empty()
    assert manager_conflicts(_details(**old, appeal_status="open"), scope, AS_OF).height == 1
    assert manager_conflicts(_details(), ManagerScope("吴", None, ("西",), ("S4",)), AS_OF).is_empty()


def test_weekly_counts_split_refused_from_claimed_by_others_on_business_weeks():
    details = pl.concat([
        _details(),  # S3 (东) refused by S1: Friday 2026-11-20 10:00 +08
        _details(claim_id="C-3", claimant_rep_id="S1", owner_rep_id="S3",
                 submitted_at=datetime(2026, 11, 22, 16, 30, tzinfo=UTC)),  # Monday 00:30 +08
    ])
    as_of_end = datetime(2026, 11, 26, 16, tzinfo=UTC)
    weekly = weekly_conflicts(details, ManagerScope("周", None, ("东",), ("S3",)), as_of_end, "Asia/Shanghai")
    assert weekly.height == 12 and weekly["week"][-1] == date(2026, 11, 23)
    counts = {r["week"]: (r["refused"], r["claimed_by_others"]) for r in weekly.iter_rows(named=True)}
    assert counts[date(2026, 11, 16)] == (1, 0) and counts[date(2026, 11, 23)] == (0, 1)


def test_the_chart_ends_with_the_week_of_the_as_of_day_even_on_a_monday():
    monday_evening = _details(submitted_at=datetime(2026, 11, 30, 12, tzinfo=UTC))  # 20:00 +08, Monday
    as_of_end = datetime(2026, 11, 30, 16, tzinfo=UTC)  # the end of Monday 2026-11-30 in Shanghai
    weekly = weekly_conflicts(monday_evening, ManagerScope("周", None, ("东",), ("S3",)), as_of_end, "Asia/Shanghai")
    assert weekly["week"][-1] == date(2026, 11, 30) and weekly["refused"][-1] == 1
