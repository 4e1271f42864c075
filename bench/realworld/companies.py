"""True companies (entities) of the batch, with what identifies them outside their name.

`Registry` hands out identifiers no two entities share unless on purpose: a group family passes
one switchboard, domain and website to all its members; anything else gets its own.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from pypinyin import lazy_pinyin

from bench.realworld import people, phones
from bench.realworld.phones import Landline
from bench.realworld.reference import City, NameParts, county_codes

_SECTORS = (
    (("科技", "技术", "软件", "网络", "信息", "通信", "智能"), "信息技术"),
    (("电子", "电气", "机械", "装备", "材料", "化工", "汽车", "光电", "纺织"), "制造业"),
    (("医药", "制药", "生物", "医疗器械"), "医药"),
    (("建设", "工程", "地产", "置业"), "建筑业"),
    (("投资", "控股"), "金融业"),
)


@dataclass(frozen=True)
class Identity:
    """What a company is reached by: switchboard, mail domain, website."""

    switchboard: Landline
    domain: str
    website: str


@dataclass
class Entity:
    key: str
    name: str                      # the canonical full name
    parts: NameParts
    city: City
    identity: Identity
    credit_code: str
    industry: str
    tags: tuple[str, ...] = ()     # entity-level phenomena, e.g. group_family
    group_key: str = ""
    short_names: tuple[str, ...] = ()
    former_names: tuple[str, ...] = ()
    english_name: str = ""         # hand-written; empty means render one
    claims: int = 0
    rep_pool: int = 0              # distinct reps who claim it (0: a few)
    contacts: list[people.Person] = field(default_factory=list)


def sector(industry_word: str) -> str:
    """The 所属行业 a rep would pick for a company with this industry word."""
    return next((s for words, s in _SECTORS if industry_word in words), "服务业")


class Registry:
    """Hands out identifiers unique across the batch (domains, credit codes, trade names)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.domains: dict[str, None] = {}
        self.codes: dict[str, None] = {}
        self.trades: dict[str, None] = {}

    def identity(self, city: City, trade: str, domain: str = "", website: str = "") -> Identity:
        """A new switchboard; the real domain and website if given and free, else synthetic ones."""
        if not domain or domain in self.domains:
            domain = self._synthetic_domain(trade)
            website = "www." + domain
        self.domains[domain] = None
        line = phones.landline(self.rng, phones.area_code(city.name, city.code))
        return Identity(line, domain, website or "www." + domain)

    def _synthetic_domain(self, trade: str) -> str:
        stem = re.sub(r"[^a-z0-9]", "", "".join(lazy_pinyin(trade)).lower()) or "corp"
        for suffix in (".com", ".cn", ".com.cn", "-tech.com", "group.com", f"{self.rng.randrange(10, 99)}.com"):
            if stem + suffix not in self.domains:
                return stem + suffix
        return f"{stem}{self.rng.randrange(1000, 9999)}.cn"

    def credit_code(self, city: City) -> str:
        counties = county_codes().get(city.code) or (city.code + "00",)
        while (code := people.credit_code(self.rng, self.rng.choice(counties))) in self.codes:
            pass
        self.codes[code] = None
        return code

    def contacts(self, identity: Identity, count: int) -> list[people.Person]:
        """People at the company: a mobile each, most with an address on the company's domain."""
        out = []
        for _ in range(count):
            name = people.person_name(self.rng)
            mail = (people.company_email(self.rng, name, identity.domain) if self.rng.random() < 0.7
                    else people.free_email(self.rng, name))
            out.append(people.Person(name, phones.mobile(self.rng), mail))
        return out
