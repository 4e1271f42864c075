"""From scored pairs to the links that make customers, and the pairs a person should review.

Rules sit on top of the model's probability, each written for a reviewer to defend:
- *sure links*: the same valid credit code, or the same full registered name (with its legal
  form), are the same legal entity whatever else differs;
- *different credit codes*: two different valid codes are two legal entities, never linked by
  the model (only a reviewer's `same` can join them);
- *sister-company guard*: the same trade name with another industry word (光华医药 / 光华网络科技)
  is a different legal entity of one group unless credit code or phone agree, because group
  companies share web and mail domains; policy can count a group as one customer instead;
- everything else links at `match_threshold`; pairs from `review_floor` up to it, and guarded
  pairs, go to the review queue.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

SISTER_LEVEL = "same trade name, other industry word"
FULL_NAME_LEVEL = "full name identical"
# a shared valid credit code or full registered name is a sure link, so pairs sharing either are
# scored whatever their probability (two claims of one full name with other phones and contacts
# can score below the review floor, and were then never linked)
SURE_LINK_BLOCKS = ("credit_code_norm", "name_norm")


@dataclass(frozen=True)
class LinkPolicy:
    match_threshold: float = 0.8
    review_floor: float = 0.5
    group_counts_as_one_customer: bool = False


def level_value(model: dict, comparison: str, label: str) -> int:
    """The gamma value Splink gives a comparison level, found by its chart label."""
    for spec in model["comparisons"]:
        if spec["output_column_name"] != comparison:
            continue
        levels = [lvl for lvl in spec["comparison_levels"] if not lvl.get("is_null_level")]
        for position, level in enumerate(levels):
            if level.get("label_for_charts") == label:
                return len(levels) - 1 - position
    raise KeyError(f"model has no level {label!r} in comparison {comparison!r}")


def sure_link_sql(model: dict) -> str:
    """The sure-link rule as SQL on Splink's output, so such pairs are kept whatever their score."""
    full_name = level_value(model, "company_name", FULL_NAME_LEVEL)
    return (
        "gamma_credit_code_norm = 1 or "
        f"(gamma_company_name = {full_name} and legal_form_l is not null)"
    )


def pairs_classified(pairs: pl.DataFrame, model: dict, policy: LinkPolicy) -> pl.DataFrame:
    """Every scored pair with `decision_basis` (sure_link / credit_codes_differ / model_link /
    sister_guard / review / below) and `is_link` (whether it joins two claims into one customer)."""
    same_code = pl.col("gamma_credit_code_norm") == 1
    codes_differ = pl.col("gamma_credit_code_norm") == 0
    full_name = (pl.col("gamma_company_name") == level_value(model, "company_name", FULL_NAME_LEVEL)) & (
        pl.col("legal_form_l").is_not_null()
    )
    sister = (
        (pl.col("gamma_company_name") == level_value(model, "company_name", SISTER_LEVEL))
        & ~same_code & (pl.col("gamma_phone") != 1)
        & pl.lit(not policy.group_counts_as_one_customer)
    )
    probability = pl.col("match_probability")
    basis = (
        pl.when(same_code | full_name).then(pl.lit("sure_link"))
        .when(codes_differ).then(pl.lit("credit_codes_differ"))
        .when(probability < policy.review_floor).then(pl.lit("below"))
        .when(sister).then(pl.lit("sister_guard"))
        .when(probability >= policy.match_threshold).then(pl.lit("model_link"))
        .otherwise(pl.lit("review"))
    )
    return pairs.with_columns(basis.alias("decision_basis")).with_columns(
        pl.col("decision_basis").is_in(["sure_link", "model_link"]).alias("is_link")
    )
