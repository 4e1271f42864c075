"""Reviewer decisions on claims → clustering constraints.

A decision row is (`decision_id`, `kind`, `claim_id_a`, `claim_id_b`, `decision`, `reviewer`,
`decided_at`, `note`). Matching reads kinds `pair` and `claim`:
- pair, same / different: the two claims are (not) the same customer;
- claim, different (no claim_id_b): the claim is a customer of its own.
When the same pair is decided twice, the later decision stands (ties: the larger decision_id).
"""

from __future__ import annotations

import polars as pl

from matching.clustering import Constraints

MATCHING_KINDS = ("pair", "claim")


def decisions_latest(decisions: pl.DataFrame) -> pl.DataFrame:
    """One row per decided pair or claim: the latest decision on it."""
    ordered = decisions.filter(pl.col("kind").is_in(MATCHING_KINDS)).with_columns(
        pl.min_horizontal("claim_id_a", "claim_id_b").alias("pair_l"),
        pl.when(pl.col("claim_id_b").is_null()).then(None)
        .otherwise(pl.max_horizontal("claim_id_a", "claim_id_b")).alias("pair_r"),
    ).with_columns(pl.coalesce("pair_l", "claim_id_a").alias("pair_l"))
    return (
        ordered.sort("decided_at", "decision_id")
        .group_by("kind", "pair_l", "pair_r", maintain_order=True)
        .last()
        .sort("decision_id")
    )


def constraints_from_decisions(decisions: pl.DataFrame) -> Constraints:
    latest = decisions_latest(decisions)
    pairs = latest.filter(pl.col("pair_r").is_not_null())
    same = pairs.filter(pl.col("decision") == "same").select("pair_l", "pair_r").rows()
    different = pairs.filter(pl.col("decision") == "different").select("pair_l", "pair_r").rows()
    alone = latest.filter(
        (pl.col("kind") == "claim") & pl.col("pair_r").is_null() & (pl.col("decision") == "different")
    )["pair_l"].to_list()
    return Constraints(must_link=tuple(same), cannot_link=tuple(different), isolated=tuple(alone))
