"""Who may sign in and what each may see and decide (web.people), from a hand-made roster."""

from __future__ import annotations

import polars as pl
import pytest

from settings.base import ConfigError
from settings.web import WebConfig, load_web_config
from web.people import normal_login, people_from

ROSTER = pl.DataFrame({
    "rep_id": ["S1", "S2", "S3"], "rep_name": ["张三", "李四", "王五"], "team": ["华北", "华北", "华南"],
    "manager": ["郭经理", "郭经理", "林经理"], "manager_email": ["guo@x.cn", "guo@x.cn", None],
})


def test_reps_and_managers_come_from_the_roster():
    people = people_from(ROSTER, WebConfig())
    assert people["S1"].role == "rep" and people["S1"].teams == {"华北"}
    assert people["guo@x.cn"].role == "manager" and people["guo@x.cn"].teams == {"华北"}
    assert "林经理" not in people  # a manager without an e-mail has no login unless web.yaml gives one


def test_web_yaml_adds_reviewers_and_gives_a_manager_more_teams():
    config = WebConfig.model_validate({"users": [
        {"login": "ops", "name": "运营", "role": "reviewer"},
        {"login": "lin@x.cn", "name": "林经理", "role": "manager", "teams": ["华南"]},
        {"login": "guo@x.cn", "name": "郭经理", "role": "manager", "teams": ["华中"]},
    ]})
    people = people_from(ROSTER, config)
    assert people["ops"].works_the_desk and people["ops"].may_rule_for("华南")
    assert people["lin@x.cn"].teams == {"华南"}
    assert people["guo@x.cn"].teams == {"华北", "华中"}


def test_rights_by_role():
    people = people_from(ROSTER, WebConfig.model_validate({"users": [{"login": "a", "name": "A", "role": "admin"}]}))
    rep, manager, admin = people["S1"], people["guo@x.cn"], people["a"]
    assert not rep.works_the_desk and not rep.rules and not rep.sees_contacts_of("华北")
    assert manager.rules and not manager.works_the_desk
    assert manager.may_rule_for("华北") and not manager.may_rule_for("华南") and not manager.may_rule_for(None)
    assert manager.sees_contacts_of("华北") and not manager.sees_contacts_of("华南")
    assert admin.works_the_desk and admin.sees_contacts_of("华南")


def test_an_e_mail_login_is_the_same_in_any_case():
    roster = ROSTER.with_columns(pl.col("manager_email").str.replace("guo@x.cn", "Guo@X.cn"))
    people = people_from(roster, WebConfig())
    assert normal_login(" GUO@x.CN ") == "guo@x.cn" and "guo@x.cn" in people
    assert normal_login("S1") == "S1"


def test_web_yaml_mistakes_name_the_key(tmp_path):
    path = tmp_path / "web.yaml"
    path.write_text("users:\n  - {login: ops, name: 运营, role: boss}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"users\[0\]\.role"):
        load_web_config(path)
    path.write_text("users:\n  - {login: ops, name: A, role: admin}\n  - {login: ops, name: B, role: reviewer}\n",
                    encoding="utf-8")
    with pytest.raises(ConfigError, match="ops listed twice"):
        load_web_config(path)
