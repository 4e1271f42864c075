"""Ways one company's name gets written, and the homophone swaps that make a different company.

Each variant function returns a new spelling of the same legal entity (except `homophone_swap`,
which callers also use to invent a different, similar-sounding company). English names are
synthetic: pinyin of the trade name plus a translated industry word and legal form.
"""

from __future__ import annotations

import random
from collections.abc import Container
from functools import cache

from opencc import OpenCC
from pypinyin import lazy_pinyin

from bench.realworld.reference import NameParts, short_region

_LEGAL_VARIANTS = {
    "股份有限公司": ("股份公司", "有限公司", "（股份）有限公司", "(股份)", ""),
    "集团股份有限公司": ("集团有限公司", "集团股份公司", "集团", "（集团）股份有限公司"),
    "有限责任公司": ("有限公司", "公司", ""),
    "有限公司": ("有限责任公司", "公司", ""),
    "股份公司": ("股份有限公司", "有限公司", ""),
}
_ENGLISH_INDUSTRY = {
    "科技": "Technology", "技术": "Technology", "信息技术": "Information Technology", "网络科技": "Network Technology",
    "电子科技": "Electronic Technology", "生物科技": "Biotechnology", "智能科技": "Intelligent Technology",
    "新能源科技": "New Energy Technology", "软件技术": "Software Technology", "控制技术": "Control Technology",
    "医疗器械": "Medical Devices", "新材料": "New Materials", "电子": "Electronics", "电气": "Electric",
    "医药": "Pharmaceutical", "制药": "Pharmaceutical", "生物": "Biological", "化工": "Chemical",
    "材料": "Materials", "能源": "Energy", "软件": "Software", "网络": "Network", "信息": "Information",
    "通信": "Communication", "机械": "Machinery", "汽车": "Automobile", "传媒": "Media", "文化": "Culture",
    "食品": "Food", "环保": "Environmental Protection", "实业": "Industrial", "控股": "Holdings",
    "集团": "Group", "投资": "Investment", "发展": "Development", "地产": "Real Estate", "置业": "Real Estate",
    "建设": "Construction", "工程": "Engineering", "装备": "Equipment", "光电": "Optoelectronics",
    "智能": "Intelligent", "物流": "Logistics", "纺织": "Textile", "矿业": "Mining", "股份": "",
}
_ENGLISH_LEGAL = {
    "股份有限公司": ("Co., Ltd.", "Corporation Limited", "Co.,Ltd", "Inc."),
    "集团股份有限公司": ("Group Co., Ltd.", "Group Corporation Limited", "Group"),
    "有限责任公司": ("Co., Ltd.", "Limited Liability Company", "LLC"),
    "有限公司": ("Co., Ltd.", "Limited", "Co.,Ltd."),
    "股份公司": ("Co., Ltd.", "Corporation"),
    "": ("Co., Ltd.",),
}


@cache
def _to_traditional() -> OpenCC:
    return OpenCC("s2t")


def traditional(name: str) -> str:
    return _to_traditional().convert(name)


def brackets_swapped(name: str) -> str:
    """Full-width brackets made half-width and back, as different input methods type them."""
    if "（" in name or "）" in name:
        return name.replace("（", "(").replace("）", ")")
    return name.replace("(", "（").replace(")", "）")


def legal_form_variant(parts: NameParts, rng: random.Random) -> str:
    """The same name with its legal form written another way, or left out."""
    choices = _LEGAL_VARIANTS.get(parts.legal_form, ("有限公司",))
    return parts.region + parts.trade + parts.industry + rng.choice(choices)


def region_variant(parts: NameParts, city: str, rng: random.Random) -> str:
    """Region moved behind the trade name (深圳市XX科技 -> XX（深圳）科技), dropped, or added."""
    body, tail = parts.trade, parts.industry + parts.legal_form
    region = short_region(parts.region or city)
    if not region:
        return parts.full
    roll = rng.random()
    if parts.region and roll < 0.5:
        return f"{body}（{region}）{tail}"
    if parts.region:
        return body + tail
    return ((region if roll < 0.4 else city if roll < 0.7 else "") + body
            + ("" if roll < 0.7 else f"（{region}）") + tail)


def with_spaces(name: str, rng: random.Random) -> str:
    """Stray spaces: around the name, doubled, or inside it."""
    at = rng.randrange(1, len(name)) if len(name) > 1 else 0
    return rng.choice((f" {name}", f"{name} ", f"{name[:at]} {name[at:]}", f"{name[:at]}  {name[at:]}",
                       f"{name[:at]}\u3000{name[at:]}"))


@cache
def _homophones(pool: str) -> dict[str, tuple[str, ...]]:
    """Characters of `pool` grouped by toneless pinyin."""
    groups: dict[str, list[str]] = {}
    for ch in sorted(set(pool)):
        reading = lazy_pinyin(ch)[0]
        if reading.isascii() and reading.isalpha():
            groups.setdefault(reading, []).append(ch)
    return {k: tuple(v) for k, v in groups.items() if len(v) > 1}


def homophone_swap(text: str, pool: str, rng: random.Random) -> str | None:
    """`text` with one character replaced by another of the same sound, or None if none has one."""
    groups = _homophones(pool)
    spots = [i for i, ch in enumerate(text) if lazy_pinyin(ch)[0] in groups]
    if not spots:
        return None
    i = rng.choice(spots)
    others = [c for c in groups[lazy_pinyin(text[i])[0]] if c != text[i]]
    return text[:i] + rng.choice(others) + text[i + 1:]


def typo(parts: NameParts, pool: str, rng: random.Random, taken: Container[str] = ()) -> str:
    """One character of the trade name dropped, inserted, or swapped for a homophone; never a
    trade name in `taken` (another company's), which would make the label wrong."""
    for _ in range(10):
        trade = _typo_trade(parts.trade, pool, rng)
        if trade not in taken:
            break
    return parts.region + trade + parts.industry + parts.legal_form


def _typo_trade(trade: str, pool: str, rng: random.Random) -> str:
    roll = rng.random()
    swapped = homophone_swap(trade, pool, rng) if roll < 0.45 else None
    if swapped is None and roll < 0.7 and len(trade) >= 3:
        i = rng.randrange(len(trade))
        swapped = trade[:i] + trade[i + 1:]
    if swapped is None:
        i = rng.randrange(len(trade) + 1)
        swapped = trade[:i] + rng.choice(pool) + trade[i:]
    return swapped


def english(parts: NameParts, city: str, rng: random.Random) -> str:
    """Synthetic English rendering: pinyin trade name, translated industry word and legal form."""
    trade = "".join(s.capitalize() if s.isascii() else s for s in lazy_pinyin(parts.trade))
    words = [trade]
    industry = _ENGLISH_INDUSTRY.get(parts.industry, "".join(lazy_pinyin(parts.industry)).capitalize())
    if industry:
        words.append(industry)
    region = "".join(lazy_pinyin(short_region(parts.region or city))).capitalize()
    if region and rng.random() < 0.35:
        words.insert(0, region)
    return " ".join([*words, rng.choice(_ENGLISH_LEGAL.get(parts.legal_form, ("Co., Ltd.",)))])
