"""The replay's result frames, built from the loop's lists, typed and sorted deterministically."""

from __future__ import annotations

import polars as pl

from transforms.ownership.engine import Interval, Replay
from transforms.ownership.reasons import (
    CLAIM_REASONS,
    EXTENSION_REASONS,
    explained,
    local_text,
    rep_label,
)

UTC = pl.Datetime("us", "UTC")


def _instant(col: str) -> pl.Expr:
    return pl.from_epoch(pl.col(col), time_unit="us").dt.replace_time_zone("UTC").alias(col)


def _utc(col: str) -> pl.Expr:
    return pl.col(col).dt.convert_time_zone("UTC").cast(UTC)


def claim_outcomes(state: Replay, claims: pl.DataFrame, roster: pl.DataFrame,
                   zone: str) -> pl.DataFrame:
    """One row per claim before as-of: its outcome and reasons; by submitted_at, claim_id."""
    details = pl.DataFrame(
        {"code": state.code, "owner_rep_id": state.owner, "protection_end": state.end,
         "decision_id": state.decision, "n": state.n, "text": state.text, "at_instant": state.at},
        schema={"code": pl.String, "owner_rep_id": pl.String, "protection_end": pl.Int64,
                "decision_id": pl.String, "n": pl.Int64, "text": pl.String, "at_instant": pl.Int64},
    ).with_columns(_instant("protection_end"), _instant("at_instant"))
    return (
        pl.concat([claims.select("claim_id", "customer_id", "rep_id", "submitted_at", "template",
                                 "missing_fields"), details], how="horizontal")
        .with_columns(submitted_at=_utc("submitted_at"), owner=rep_label("owner_rep_id", roster),
                      fields=pl.col("missing_fields"), decision=pl.col("decision_id"),
                      end=local_text("protection_end", zone), at=local_text("at_instant", zone))
        .pipe(explained, CLAIM_REASONS)
        .select("claim_id", "customer_id", "rep_id", "submitted_at", "outcome", "reason_zh",
                "reason_en", "owner_rep_id", "protection_end", "decision_id")
        .sort("submitted_at", "claim_id")
    )


_INTERVAL_SCHEMA = {"row": pl.Int64, "valid_from": pl.Int64, "valid_to": pl.Int64,
                    "end_reason": pl.String, "decision_id": pl.String,
                    "ended_by_decision_id": pl.String}


def _intervals(rows: list[Interval], claims: pl.DataFrame) -> pl.DataFrame:
    frame = pl.DataFrame({name: [r[k] for r in rows] for k, name in enumerate(_INTERVAL_SCHEMA)},
                         schema=_INTERVAL_SCHEMA)
    granting = claims.select(pl.col("customer_id", "rep_id", "claim_id").gather(frame["row"]))
    granting = granting.rename({"claim_id": "granted_by_claim_id"})
    return pl.concat([granting, frame], how="horizontal")


def ownership_history(state: Replay, claims: pl.DataFrame) -> pl.DataFrame:
    """One row per protection interval [valid_from, valid_to), with why it ended (null: active)."""
    active: list[Interval] = [(p.row, p.valid_from, p.valid_to, None, p.decision_id, None)
                              for p in state.active.values()]
    return (
        _intervals(state.history + active, claims)
        .with_columns(_instant("valid_from"), _instant("valid_to"))
        .select("customer_id", "rep_id", "valid_from", "valid_to", "end_reason",
                "granted_by_claim_id", "decision_id", "ended_by_decision_id")
        .sort("customer_id", "valid_from", "rep_id")
    )


def ownership_current(state: Replay, claims: pl.DataFrame) -> pl.DataFrame:
    """One row per customer protected at as-of, with its idle release instant; by customer_id."""
    ps = list(state.active.values())
    idle = [None if state.idle_us is None else p.last_activity + state.idle_us for p in ps]
    return (
        _intervals([(p.row, p.valid_from, p.valid_to, None, p.decision_id, None) for p in ps],
                   claims)
        .with_columns(idle_release_at=pl.Series(idle, dtype=pl.Int64),
                      extensions_used=pl.Series([p.extensions for p in ps], dtype=pl.Int64))
        .with_columns(_instant("valid_from"), _instant("valid_to"), _instant("idle_release_at"))
        .select("customer_id", "rep_id", "valid_from", "valid_to", "granted_by_claim_id",
                "decision_id", "idle_release_at", "extensions_used")
        .sort("customer_id")
    )


def quota_usage(state: Replay, outcomes: pl.DataFrame, roster: pl.DataFrame,
                default_quota: int) -> pl.DataFrame:
    """One row per rep (roster or claims): protections active at as-of, quota, over-quota claims."""
    reps = sorted(set(roster["rep_id"].to_list()) | set(outcomes["rep_id"].to_list()))
    attempts = outcomes.filter(pl.col("outcome") == "over_quota")["rep_id"].value_counts()
    tried = dict(zip(attempts["rep_id"].to_list(), attempts["count"].to_list(), strict=True))
    return pl.DataFrame(
        {"rep_id": reps,
         "used": [state.held.get(r, 0) for r in reps],
         "quota": [state.quotas.get(r, default_quota) for r in reps],
         "over_quota_attempts": [tried.get(r, 0) for r in reps]},
        schema={"rep_id": pl.String, "used": pl.Int64, "quota": pl.Int64,
                "over_quota_attempts": pl.Int64},
    )


def extension_outcomes(state: Replay, extensions: pl.DataFrame, max_count: int,
                       zone: str) -> pl.DataFrame:
    """One row per extension request before as-of: what it changed and why; by requested_at."""
    details = pl.DataFrame(
        {"code": state.e_code, "protection_end_before": state.e_before,
         "protection_end_after": state.e_after},
        schema={"code": pl.String, "protection_end_before": pl.Int64,
                "protection_end_after": pl.Int64},
    ).with_columns(_instant("protection_end_before"), _instant("protection_end_after"))
    return (
        pl.concat([extensions.select("request_id", "claim_id", "customer_id", "rep_id",
                                     "requested_at", "approved"), details], how="horizontal")
        .with_columns(requested_at=_utc("requested_at"), n=pl.lit(max_count),
                      before=local_text("protection_end_before", zone),
                      after=local_text("protection_end_after", zone))
        .pipe(explained, EXTENSION_REASONS)
        .select("request_id", "claim_id", "customer_id", "rep_id", "requested_at", "approved",
                "outcome", "reason_zh", "reason_en", "protection_end_before",
                "protection_end_after")
        .sort("requested_at", "request_id")
    )
