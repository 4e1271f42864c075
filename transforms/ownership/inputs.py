"""Checking and preparing the replay's inputs: column presence, unique ids, UTC instants,
the as-of cut, template completeness, and the one total order of all events.

Input columns (extra columns are ignored; inputs are never modified):

- claims: claim_id, customer_id, rep_id, category (A-D), submitted_at (Datetime, tz-aware),
  industry, company_name, contact_name, phone, email, website, credit_code (str or null).
- followups: activity_id, claim_id, rep_id, activity_at (Datetime, tz-aware), activity_type.
- extensions (`extensions.csv`): request_id; claim_id, the claim whose protection is to be
  extended; rep_id, who asks; requested_at (Datetime, tz-aware); approved, true = approved,
  false = refused, null = not yet decided; approver (str or null); note (free text).
- appeal_decisions: decision_id, claim_id (the appealed conflict), decision ('uphold' or
  'overturn'), reviewer, decided_at (Datetime, tz-aware), note.
- roster: rep_id, rep_name, team, quota (Int64; null means the policy default).
"""

from __future__ import annotations

from datetime import datetime

import polars as pl

from transforms.ownership.policy import DEFAULT_TEMPLATE, TEMPLATE_FIELDS, OwnershipPolicy

CLAIM_COLUMNS = ("claim_id", "customer_id", "rep_id", "category", "submitted_at", "industry",
                 *TEMPLATE_FIELDS)
FOLLOWUP_COLUMNS = ("activity_id", "claim_id", "rep_id", "activity_at", "activity_type")
EXTENSION_COLUMNS = ("request_id", "claim_id", "rep_id", "requested_at", "approved", "approver",
                     "note")
DECISION_COLUMNS = ("decision_id", "claim_id", "decision", "reviewer", "decided_at", "note")
ROSTER_COLUMNS = ("rep_id", "rep_name", "team", "quota")

# Events at one instant: decisions settle what stands, then extensions, follow-ups, claims;
# within a kind, by id. Protections ending at that instant have already ended ([from, to)).
DECISION, EXTENSION, FOLLOWUP, CLAIM = 0, 1, 2, 3


def check_columns(frame: pl.DataFrame, name: str, columns: tuple[str, ...], id_col: str | None,
                  time_col: str | None = None) -> None:
    """Raise ValueError, naming the input, on a missing column, a repeated id or a naive time."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{name}: missing column(s) {', '.join(missing)}")
    if id_col is not None and frame[id_col].is_duplicated().any():
        doubled = frame.filter(pl.col(id_col).is_duplicated())[id_col].unique().sort().head(5)
        raise ValueError(f"{name}: {id_col} must be unique; repeated: {', '.join(doubled)}")
    if time_col is not None:
        dtype = frame.schema[time_col]
        if not isinstance(dtype, pl.Datetime) or dtype.time_zone is None:
            raise ValueError(f"{name}: {time_col} must be a time-zone aware Datetime, not {dtype}")


def _micros(col: str) -> pl.Expr:
    return pl.col(col).dt.convert_time_zone("UTC").dt.epoch("us")


def _local_day(col: str, zone: str) -> pl.Expr:
    return pl.col(col).dt.convert_time_zone(zone).dt.date().cast(pl.Int32)


def _template_of(policy: OwnershipPolicy) -> pl.Expr:
    named = [k for k in policy.templates if k != DEFAULT_TEMPLATE]
    return (pl.when(pl.col("industry").is_in(named)).then(pl.col("industry"))
            .otherwise(pl.lit(DEFAULT_TEMPLATE)))


def _missing_fields(policy: OwnershipPolicy) -> pl.Expr:
    parts = []
    for field in TEMPLATE_FIELDS:
        needing = [k for k, fields in policy.templates.items() if field in fields]
        if not needing:
            continue
        blank = pl.col(field).is_null() | (pl.col(field).cast(pl.String).str.strip_chars() == "")
        parts.append(pl.when(pl.col("template").is_in(needing) & blank).then(pl.lit(field)))
    if not parts:
        return pl.lit(None, dtype=pl.String)
    joined = pl.concat_str(parts, separator=", ", ignore_nulls=True)
    return pl.when(joined != "").then(joined)


def prepared_claims(claims: pl.DataFrame, policy: OwnershipPolicy, cut_us: int) -> pl.DataFrame:
    """Claims before the cut, with `t` (UTC µs), `day` (business day), `template`, `missing_fields`.

    A claim's `missing_fields` lists its template's required fields that are null or blank.
    """
    check_columns(claims, "claims", CLAIM_COLUMNS, "claim_id", "submitted_at")
    unknown = claims.filter(~pl.col("category").is_in(list(policy.protection_days)))
    if unknown.height:
        listed = ", ".join(unknown["claim_id"].head(5))
        raise ValueError(f"claims: unknown category in claim(s) {listed}")
    return (
        claims.select(CLAIM_COLUMNS)
        .with_columns(t=_micros("submitted_at"),
                      day=_local_day("submitted_at", policy.business_timezone))
        .filter(pl.col("t") < cut_us)
        .with_columns(template=_template_of(policy))
        .with_columns(missing_fields=_missing_fields(policy))
    )


def prepared_followups(followups: pl.DataFrame, claims: pl.DataFrame, cut_us: int) -> pl.DataFrame:
    """Follow-ups before the cut on known claims, with the claim's `customer_id` and `t`."""
    check_columns(followups, "followups", FOLLOWUP_COLUMNS, "activity_id", "activity_at")
    return (
        followups.select(FOLLOWUP_COLUMNS)
        .with_columns(t=_micros("activity_at"))
        .filter(pl.col("t") < cut_us)
        .join(claims.select("claim_id", "customer_id"), on="claim_id", how="inner")
    )


def prepared_extensions(extensions: pl.DataFrame, claims: pl.DataFrame,
                        cut_us: int) -> pl.DataFrame:
    """Extension requests before the cut, with `customer_id` (null for an unknown claim) and `t`."""
    check_columns(extensions, "extensions", EXTENSION_COLUMNS, "request_id", "requested_at")
    return (
        extensions.select(EXTENSION_COLUMNS)
        .with_columns(t=_micros("requested_at"), approved=pl.col("approved").cast(pl.Boolean))
        .filter(pl.col("t") < cut_us)
        .join(claims.select("claim_id", "customer_id"), on="claim_id", how="left")
    )


def prepared_decisions(decisions: pl.DataFrame, policy: OwnershipPolicy,
                       cut_us: int) -> pl.DataFrame:
    """Appeal decisions before the cut, with `t` and `day`; an unknown decision value raises."""
    check_columns(decisions, "appeal_decisions", DECISION_COLUMNS, "decision_id", "decided_at")
    bad = decisions.filter(~pl.col("decision").is_in(["uphold", "overturn"]))
    if bad.height:
        raise ValueError(f"appeal_decisions: decision must be uphold or overturn "
                         f"(see {', '.join(bad['decision_id'].head(5))})")
    return (
        decisions.select(DECISION_COLUMNS)
        .with_columns(t=_micros("decided_at"),
                      day=_local_day("decided_at", policy.business_timezone))
        .filter(pl.col("t") < cut_us)
    )


def event_order(claims: pl.DataFrame, followups: pl.DataFrame, extensions: pl.DataFrame,
                decisions: pl.DataFrame) -> tuple[list[int], list[int]]:
    """(kind, row index) of every event in replay order: time, then kind, then the kind's id."""
    parts = [
        frame.select(pl.col("t"), pl.lit(kind, pl.Int8).alias("kind"), pl.col(key).alias("key"),
                     pl.int_range(pl.len(), dtype=pl.Int64).alias("idx"))
        for frame, kind, key in (
            (decisions, DECISION, "decision_id"),
            (extensions, EXTENSION, "request_id"),
            (followups, FOLLOWUP, "activity_id"),
            (claims, CLAIM, "claim_id"),
        )
    ]
    order = pl.concat(parts).sort("t", "kind", "key")
    return order["kind"].to_list(), order["idx"].to_list()


def as_micros(instant: datetime) -> int:
    """An aware datetime as UTC microseconds since the epoch; a naive one raises."""
    if instant.tzinfo is None:
        raise ValueError("as_of_end must be time-zone aware")
    return int(pl.Series([instant]).dt.convert_time_zone("UTC").dt.epoch("us")[0])
