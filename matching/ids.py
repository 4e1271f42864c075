"""Stable customer ids: a customer keeps its id from night to night while claims are added.

Each of last night's customers has a *home* tonight: the cluster holding most of its claims
(ties: the cluster with its earliest claim). A cluster that is home to one old customer keeps
that id; home to several (a merge), it keeps the one with most claims there (ties: the older id)
and the others are recorded as merged into it. A cluster that is nobody's home gets a new id; if
it took claims from old customers, that is recorded as a split. Old ids left with no claim at all
are recorded as retired. New ids are issued in order of each cluster's first claim.
"""

from __future__ import annotations

import polars as pl

ID_PREFIX = "C"
ID_DIGITS = 7
_LINEAGE_SCHEMA = pl.Schema({
    "old_customer_id": pl.String, "new_customer_id": pl.String, "reason": pl.String, "claims_moved": pl.Int64,
})


def customer_number(customer_id: str) -> int:
    return int(customer_id[len(ID_PREFIX):])


def format_customer_id(number: int) -> str:
    return f"{ID_PREFIX}{number:0{ID_DIGITS}d}"


def customer_ids_assigned(
    clusters: pl.DataFrame, previous: pl.DataFrame, *, next_number: int
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(`claim_id`, `customer_id` per claim; lineage rows `old_customer_id`, `new_customer_id`,
    `reason` in merged / split / retired, `claims_moved`).

    `clusters`: `claim_id`, `cluster_key`, `submitted_at`. `previous`: last night's `claim_id`,
    `customer_id`. `next_number`: the first number never issued.
    """
    overlap = _overlap(clusters, previous)
    homes = _homes(overlap)
    kept = _kept_ids(homes)
    names = _cluster_ids(clusters, kept, next_number)
    claim_customer = clusters.join(names, on="cluster_key").select("claim_id", "customer_id").sort("claim_id")
    return claim_customer, _lineage(previous, overlap, homes, kept, names)


def _overlap(clusters: pl.DataFrame, previous: pl.DataFrame) -> pl.DataFrame:
    """Per tonight's cluster and last night's customer sharing claims: `n` claims in common, the
    `earliest` submission and the smallest claim id `c` among them."""
    return (
        clusters.join(previous, on="claim_id", how="inner")
        .group_by("cluster_key", "customer_id")
        .agg(pl.len().alias("n"), pl.col("submitted_at").min().alias("earliest"), pl.col("claim_id").min().alias("c"))
    )


def _homes(overlap: pl.DataFrame) -> pl.DataFrame:
    """Each old customer's home: the cluster holding most of its claims (ties: its earliest claim)."""
    return (
        overlap.sort(["customer_id", "n", "earliest", "c"], descending=[False, True, False, False])
        .group_by("customer_id", maintain_order=True)
        .first()
    )


def _kept_ids(homes: pl.DataFrame) -> pl.DataFrame:
    """Per cluster that is home to old customers: the id it keeps (most claims there, ties: the
    older id) as `kept_id`, and the others, merged into it, as `merged_ids`."""
    return (
        homes.with_columns(pl.col("customer_id").map_elements(customer_number, return_dtype=pl.Int64).alias("num"))
        .sort(["cluster_key", "n", "num"], descending=[False, True, False])
        .group_by("cluster_key", maintain_order=True)
        .agg(pl.col("customer_id").first().alias("kept_id"), pl.col("customer_id").slice(1).alias("merged_ids"))
    )


def _cluster_ids(clusters: pl.DataFrame, kept: pl.DataFrame, next_number: int) -> pl.DataFrame:
    """`cluster_key`, `customer_id` for every cluster: its kept id, else a new one, issued from
    `next_number` in order of the cluster's first claim."""
    firsts = clusters.group_by("cluster_key").agg(
        pl.col("submitted_at").min().alias("first_at"), pl.col("claim_id").min().alias("first_claim")
    )
    unnamed = (
        firsts.join(kept, on="cluster_key", how="anti")
        .sort("first_at", "first_claim", nulls_last=True)
        .with_row_index("offset")
        .select("cluster_key", (pl.col("offset").cast(pl.Int64) + next_number).alias("num"))
    )
    return pl.concat([
        kept.select("cluster_key", pl.col("kept_id").alias("customer_id")),
        unnamed.select("cluster_key",
                       pl.col("num").map_elements(format_customer_id, return_dtype=pl.String).alias("customer_id")),
    ])


def _lineage(previous: pl.DataFrame, overlap: pl.DataFrame, homes: pl.DataFrame, kept: pl.DataFrame,
             names: pl.DataFrame) -> pl.DataFrame:
    """The lineage rows: old ids merged into a kept one, claims split off to another customer
    (unless that customer is the one it merged into), and old ids left with no claim."""
    merged = kept.explode("merged_ids").drop_nulls("merged_ids").join(
        overlap, left_on=["cluster_key", "merged_ids"], right_on=["cluster_key", "customer_id"]
    ).select(
        pl.col("merged_ids").alias("old_customer_id"), pl.col("kept_id").alias("new_customer_id"),
        pl.lit("merged").alias("reason"), pl.col("n").cast(pl.Int64).alias("claims_moved"),
    )
    moved = overlap.join(homes.select("customer_id", pl.col("cluster_key").alias("home")), on="customer_id")
    split = (
        moved.filter(pl.col("cluster_key") != pl.col("home"))
        .join(names, on="cluster_key", suffix="_new")
        .filter(pl.col("customer_id") != pl.col("customer_id_new"))
        .join(merged.select("old_customer_id", "new_customer_id"),
              left_on=["customer_id", "customer_id_new"], right_on=["old_customer_id", "new_customer_id"], how="anti")
        .select(
            pl.col("customer_id").alias("old_customer_id"), pl.col("customer_id_new").alias("new_customer_id"),
            pl.lit("split").alias("reason"), pl.col("n").cast(pl.Int64).alias("claims_moved"),
        )
    )
    retired = (
        previous.select("customer_id").unique()
        .join(homes.select("customer_id"), on="customer_id", how="anti")
        .select(
            pl.col("customer_id").alias("old_customer_id"), pl.lit(None, dtype=pl.String).alias("new_customer_id"),
            pl.lit("retired").alias("reason"), pl.lit(0, dtype=pl.Int64).alias("claims_moved"),
        )
    )
    return pl.concat([merged, split, retired], how="vertical").cast(_LINEAGE_SCHEMA).sort(
        "old_customer_id", "new_customer_id", "reason", nulls_last=True
    )
