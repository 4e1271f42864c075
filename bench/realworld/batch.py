"""One labelled batch, end to end: universe -> claims -> files. Deterministic for a seed."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from bench.realworld.claims import Claim, ClaimPlanner
from bench.realworld.roster import roster
from bench.realworld.universe import Universe
from bench.realworld.writers import write_batch

LAST_DAY = date(2026, 11, 25)   # claims run up to this day; the night runs as of the next
WINDOW_DAYS = 180
_ID_FORMATS = {"form": "WEB{:06d}", "crm": "CRM-{:07d}", "sheet": "XLS{:05d}"}


@dataclass(frozen=True)
class Batch:
    sources_yaml: Path
    labels_csv: Path
    claims: int
    entities: int
    as_of: date


def build(out: Path, n_claims: int = 20_000, seed: int = 1, *, with_region_columns: bool = False) -> Batch:
    """Write a batch of `n_claims` labelled claims under `out` (created if needed)."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    hostile = max(10, n_claims // 500)
    universe = Universe(n_claims - hostile, rng)
    entities = universe.build()
    reps = roster(rng)
    start = datetime.combine(LAST_DAY - timedelta(days=WINDOW_DAYS - 1), datetime.min.time())
    planner = ClaimPlanner(reps, universe.char_pool, universe.registry.trades, start, WINDOW_DAYS, rng)
    claims = [c for e in entities for c in planner.claims_of(e)]
    planner.annotate_phones(claims)
    planner.share_mobiles(claims, groups=max(2, round(n_claims / 2000)))
    claims += planner.hostile(entities, hostile)
    _number(claims)
    sources_yaml = write_batch(out, claims, reps, with_region_columns=with_region_columns)
    return Batch(sources_yaml, out / "labels.csv", len(claims), len(entities), LAST_DAY + timedelta(days=1))


def _number(claims: list[Claim]) -> None:
    """Claim ids per source in submission order, and the claims sorted that way."""
    claims.sort(key=lambda c: (c.submitted, c.source, c.company_name))
    seq = dict.fromkeys(_ID_FORMATS, 0)
    for claim in claims:
        seq[claim.source] += 1
        claim.claim_id = _ID_FORMATS[claim.source].format(seq[claim.source])
