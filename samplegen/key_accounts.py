"""National key accounts (大客户): a few companies, mostly entities of group families, that receive
hundreds of claims each from dozens of reps, as 华为 / 阿里巴巴 / 腾讯 do on real registration data.

Off by default (the bundled samples have none). `key_account_count(n, "auto")` scales with the run:
one key account per 12,500 claims, at least 4, so 200k claims hold 16 and 1M hold 80, each drawn
log-uniformly between 200 and 2,000 claims (fewer on small runs) from 30-80 of the roster's reps.
"""

from __future__ import annotations

import math
import random
from dataclasses import replace

from samplegen.contact_people import make_contacts
from samplegen.universe import Company, Universe

CLAIMS_PER_KEY_ACCOUNT = 12_500  # "auto": one key account per this many claims
MIN_AUTO = 4
MIN_CLAIMS, MAX_CLAIMS = 200, 2_000
MIN_REPS, MAX_REPS = 30, 80
MAX_SHARE = 1 / 3  # never more than this share of all claims goes to key accounts
_CONTACTS = (10, 40)  # people at a key account who get called, mailed and registered


def key_account_count(n_claims: int, setting: int | str) -> int:
    """How many key accounts a run of n_claims gets: an explicit count, or "auto"."""
    if setting == "auto":
        return max(MIN_AUTO, round(n_claims / CLAIMS_PER_KEY_ACCOUNT))
    count = int(setting)
    if count < 0:
        raise ValueError(f"key accounts must be 0 or more, got {count}")
    return count


def key_account_sizes(n_claims: int, count: int, rng: random.Random) -> list[int]:
    """Claims of each key account: log-uniform in 200-2,000, scaled down on small runs."""
    if count == 0:
        return []
    cap = max(2, math.floor(n_claims * MAX_SHARE / count))
    low, high = min(MIN_CLAIMS, cap), min(MAX_CLAIMS, cap)
    return [round(math.exp(rng.uniform(math.log(low), math.log(high)))) for _ in range(count)]


def _family_first(companies: tuple[Company, ...], count: int, rng: random.Random) -> list[int]:
    """Company positions: whole sister families first (the curated 华为 family leads), then others."""
    families: dict[str, list[int]] = {}
    for i, company in enumerate(companies):
        if company.spec.group_kind == "sister":
            families.setdefault(company.spec.group_key, []).append(i)
    chosen: list[int] = []
    for key in sorted(families)[:1] + rng.sample(sorted(families)[1:], len(families) - 1):
        if len(chosen) >= count:
            break
        chosen += families[key][: count - len(chosen)]
    rest = [i for i, c in enumerate(companies) if not c.is_hard_negative]
    chosen += rng.sample(rest, min(len(rest), count - len(chosen)))
    return chosen


def with_key_accounts(
    universe: Universe, sizes: list[int], n_reps: int, rng: random.Random
) -> tuple[Universe, dict[int, tuple[int, tuple[int, ...]]]]:
    """The universe with key accounts staffed like one (many contacts; a family shares its
    switchboard and domain), and {company position: (claims, rep positions)} for the plan."""
    chosen = _family_first(universe.companies, len(sizes), rng)
    companies = list(universe.companies)
    mobiles = {int(p.mobile) for c in companies for p in c.contacts}
    switchboards: dict[str, tuple[str, str]] = {}
    plan: dict[int, tuple[int, tuple[int, ...]]] = {}
    for i, size in zip(chosen, sizes, strict=False):
        company = companies[i]
        family = company.spec.group_key or company.key
        landline = switchboards.setdefault(family, company.landline)
        extra = make_contacts(rng, universe.phonetics, company.spec.domain, rng.randint(*_CONTACTS), mobiles)
        companies[i] = replace(company, landline=landline, contacts=company.contacts + extra)
        team = rng.sample(range(n_reps), min(n_reps, rng.randint(MIN_REPS, MAX_REPS)))
        plan[i] = (size, tuple(team))
    return replace(universe, companies=tuple(companies)), plan
