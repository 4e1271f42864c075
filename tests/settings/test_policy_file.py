from pathlib import Path
from typing import get_args

import pytest
import yaml

from matching.links import LinkPolicy
from settings.policy_file import PolicyError, TemplateField, load_policy, read_policy_file
from transforms.ownership import ExtensionRule
from transforms.ownership.policy import TEMPLATE_FIELDS, OwnershipPolicy

REPO = Path(__file__).resolve().parents[2]


def _write(tmp_path: Path, mutate) -> Path:
    policy = yaml.safe_load((REPO / "config" / "policy.yaml").read_text(encoding="utf-8"))
    mutate(policy)
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(policy, allow_unicode=True), encoding="utf-8")
    return path


def test_bundled_policy_loads_into_the_replay_policy():
    policy = load_policy(REPO / "config" / "policy.yaml")
    assert dict(policy.protection_days) == {"A": 90, "B": 60, "C": 30, "D": 30}
    assert policy.idle_release_days == 30
    assert policy.extension == ExtensionRule(max_count=1, days=30, requires_approval=True)
    assert (policy.default_quota, dict(policy.category_caps)) == (50, {"D": 5})
    assert policy.templates["制造业"] == ("company_name", "contact_name", "phone")
    assert policy.templates["default"] == ("company_name",)
    assert (policy.cooldown_days, policy.daily_cap, policy.group_as_one_customer) == (7, None, False)
    assert policy.business_timezone == "Asia/Shanghai"


def test_an_empty_mapping_gives_the_documented_defaults(tmp_path):
    path = tmp_path / "policy.yaml"
    path.write_text("{}\n", encoding="utf-8")
    policy = load_policy(path)
    assert dict(policy.protection_days) == {"A": 90, "B": 60, "C": 30, "D": 30}
    assert (policy.idle_release_days, policy.cooldown_days, policy.default_quota) == (30, 7, 50)


def test_a_key_left_out_takes_the_default_the_replay_and_the_matching_declare(tmp_path):
    path = tmp_path / "policy.yaml"
    path.write_text("{}\n", encoding="utf-8")
    written = read_policy_file(path)
    assert written.ownership_policy() == OwnershipPolicy()
    assert written.link_policy() == LinkPolicy()


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda p: p["protection_days"].update({"E": 10}), "protection_days.E: Extra inputs are not permitted"),
        (lambda p: p["protection_days"].update({"A": -5}),
         "protection_days.A: Input should be greater than or equal to 1"),
        (lambda p: p.update({"protection_dayz": {}}), "protection_dayz: Extra inputs are not permitted"),
        (lambda p: p.update({"match_threshold": 0.9}), "match_threshold: Extra inputs are not permitted"),
        (lambda p: p["quota"]["per_category"].update({"F": 2}), "quota.per_category.F: Extra inputs"),
        (lambda p: p["quota"].update({"default": -1}), "quota.default: Input should be greater than or equal to 0"),
        (lambda p: p["extension"].update({"days": 0}), "extension.days: Input should be greater than or equal to 1"),
        (lambda p: p["extension"].update({"approval": True}), "extension.approval: Extra inputs"),
        (lambda p: p.update({"idle_release_days": "30"}), "idle_release_days: Input should be a valid integer"),
        (lambda p: p.update({"cooldown_days": -7}), "cooldown_days: Input should be greater than or equal to 0"),
        (lambda p: p.update({"daily_cap": 0}), "daily_cap: Input should be greater than or equal to 1"),
        (lambda p: p["templates"].pop("default"), "templates: a 'default' template is required"),
        (lambda p: p["templates"].update({"制造业": ["company_name", "fax"]}),
         "templates.制造业[1]: Input should be 'company_name'"),
        (lambda p: p.update({"business_timezone": "Asia/Beijing"}), "business_timezone: unknown time zone"),
        (lambda p: p.update({"group_as_one_customer": "yes"}),
         "group_as_one_customer: Input should be a valid boolean"),
    ],
)
def test_a_wrong_policy_is_rejected_naming_the_key(tmp_path, mutate, expected):
    with pytest.raises(PolicyError) as caught:
        load_policy(_write(tmp_path, mutate))
    assert str(caught.value).startswith("policy.yaml: ")
    assert expected in str(caught.value)


def test_a_policy_error_is_a_value_error_and_a_missing_file_is_named(tmp_path):
    with pytest.raises(ValueError, match=r"nowhere\.yaml: file not found"):
        load_policy(tmp_path / "nowhere.yaml")


def test_a_file_that_is_not_a_mapping_is_rejected(tmp_path):
    path = tmp_path / "policy.yaml"
    path.write_text("- A: 90\n", encoding="utf-8")
    with pytest.raises(PolicyError, match=r"policy\.yaml: expected a mapping at the top level"):
        load_policy(path)


def test_templates_may_name_exactly_the_fields_the_replay_checks():
    assert get_args(TemplateField) == TEMPLATE_FIELDS
