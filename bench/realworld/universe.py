"""The batch's true companies and how many claims each gets.

Shares of a 20,000-claim batch (all scale with --claims): key accounts ~5.5% (the 华为 and
阿里巴巴 families and two listed companies, hundreds of claims by dozens of reps), other group
families ~5%, homophone pairs ~3%, same-name-other-city pairs ~3%, invented SMEs 20%, and the
rest real listed companies, 1-5 claims each for most.
"""

from __future__ import annotations

import random

from bench.realworld.companies import Entity, Registry, sector
from bench.realworld.families import FAMILIES
from bench.realworld.names import homophone_swap
from bench.realworld.reference import (
    INDUSTRY_WORDS,
    City,
    Listed,
    NameParts,
    cities,
    listed_companies,
    short_region,
    split_name,
)

_COUNTS = (1,) * 38 + (2,) * 25 + (3,) * 16 + (4,) * 11 + (5,) * 10
_LISTED_KEY_ACCOUNTS = (180, 120)
_SME_SHARE = 0.20
_TRADE_CHARS = "华盛达鑫源泰恒瑞丰宏德信诚安康祥顺兴隆凯博宇辰星创智联众远航通汇金银海天景悦嘉禾佳美伟精卓越润峰晟昊"
_SME_INDUSTRIES = ("科技", "网络科技", "信息技术", "电子", "机械", "贸易", "建设工程", "生物科技", "文化传媒",
                   "物流", "环保科技", "医疗器械", "食品", "新材料", "智能科技")
_SME_FORMS = ("有限公司",) * 16 + ("有限责任公司",) * 3 + ("股份有限公司",)


class Universe:
    """Builds entities into `self.entities`; counts are claims, not companies."""

    def __init__(self, n_claims: int, rng: random.Random) -> None:
        self.n, self.rng, self.scale = n_claims, rng, n_claims / 20_000
        self.registry = Registry(rng)
        self.entities: list[Entity] = []
        self._cities = cities()
        self._by_city = {c.name: c for c in self._cities}
        self._listed = list(listed_companies())
        rng.shuffle(self._listed)
        self.char_pool = "".join(sorted({ch for c in self._listed for ch in c.parts.trade} | set(_TRADE_CHARS)))
        for c in self._listed:
            self.registry.trades[c.parts.trade] = None

    def build(self) -> list[Entity]:
        self._hand_families()
        self._listed_key_accounts()
        for _ in range(self._scaled(60)):
            self._synthetic_family()
        for i in range(self._scaled(120)):
            self._homophone_pair(from_listed=i % 2 == 0)
        for i in range(self._scaled(120)):
            self._same_name_pair(from_listed=i % 2 == 0)
        sme_budget = round(self.n * _SME_SHARE)
        while sme_budget > 0:
            sme = self._sme(self._city(), self._new_trade(), ("sme",))
            sme.claims = min(sme_budget, self.rng.choice((1, 1, 2, 2, 3)))
            sme_budget -= sme.claims
        self._fill_with_listed(self.n - sum(e.claims for e in self.entities))
        return self.entities

    # --- kinds of entities -------------------------------------------------------------------

    def _hand_families(self) -> None:
        for family in FAMILIES:
            city = self._by_city[family.city]
            identity = self.registry.identity(city, family.key, family.domain, family.website)
            for i, member in enumerate(family.members):
                key_account = member.key_account_claims > 0
                count = (max(2, round(member.key_account_claims * self.scale)) if key_account
                         else max(1, round(self.rng.randint(3, 12) * self.scale)))
                parts = split_name(member.full_name)
                self._add(Entity(
                    key=f"F:{family.key}:{i}", name=member.full_name, parts=parts, city=city, identity=identity,
                    credit_code=self.registry.credit_code(city), industry=sector(parts.industry),
                    tags=("key_account", "group_family") if key_account else ("group_family",),
                    group_key=f"G:{family.key}", short_names=member.short_names,
                    english_name=member.english_name, claims=count,
                    rep_pool=self.rng.randint(20, 60) if key_account else 0,
                ), contacts=30 if key_account else 3)

    def _listed_key_accounts(self) -> None:
        for claims in _LISTED_KEY_ACCOUNTS:
            entity = self._from_listed(self._listed.pop(), ("key_account",))
            entity.claims, entity.rep_pool = max(2, round(claims * self.scale)), self.rng.randint(20, 50)
            entity.contacts = self.registry.contacts(entity.identity, 25)

    def _synthetic_family(self) -> None:
        """A listed company and 1-3 sister companies on its trade name, sharing its identifiers."""
        head = self._from_listed(self._listed.pop(), ("group_family",))
        head.group_key = f"G:{head.key}"
        words = [w for w in INDUSTRY_WORDS if w not in (head.parts.industry, "股份")]
        for i, word in enumerate(self.rng.sample(words, self.rng.randint(1, 3))):
            city = head.city if self.rng.random() < 0.6 else self._city()
            region = head.parts.region if city == head.city else short_region(city.name)
            parts = NameParts(region, head.parts.trade, word, "有限公司")
            self._add(Entity(
                key=f"{head.key}:s{i}", name=parts.full, parts=parts, city=city, identity=head.identity,
                credit_code=self.registry.credit_code(city), industry=sector(word), tags=("group_family",),
                group_key=head.group_key, claims=self.rng.choice(_COUNTS),
            ), contacts=self.rng.randint(1, 3))

    def _homophone_pair(self, *, from_listed: bool) -> None:
        """A company and a different one whose trade name differs by one same-sounding character."""
        tag = ("homophone_other",)
        original = (self._from_listed(self._listed.pop(), tag) if from_listed
                    else self._sme(self._city(), self._new_trade(), tag))
        for _ in range(20):
            trade = homophone_swap(original.parts.trade, self.char_pool, self.rng)
            if trade and trade not in self.registry.trades:
                break
        else:
            original.tags = ()  # no sound-alike exists: a plain company after all
            return
        self.registry.trades[trade] = None
        parts = NameParts(original.parts.region, trade, original.parts.industry,
                          self.rng.choice(("有限公司", original.parts.legal_form)))
        other = self._sme(original.city, trade, tag, parts=parts, kind="H")
        other.claims = self.rng.choice((1, 1, 2, 3))

    def _same_name_pair(self, *, from_listed: bool) -> None:
        """Two companies with one trade and industry word, registered in different cities."""
        tag = ("same_name_other_city",)
        first = (self._from_listed(self._listed.pop(), tag) if from_listed
                 else self._sme(self._city(), self._new_trade(), tag, with_region=True))
        city = self._city(other_than=first.city)
        parts = NameParts(short_region(city.name) + ("市" if self.rng.random() < 0.4 else ""),
                          first.parts.trade, first.parts.industry or "科技", "有限公司")
        self._sme(city, first.parts.trade, tag, parts=parts, kind="C")

    def _sme(self, city: City, trade: str, tags: tuple[str, ...], *, parts: NameParts | None = None,
             kind: str = "S", with_region: bool = False) -> Entity:
        """An invented company (region + trade + industry word + legal form)."""
        if parts is None:
            region = short_region(city.name) if with_region or self.rng.random() < 0.85 else ""
            if region and self.rng.random() < 0.4:
                region = city.name if self.rng.random() < 0.7 else city.province
            parts = NameParts(region, trade, self.rng.choice(_SME_INDUSTRIES), self.rng.choice(_SME_FORMS))
        entity = Entity(
            key=f"{kind}{len(self.entities):06d}", name=parts.full, parts=parts, city=city,
            identity=self.registry.identity(city, trade), credit_code=self.registry.credit_code(city),
            industry=sector(parts.industry), tags=tags, claims=self.rng.choice(_COUNTS),
        )
        return self._add(entity, contacts=self.rng.randint(1, 3))

    def _from_listed(self, company: Listed, tags: tuple[str, ...]) -> Entity:
        city = self._by_city.get(company.city) or self._region_city(company.parts.region) or self._city()
        entity = Entity(
            key=f"L{company.code}", name=company.full_name, parts=company.parts, city=city,
            identity=self.registry.identity(city, company.parts.trade, company.email_domain, company.website),
            credit_code=self.registry.credit_code(city), industry=company.industry or sector(company.parts.industry),
            tags=tags, short_names=(company.short_name,), former_names=company.former_short_names,
            claims=self.rng.choice(_COUNTS),
        )
        return self._add(entity, contacts=self.rng.randint(1, 4))

    def _fill_with_listed(self, budget: int) -> None:
        """The remaining claims go to listed companies; past the list, extra claims pile onto them."""
        plain: list[Entity] = []
        while budget > 0 and self._listed:
            entity = self._from_listed(self._listed.pop(), ())
            entity.claims = min(budget, entity.claims)
            budget -= entity.claims
            plain.append(entity)
        for _ in range(budget):
            self.rng.choice(plain).claims += 1

    # --- helpers -----------------------------------------------------------------------------

    def _add(self, entity: Entity, contacts: int = 0) -> Entity:
        if contacts:
            entity.contacts = self.registry.contacts(entity.identity, contacts)
        self.entities.append(entity)
        return entity

    def _scaled(self, count: int) -> int:
        return max(2, round(count * self.scale))

    def _city(self, other_than: City | None = None) -> City:
        while (city := self.rng.choice(self._cities)) == other_than:
            pass
        return city

    def _region_city(self, region: str) -> City | None:
        """The city a name's region is, or a city of the province it is (a company registered
        as 江苏… has a 江苏 address), or None."""
        short = short_region(region)
        if not short:
            return None
        return (next((c for c in self._cities if short_region(c.name) == short), None)
                or next((c for c in self._cities if c.province == short), None))

    def _new_trade(self) -> str:
        for length in (2, 2, 2, 3, 3, 3, 3):
            trade = "".join(self.rng.sample(_TRADE_CHARS, length))
            if trade not in self.registry.trades:
                self.registry.trades[trade] = None
                return trade
        raise RuntimeError("no free trade name left")
