"""Wall time, events/s and peak memory of the ownership replay (a benchmark, not a test).

    python bench/rules_bench.py --claims 1000000

Generates seeded synthetic inputs in memory (claims over a year on ~claims/5 customers by 200
reps, about as many follow-ups as claims, a few extension requests and appeal decisions), times
`replay` once and prints the figures and the outcome mix.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from transforms.ownership import OwnershipPolicy, replay

START = datetime(2025, 1, 1, tzinfo=UTC)
YEAR_US = 365 * 86_400_000_000
TS = pl.Datetime("us", "UTC")


def _instants(rng: random.Random, n: int) -> pl.Series:
    start = int(START.timestamp() * 1_000_000)
    return pl.Series([start + rng.randrange(YEAR_US) for _ in range(n)]).cast(TS)


def synthetic_inputs(n_claims: int, seed: int) -> dict[str, pl.DataFrame]:
    """Seeded claims, follow-ups, extensions, appeal decisions and a roster of 200 reps."""
    rng = random.Random(seed)
    reps = [f"R{i:03d}" for i in range(200)]
    n_customers = max(1, n_claims // 5)
    claim_ids = [f"C{i:08d}" for i in range(n_claims)]
    claim_reps = [rng.choice(reps) for _ in range(n_claims)]
    claims = pl.DataFrame({
        "claim_id": claim_ids,
        "customer_id": [f"K{rng.randrange(n_customers):07d}" for _ in range(n_claims)],
        "rep_id": claim_reps,
        "category": [rng.choice("ABCD") for _ in range(n_claims)],
        "submitted_at": _instants(rng, n_claims),
        "industry": [rng.choice(("制造业", "金融业", None)) for _ in range(n_claims)],
        "company_name": [f"公司{i}" for i in range(n_claims)],
        "contact_name": [None if rng.random() < 0.05 else "张三" for _ in range(n_claims)],
        "phone": ["13800138000"] * n_claims,
        "email": [None if rng.random() < 0.05 else "a@b.cn" for _ in range(n_claims)],
        "website": [None] * n_claims,
        "credit_code": [None] * n_claims,
    }, schema_overrides={"website": pl.String, "credit_code": pl.String})
    picks = [rng.randrange(n_claims) for _ in range(n_claims)]
    followups = pl.DataFrame({
        "activity_id": [f"F{i:08d}" for i in range(n_claims)],
        "claim_id": [claim_ids[p] for p in picks],
        "rep_id": [claim_reps[p] for p in picks],
        "activity_at": _instants(rng, n_claims),
        "activity_type": ["call"] * n_claims,
    })
    n_ext = n_claims // 50
    picks = [rng.randrange(n_claims) for _ in range(n_ext)]
    extensions = pl.DataFrame({
        "request_id": [f"E{i:07d}" for i in range(n_ext)],
        "claim_id": [claim_ids[p] for p in picks],
        "rep_id": [claim_reps[p] for p in picks],
        "requested_at": _instants(rng, n_ext),
        "approved": [rng.choice((True, True, False, None)) for _ in range(n_ext)],
        "approver": ["mgr"] * n_ext,
        "note": [""] * n_ext,
    })
    n_dec = n_claims // 200
    decisions = pl.DataFrame({
        "decision_id": [f"D{i:07d}" for i in range(n_dec)],
        "claim_id": [claim_ids[rng.randrange(n_claims)] for _ in range(n_dec)],
        "decision": [rng.choice(("uphold", "overturn")) for _ in range(n_dec)],
        "reviewer": ["ops"] * n_dec,
        "decided_at": _instants(rng, n_dec),
        "note": [""] * n_dec,
    })
    roster = pl.DataFrame({
        "rep_id": reps, "rep_name": [f"销售{r}" for r in reps], "team": ["t"] * len(reps),
        "quota": [None if i % 4 else 300 for i in range(len(reps))],
    }, schema_overrides={"quota": pl.Int64})
    return {"claims": claims, "followups": followups, "extensions": extensions,
            "appeal_decisions": decisions, "roster": roster}


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    inputs = synthetic_inputs(args.claims, args.seed)
    events = sum(f.height for k, f in inputs.items() if k != "roster")
    policy = OwnershipPolicy(default_quota=400, category_caps={"D": 150}, daily_cap=20,
                             templates={"default": ("company_name",),
                                        "制造业": ("company_name", "contact_name", "phone"),
                                        "金融业": ("company_name", "email")})
    inputs_peak_mib = _peak_mib()
    started = time.perf_counter()
    result = replay(**inputs, policy=policy, as_of_end=datetime(2026, 1, 1, tzinfo=UTC))
    wall = time.perf_counter() - started
    peak_mib = _peak_mib()
    print(f"claims {args.claims:,}  customers {inputs['claims']['customer_id'].n_unique():,}  "
          f"follow-ups {inputs['followups'].height:,}  events {events:,}")
    print(f"replay wall time {wall:.1f} s  |  {events / wall:,.0f} events/s  |  "
          f"peak RSS {peak_mib:,.0f} MiB (process; {inputs_peak_mib:,.0f} MiB before the replay)")
    print(result.claim_outcomes["outcome"].value_counts().sort("outcome"))
    print(f"history rows {result.ownership_history.height:,}  "
          f"active at as-of {result.ownership_current.height:,}")


if __name__ == "__main__":
    main()
