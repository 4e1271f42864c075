"""How reps spell a company: every kind of variant listed in DOMAIN.md.

Structural variants change the name's parts (legal form, where the region sits); surface
variants change the written string (width, traditional characters, spaces, typos). A claim's
variant kind is drawn by the planner; `render` turns it into the text a rep typed.
"""

from __future__ import annotations

import random
from dataclasses import replace

import opencc

from samplegen.name_parts import ENGLISH_INDUSTRY, TRADE_CHARS, NameParts, compose, name_pieces
from samplegen.phonetics import Phonetics
from samplegen.sampling import weighted_pool
from samplegen.synthetic import CompanySpec

_TO_TRADITIONAL = opencc.OpenCC("s2t")

VARIANT_KINDS = (
    "canonical", "legal_form", "region", "width", "traditional", "short", "former", "english",
    "typo", "drop_extra", "spaces", "combo",
)
# Share of each kind among a company's later claims; a first claim is canonical more often.
VARIANT_POOL = weighted_pool(range(len(VARIANT_KINDS)), (30, 10, 9, 7, 5, 8, 3, 4, 6, 6, 5, 7))
FIRST_CLAIM_POOL = weighted_pool(range(len(VARIANT_KINDS)), (90, 10, 9, 7, 5, 8, 3, 4, 6, 6, 5, 7))

_FORM_SWAPS = weighted_pool(
    ("有限公司", "有限责任公司", "股份有限公司", "集团有限公司", "集团", "公司", "", " Co., Ltd."),
    (6, 4, 3, 2, 2, 2, 3, 1),
)
_ENGLISH_FORMS = weighted_pool(
    ("Co., Ltd.", "Co.,Ltd.", "Company Limited", "Corporation", "Inc.", "Ltd."), (10, 4, 3, 1, 1, 1)
)
_HALF_TO_FULL = str.maketrans(
    {**{chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)}, " ": "\u3000"}
)
_FULL_BRACKETS_TO_HALF = str.maketrans({"（": "(", "）": ")"})


class NameVariants:
    """Renders the spelling of one claim's company name."""

    def __init__(self, phonetics: Phonetics) -> None:
        self._phonetics = phonetics

    def render(self, spec: CompanySpec, kind: str, rng: random.Random) -> str:
        """The company name as a rep typed it, for a variant kind of VARIANT_KINDS."""
        parts = spec.parts
        if kind == "canonical":
            return spec.full_name
        if kind == "legal_form":
            return compose(_swap_form(parts, rng))
        if kind == "region":
            return compose(_move_region(parts, rng))
        if kind == "width":
            return _change_width(spec.full_name, parts, rng)
        if kind == "traditional":
            return _TO_TRADITIONAL.convert(spec.full_name)
        if kind == "short":
            return spec.short_name + ("公司" if rng.random() < 0.15 else "")
        if kind == "former":
            return self._former(spec, rng)
        if kind == "english":
            return self._english(parts, rng)
        if kind == "typo":
            return self._typo(parts, rng)
        if kind == "drop_extra":
            return _drop_or_extra(parts, rng)
        if kind == "spaces":
            return _spaced(parts, rng)
        if kind == "combo":
            return self._combo(parts, rng)
        raise ValueError(f"unknown variant kind {kind!r}")

    def _english(self, parts: NameParts, rng: random.Random) -> str:
        """'Zijie Tiaodong Technology Co., Ltd.', sometimes led by the region's pinyin."""
        words = [self._phonetics.romanised(parts.trade)]
        if parts.region and rng.random() < 0.5:
            words.insert(0, self._phonetics.romanised(parts.region).replace(" ", ""))
        if parts.industry_word:
            word = ENGLISH_INDUSTRY.get(parts.industry_word)
            words.append(word or self._phonetics.romanised(parts.industry_word))
        form = "Group Co., Ltd." if "集团" in parts.legal_form else rng.choice(_ENGLISH_FORMS)
        name = " ".join(w for w in words if w) + " " + form
        return name.upper() if rng.random() < 0.1 else name

    def _former(self, spec: CompanySpec, rng: random.Random) -> str:
        if not spec.former_names:
            return spec.short_name
        name = rng.choice(spec.former_names)
        return name + spec.parts.legal_form if len(name) <= 4 and rng.random() < 0.5 else name

    def _typo(self, parts: NameParts, rng: random.Random) -> str:
        """One character of trade name or industry word replaced by a same-sound one."""
        body = parts.trade + parts.industry_word
        spots = [i for i, ch in enumerate(body) if self._phonetics.has_homophone(ch)]
        if not spots:
            return _drop_or_extra(parts, rng)
        i = rng.choice(spots)
        body = body[:i] + self._phonetics.homophone(body[i], rng) + body[i + 1 :]
        cut = len(parts.trade)
        return compose(replace(parts, trade=body[:cut], industry_word=body[cut:]))

    def _combo(self, parts: NameParts, rng: random.Random) -> str:
        """A structural change followed by a surface one, as sloppy input piles them up."""
        changed = _swap_form(parts, rng) if rng.random() < 0.5 else _move_region(parts, rng)
        finish = rng.randrange(3)
        if finish == 0:
            return _spaced(changed, rng)
        if finish == 1:
            return _TO_TRADITIONAL.convert(compose(changed))
        return _change_width(compose(changed), changed, rng)


def _swap_form(parts: NameParts, rng: random.Random) -> NameParts:
    form = parts.legal_form
    while form == parts.legal_form:
        form = rng.choice(_FORM_SWAPS)
    return replace(parts, legal_form=form)


def _move_region(parts: NameParts, rng: random.Random) -> NameParts:
    """北京字节跳动科技 <-> 字节跳动（北京）科技, or the region dropped, added, or 市 dropped."""
    styles = [s for s in ("prefix", "bracket", "none") if s != parts.region_style]
    style = rng.choice(styles)
    written = parts.region_written or parts.region
    if style == "prefix" and rng.random() < 0.5:
        written = parts.region if written.endswith(("市", "省")) else parts.region + "市"
    return replace(parts, region_style=style, region_written=written)


def _change_width(name: str, parts: NameParts, rng: random.Random) -> str:
    """Half-width brackets, full-width digits and Latin letters, or an ideographic space."""
    if "（" in name:
        return name.translate(_FULL_BRACKETS_TO_HALF)
    if "(" in name or any(c.isascii() and c.isalnum() for c in name):
        return name.translate(_HALF_TO_FULL)
    if parts.region and rng.random() < 0.4:
        return compose(replace(parts, region_style="bracket")).translate(_FULL_BRACKETS_TO_HALF)
    pieces = name_pieces(parts)
    if len(pieces) == 1:
        return name + "\u3000"
    i = rng.randrange(1, len(pieces))
    return "".join(pieces[:i]) + "\u3000" + "".join(pieces[i:])


def _drop_or_extra(parts: NameParts, rng: random.Random) -> str:
    """A character of the name lost, doubled, or a stray one added after the trade name."""
    trade, word, form = parts.trade, parts.industry_word, parts.legal_form
    choice = rng.randrange(3)
    if choice == 0:
        if len(trade) >= 3:
            i = rng.randrange(1, len(trade))
            trade = trade[:i] + trade[i + 1 :]
        elif len(word) >= 2:
            i = rng.randrange(len(word))
            word = word[:i] + word[i + 1 :]
        elif form:
            i = rng.randrange(len(form))
            form = form[:i] + form[i + 1 :]
    elif choice == 1:
        i = rng.randrange(len(trade))
        trade = trade[: i + 1] + trade[i:]
    else:
        trade += rng.choice(TRADE_CHARS)
    return compose(replace(parts, trade=trade, industry_word=word, legal_form=form))


def _spaced(parts: NameParts, rng: random.Random) -> str:
    """Spaces between the name's pieces, or around it, as copy-paste leaves them."""
    pieces = name_pieces(parts)
    seps = [rng.choice(("", "", " ", "  ")) for _ in range(len(pieces) - 1)]
    if seps and not any(seps):
        seps[rng.randrange(len(seps))] = " "
    name = pieces[0] + "".join(sep + piece for sep, piece in zip(seps, pieces[1:], strict=True))
    if not seps or rng.random() < 0.2:
        name = rng.choice((" ", "  ", "\t")) + name + rng.choice(("", " "))
    return name
