"""Evidence a reviewer reads: each comparison's level and weight, and both claims side by side."""

from __future__ import annotations

import polars as pl

# the decision bases whose pairs wait for a person (matching.links.pairs_classified)
REVIEW_BASES = ("review", "sister_guard")
SIDE_BY_SIDE = ("company_name", "rep_id", "submitted_at", "contact_name", "phone", "email", "website", "credit_code")


def _labels(model: dict) -> dict[str, dict[int, str]]:
    labels = {}
    for spec in model["comparisons"]:
        levels = [lvl for lvl in spec["comparison_levels"] if not lvl.get("is_null_level")]
        by_gamma = {len(levels) - 1 - i: lvl.get("label_for_charts") or "other" for i, lvl in enumerate(levels)}
        labels[spec["output_column_name"]] = by_gamma | {-1: "missing on one side"}
    return labels


def pairs_with_evidence(pairs: pl.DataFrame, model: dict) -> pl.DataFrame:
    """Adds `level_<comparison>` (the level's label) and `evidence` (one line per comparison:
    label and match weight, strongest first) to scored pairs."""
    labels = _labels(model)
    named = pairs.with_columns(
        pl.col(f"gamma_{name}").replace_strict(mapping, default="?", return_dtype=pl.String).alias(f"level_{name}")
        for name, mapping in labels.items()
    )
    lines = [
        pl.format("{}: {} ({})", pl.lit(name), pl.col(f"level_{name}"), pl.col(f"mw_{name}").round(1))
        for name in labels
    ]
    return named.with_columns(pl.concat_list(lines).alias("evidence"))


def review_queue(
    classified: pl.DataFrame, claims: pl.DataFrame, claim_customer: pl.DataFrame, decided: pl.DataFrame
) -> pl.DataFrame:
    """One row per pair awaiting a person: in the review band or held by the sister guard, not yet
    decided; both claims' details and current customer ids side by side."""
    waiting = classified.filter(pl.col("decision_basis").is_in(REVIEW_BASES)).select(
        "claim_id_l", "claim_id_r", "match_probability", "decision_basis", "evidence"
    ).join(
        decided.select(pl.col("pair_l").alias("claim_id_l"), pl.col("pair_r").alias("claim_id_r")),
        on=["claim_id_l", "claim_id_r"], how="anti",
    )
    details = claims.select("claim_id", *SIDE_BY_SIDE).join(claim_customer, on="claim_id")
    for side in ("l", "r"):
        waiting = waiting.join(
            details.rename({c: f"{c}_{side}" for c in details.columns}), on=f"claim_id_{side}", how="left"
        )
    columns = ["claim_id_l", "claim_id_r", "match_probability", "decision_basis", "evidence"]
    for field in ("customer_id", *SIDE_BY_SIDE):
        columns += [f"{field}_l", f"{field}_r"]
    return (
        waiting.select(columns)
        .with_columns(pl.format("{}|{}", "claim_id_l", "claim_id_r").alias("review_id"))
        .select("review_id", *columns)
        .sort("match_probability", "review_id", descending=[True, False])
    )
