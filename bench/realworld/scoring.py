"""Scores a published warehouse against the batch's labels: clustering quality overall, on hard
claims and per phenomenon, beside two name baselines; what ingest refused; where it goes wrong.

Only valid claims that were accepted are scored for clustering; refusals are counted apart, so a
claim lost at ingest never hides inside a recall figure.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from matching.evaluation import Scores, bcubed_scores, pairwise_scores

PHENOMENA = ("full_name", "exact", "traditional", "brackets", "legal_form", "region", "spaces", "short_name",
             "former_name", "english_name", "typo", "homophone_other", "group_family", "same_name_other_city",
             "shared_mobile", "key_account", "sme", "annotated_phone")


def read_warehouse(path: Path) -> dict[str, pl.DataFrame]:
    """The tables the evaluation needs, read through a read-only connection."""
    with duckdb.connect(str(path), read_only=True) as con:
        return {
            "claims": con.sql("select claim_id, company_name, name_norm from claims").pl(),
            "predicted": con.sql("select claim_id, customer_id as cluster from claim_customer").pl(),
            "quarantine": con.sql("select claim_id, failed_checks, phone from quarantine").pl(),
            "review_queue": con.sql("select count(*) as n from review_queue").pl(),
        }


def _scores(s: Scores) -> dict[str, float]:
    return {"P": round(s.precision, 4), "R": round(s.recall, 4), "F1": round(s.f1, 4)}


def _method(predicted: pl.DataFrame, truth: pl.DataFrame, hard: pl.Series) -> dict[str, dict[str, float]]:
    return {"pairwise": _scores(pairwise_scores(predicted, truth)), "bcubed": _scores(bcubed_scores(predicted, truth)),
            "bcubed_hard": _scores(bcubed_scores(predicted, truth, only=hard))}


def evaluate(tables: dict[str, pl.DataFrame], labels: pl.DataFrame) -> dict:
    """Every figure of the report, as plain JSON-able data."""
    claims, quarantine = tables["claims"], tables["quarantine"]
    accepted = labels.filter(pl.col("claim_id").is_in(claims["claim_id"].implode()))
    valid = labels.filter(pl.col("is_valid"))
    truth = accepted.filter(pl.col("is_valid"))
    hard = truth.filter(pl.col("is_hard"))["claim_id"]
    methods = {
        "splink model (published)": tables["predicted"],
        "exact raw name": claims.select("claim_id", pl.col("company_name").alias("cluster")),
        "exact name_norm": claims.select("claim_id", pl.col("name_norm").alias("cluster")),
    }
    tags = truth.with_columns(pl.col("tags").str.split("|"))
    per_phenomenon = []
    for tag in PHENOMENA:
        only = tags.filter(pl.col("tags").list.contains(tag))["claim_id"]
        if only.len():
            per_phenomenon.append({
                "phenomenon": tag, "claims": only.len(),
                "model": _scores(bcubed_scores(methods["splink model (published)"], truth, only=only)),
                "name_norm_F1": round(bcubed_scores(methods["exact name_norm"], truth, only=only).f1, 4),
            })
    return {
        "claims": labels.height, "valid_claims": valid.height, "accepted_claims": claims.height,
        "scored_claims": truth.height, "hard_claims": hard.len(), "true_companies": truth["entity"].n_unique(),
        "methods": {name: _method(p, truth, hard) for name, p in methods.items()},
        "per_phenomenon": per_phenomenon,
        "ingest": _ingest(valid, labels, claims, quarantine),
        "review_queue": {"pairs": int(tables["review_queue"]["n"][0]),
                         "pct_of_accepted": round(100 * int(tables["review_queue"]["n"][0])
                                                  / max(1, claims.height), 2)},
        "mixed_clusters": _mixed_clusters(tables["predicted"], truth),
        "false_merges": _false_merges(tables["predicted"], truth),
        "split_entities": _split_entities(tables["predicted"], truth),
    }


def _ingest(valid: pl.DataFrame, labels: pl.DataFrame, claims: pl.DataFrame, quarantine: pl.DataFrame) -> dict:
    """Valid claims refused (by check and by phenomenon), lost claims, hostile names accepted."""
    refused = valid.join(quarantine, on="claim_id", how="inner")
    missing = valid.filter(~pl.col("claim_id").is_in(claims["claim_id"].implode())
                           & ~pl.col("claim_id").is_in(quarantine["claim_id"].implode()))
    hostile = labels.filter(pl.col("phenomenon") == "hostile_name")
    by_reason = refused.explode("failed_checks").group_by("failed_checks").len().sort("len", descending=True)
    by_tag = (refused.with_columns(pl.col("tags").str.split("|")).explode("tags")
              .group_by("tags").len().sort("len", descending=True))
    annotated = refused.filter(pl.col("tags").str.contains("annotated_phone"))
    return {
        "valid_refused": refused["claim_id"].n_unique(),
        "valid_refused_by_reason": dict(zip(by_reason["failed_checks"], by_reason["len"], strict=True)),
        "valid_refused_by_tag": dict(zip(by_tag["tags"], by_tag["len"], strict=True)),
        "valid_lost": missing.height,
        "hostile_accepted": int(hostile["claim_id"].is_in(claims["claim_id"].implode()).sum()),
        "hostile_total": hostile.height,
        "annotated_phone_total": valid.filter(pl.col("tags").str.contains("annotated_phone")).height,
        "annotated_phone_refused": annotated["claim_id"].n_unique(),
        "refused_phone_examples": annotated["phone"].unique(maintain_order=True).head(8).to_list(),
    }


def _entity_counts(predicted: pl.DataFrame, truth: pl.DataFrame) -> pl.DataFrame:
    """One row per (cluster, entity) with its claims."""
    return (predicted.join(truth.select("claim_id", "entity", "entity_name", "group_key", "phenomenon"), on="claim_id")
            .group_by("cluster", "entity", "entity_name", "group_key")
            .agg(pl.len().alias("n"), pl.col("phenomenon").mode().first()))


def _mixed_clusters(predicted: pl.DataFrame, truth: pl.DataFrame, top: int = 10) -> list[dict]:
    """Predicted clusters holding the most true companies."""
    counts = _entity_counts(predicted, truth)
    clusters = (counts.sort("n", descending=True).group_by("cluster", maintain_order=True)
                .agg(pl.len().alias("entities"), pl.col("n").sum().alias("claims"),
                     pl.format("{}×{}", "entity_name", "n").head(6).alias("biggest"))
                .filter(pl.col("entities") > 1)
                .sort(["entities", "claims", "cluster"], descending=[True, True, False]).head(top))
    return clusters.with_columns(pl.col("biggest").list.join(", ")).to_dicts()


def _false_merges(predicted: pl.DataFrame, truth: pl.DataFrame, top: int = 10) -> list[dict]:
    """Pairs of different true companies put together, by wrongly linked claim pairs."""
    counts = _entity_counts(predicted, truth)
    pairs = (counts.join(counts, on="cluster", suffix="_b").filter(pl.col("entity") < pl.col("entity_b"))
             .group_by("entity", "entity_b")
             .agg(pl.col("entity_name").first(), pl.col("entity_name_b").first(), pl.col("phenomenon").first(),
                  pl.col("phenomenon_b").first(),
                  (pl.col("group_key") == pl.col("group_key_b")).first().alias("same_group"),
                  (pl.col("n") * pl.col("n_b")).sum().alias("wrong_pairs"))
             .sort(["wrong_pairs", "entity", "entity_b"], descending=[True, False, False]).head(top))
    return pairs.with_columns(pl.col("same_group").fill_null(False)).to_dicts()


def _split_entities(predicted: pl.DataFrame, truth: pl.DataFrame, top: int = 10) -> list[dict]:
    """True companies spread over the most predicted clusters."""
    counts = _entity_counts(predicted, truth)
    return (counts.group_by("entity", "entity_name")
            .agg(pl.len().alias("clusters"), pl.col("n").sum().alias("claims"), pl.col("n").max().alias("largest_part"))
            .filter(pl.col("clusters") > 1)
            .sort(["clusters", "claims", "entity"], descending=[True, True, False]).head(top).to_dicts())
