"""A prospect looked up against the known customers: pairs in, one answer per customer out.

The query is scored against candidate claims like any claim; the nightly rules
(`matching.links.pairs_classified`) then say what each pair means, and a customer takes the
verdict of its strongest pair. No contact detail of any customer leaves this module: the
answer names the customer, its owner, team and protection, and the kinds of evidence that agreed.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from matching.scoring import ScoringModel

# decision basis of the nightly rules -> the verdict a rep reads, strongest first
VERDICTS = {
    "sure_link": ("sure", "确定是同一客户（信用代码或完整名称相同）"),
    "name_link": ("likely", "很可能是同一客户"),
    "corroborated_link": ("likely", "很可能是同一客户"),
    "slip_link": ("likely", "很可能是同一客户"),
    "group_link": ("likely", "很可能是同一客户"),
    "review": ("possible", "可能是同一客户，需人工确认"),
    "sister": ("related", "关联公司（同一集团的不同主体），不是同一客户"),
    "credit_codes_differ": ("different_entity", "信用代码不同，是不同的法人"),
    "other_region": ("different_entity", "同名但地区不同，是不同的公司"),
    "below": ("weak", "有些相似，证据不足"),
    # names that differ, only a phone, mail or site in common: the weakest of all
    "names_differ": ("weak", "有些相似，证据不足"),
}
SAME_CUSTOMER = ("sure", "likely", "possible", "weak")
RELATED = ("related", "different_entity")
# weak pairs below this probability are noise, not worth a rep's attention
WEAK_FLOOR = 0.01


def query_pairs(queries: pl.DataFrame, candidates: pl.DataFrame) -> pl.DataFrame:
    """Each query paired with each of its candidates (whose `query_id` is the query's claim_id),
    query columns suffixed _l and candidate columns _r, in the candidates' order."""
    left = queries.rename({c: f"{c}_l" for c in queries.columns})
    right = candidates.rename({c: f"{c}_r" for c in candidates.columns})
    pairs = right.join(left, left_on="query_id_r", right_on="claim_id_l", how="inner", maintain_order="left",
                       coalesce=False)
    return pairs.select(*left.columns, *(c for c in right.columns if c != "query_id_r"))


def customers_answered(
    classified: pl.DataFrame, customers: pl.DataFrame, model: ScoringModel, *, review_floor: float
) -> pl.DataFrame:
    """One row per query (`query_id`, the query's claim_id_l) and candidate customer, each query's
    strongest verdict first: verdict, probability, display name, owner, team, protection end and
    idle release (null owner: public pool), and the strongest pair's gamma_* / mw_* columns, from
    which `agreed` tells the evidence that counted. A `review` pair below `review_floor` is only
    weak evidence.

    classified: scored pairs with `decision_basis`, the query's `claim_id_l`, `claim_id_r`, the
    candidate's `customer_id_r` and `region_pinyin_r`; customers: customer_id, display_name,
    owner_rep_id, owner_name, team, protection_end, idle_release_at (null owner: public pool).
    """
    floored = (
        pl.when((pl.col("decision_basis") == "review") & (pl.col("match_probability") < review_floor))
        .then(pl.lit("below")).otherwise(pl.col("decision_basis")).alias("decision_basis")
    )
    rank = {b: len(VERDICTS) - i for i, b in enumerate(VERDICTS)}
    verdict = pl.col("decision_basis").replace_strict({b: v[0] for b, v in VERDICTS.items()})
    best = (
        classified.with_columns(floored)
        .rename({"customer_id_r": "customer_id"})
        .with_columns(pl.col("decision_basis").replace_strict(rank).alias("_rank"), verdict.alias("verdict"))
        .filter((pl.col("verdict") != "weak") | (pl.col("match_probability") >= WEAK_FLOOR))
        .with_columns(_region_named().alias("_region_named"))
        .sort(["claim_id_l", "_rank", "match_probability", "_region_named", "claim_id_r"],
              descending=[False, True, True, True, False])
        .unique(["claim_id_l", "customer_id"], keep="first", maintain_order=True)
    )
    return (
        best.with_columns(
            pl.col("decision_basis").replace_strict({b: v[1] for b, v in VERDICTS.items()}).alias("verdict_zh"),
        )
        # filtering first: a join would hash every known customer on each lookup
        .join(customers.filter(pl.col("customer_id").is_in(best["customer_id"].implode())), on="customer_id",
              how="left", maintain_order="left")
        .select(
            pl.col("claim_id_l").alias("query_id"), "customer_id", "verdict", "verdict_zh",
            pl.col("match_probability").alias("probability"),
            "match_weight", "display_name", "owner_rep_id", "owner_name", "team", "protection_end",
            "idle_release_at", *(f"gamma_{c.name}" for c in model.comparisons),
            *(f"mw_{c.name}" for c in model.comparisons), *_tf_columns(best, model),
        )
    )


def _region_named() -> pl.Expr:
    """Whether a name in Latin letters spells the candidate's region ("Chengdu Bokun …" and a
    claim in 成都). The model has no region evidence for such names, so many homophone companies
    tie; this only orders pairs whose verdict and probability are equal."""
    if_latin = pl.col("is_latin_name_l").fill_null(False) & pl.col("region_pinyin_r").is_not_null()
    return (if_latin & pl.col("core_name_l").str.contains(pl.col("region_pinyin_r"), literal=True)).fill_null(False)


def _tf_columns(pairs: pl.DataFrame, model: ScoringModel) -> list[str]:
    return [f"mw_tf_adj_{c.name}" for c in model.comparisons if f"mw_tf_adj_{c.name}" in pairs.columns]


def agreed(pair: dict[str, Any], model: ScoringModel) -> list[dict[str, str]]:
    """The comparisons whose level in a customer's strongest pair (a row of customers_answered)
    argues for a match (positive weight): the kinds of evidence a rep is told agreed."""
    return [
        {"field": c.name, "level": model.level_label(c.name, pair[f"gamma_{c.name}"])}
        for c in model.comparisons
        if pair[f"gamma_{c.name}"] >= 0 and pair[f"mw_{c.name}"] + pair.get(f"mw_tf_adj_{c.name}", 0.0) > 0
    ]


def known_queries(answered: pl.DataFrame, review_floor: float) -> set[str]:
    """The queries (`query_id`) a rep must treat as a known customer: some candidate customer that
    may be the same customer (not a related company) is protected by a rep, or scores at or above
    `review_floor` (verdict possible, likely or sure). `answered`: customers_answered's output."""
    plausible = (
        pl.col("owner_rep_id").is_not_null()
        | (pl.col("probability") >= review_floor)
        # a sure link (same credit code or full name) is the same customer whatever it scores
        | pl.col("verdict").is_in(("sure", "likely", "possible"))
    )
    return set(answered.filter(pl.col("verdict").is_in(SAME_CUSTOMER) & plausible)["query_id"].to_list())
