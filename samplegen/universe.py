"""The true companies behind the claims: real listed companies, synthetic ones for scale, and
hard-negative sets; each with its own credit code, switchboard and contact people.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from itertools import chain

from samplegen.code_issuer import make_credit_code
from samplegen.contact_people import (
    AREA_PHONE_CODES,
    FREE_MAIL,
    Contact,
    make_contacts,
    make_landline,
)
from samplegen.hard_negatives import (
    curated_specs,
    make_near_name_pair,
    make_sister_set,
    rare_character_specs,
)
from samplegen.name_parts import (
    HOMOPHONE_EXTRAS,
    TRADE_CHARS,
    clean_short_name,
    parse_registered_name,
)
from samplegen.phonetics import Phonetics
from samplegen.reference_data import ListedCompany, Reference
from samplegen.synthetic import CompanySpec, make_synthetic

_REAL_SHARE = 0.6
_HARD_NEGATIVE_SHARE = 0.08


@dataclass(frozen=True, slots=True)
class Company:
    """One true company; `key` is what the truth labels call company_key."""

    key: str
    spec: CompanySpec
    credit_code: str
    landline: tuple[str, str]
    contacts: tuple[Contact, ...]

    @property
    def is_hard_negative(self) -> bool:
        return bool(self.spec.group_key)


@dataclass(frozen=True, slots=True)
class Universe:
    """Every true company of a run, with the shared numbers and the run's pinyin memo."""

    companies: tuple[Company, ...]
    # switchboards of agencies and 400 hotlines that many unrelated companies give out
    shared_numbers: tuple[str, ...]
    phonetics: Phonetics


def _domain_of(listed: ListedCompany) -> str:
    site = listed.website.lower().split("://")[-1].split("/")[0]
    site = site.removeprefix("www.")
    if site:
        return site
    mail_domain = listed.email.rpartition("@")[2].lower()
    return "" if mail_domain in FREE_MAIL else mail_domain


def _real_spec(listed: ListedCompany, region_names: frozenset[str]) -> CompanySpec:
    home = listed.city or listed.province or "北京"
    parts = parse_registered_name(listed.full_name, region_names, home)
    short = clean_short_name(listed.short_name)
    former = tuple(
        dict.fromkeys(n for n in map(clean_short_name, listed.former_short_names) if n != short)
    )
    domain = _domain_of(listed)
    return CompanySpec(parts, listed.full_name, short, former, home, listed.industry, domain)


def _shared_numbers(rng: random.Random, count: int) -> tuple[str, ...]:
    numbers = []
    for i in range(count):
        if i % 2 == 0:
            numbers.append(f"400-{rng.randrange(600, 900)}-{rng.randrange(10**4):04d}")
        else:  # an agency (代理记账 / 代办) landline in a big city
            area = rng.choice(("010", "021", "020", "0755"))
            numbers.append(f"{area}-{rng.randrange(5, 9)}{rng.randrange(10**7):07d}")
    return tuple(numbers)


def build_universe(reference: Reference, n_companies: int, rng: random.Random) -> Universe:
    """About `n_companies` companies: ~60% real, ~8% in hard-negative sets, the rest synthetic."""
    region_set = frozenset(reference.region_names)
    regions = reference.naming_regions
    n_real = min(len(reference.listed), round(n_companies * _REAL_SHARE))
    real = [_real_spec(c, region_set) for c in rng.sample(reference.listed, n_real)]
    real_chars = (ch for spec in real for ch in spec.parts.trade)
    phonetics = Phonetics(chain(TRADE_CHARS, HOMOPHONE_EXTRAS, real_chars))
    specs = curated_specs() + rare_character_specs() + real
    names_taken = {s.full_name for s in specs}
    domains_taken = {s.domain for s in specs if s.domain}
    group_no = 2  # G001 and G002 are the curated sets
    n_grouped = sum(1 for s in specs if s.group_key)
    while n_grouped < round(n_companies * _HARD_NEGATIVE_SHARE):
        group_no += 1
        make_set = (
            make_sister_set if group_no % 2 else make_near_name_pair
        )
        members = make_set(rng, phonetics, regions, names_taken, domains_taken, f"G{group_no:03d}")
        specs += members
        n_grouped += len(members)
    while len(specs) < n_companies:
        specs.append(make_synthetic(rng, phonetics, regions, names_taken, domains_taken))
    rng.shuffle(specs)

    codes_issued: set[str] = set()
    mobiles_issued: set[int] = set()
    phone_areas = dict(AREA_PHONE_CODES)
    companies = []
    for index, spec in enumerate(specs, start=1):
        area = rng.choice(reference.area_codes.get(spec.home) or reference.all_area_codes)
        phone_area = phone_areas.setdefault(spec.home, f"0{rng.randrange(310, 999)}")
        n_contacts = rng.choice((1, 2, 2, 3, 3, 4))
        companies.append(
            Company(
                key=f"C{index:06d}",
                spec=spec,
                credit_code=make_credit_code(rng, area, codes_issued),
                landline=make_landline(rng, phone_area),
                contacts=make_contacts(rng, phonetics, spec.domain, n_contacts, mobiles_issued),
            )
        )
    return Universe(tuple(companies), _shared_numbers(rng, max(4, n_companies // 2500)), phonetics)
