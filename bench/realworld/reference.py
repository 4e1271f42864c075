"""The real reference data the batch is built from: A-share listed companies and China's divisions.

Read from /work/shared/data/reference (see its SOURCES.md), never from samplegen, so the
evaluation does not inherit the generator's view of names. Full names are split into region,
trade name, industry word and legal form here, once, with rules of our own.
"""

from __future__ import annotations

import csv
import os
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

REFERENCE_DIR = Path(os.environ.get("RECON_REFERENCE_DIR", "/work/shared/data/reference"))

# Consumer mailbox providers: an address there says nothing about the company.
FREE_MAIL = ("qq.com", "163.com", "126.com", "sina.com", "sina.cn", "sohu.com", "163.net", "139.com",
             "aliyun.com", "foxmail.com", "yeah.net", "hotmail.com", "gmail.com", "outlook.com")
# Longest first, so 股份有限公司 wins over 有限公司.
LEGAL_FORMS = ("集团股份有限公司", "股份有限公司", "有限责任公司", "股份公司", "有限公司")
# Industry words that end a trade name; longest first.
INDUSTRY_WORDS = (
    "新能源科技", "信息技术", "网络科技", "电子科技", "生物科技", "智能科技", "软件技术", "控制技术",
    "医疗器械", "新材料", "科技", "技术", "电子", "电气", "医药", "制药", "生物", "化工", "材料",
    "能源", "软件", "网络", "信息", "通信", "机械", "汽车", "传媒", "文化", "食品", "环保", "实业",
    "控股", "集团", "投资", "发展", "地产", "置业", "建设", "工程", "装备", "光电", "智能", "物流",
    "纺织", "矿业", "股份",
)


@dataclass(frozen=True)
class City:
    province: str   # short form, e.g. 广东
    name: str       # e.g. 深圳市
    code: str       # 4-digit division code


@dataclass(frozen=True)
class NameParts:
    """A company name cut into its parts: region + trade + industry + legal form == the name."""

    region: str
    trade: str
    industry: str
    legal_form: str

    @property
    def full(self) -> str:
        return self.region + self.trade + self.industry + self.legal_form


@dataclass(frozen=True)
class Listed:
    """One listed company with a full legal name."""

    code: str
    full_name: str
    short_name: str
    former_short_names: tuple[str, ...]
    province: str
    city: str
    website: str
    email_domain: str
    industry: str
    parts: NameParts


def short_region(name: str) -> str:
    """A division name without its level word: 深圳市 -> 深圳, 广西壮族自治区 -> 广西."""
    for suffix in ("壮族自治区", "回族自治区", "维吾尔自治区", "特别行政区", "自治区", "省", "市", "盟", "地区"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


@cache
def cities() -> tuple[City, ...]:
    """Prefecture-level cities (municipalities under their own name), in file order."""
    base = REFERENCE_DIR / "divisions"
    with (base / "provinces.csv").open(encoding="utf-8") as f:
        provinces = {row["code"]: row["name"] for row in csv.DictReader(f)}
    out = []
    with (base / "cities.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            province = provinces[row["provinceCode"]]
            name = province if row["name"] == "市辖区" else row["name"]
            if name.endswith("市"):
                out.append(City(short_region(province), name, row["code"]))
    return tuple(out)


@cache
def county_codes() -> dict[str, tuple[str, ...]]:
    """6-digit county codes per 4-digit city code (the region part of a credit code)."""
    out: dict[str, list[str]] = {}
    with (REFERENCE_DIR / "divisions" / "areas.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            out.setdefault(row["cityCode"], []).append(row["code"])
    return {k: tuple(v) for k, v in out.items()}


@cache
def _region_prefixes() -> tuple[str, ...]:
    names: dict[str, None] = {}
    with (REFERENCE_DIR / "divisions" / "provinces.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            names[row["name"]] = None
            names[short_region(row["name"])] = None
    for city in cities():
        names[city.name] = None
        names[short_region(city.name)] = None
    return tuple(sorted(names, key=lambda n: (-len(n), n)))


def split_name(name: str) -> NameParts:
    """Cut a Chinese company name into region, trade, industry and legal form (each may be '')."""
    legal = next((f for f in LEGAL_FORMS if name.endswith(f)), "")
    body = name[: len(name) - len(legal)]
    region = next((r for r in _region_prefixes() if body.startswith(r) and len(body) - len(r) >= 2), "")
    body = body[len(region):]
    industry = next((w for w in INDUSTRY_WORDS if body.endswith(w) and len(body) - len(w) >= 2), "")
    return NameParts(region, body[: len(body) - len(industry)], industry, legal)


def _domain(email: str, website: str) -> str:
    """The company's own mail domain: the first e-mail's, unless that is a free-mail one."""
    for address in email.replace("；", ";").split(";"):
        domain = address.strip().rpartition("@")[2].lower()
        if domain and not any(domain == d or domain.endswith("." + d) for d in FREE_MAIL):
            return domain
    host = website.lower().removeprefix("http://").removeprefix("https://").split("/")[0]
    return host.removeprefix("www.")


@cache
def listed_companies() -> tuple[Listed, ...]:
    """Listed companies with a full name, a Chinese legal form and a trade name of 2+ characters."""
    with (REFERENCE_DIR / "listed_companies" / "listed_companies.csv").open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["full_name"]]
    shorts = {r["short_name"] for r in rows}
    split = [split_name(r["full_name"]) for r in rows]
    trades = Counter(p.trade for p in split)
    out = []
    for r, parts in zip(rows, split, strict=True):
        if not parts.legal_form or len(parts.trade) < 2 or not r["short_name"]:
            continue
        if trades[parts.trade] > 1:  # 苏州银行, 江苏银行: the region is part of the trade name
            parts = NameParts("", parts.region + parts.trade, parts.industry, parts.legal_form)
        # A former short name now used by another company would make the label ambiguous.
        former = tuple(n for n in r["former_short_names"].split("|") if len(n) >= 2 and n not in shorts)
        out.append(Listed(
            code=r["code"], full_name=r["full_name"], short_name=r["short_name"], former_short_names=former,
            province=r["province"], city=r["city"], website=r["website"].split(";")[0].strip(),
            email_domain=_domain(r["email"], r["website"]), industry=r["industry"], parts=parts,
        ))
    return tuple(out)
