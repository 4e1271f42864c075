"""Policy simulation: two replays of the same events under two policies, side by side."""

from __future__ import annotations

import polars as pl

from transforms.ownership.replay import OwnershipResult

METRICS: tuple[tuple[str, str], ...] = (
    ("conflicts", "撞单"),
    ("over_quota_rejections", "超名额被拒"),
    ("customers_protected", "保护中的客户"),
    ("customers_in_public_pool", "公海客户"),
)


def _figures(result: OwnershipResult) -> list[int]:
    outcomes = result.claim_outcomes
    protected = result.ownership_current["customer_id"].n_unique()
    return [
        outcomes.filter(pl.col("outcome") == "conflict").height,
        outcomes.filter(pl.col("outcome") == "over_quota").height,
        protected,
        outcomes["customer_id"].n_unique() - protected,
    ]


def compare_policies(result_a: OwnershipResult, result_b: OwnershipResult) -> pl.DataFrame:
    """One row per metric: its value under policy a and b and the change b - a (as-of figures)."""
    a, b = _figures(result_a), _figures(result_b)
    return pl.DataFrame(
        {"metric": [m for m, _ in METRICS], "metric_zh": [z for _, z in METRICS],
         "policy_a": a, "policy_b": b, "difference": [y - x for x, y in zip(a, b, strict=True)]},
        schema={"metric": pl.String, "metric_zh": pl.String, "policy_a": pl.Int64,
                "policy_b": pl.Int64, "difference": pl.Int64},
    )
