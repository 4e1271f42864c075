"""Companies that look alike but are different legal entities (hard negatives), and a few
hand-picked companies that samples should always contain.

- sister entities of one group share trade name, region and web domain but differ in the
  industry word, credit code and contacts (华为技术有限公司 vs 华为终端有限公司);
- near names differ in one character of the trade name, never a same-sound one, so that they
  stay distinguishable from pinyin typos (华康科技 vs 华泰科技).
"""

from __future__ import annotations

import random
from dataclasses import replace

from samplegen.name_parts import INDUSTRY_WORDS, TRADE_CHARS, NameParts, compose
from samplegen.phonetics import Phonetics
from samplegen.synthetic import (
    CompanySpec,
    industry_for,
    make_domain,
    random_parts,
    random_region,
    random_trade,
)


def curated_specs() -> list[CompanySpec]:
    """The examples DOMAIN.md names, as one sister set and one near-name pair."""
    huawei = NameParts("深圳", "深圳市", "none", "华为", "技术", "有限公司")
    terminal = replace(huawei, industry_word="终端")
    cloud = replace(huawei, industry_word="云计算技术")
    huakang = NameParts("杭州", "杭州", "prefix", "华康", "科技", "有限公司")
    huatai = replace(huakang, trade="华泰")
    return [
        _curated(huawei, "华为", "通信设备", "huawei.com", "G001", "sister"),
        _curated(terminal, "华为终端", "通信设备", "huawei.com", "G001", "sister"),
        _curated(cloud, "华为云", "软件服务", "huawei.com", "G001", "sister"),
        _curated(huakang, "华康科技", "软件服务", "huakangtech.com", "G002", "near_name"),
        _curated(huatai, "华泰科技", "IT设备", "htkj.cn", "G002", "near_name"),
    ]


def rare_character_specs() -> list[CompanySpec]:
    """Companies whose names need GB18030 beyond GBK (䶮 U+4DAE, 㵘 U+3D58)."""
    yan = NameParts("广州", "广州市", "prefix", "䶮龙", "网络科技", "有限公司")
    zhu = NameParts("长沙", "长沙", "prefix", "㵘源", "环保科技", "有限公司")
    return [
        _curated(yan, "䶮龙网络", "互联网", "yanlong-net.cn"),
        _curated(zhu, "㵘源环保", "环境保护", "zhuyuan-env.com"),
    ]


def _curated(
    parts: NameParts, short: str, industry: str, domain: str, group: str = "", kind: str = ""
) -> CompanySpec:
    full_name = compose(parts)
    return CompanySpec(parts, full_name, short, (), parts.region, industry, domain, group, kind)


def make_sister_set(
    rng: random.Random,
    phonetics: Phonetics,
    region_names: tuple[str, ...],
    names_taken: set[str],
    domains_taken: set[str],
    group_key: str,
) -> list[CompanySpec]:
    """2-3 entities of one group: same trade name and domain, different industry words."""
    while True:
        region = random_region(rng, region_names)
        base = random_parts(rng, region, random_trade(rng))
        words = [w for w, _, _ in rng.sample(INDUSTRY_WORDS, rng.choice((2, 2, 3)))]
        members = [replace(base, industry_word=w) for w in words]
        names = [compose(p) for p in members]
        if not any(n in names_taken for n in names):
            break
    names_taken.update(names)
    domain = make_domain(rng, phonetics, base.trade, domains_taken)
    return [
        CompanySpec(
            p, n, p.trade + p.industry_word[:2], (), region, industry_for(p.industry_word, rng),
            domain, group_key, "sister",
        )
        for p, n in zip(members, names, strict=True)
    ]


def make_near_name_pair(
    rng: random.Random,
    phonetics: Phonetics,
    region_names: tuple[str, ...],
    names_taken: set[str],
    domains_taken: set[str],
    group_key: str,
) -> list[CompanySpec]:
    """Two unrelated companies whose names differ in one (not same-sounding) character."""
    while True:
        region = random_region(rng, region_names)
        first = random_parts(rng, region, random_trade(rng))
        pos = rng.randrange(len(first.trade))
        other = rng.choice(TRADE_CHARS)
        if not phonetics.differs_in_sound(other, first.trade[pos]):
            continue
        second = replace(first, trade=first.trade[:pos] + other + first.trade[pos + 1 :])
        names = [compose(first), compose(second)]
        if not any(n in names_taken for n in names):
            break
    names_taken.update(names)
    industry = industry_for(first.industry_word, rng)
    return [
        CompanySpec(
            p, n, p.trade + p.industry_word[:2], (), region, industry,
            make_domain(rng, phonetics, p.trade, domains_taken), group_key, "near_name",
        )
        for p, n in zip((first, second), names, strict=True)
    ]
