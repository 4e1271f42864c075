"""Synthetic company names for scale: region + trade-name syllables + industry word + legal form."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

from samplegen.name_parts import (
    INDUSTRY_WORDS,
    LEGAL_FORM_WEIGHTS,
    LEGAL_FORMS,
    TRADE_CHARS,
    NameParts,
    compose,
)
from samplegen.phonetics import Phonetics
from samplegen.sampling import weighted_pool

# Most companies sit in a few large cities; the rest are spread over every place name.
BIG_CITIES = (
    "北京", "上海", "深圳", "广州", "杭州", "南京", "苏州", "成都", "武汉", "西安", "重庆", "天津",
    "长沙", "郑州", "济南", "青岛", "合肥", "福州", "厦门", "宁波", "无锡", "东莞", "佛山", "沈阳",
)
_TLDS = (".com", ".com", ".com.cn", ".cn", ".net")
_TRADE_LENGTHS = weighted_pool((2, 3, 4), (16, 3, 1))
_FORM_POOL = weighted_pool(LEGAL_FORMS, LEGAL_FORM_WEIGHTS)
_STYLE_POOL = weighted_pool(("prefix", "bracket", "none"), (15, 2, 3))


@dataclass(frozen=True, slots=True)
class CompanySpec:
    """Who a company is, before codes and contacts are attached."""

    parts: NameParts
    full_name: str
    short_name: str
    former_names: tuple[str, ...]
    home: str  # place that decides the credit code's area and the phone area code
    industry: str
    domain: str  # "" when the company has no website
    group_key: str = ""  # shared by the members of one hard-negative set
    group_kind: str = ""  # "sister" or "near_name"


def random_trade(rng: random.Random) -> str:
    """A 2-4 character trade name (字号), mostly two characters."""
    length = rng.choice(_TRADE_LENGTHS)
    return "".join(rng.choice(TRADE_CHARS) for _ in range(length))


def random_region(rng: random.Random, region_names: tuple[str, ...]) -> str:
    return rng.choice(BIG_CITIES) if rng.random() < 0.65 else rng.choice(region_names)


def random_parts(
    rng: random.Random, region: str, trade: str, word: str | None = None, style: str | None = None
) -> NameParts:
    """Name parts around a given region and trade name; the rest is drawn."""
    if word is None:
        word = rng.choice(INDUSTRY_WORDS)[0]
    if style is None:
        style = rng.choice(_STYLE_POOL)
    written = region + "市" if rng.random() < 0.6 else region
    form = rng.choice(_FORM_POOL)
    return NameParts(region, written, style, trade, word, form)


def industry_for(word: str, rng: random.Random) -> str:
    """A reference-file industry consistent with the industry word."""
    for w, _, industries in INDUSTRY_WORDS:
        if w == word:
            return rng.choice(industries)
    return "综合类"


def make_domain(rng: random.Random, phonetics: Phonetics, trade: str, taken: set[str]) -> str:
    """A company web domain derived from the trade name's pinyin, unique in the run."""
    sylls = [phonetics.char(c) for c in trade]
    if rng.random() < 0.6:
        stem = "".join(sylls)
    else:  # initials, as in htkj.cn
        stem = "".join(s[0] for s in sylls) + rng.choice(("", "tech", "gf"))
    if not stem.isascii():
        stem = f"co{rng.randrange(10**6)}"
    domain = stem + rng.choice(_TLDS)
    while domain in taken:
        domain = f"{stem}{rng.randrange(10, 1000)}{rng.choice(_TLDS)}"
    taken.add(domain)
    return domain


def make_synthetic(
    rng: random.Random,
    phonetics: Phonetics,
    region_names: tuple[str, ...],
    names_taken: set[str],
    domains_taken: set[str],
) -> CompanySpec:
    """One synthetic company with a name no other company in the run has."""
    while True:
        region = random_region(rng, region_names)
        parts = random_parts(rng, region, random_trade(rng))
        full_name = compose(parts)
        if full_name not in names_taken:
            break
    names_taken.add(full_name)
    former: tuple[str, ...] = ()
    if rng.random() < 0.06:
        former = (compose(replace(parts, trade=random_trade(rng))),)
    short = parts.trade + parts.industry_word[:2] if rng.random() < 0.7 else parts.trade
    domain = make_domain(rng, phonetics, parts.trade, domains_taken) if rng.random() < 0.8 else ""
    industry = industry_for(parts.industry_word, rng)
    return CompanySpec(parts, full_name, short, former, region, industry, domain)
