"""mart_rep_protections: protections per rep by category, against the quota."""

from datetime import date

from tests.sql.tables import connection, model, table


def test_active_protections_by_category_and_quota_use():
    con = connection(date(2026, 11, 3), "2026-11-04T00:00:00+08:00")
    table(con, "quota_usage", "rep_id varchar, used bigint, quota bigint, over_quota_attempts bigint",
          [("S1", 3, 4, 2), ("S2", 0, 50, 0), ("S3", 0, 0, 1)])
    table(con, "ownership_current", "rep_id varchar, granted_by_claim_id varchar",
          [("S1", "K1"), ("S1", "K2"), ("S1", "K3")])
    table(con, "claims", "claim_id varchar, category varchar", [("K1", "A"), ("K2", "A"), ("K3", "D")])
    table(con, "reps", "rep_id varchar, rep_name varchar, team varchar, manager varchar",
          [("S1", "王磊", "华北一组", "郭博文"), ("S2", "李娜", "华东大客户组", "邓晨宇")])
    rows = model(con, "mart_rep_protections", "rep_id")
    assert rows.select("rep_id", "active_protections", "active_a", "active_d", "used", "quota_left",
                       "use_rate", "over_quota_attempts").rows() == [
        ("S1", 3, 2, 1, 3, 1, 0.75, 2), ("S2", 0, 0, 0, 0, 50, 0.0, 0), ("S3", 0, 0, 0, 0, 0, None, 1)]
    assert rows["team"].to_list() == ["华北一组", "华东大客户组", None]
