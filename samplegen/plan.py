"""The skeleton of every claim before any text is written: which company, when, by whom, through
which source, spelled which way, and whether it is a deliberately bad row.

Kept as parallel lists of small ints so that a million claims fit comfortably in memory.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from samplegen.defects import DEFECT_KINDS
from samplegen.name_parts import needs_gb18030
from samplegen.roster import Rep
from samplegen.sampling import Window, weighted_pool
from samplegen.universe import Company
from samplegen.variants import FIRST_CLAIM_POOL, VARIANT_KINDS, VARIANT_POOL

SOURCES = ("form", "crm", "sheet")
CLAIMS_PER_COMPANY = 3.33  # mean of _COUNT_POOL: ~30% of companies are claimed once
_COUNT_POOL = weighted_pool((1, 2, 3, 4, 5, 6, 7, 8, 10), (30, 15, 15, 12, 10, 8, 4, 3, 3))
_CATEGORY_POOL = weighted_pool(range(4), (15, 25, 35, 25))
_SMALL_RUN = 20_000  # up to here every source is well represented and 4% of rows are bad
_RECLAIM_SHARE = 0.12  # a later claim that comes from a rep who claimed the company before


@dataclass(frozen=True, slots=True)
class Plan:
    """Claims sorted by submission moment; every list is indexed by claim position."""

    company: list[int]
    moment: list[int]  # seconds since the window's first local midnight
    rep: list[int]
    kind: list[int]  # index into VARIANT_KINDS
    is_first: list[bool]  # the company's first claim
    is_reclaim: list[bool]  # the same rep claimed this company before
    source: list[int]  # index into SOURCES
    category: list[int]  # 0..3 for A..D
    defect: list[int]  # index into DEFECT_KINDS, -1 for a clean row

    def __len__(self) -> int:
        return len(self.company)


def _claim_counts(
    companies: tuple[Company, ...], n_claims: int, rng: random.Random, fixed: dict[int, int]
) -> list[int]:
    """Claims per company, summing to n_claims; hard negatives always claimed at least twice;
    the companies in `fixed` (key accounts) get exactly their count."""
    counts = [rng.choice(_COUNT_POOL) for _ in companies]
    for i, company in enumerate(companies):
        if company.is_hard_negative or needs_gb18030(company.spec.full_name):
            counts[i] = max(counts[i], 2)
    for i, count in fixed.items():
        counts[i] = count
    total = sum(counts)
    while total != n_claims:
        i = rng.randrange(len(counts))
        if i in fixed:
            continue
        if total < n_claims and 2 <= counts[i] < 12:
            counts[i] += 1
            total += 1
        elif total > n_claims and counts[i] > 2:
            counts[i] -= 1
            total -= 1
    return counts


def _company_claims(
    counts: list[int], rep_pool: tuple[int, ...], window: Window, rng: random.Random,
    teams: dict[int, tuple[int, ...]],
) -> list[tuple[int, int, int, int, bool, bool]]:
    """(moment, company, rep, variant kind, is_first, is_reclaim) of every claim, by moment;
    a company in `teams` (a key account) is claimed only by the reps listed there."""
    rows = []
    for c, count in enumerate(counts):
        reps_so_far: list[int] = []
        pool = teams.get(c, rep_pool)
        for j, moment in enumerate(sorted(window.random_moment(rng) for _ in range(count))):
            if reps_so_far and rng.random() < _RECLAIM_SHARE:
                rep = rng.choice(reps_so_far)
            else:
                rep = rng.choice(pool)
            kind = rng.choice(FIRST_CLAIM_POOL if j == 0 else VARIANT_POOL)
            rows.append((moment, c, rep, kind, j == 0, rep in reps_so_far))
            reps_so_far.append(rep)
    rows.sort()
    return rows


def build_plan(
    companies: tuple[Company, ...],
    reps: tuple[Rep, ...],
    n_claims: int,
    window: Window,
    rng: random.Random,
    key_accounts: dict[int, tuple[int, tuple[int, ...]]] | None = None,
) -> Plan:
    """Draw the skeleton of n_claims claims over the window; `key_accounts` maps a company
    position to its fixed number of claims and the reps who file them."""
    key_accounts = key_accounts or {}
    rep_pool = weighted_pool(range(len(reps)), [r.weight for r in reps])
    fixed = {c: size for c, (size, _) in key_accounts.items()}
    teams = {c: team for c, (_, team) in key_accounts.items()}
    rows = _company_claims(_claim_counts(companies, n_claims, rng, fixed), rep_pool, window, rng, teams)
    moment, company, rep, kind, is_first, is_reclaim = (list(col) for col in zip(*rows, strict=True))
    small = n_claims <= _SMALL_RUN
    source_pool = weighted_pool(range(3), (40, 35, 25) if small else (45, 50, 5))
    source = [rng.choice(source_pool) for _ in rows]
    rare = {i for i, c in enumerate(companies) if needs_gb18030(c.spec.full_name)}
    for i, c in enumerate(company):
        if is_first[i] and c in rare:  # the GB18030-only characters must reach the CRM file
            source[i] = SOURCES.index("crm")
            kind[i] = VARIANT_KINDS.index("canonical")
    category = [rng.choice(_CATEGORY_POOL) for _ in rows]
    defect = [-1] * len(rows)
    plan = Plan(company, moment, rep, kind, is_first, is_reclaim, source, category, defect)
    protected = {c for c, co in enumerate(companies) if co.is_hard_negative} | rare
    _mark_defects(plan, protected, 0.04 if small else 0.01, rng)
    _cover_variant_kinds(plan, companies, rng)
    return plan


def _mark_defects(plan: Plan, protected: set[int], rate: float, rng: random.Random) -> None:
    """Turn a share of later claims into bad rows, each kind at least once, spread over sources."""
    candidates = [
        i for i in range(len(plan)) if not plan.is_first[i] and plan.company[i] not in protected
    ]
    n_bad = min(len(candidates), max(len(DEFECT_KINDS) + 4, round(rate * len(plan))))
    for j, i in enumerate(sorted(rng.sample(candidates, n_bad))):
        plan.defect[i] = j % len(DEFECT_KINDS)
        plan.source[i] = (j + j // len(DEFECT_KINDS)) % len(SOURCES)


def _cover_variant_kinds(plan: Plan, companies: tuple[Company, ...], rng: random.Random) -> None:
    """Make sure every variant kind occurs on a clean later claim, whatever the sample size."""
    later = [i for i in range(len(plan)) if not plan.is_first[i] and plan.defect[i] < 0]
    present = {plan.kind[i] for i in later}
    for k, kind in enumerate(VARIANT_KINDS):
        if k in present:
            continue
        fitting = [
            i for i in later if kind != "former" or companies[plan.company[i]].spec.former_names
        ]
        plan.kind[rng.choice(fitting or later)] = k
