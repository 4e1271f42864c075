"""Small hand-made inputs for the ownership tests: one row per call, times in days from T0."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl

from transforms.ownership import OwnershipPolicy, OwnershipResult, replay

T0 = datetime(2025, 3, 3, 2, 0, tzinfo=UTC)  # Monday 10:00 in Asia/Shanghai
TS = pl.Datetime("us", "UTC")
FIELDS = ("company_name", "contact_name", "phone", "email", "website", "credit_code")


def at(day: float) -> datetime:
    """T0 plus `day` days (fractions allowed)."""
    return T0 + timedelta(days=day)


def claim(claim_id: str, customer_id: str, rep_id: str, day: float, category: str = "C",
          industry: str | None = None, **fields: str | None) -> dict:
    row = {"claim_id": claim_id, "customer_id": customer_id, "rep_id": rep_id,
           "category": category, "submitted_at": at(day), "industry": industry,
           "company_name": f"{customer_id}有限公司", "contact_name": None, "phone": None,
           "email": None, "website": None, "credit_code": None}
    row.update(fields)
    return row


def followup(activity_id: str, claim_id: str, rep_id: str, day: float) -> dict:
    return {"activity_id": activity_id, "claim_id": claim_id, "rep_id": rep_id,
            "activity_at": at(day), "activity_type": "visit"}


def extension(request_id: str, claim_id: str, rep_id: str, day: float,
              approved: bool | None = True) -> dict:
    return {"request_id": request_id, "claim_id": claim_id, "rep_id": rep_id,
            "requested_at": at(day), "approved": approved, "approver": "mgr", "note": ""}


def decision(decision_id: str, claim_id: str, kind: str, day: float) -> dict:
    return {"decision_id": decision_id, "claim_id": claim_id, "decision": kind,
            "reviewer": "ops", "decided_at": at(day), "note": ""}


SCHEMAS = {
    "claims": {"claim_id": pl.String, "customer_id": pl.String, "rep_id": pl.String,
               "category": pl.String, "submitted_at": TS, "industry": pl.String,
               **{f: pl.String for f in FIELDS}},
    "followups": {"activity_id": pl.String, "claim_id": pl.String, "rep_id": pl.String,
                  "activity_at": TS, "activity_type": pl.String},
    "extensions": {"request_id": pl.String, "claim_id": pl.String, "rep_id": pl.String,
                   "requested_at": TS, "approved": pl.Boolean, "approver": pl.String,
                   "note": pl.String},
    "decisions": {"decision_id": pl.String, "claim_id": pl.String, "decision": pl.String,
                  "reviewer": pl.String, "decided_at": TS, "note": pl.String},
    "roster": {"rep_id": pl.String, "rep_name": pl.String, "team": pl.String, "quota": pl.Int64},
}


def frame(kind: str, rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=SCHEMAS[kind], orient="row") if rows else pl.DataFrame(
        schema=SCHEMAS[kind])


def roster(quotas: dict[str, int | None]) -> pl.DataFrame:
    rows = [{"rep_id": r, "rep_name": f"销售{r}", "team": "east", "quota": q} for r, q in quotas.items()]
    return frame("roster", rows)


def run(claims: list[dict], *, followups: list[dict] = (), extensions: list[dict] = (),
        decisions: list[dict] = (), quotas: dict[str, int | None] | None = None,
        policy: OwnershipPolicy | None = None, as_of_day: float = 400) -> OwnershipResult:
    """Replay the rows under `policy` (defaults: A 90, B 60, C/D 30 days, idle off) up to T0 + as_of_day."""
    policy = policy or OwnershipPolicy(idle_release_days=None)
    quotas = quotas if quotas is not None else {"r1": None, "r2": None, "r3": None}
    return replay(frame("claims", claims), frame("followups", list(followups)),
                  frame("extensions", list(extensions)), frame("decisions", list(decisions)),
                  roster(quotas), policy, at(as_of_day))


def expected_outcomes(rows: list[tuple]) -> pl.DataFrame:
    """(claim_id, outcome, owner_rep_id, protection_end day, decision_id) rows as a frame."""
    return pl.DataFrame(
        [(c, o, owner, None if end is None else at(end), d) for c, o, owner, end, d in rows],
        schema={"claim_id": pl.String, "outcome": pl.String, "owner_rep_id": pl.String,
                "protection_end": TS, "decision_id": pl.String}, orient="row")


def expected_intervals(rows: list[tuple]) -> pl.DataFrame:
    """(customer_id, rep_id, from day, to day, end_reason, granted_by_claim_id, decision_id) rows."""
    return pl.DataFrame(
        [(c, r, at(a), at(b), why, g, d) for c, r, a, b, why, g, d in rows],
        schema={"customer_id": pl.String, "rep_id": pl.String, "valid_from": TS, "valid_to": TS,
                "end_reason": pl.String, "granted_by_claim_id": pl.String, "decision_id": pl.String},
        orient="row")
