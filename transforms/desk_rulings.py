"""What people decided on the screens, laid over the side files, so that a night reads a desk
decision exactly as it reads a row of decisions.csv, appeals.csv or extensions.csv.

- pair answers same / different become decision rows (skip is only seen, not decided);
- an appeal takes the desk's latest ruling when the file has none or an earlier one, and the
  ruling is one its kind takes (a ruling left behind by a kind corrected since is ignored);
- an extension request the file leaves awaiting takes the desk's latest approval or refusal (a
  ruling written into extensions.csv afterwards stands).

Rulings arrive in the order they were given (the desk's sequence): the last one per key stands.
"""

from __future__ import annotations

import polars as pl

from transforms.schema import APPEAL_DECISIONS, DECISION_COLUMNS


def decisions_from_desk(desk: pl.DataFrame) -> pl.DataFrame:
    """The desk's pair answers as decision rows (DECISION_COLUMNS)."""
    return desk.filter(pl.col("decision") != "skip").select(DECISION_COLUMNS)


def _latest(rulings: pl.DataFrame, key: str) -> pl.DataFrame:
    return rulings.group_by(key, maintain_order=True).last()


def appeals_with_rulings(appeals: pl.DataFrame, rulings: pl.DataFrame) -> pl.DataFrame:
    """`appeals` with each appeal's latest desk ruling in place of the file's, where the file has no
    ruling or an earlier one. Rulings on appeals no longer in the file are left out."""
    latest = _latest(rulings, "appeal_id").select(
        "appeal_id", pl.col("decision").alias("_decision"), pl.col("reviewer").alias("_reviewer"),
        pl.col("decided_at").alias("_decided_at"), pl.col("note").alias("_note"))
    joined = appeals.join(latest, on="appeal_id", how="left", maintain_order="left")
    fits_kind = pl.lit(False)
    for kind, rulings_taken in APPEAL_DECISIONS.items():
        fits_kind = fits_kind | ((pl.col("kind") == kind) & pl.col("_decision").is_in(rulings_taken))
    desk_wins = fits_kind & (
        pl.col("decided_at").is_null() | (pl.col("_decided_at") > pl.col("decided_at")))
    return joined.with_columns(
        pl.when(desk_wins).then(pl.col(f"_{desk}")).otherwise(pl.col(file)).alias(file)
        for desk, file in (("decision", "decision"), ("reviewer", "reviewer"), ("decided_at", "decided_at"),
                           ("note", "decision_note"))
    ).select(appeals.columns)


def extensions_with_rulings(extensions: pl.DataFrame, rulings: pl.DataFrame) -> pl.DataFrame:
    """`extensions` with each awaiting request's latest desk approval or refusal."""
    latest = _latest(rulings, "request_id").select(
        "request_id", pl.col("approved").alias("_approved"), pl.col("approver").alias("_approver"))
    joined = extensions.join(latest, on="request_id", how="left", maintain_order="left")
    ruled = pl.col("_approved").is_not_null() & pl.col("approved").is_null()
    return joined.with_columns(
        pl.when(ruled).then(pl.col("_approved")).otherwise(pl.col("approved")).alias("approved"),
        pl.when(ruled).then(pl.col("_approver")).otherwise(pl.col("approver")).alias("approver"),
    ).select(extensions.columns)
