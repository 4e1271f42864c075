"""A big night replays in a process of its own: the same outcomes as on a thread, with the policy
(mappings and all) carried across."""

import pickle

import polars as pl
from polars.testing import assert_frame_equal

from flows.background import in_background, in_process
from tests.transforms.ownership.builders import at, claim, followup, frame, roster
from transforms.ownership import ExtensionRule, OwnershipPolicy
from transforms.ownership.replay import replay_with_customers


def test_a_policy_pickles_with_its_mappings_frozen_again():
    policy = OwnershipPolicy(protection_days={"A": 90, "B": 60, "C": 20, "D": 10}, category_caps={"A": 2},
                             daily_cap=3, extension=ExtensionRule(max_count=2, days=15))
    copy = pickle.loads(pickle.dumps(policy))
    assert copy == policy and copy.category_caps == {"A": 2}
    assert type(copy.protection_days) is type(policy.protection_days)  # still read-only


def test_the_replay_in_a_process_gives_what_it_gives_on_a_thread():
    rows = [claim("c1", "X", "r1", 0), claim("c2", "X", "r2", 1), claim("c3", "Y", "r2", 2, "A"),
            claim("c4", "Y", "r1", 40), claim("c5", "Z", "r3", 3)]
    claims = frame("claims", rows)
    customers = claims.select("claim_id", "customer_id")
    args = (claims.drop("customer_id"), customers, frame("followups", [followup("f1", "c1", "r1", 20)]),
            frame("extensions", []), frame("decisions", []), roster({"r1": None, "r2": 1, "r3": None}),
            OwnershipPolicy(idle_release_days=None, category_caps={"A": 1}), at(60))
    here, there = (start(replay_with_customers, *args).result(timeout=120) for start in (in_background, in_process))
    for name in ("claim_outcomes", "ownership_history", "ownership_current", "quota_usage", "extension_outcomes"):
        assert_frame_equal(getattr(here, name), getattr(there, name))
    assert there.claim_outcomes.filter(pl.col("claim_id") == "c2")["outcome"].item() == "conflict"
