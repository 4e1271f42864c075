"""Nightly tasks for standardising claims and clustering them into customers, and `recon train`."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from adapters import warehouse
from adapters.sql_files import QUERIES, sql_text
from flows.matching_plan import MatchingPlan, matching_plan, previous_standardised
from matching.blocks import window_key_names
from matching.clustering import Constraints, clusters_constrained
from matching.constraints import constraints_from_decisions, decisions_latest
from matching.groups import customer_groups, group_edges
from matching.ids import customer_ids_assigned, customer_number
from matching.incremental import (
    claims_affected,
    code_fingerprint,
    links_changed,
    matching_fingerprint,
    model_fingerprint,
    retention_probability,
    rows_changed,
    window_keys_replaced,
)
from matching.links import CLASSIFICATION, LinkPolicy, classified_reusing, exempt_from_names, link_order_weight
from matching.match_model import MatchModel
from matching.model import (
    WINDOWED_COLUMNS,
    Connect,
    match_weights_chart_html,
    scored_pairs,
    train_model,
    window_keyed,
)
from matching.model_files import CHART_FILE, DEFAULT_MODEL, MODEL_FILE, model_dir, pending_model_dir
from matching.prepare import claims_for_matching
from matching.review import level_combinations, pairs_with_evidence, review_candidates, review_queue
from matching.scoring import scoring_model
from matching.spark_engine import spark_session
from settings.matching import MatchingConfig
from transforms.standardise import standardise_claims_reusing

# Fewer claims than this cannot train a model (EM and λ need many true pairs): the first nights
# then use the packaged model, trained on 20,000 generated claims (see README, "Matching").
MIN_TRAINING_CLAIMS = 2_000
DUCKDB = MatchingConfig()
NAME_KEY_COLUMNS = ("claim_id", "name_norm", "credit_code_norm", "core_name", "trade_name", "core_pinyin", "alias_key",
                    "region", "is_registered_name")


STATE_ROW = "_state_row"


class TrainingError(RuntimeError):
    """Too few claims to train a matching model."""


@dataclass(frozen=True)
class MatchSummary:
    customers: int
    links: int
    review_items: int
    merges: int
    splits: int
    model_path: Path
    model_source: str
    # pairs that might join two customers but that no person sees tonight (matching.review)
    apart_same_owner: int = 0
    apart_over_capacity: int = 0
    # full / incremental (flows.matching_plan), why, and how many claims were clustered again
    mode: str = "full"
    mode_reason: str = ""
    reclustered: int = 0


def save_model(prepared: pl.DataFrame, directory: Path, connect: Connect = duckdb.connect) -> MatchModel:
    """Train on `prepared`, write the model JSON and its match-weights chart; returns the model."""
    if prepared.height < MIN_TRAINING_CLAIMS:
        raise TrainingError(
            f"{prepared.height:,} claims are too few to train a matching model (at least {MIN_TRAINING_CLAIMS:,})"
        )
    model, _ = train_model(prepared, connect=connect)
    write_model(model, prepared, directory)
    return model


def write_model(model: MatchModel, prepared: pl.DataFrame, directory: Path) -> None:
    """The model JSON and its match-weights chart, written atomically into `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in ((MODEL_FILE, model.to_json()), (CHART_FILE, match_weights_chart_html(prepared, model))):
        partial = directory / f"{name}.partial"
        partial.write_text(text, encoding="utf-8")
        partial.replace(directory / name)


def model_for_tonight(prepared: pl.DataFrame, warehouse_path: Path, connect: Connect) -> tuple[MatchModel, Path, str]:
    """The saved model if there is one; else a model trained now on enough claims, written to the
    pending folder and put in use when the night is published (`flows.publish`); else the packaged
    default model (not saved, so a later night with enough claims trains its own).
    Returns (model, its file once the night is published, where it came from)."""
    path = model_dir(warehouse_path) / MODEL_FILE
    if path.exists():
        return MatchModel.read(path), path, "saved"
    if prepared.height >= MIN_TRAINING_CLAIMS:
        return save_model(prepared, pending_model_dir(warehouse_path), connect), path, "trained tonight"
    return MatchModel.read(DEFAULT_MODEL), DEFAULT_MODEL, "packaged default"


@task(cache_policy=NO_CACHE)
def claims_standardised(con: duckdb.DuckDBPyConnection, accepted: pl.DataFrame,
                        full_rebuild: bool = False) -> pl.DataFrame:
    """Publish the `accepted` claims as `claims`, plus the standardised name, phone, e-mail, site
    and code parts, taken from last night's claims where a claim's input is unchanged
    (`previous_standardised`); returns them."""
    claims = accepted.sort("claim_id")  # a full night writes them in this order (DuckDB keeps it)
    previous = previous_standardised(con, full_rebuild)
    standardised, fresh = standardise_claims_reusing(claims, previous)
    replaced = None if previous.is_empty() else rows_changed(standardised, previous, "claim_id")
    if replaced is None:
        warehouse.write_table(con, "claims", standardised, order_by=None)
    else:  # last night's table, its changed rows replaced
        warehouse.rows_replaced(con, "claims", "previous_claims", "claim_id", replaced,
                                standardised.filter(pl.col("claim_id").is_in(replaced.implode())))
    get_run_logger().info("claims standardised: %d rows, %d of them new or changed; %s", claims.height, fresh,
                          "table written anew" if replaced is None else f"{replaced.len()} rows replaced in place")
    return standardised


@dataclass(frozen=True)
class Clustering:
    """What `customers_clustered` leaves for `matching_published`: tonight's pairs from the
    review floor up (classified), every claim's customer, the lineage and the decisions."""

    plan: MatchingPlan
    model: MatchModel
    model_path: Path
    model_source: str
    classified: pl.DataFrame
    claim_customer: pl.DataFrame
    lineage: pl.DataFrame
    reclustered: int
    decisions: pl.DataFrame


@task(cache_policy=NO_CACHE)
def customers_clustered(
    con: duckdb.DuckDBPyConnection, claims: pl.DataFrame, warehouse_path: Path, decisions: pl.DataFrame, run_id: str,
    policy: LinkPolicy, connect: Connect = duckdb.connect, full_rebuild: bool = False,
    engine: MatchingConfig = DUCKDB,
) -> Clustering:
    """Score, link and cluster the standardised `claims` (as `claims_standardised` published
    them) into customers with stable ids; publish `claim_customer`, the pairs and the lineage
    (`matching_published` publishes the rest, while the ownership replay runs).
    Incremental when the last night left its state and nothing that decides matching changed
    (`flows.matching_plan`); `full_rebuild` forces a full one. `connect` opens the in-memory
    connections Splink works on; `engine` says where the pairs are scored (DuckDB or Spark)."""
    prepared = claims_for_matching(claims)
    model, path, model_source = model_for_tonight(prepared, warehouse_path, connect)
    model_json = model.to_json()
    fingerprint = matching_fingerprint(model_json, (policy.match_threshold, policy.review_floor,
                                                    policy.group_counts_as_one_customer))
    plan = matching_plan(con, prepared, scoring_model(model), fingerprint, model_fingerprint(model_json),
                         engine.engine, full_rebuild)
    get_run_logger().info("matching: %s (%s)", plan.mode, plan.reason)

    _store_decisions(con, decisions, run_id)
    # published as scored, so that `recon lookup` fetches a query's candidates by their blocking keys
    if plan.replaced is None:
        warehouse.write_table(con, "claims_for_matching", prepared, "claim_id")
    else:
        warehouse.rows_replaced(con, "claims_for_matching", "previous_claims_for_matching", "claim_id", plan.replaced,
                                prepared.filter(pl.col("claim_id").is_in(plan.replaced.implode())))
    all_decisions = warehouse.frame(con, "select * exclude (first_read_run_id) from review_decisions")
    classified, pairs_kept = _pairs_classified(con, prepared, model, policy, plan, connect, engine)
    plan = replace(plan, retained=None, earlier_keys=None)  # last night's 5M pairs are not read again: let them go
    links = classified.filter("is_link").with_columns(exempt_from_names(), link_order_weight(model))
    claim_customer, lineage, reclustered = _customers_assigned(
        con, plan, claims, prepared, links, constraints_from_decisions(all_decisions), run_id)
    warehouse.write_table(con, "claim_customer", claim_customer, "claim_id")
    warehouse.append_rows(con, "customer_lineage", lineage.with_columns(pl.lit(run_id).alias("run_id")))
    warehouse.append_rows(con, "matching_runs", _matching_run(plan, run_id, claims.height, reclustered.len(),
                                                              pairs_kept))
    return Clustering(plan, model, path, model_source, classified, claim_customer, lineage, reclustered.len(),
                      all_decisions)


@task(cache_policy=NO_CACHE)
def matching_published(con: duckdb.DuckDBPyConnection, clustering: Clustering, claims: pl.DataFrame,
                       policy: LinkPolicy) -> MatchSummary:
    """Publish what follows from tonight's customers: the groups of companies, the review queue
    and the `customers` model."""
    classified, claim_customer, lineage = clustering.classified, clustering.claim_customer, clustering.lineage
    _groups_written(con, classified, claims, claim_customer)
    candidates = pairs_with_evidence(review_candidates(classified, claim_customer, policy.match_threshold),
                                     clustering.model)
    queue, outcomes = review_queue(candidates, claims, claim_customer, decisions_latest(clustering.decisions),
                                   policy.review_capacity)
    warehouse.write_table(con, "review_queue", queue, "rank")
    customers = warehouse.build_model(con, "customers")
    plan = clustering.plan
    summary = MatchSummary(
        customers=customers, links=int(classified["is_link"].sum()), review_items=queue.height,
        merges=lineage.filter(pl.col("reason") == "merged").height,
        splits=lineage.filter(pl.col("reason") == "split").height, model_path=clustering.model_path,
        model_source=clustering.model_source,
        apart_same_owner=outcomes["apart_same_owner"], apart_over_capacity=outcomes["apart_over_capacity"],
        mode=plan.mode, mode_reason=plan.reason, reclustered=clustering.reclustered,
    )
    get_run_logger().info(
        "customers: %d from %d claims (%d clustered again), %d links, %d to review; kept apart by rule: %d (same "
        "owner), %d (over the queue's capacity)", customers, claims.height, clustering.reclustered, summary.links,
        queue.height, outcomes["apart_same_owner"], outcomes["apart_over_capacity"])
    return summary


def _pairs_classified(
    con: duckdb.DuckDBPyConnection, prepared: pl.DataFrame, model: MatchModel, policy: LinkPolicy,
    plan: MatchingPlan, connect: Connect, engine: MatchingConfig,
) -> tuple[pl.DataFrame, int]:
    """(tonight's pairs from `review_floor` up and the rule pairs, classified; how many pairs were
    kept): every pair from the retention floor up is written to `scored_pairs`, with its levels,
    probability and classification, for the next night to start from."""
    windowed = window_keyed(prepared, plan.earlier_keys, plan.touched_blocks)
    # the next night compares again only the pairs of untouched claims that did not share a window
    _window_keys_written(con, windowed.select("claim_id", *window_key_names(WINDOWED_COLUMNS)), plan)
    warehouse.cache_released(con)  # the scoring query's pool is the night's peak
    kept = scored_pairs(prepared, model, min_probability=retention_probability(policy.review_floor),
                        connect=connect, windowed=windowed, touched_blocks=plan.touched_blocks,
                        earlier_keys=plan.earlier_keys, retained=plan.retained, with_level_weights=False,
                        spark=spark_session(engine.spark) if engine.engine == "spark" else None)
    del windowed
    # the pair's claims by position (`match_pairs` gives their ids): 10M id strings not written
    state = kept.select("pos_l", "pos_r", "is_forced", "forced_by", "match_weight", "match_probability",
                        pl.col("^gamma_.*$"), pl.col("^mw_tf_adj_.*$"))
    levels = level_combinations(kept, model)
    # each pair's row in `state` goes with it through the classification, which reorders them
    scored = kept.with_row_index(STATE_ROW).filter(
        pl.col("is_forced") | (pl.col("match_probability") >= policy.review_floor))
    del kept  # the pairs between the two floors are not needed again: free them before classifying
    classified = classified_reusing(scored, prepared, model, policy, plan.retained)
    rows = classified[STATE_ROW]
    state = state.with_columns(
        pl.repeat(None, state.height, dtype=classified.schema[name], eager=True).alias(name)
        .scatter(rows, classified[name]) for name in CLASSIFICATION).with_columns(pl.col("is_link").fill_null(False))
    classified = classified.drop(STATE_ROW)
    warehouse.write_table(con, "scored_pairs", state, order_by=None)  # sorted by the pair's ids
    warehouse.write_table(con, "match_levels", levels, order_by=None)
    for view in ("claim_positions", "decided_pairs", "match_pairs"):
        warehouse.build_view(con, view)
    return classified, state.height


def _window_keys_written(con: duckdb.DuckDBPyConnection, keys: pl.DataFrame, plan: MatchingPlan) -> None:
    """Publish `window_keys`: on an incremental night, last night's table with the rows of the
    claims touched, gone or moved to another window replaced (`window_keys_replaced`)."""
    earlier = plan.earlier_keys
    if plan.replaced is None or earlier is None or earlier.columns != keys.columns[1:]:
        warehouse.write_table(con, "window_keys", keys, order_by=None)
        return
    replaced = window_keys_replaced(keys, earlier, plan.replaced)
    warehouse.rows_replaced(con, "window_keys", "previous_window_keys", "claim_id", replaced,
                            keys.filter(pl.col("claim_id").is_in(replaced.implode())))
    get_run_logger().info("window keys: %d rows replaced in place", replaced.len())


def _customers_assigned(
    con: duckdb.DuckDBPyConnection, plan: MatchingPlan, claims: pl.DataFrame, prepared: pl.DataFrame,
    links: pl.DataFrame, constraints: Constraints, run_id: str,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.Series]:
    """(claim → customer id for every claim, tonight's lineage, the claims clustered again): all
    claims on a full night; on an incremental one only the customers `claims_affected` reaches from
    the `_seeds`, every other claim keeping last night's customer."""
    previous = warehouse.frame(con, "select claim_id, customer_id from previous_claim_customer")
    issued = warehouse.frame(con, sql_text(QUERIES, "customer_ids_issued"))["customer_id"]
    next_number = max((customer_number(c) for c in issued), default=0) + 1
    name_keys = prepared.select(NAME_KEY_COLUMNS)
    reclustered, kept_customers = claims["claim_id"], previous.clear()
    if plan.touched is not None:
        seeds = _seeds(con, plan, previous, prepared, links, run_id)
        reclustered = claims_affected(prepared, links, previous, seeds, constraints.must_link)
        again = pl.col("claim_id").is_in(reclustered.implode())
        name_keys = name_keys.filter(again)
        kept_customers = previous.filter(pl.col("claim_id").is_in(prepared["claim_id"].implode()) & ~again)
        previous = previous.filter(~pl.col("customer_id").is_in(kept_customers["customer_id"].implode()))
    clusters, refused = clusters_constrained(reclustered.to_list(), links, constraints, name_keys=name_keys,
                                             strength="link_order_weight")
    for a, b in refused.rows():
        get_run_logger().warning("reviewer 'same' on %s / %s contradicts a 'different' decision; not applied", a, b)
    assigned, lineage = customer_ids_assigned(
        clusters.join(claims.select("claim_id", "submitted_at"), on="claim_id"), previous, next_number=next_number
    )
    return pl.concat([kept_customers, assigned]).sort("claim_id"), lineage, reclustered


def _seeds(con: duckdb.DuckDBPyConnection, plan: MatchingPlan, previous: pl.DataFrame, prepared: pl.DataFrame,
           links: pl.DataFrame, run_id: str) -> pl.Series:
    """Where tonight's re-clustering starts: the touched claims, both claims of a link made or
    lost since last night (a new claim shifts the windows, chains and slips of its blocks), the
    claims left in a customer that lost one, and the claims of the reviewer decisions first read
    tonight."""
    assert plan.touched is not None
    changed = links_changed(plan.previous_links, links)
    present = prepared["claim_id"].implode()
    losing = previous.filter(~pl.col("claim_id").is_in(present))["customer_id"].implode()
    decided = warehouse.frame(con, "select claim_id_a as claim_id from review_decisions where first_read_run_id = ? "
                              "union select claim_id_b from review_decisions where first_read_run_id = ? "
                              "and claim_id_b is not null", [run_id, run_id])["claim_id"]
    return pl.concat([plan.touched, changed, previous.filter(pl.col("customer_id").is_in(losing))["claim_id"],
                      decided]).unique()


def _matching_run(plan: MatchingPlan, run_id: str, claims: int, reclustered: int, pairs: int) -> pl.DataFrame:
    """Tonight's row of `matching_runs`."""
    return pl.DataFrame([{
        "run_id": run_id, "recorded_at": datetime.now(UTC), "mode": plan.mode, "reason": plan.reason,
        "fingerprint": plan.fingerprint, "code_fingerprint": code_fingerprint(),
        "model_fingerprint": plan.model_fingerprint, "engine": plan.engine, "claims": claims,
        "claims_touched": claims if plan.touched is None else plan.touched.len(), "claims_reclustered": reclustered,
        "pairs_kept": pairs, "drift_bits": plan.drift_bits,
    }])


def _groups_written(con: duckdb.DuckDBPyConnection, classified: pl.DataFrame, claims: pl.DataFrame,
                    claim_customer: pl.DataFrame) -> None:
    """Publish `customer_groups` and `customer_group_members` (matching.groups)."""
    names = (
        claims.select("claim_id", "core_name").join(claim_customer.select("claim_id", "customer_id"), on="claim_id")
        .group_by("customer_id", "core_name").len()
        .sort(["len", "core_name"], descending=[True, False], nulls_last=True)
        .group_by("customer_id", maintain_order=True)
        .agg(pl.col("core_name").first(), pl.col("len").sum().alias("claims"))
    )
    members, groups = customer_groups(group_edges(classified, claim_customer), names)
    warehouse.write_table(con, "customer_group_members", members, "group_id, customer_id")
    warehouse.write_table(con, "customer_groups", groups, "group_id")


def _store_decisions(con: duckdb.DuckDBPyConnection, decisions: pl.DataFrame, run_id: str) -> None:
    """Add decisions not seen before to the carried `review_decisions` table."""
    known = set(warehouse.frame(con, "select decision_id from review_decisions")["decision_id"])
    new = decisions.filter(~pl.col("decision_id").is_in(list(known)))
    if new.height:
        warehouse.append_rows(con, "review_decisions", new.with_columns(pl.lit(run_id).alias("first_read_run_id")))
