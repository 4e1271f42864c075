"""Turns a planned claim into the values a rep typed, in canonical (source-neutral) form, and
hands out each source's claim ids."""

from __future__ import annotations

import random
from typing import NamedTuple

from samplegen.formats import (
    credit_code_text,
    email_text,
    landline_text,
    mobile_text,
    website_text,
)
from samplegen.plan import SOURCES, Plan
from samplegen.roster import Rep
from samplegen.sampling import Window, weighted_pool
from samplegen.universe import Universe
from samplegen.variants import VARIANT_KINDS, NameVariants

_NOTES = (
    "客户有采购意向，下周拜访", "展会上认识的客户", "老客户转介绍", "已电话沟通，需求明确",
    "预算待确认", "竞品在跟，需尽快推进", "招标项目，预计Q4启动", "行业标杆，重点维护",
    "客户要求先出方案", "对方IT负责人主动联系", "申请延期保护", "渠道伙伴推荐", "需要上门演示",
    "之前报备过期，重新报备",
)
_CONTACT_TITLES = ("（采购经理）", "（IT总监）", "（总经理）", "（财务）")
_ADDRESS_TITLES = ("总", "经理", "工")
# mobile, switchboard, a number shared by many companies, no phone
_PHONE_SOURCES = weighted_pool(("mobile", "landline", "shared", ""), (62, 20, 4, 14))


class Claim(NamedTuple):
    """One claim's values before a source writer formats them; `moment` is local seconds."""

    moment: int
    rep_id: str
    rep_name: str
    company_name: str
    contact_name: str
    phone: str
    phone_digits: str  # the phone as plain digits when typed so (a spreadsheet may store a number)
    email: str
    website: str
    credit_code: str
    category: int  # 0..3 for A..D; 4 is the invalid E
    industry: str
    note: str
    timestamp_defect: str = ""  # "unparseable" or "future" on deliberately bad rows
    bad_time_text: str = ""
    province: str = ""
    city: str = ""
    address: str = ""


class ClaimRenderer:
    """Draws the free-text fields of each planned claim, in plan order."""

    def __init__(self, universe: Universe, reps: tuple[Rep, ...], rng: random.Random) -> None:
        self._universe = universe
        self._reps = reps
        self._rng = rng
        self._variants = NameVariants(universe.phonetics)

    def render(self, plan: Plan, i: int) -> Claim:
        """Claim i of the plan as typed; must be called in plan order for reproducible output."""
        rng = self._rng
        company = self._universe.companies[plan.company[i]]
        rep = self._reps[plan.rep[i]]
        contact = rng.choice(company.contacts)
        contact_name = contact.name
        roll = rng.random()
        if roll < 0.08:
            contact_name += rng.choice(_CONTACT_TITLES)
        elif roll < 0.12:  # 王总, 李经理: only the surname survives
            contact_name = contact_name[0] + rng.choice(_ADDRESS_TITLES)
        phone, digits = self._phone(contact.mobile, company.landline)
        domain = company.spec.domain
        return Claim(
            moment=plan.moment[i],
            rep_id=rep.rep_id,
            rep_name=rep.rep_name,
            company_name=self._variants.render(company.spec, VARIANT_KINDS[plan.kind[i]], rng),
            contact_name=contact_name,
            phone=phone,
            phone_digits=digits,
            email=email_text(contact.email, rng) if rng.random() < 0.7 else "",
            website=website_text(domain, rng) if domain and rng.random() < 0.5 else "",
            credit_code=credit_code_text(company.credit_code, rng) if rng.random() < 0.35 else "",
            category=plan.category[i],
            industry=company.spec.industry if rng.random() < 0.85 else "",
            note=rng.choice(_NOTES) if rng.random() < 0.35 else "",
        )

    def _phone(self, mobile: str, landline: tuple[str, str]) -> tuple[str, str]:
        rng = self._rng
        kind = rng.choice(_PHONE_SOURCES)
        if kind == "mobile":
            text = mobile_text(mobile, rng)
            return text, mobile if text == mobile else ""
        if kind == "landline":
            text, plain = landline_text(*landline, rng)
            return text, text if plain else ""
        if kind == "shared":
            return rng.choice(self._universe.shared_numbers), ""
        return "", ""


class ClaimIds:
    """Claim ids as each source issues them: WF20260501-0001, L-00012345, ZL-0001."""

    def __init__(self, window: Window, rng: random.Random) -> None:
        self._window = window
        self._rng = rng
        self._form_day = -1
        self._form_seq = 0
        self._lead = rng.randrange(10_000, 20_000)
        self._sheet_seq = 0

    def next(self, source: int, moment: int) -> str:
        """The id of the next claim of `source`; claims must arrive in time order."""
        name = SOURCES[source]
        if name == "form":
            day = moment // 86400
            self._form_seq = self._form_seq + 1 if day == self._form_day else 1
            self._form_day = day
            return f"WF{self._window.day_code(day)}-{self._form_seq:04d}"
        if name == "crm":
            self._lead += 2 if self._rng.random() < 0.2 else 1  # deleted leads leave gaps
            return f"L-{self._lead:08d}"
        self._sheet_seq += 1
        return f"ZL-{self._sheet_seq:04d}"
