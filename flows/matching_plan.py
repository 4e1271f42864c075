"""Whether tonight's matching is incremental or a full rebuild, and what it starts from.

Read from the tables the last published night left (`previous_claims_for_matching`,
`previous_scored_pairs`, `previous_window_keys`, `matching_runs`); the decision and its reason are recorded in
`matching_runs`, one row per night. See `matching.incremental` for what an incremental night does.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from adapters import warehouse
from matching.incremental import (
    RETENTION_MARGIN_BITS,
    blocks_touched,
    claims_of_rarer_values,
    claims_touched,
    code_fingerprint,
    pairs_retained,
    positions_carried,
    term_frequency_drift,
)
from matching.links import exempt_from_names
from matching.model import WINDOWED_COLUMNS
from matching.scoring import ScoringModel


@dataclass(frozen=True)
class MatchingPlan:
    """`touched` is None on a full rebuild; `replaced`, the claims whose row of
    `claims_for_matching` is new, changed or gone (or rewritten with a touched claim); `drift_bits`
    is how far term frequencies moved since the last full rebuild (0 after one)."""

    mode: str  # "full" or "incremental"
    reason: str
    fingerprint: str
    model_fingerprint: str
    engine: str
    touched: pl.Series | None = None
    touched_blocks: dict[str, pl.Series] | None = None
    earlier_keys: pl.DataFrame | None = None
    retained: pl.DataFrame | None = None
    previous_links: pl.DataFrame | None = None
    drift_bits: float = 0.0
    replaced: pl.Series | None = None


def last_matching_run(con: duckdb.DuckDBPyConnection) -> dict[str, object] | None:
    """The last night's row of `matching_runs`, or None."""
    rows = warehouse.frame(con, "select * from matching_runs order by recorded_at desc, run_id desc limit 1")
    return rows.row(0, named=True) if rows.height else None


def previous_standardised(con: duckdb.DuckDBPyConnection, full_rebuild: bool) -> pl.DataFrame:
    """Last night's standardised claims, when tonight may reuse them: same standardisation code,
    no full rebuild asked for; else an empty frame."""
    last = last_matching_run(con)
    if full_rebuild or last is None or last["code_fingerprint"] != code_fingerprint() \
            or not warehouse.has_table(con, "previous_claims"):
        return pl.DataFrame()
    return warehouse.frame(con, "select * from previous_claims")


def matching_plan(con: duckdb.DuckDBPyConnection, prepared: pl.DataFrame, scoring: ScoringModel,
                  fingerprint: str, model_digest: str, engine: str, full_rebuild: bool) -> MatchingPlan:
    """Incremental when last night left its state, with the same fingerprint (`model_digest` is the
    model's part of it) and scoring `engine`, and term frequencies have not moved
    RETENTION_MARGIN_BITS since the last full rebuild; else full, with the reason."""
    last = last_matching_run(con)

    def full(reason: str) -> MatchingPlan:
        return MatchingPlan("full", reason, fingerprint, model_digest, engine)

    if full_rebuild:
        return full("asked for (recon run --full)")
    if last is None or not all(warehouse.has_table(con, f"previous_{name}")
                               for name in ("claims_for_matching", "scored_pairs", "window_keys")):
        return full("no matching state from an earlier night")
    if last["fingerprint"] != fingerprint:
        return full(_what_changed(last, model_digest))
    if last.get("engine") not in (None, engine):
        return full(_engine_changed(str(last["engine"]), engine))
    previous = warehouse.frame(con, "select * from previous_claims_for_matching")
    tf_columns = sorted({lvl.tf_column for c in scoring.comparisons for lvl in c.levels if lvl.tf_column})
    drift = float(last["drift_bits"]) + term_frequency_drift(prepared, previous, tf_columns)  # type: ignore[arg-type]
    if drift >= RETENTION_MARGIN_BITS:
        return full(f"term frequencies moved {drift:.2f} bits since the last full rebuild "
                    f"(limit {RETENTION_MARGIN_BITS})")
    # what tonight reads of them: positions, levels, probability and classification (not the ids,
    # which last night's positions give, nor the weights)
    wanted = [c for c in warehouse.frame(con, "describe previous_scored_pairs")["column_name"]
              if c not in ("is_forced", "match_weight", "claim_id_l", "claim_id_r") and not c.startswith("mw_")]
    previous_pairs = warehouse.frame(con, f"select {', '.join(wanted)} from previous_scored_pairs")
    # the claims of last night's window keys are those its pairs' positions count (`positions_carried`)
    keys = warehouse.frame(con, "select * from previous_window_keys order by claim_id")
    last_ids = keys["claim_id"]
    touched, gone = claims_touched(prepared, previous, previous_pairs, last_ids)
    touched = pl.concat([touched, claims_of_rarer_values(prepared, previous, tf_columns)]).unique().sort()
    # the rule pairs' chain columns among them; the name shapes' blocks are ranked again (`window_keyed`)
    blocks = blocks_touched(prepared, touched, gone, WINDOWED_COLUMNS)
    tonight_of_last, last_of_tonight = positions_carried(last_ids, prepared["claim_id"].sort(), touched)
    retained = pairs_retained(previous_pairs, tonight_of_last)
    earlier_keys = keys.drop("claim_id").select(pl.all().gather(last_of_tonight))
    links = previous_pairs.filter("is_link")
    links = links.select(  # with its claims' ids and positions tonight (`links_changed`)
        *(last_ids.gather(links[f"pos_{side}"]).alias(f"claim_id_{side}") for side in ("l", "r")), exempt_from_names(),
        *(tonight_of_last.gather(links[f"pos_{side}"]).alias(f"pos_{side}") for side in ("l", "r")))
    return MatchingPlan("incremental", f"{touched.len():,} new or changed claims", fingerprint, model_digest, engine,
                        touched, blocks, earlier_keys, retained, links,
                        drift, pl.concat([touched, gone["claim_id"]]).unique().sort())


def _what_changed(last: dict[str, object], model_digest: str) -> str:
    """Which part of the matching fingerprint differs from the last night's, in the words of the
    person who changed it."""
    if last["code_fingerprint"] != code_fingerprint():
        return "the standardisation or matching code changed (a new version of recon)"
    if last.get("model_fingerprint") is None:  # recorded by a version that did not keep it apart
        return "the matching model or thresholds changed"
    if last["model_fingerprint"] != model_digest:
        return "the matching model changed (retrained, or another model file in use)"
    return "the matching settings in policy.yaml changed (match_threshold, review_floor or group_as_one_customer)"


def _engine_changed(last: str, tonight: str) -> str:
    """Why a night scored on another engine than the last rebuilds in full: the stored pairs' levels
    came from the other engine's string comparisons (DuckDB's and Spark's Jaro-Winkler differ on
    half transpositions, `matching.spark_engine`), and mixed with tonight's they would give
    customers neither engine finds alone."""
    return f"the scoring engine changed ({last} → {tonight}: matching.engine in sources.yaml, or --engine)"
