"""Clustering quality against known truth: pairwise and B-cubed precision, recall and F1."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import polars as pl


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float

    @staticmethod
    def of(precision: float, recall: float) -> Scores:
        f1 = 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)
        return Scores(precision, recall, f1)


def _joined(predicted: pl.DataFrame, truth: pl.DataFrame) -> pl.DataFrame:
    """`claim_id`, `cluster` (predicted), `entity` (true), for claims present in both."""
    return predicted.select("claim_id", pl.col("cluster").cast(pl.String)).join(
        truth.select("claim_id", pl.col("entity").cast(pl.String)), on="claim_id", how="inner"
    )


def pairwise_scores(predicted: pl.DataFrame, truth: pl.DataFrame) -> Scores:
    """Precision / recall over all same-cluster pairs (counted from cluster sizes, not listed)."""
    joined = _joined(predicted, truth)

    def pairs(keys: list[str]) -> int:
        sizes = joined.group_by(keys).len()["len"]
        return int((sizes * (sizes - 1) // 2).sum())

    both, predicted_pairs, true_pairs = pairs(["cluster", "entity"]), pairs(["cluster"]), pairs(["entity"])
    precision = both / predicted_pairs if predicted_pairs else 1.0
    recall = both / true_pairs if true_pairs else 1.0
    return Scores.of(precision, recall)


def bcubed_scores(predicted: pl.DataFrame, truth: pl.DataFrame, *, only: pl.Series | None = None) -> Scores:
    """B-cubed: per claim, the share of its cluster that is truly its entity (precision) and the
    share of its entity found in its cluster (recall), averaged over claims (or over `only`)."""
    joined = _joined(predicted, truth)
    per_claim = joined.with_columns(
        pl.len().over("cluster", "entity").alias("overlap"),
        pl.len().over("cluster").alias("cluster_size"),
        pl.len().over("entity").alias("entity_size"),
    )
    if only is not None:
        per_claim = per_claim.filter(pl.col("claim_id").is_in(only.implode()))
    if per_claim.is_empty():
        return Scores.of(1.0, 1.0)
    # the mean of a non-empty float column is a float (polars types a mean as any scalar or None)
    precision = cast(float, (per_claim["overlap"] / per_claim["cluster_size"]).mean())
    recall = cast(float, (per_claim["overlap"] / per_claim["entity_size"]).mean())
    return Scores.of(float(precision), float(recall))
