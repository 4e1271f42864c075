import polars as pl
from polars.testing import assert_frame_equal

from tests.transforms.ownership.builders import claim, run
from transforms.ownership import OwnershipPolicy, compare_policies

CLAIMS = [claim("c1", "X", "r1", 0), claim("c2", "Y", "r1", 1), claim("c3", "Y", "r2", 2),
          claim("c4", "Z", "r1", 3), claim("c5", "W", "r2", 50)]


def test_two_policies_side_by_side():
    tight = run(CLAIMS, quotas={"r1": 1, "r2": None}, as_of_day=10)
    loose = run(CLAIMS, quotas={"r1": None, "r2": None}, as_of_day=10,
                policy=OwnershipPolicy(idle_release_days=None, default_quota=3))
    expected = pl.DataFrame({
        "metric": ["conflicts", "over_quota_rejections", "customers_protected",
                   "customers_in_public_pool"],
        "metric_zh": ["撞单", "超名额被拒", "保护中的客户", "公海客户"],
        "policy_a": [0, 2, 2, 1],
        "policy_b": [1, 0, 3, 0],
        "difference": [1, -2, 1, -1],
    })
    assert_frame_equal(compare_policies(tight, loose), expected)
