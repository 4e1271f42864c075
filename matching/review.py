"""What a person must decide tonight, and what the stated rules decide for them.

A pair needs a person only if its answer changes an outcome, and only once per two customers:
- candidates are pairs whose claims ended in two customers although something says they may be one:
  nearly agreeing names without corroboration (`review`), names that differ but whose phone,
  mail, site and contact make the model sure (`names_differ` at or above the match threshold,
  unless both are full registered names: two registered names that differ are two companies),
  and links the clustering held apart because the two customers' registered names or regions
  disagree (a link whose claims are in two customers);
- per two customers only the strongest pair is shown, with both customers' names and sizes;
- it changes an outcome when the two customers would be owned by different reps (their first
  claims are by different reps): joining them hands one rep's customer to another; otherwise
  nothing a rep sees changes, and the rule decides: they stay apart;
- the rest is ranked by impact (claims on both sides, then probability) and the queue is capped
  at `ReviewCapacity`; what the cap leaves out stays apart tonight and comes back tomorrow.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import polars as pl

from matching.match_model import MatchModel
from matching.positions import both_sides
from matching.scoring import level_weights, scoring_model

SIDE_BY_SIDE = ("company_name", "rep_id", "submitted_at", "contact_name", "phone", "email", "website", "credit_code")
QUEUE_OUTCOMES = ("queued", "apart_same_owner", "apart_over_capacity")
NAMES_SHOWN = 5


@dataclass(frozen=True)
class ReviewCapacity:
    """The nightly queue holds at most `max_items`, and at most `max_share` of the night's claims."""

    max_items: int = 200
    max_share: float = 0.01

    def items(self, claims: int) -> int:
        return min(self.max_items, max(1, math.ceil(self.max_share * claims)))


def _labels(model: MatchModel) -> dict[str, dict[int, str]]:
    return {
        name: {gamma: label or "other" for gamma, label in by_gamma.items()} | {-1: "missing on one side"}
        for name, by_gamma in model.level_labels().items()
    }


def level_combinations(pairs: pl.DataFrame, model: MatchModel) -> pl.DataFrame:
    """One row per distinct combination of levels among scored `pairs`: `gamma_*`, the levels' own
    match weights `mw_*` (not the term-frequency adjustments), their labels `level_*` and
    `evidence` (one line per comparison: label and weight). All follow from the levels alone:
    millions of pairs share a few thousand combinations."""
    labels = _labels(model)
    weights = {weight.meta.output_name(): weight for weight in level_weights(scoring_model(model))}
    combinations = pairs.select(f"gamma_{name}" for name in labels).unique().with_columns(
        weights[f"mw_{name}"] for name in labels)
    lines = [
        pl.format("{}: {} ({})", pl.lit(name), pl.col(f"level_{name}"), pl.col(f"mw_{name}").round(1))
        for name in labels
    ]
    return combinations.with_columns(
        pl.col(f"gamma_{name}").replace_strict(mapping, default="?", return_dtype=pl.String).alias(f"level_{name}")
        for name, mapping in labels.items()
    ).with_columns(pl.concat_list(lines).alias("evidence")).sort(f"gamma_{name}" for name in labels)


def pairs_with_evidence(pairs: pl.DataFrame, model: MatchModel) -> pl.DataFrame:
    """Adds `mw_<comparison>`, `level_<comparison>` and `evidence` (`level_combinations`) to
    scored pairs (their levels `gamma_*`), in their order."""
    combinations = level_combinations(pairs, model)
    keys = [c for c in combinations.columns if c.startswith("gamma_")]
    return pairs.join(combinations, on=keys, how="left", nulls_equal=True, maintain_order="left")


def review_candidates(classified: pl.DataFrame, claim_customer: pl.DataFrame, match_threshold: float) -> pl.DataFrame:
    """Pairs that may join two customers, one per customer pair (the strongest), with
    `customer_id_l/_r` and `pairs_between`."""
    may_join = (
        (pl.col("decision_basis") == "review")
        | ((pl.col("decision_basis") == "names_differ") & (pl.col("match_probability") >= match_threshold)
           & ~(pl.col("is_registered_name_l").fill_null(False) & pl.col("is_registered_name_r").fill_null(False)))
        | pl.col("is_link")
    )
    candidates = classified.filter(may_join)
    pairs = (
        candidates.hstack(both_sides(candidates, claim_customer, ["customer_id"]))
        .filter(pl.col("customer_id_l") != pl.col("customer_id_r"))
        .with_columns(
            pl.when(pl.col("is_link")).then(pl.lit("held_apart_by_names")).otherwise("decision_basis").alias("decision_basis"),
            pl.min_horizontal("customer_id_l", "customer_id_r").alias("_c1"),
            pl.max_horizontal("customer_id_l", "customer_id_r").alias("_c2"),
        )
    )
    return (
        pairs.sort(["match_probability", "claim_id_l", "claim_id_r"], descending=[True, False, False])
        .with_columns(pl.len().over("_c1", "_c2").alias("pairs_between"))
        .unique(["_c1", "_c2"], keep="first", maintain_order=True)
        .drop("_c1", "_c2")
    )


def _customer_profiles(claims: pl.DataFrame, claim_customer: pl.DataFrame) -> pl.DataFrame:
    """Per customer: claim count, the rep of its first claim, and its most used names."""
    joined = claims.select("claim_id", "company_name", "rep_id", "submitted_at").join(
        claim_customer.select("claim_id", "customer_id"), on="claim_id")
    names = (joined.group_by("customer_id", "company_name").len()
             .sort(["len", "company_name"], descending=[True, False])
             .group_by("customer_id", maintain_order=True).agg(pl.col("company_name").head(NAMES_SHOWN).alias("names")))
    first = (joined.sort("submitted_at", "claim_id").group_by("customer_id", maintain_order=True)
             .agg(pl.len().alias("claims"), pl.col("rep_id").first().alias("first_rep")))
    return first.join(names, on="customer_id", how="left")


def review_queue(
    candidates: pl.DataFrame, claims: pl.DataFrame, claim_customer: pl.DataFrame, decided: pl.DataFrame,
    capacity: ReviewCapacity,
) -> tuple[pl.DataFrame, dict[str, int]]:
    """(the queue: one row per customer pair awaiting a person, most impact first, capped, with
    both claims side by side and both customers' sizes and names; counts per QUEUE_OUTCOMES)."""
    waiting = candidates.join(
        decided.select(pl.col("pair_l").alias("claim_id_l"), pl.col("pair_r").alias("claim_id_r")),
        on=["claim_id_l", "claim_id_r"], how="anti",
    )
    involved = pl.concat([waiting["customer_id_l"], waiting["customer_id_r"]]).unique().implode()
    profiles = _customer_profiles(claims, claim_customer.filter(pl.col("customer_id").is_in(involved)))
    for side in ("l", "r"):
        waiting = waiting.join(profiles.rename({c: f"{c}_{side}" for c in profiles.columns}),
                               on=f"customer_id_{side}", how="left")
    changes_owner = pl.col("first_rep_l") != pl.col("first_rep_r")
    ranked = waiting.filter(changes_owner).with_columns((pl.col("claims_l") + pl.col("claims_r")).alias("impact")).sort(
        ["impact", "match_probability", "claim_id_l", "claim_id_r"], descending=[True, True, False, False])
    limit = capacity.items(claims.height)
    queue = ranked.head(limit).with_row_index("rank", offset=1)
    counts = {"queued": queue.height, "apart_same_owner": waiting.height - ranked.height,
              "apart_over_capacity": max(ranked.height - limit, 0)}
    details = claims.select("claim_id", *SIDE_BY_SIDE)
    for side in ("l", "r"):
        queue = queue.join(details.rename({c: f"{c}_{side}" for c in details.columns}), on=f"claim_id_{side}",
                           how="left")
    columns = ["rank", "impact", "claim_id_l", "claim_id_r", "match_probability", "decision_basis", "evidence",
               "pairs_between"]
    for field in ("customer_id", "claims", "names", "first_rep", *SIDE_BY_SIDE):
        columns += [f"{field}_l", f"{field}_r"]
    queue = (
        queue.select(columns)
        .with_columns(pl.format("{}|{}", "claim_id_l", "claim_id_r").alias("review_id"))
        .select("review_id", *columns)
    )
    return queue, counts
