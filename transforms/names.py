"""Company names: normal form and parts (legal form, region, branch, core trade name, pinyin).

Three stages, each a pure function of the previous stage's output so a frame can run each
on distinct values only: ``normalise_name`` (raw -> name_norm), ``name_structure``
(name_norm -> affixes and core) and ``romanise_core`` (core -> pinyin). ``name_parts``
composes them for a single name, e.g. a query typed at lookup time.
"""

import re
import unicodedata
from dataclasses import dataclass

from pypinyin import Style, lazy_pinyin

from transforms.name_rules import (
    BRACKET_GROUP,
    BRANCH_QUALIFIER_PREFIX,
    COUNTRY_MARKERS,
    EDGE_PUNCTUATION,
    LATIN_LETTER,
    MIN_CORE_CHARS,
    PUNCTUATION_MAP,
    NameRules,
    Suffix,
    is_generic,
    load_name_rules,
)
from transforms.reference import fold_text, to_simplified
from transforms.regions import (
    leading_regions,
    regions_compatible,
    trailing_region_start,
    whole_region,
)

_NON_ALNUM = re.compile(r"[^a-z0-9]")
# part of a legal form written in brackets: 多伦科技(股份)有限公司 is 多伦科技股份有限公司
_BRACKETED_FORM_PART = re.compile(r"\((股份|集团|控股)\)(?=(?:股份)?有限(?:责任)?公司|股份公司)")
# a legal-form word closing a short name: 奥维通信(股份), 华瓷股份 (a stock short name)
_TRAILING_FORM_WORD = re.compile(r"(?:\((?:股份|集团|控股)\)|股份)$")
_NON_CHINESE = "\x00"  # marks pypinyin tokens that were not Chinese characters


@dataclass(frozen=True, slots=True)
class NameStructure:
    """The affixes found in a normalised name and the core trade name left between them."""

    legal_form: str | None
    region: str | None
    branch: str | None
    core_name: str | None
    is_latin_name: bool | None


@dataclass(frozen=True, slots=True)
class NameParts:
    """Every standardised part of one company name; all None when no name was given."""

    name_norm: str | None
    legal_form: str | None
    region: str | None
    branch: str | None
    core_name: str | None
    core_pinyin: str | None
    core_initials: str | None
    is_latin_name: bool | None


def normalise_name(raw: str | None) -> str | None:
    """Comparable spelling of a name: half width, simplified, lower-case Latin, one bracket
    and punctuation style, no whitespace. None for a missing or blank name."""
    if raw is None:
        return None
    text = to_simplified(fold_text(raw)).lower().translate(PUNCTUATION_MAP)
    # Removing spaces can join a letter to a combining mark (o + ̈): compose them again.
    return unicodedata.normalize("NFKC", "".join(text.split())) or None


RULES: NameRules = load_name_rules(lambda text: normalise_name(text) or "")
_EMPTY_STRUCTURE = NameStructure(None, None, None, None, None)


def name_structure(name_norm: str | None) -> NameStructure:
    """Legal form, region, branch and core of a name already passed through normalise_name.

    A region or legal form is only cut when the core left behind keeps at least two
    characters and is not purely generic (北京大学 keeps 北京, region None); industry words
    stay in the core, so 华为技术 and 华为终端 remain different companies.
    """
    if not name_norm:
        return _EMPTY_STRUCTURE
    parent, branch = _split_branch(name_norm)
    unbracketed, region = _without_bracket_regions(parent)
    stem, legal_form = _without_legal_forms(
        _TRAILING_FORM_WORD.sub("", _BRACKETED_FORM_PART.sub(r"\1", unbracketed)) or unbracketed)
    if region is None:
        stem, region = _without_group_region(stem)
    core = stem
    # One region per name: with a bracketed one, a leading place name is the trade name
    # (海东(北京)终端 is 海东终端 of Beijing, not 终端 of Haidong), unless it names the same place
    # again or a place containing it (北京百度时代(北京), 湖南黄金(长沙)).
    for end, leading in reversed(leading_regions(stem)):
        if region and not regions_compatible(leading, region):
            continue
        if _is_real_core(stem[end:]):
            core, region = stem[end:], region or leading
            break
    # the region typed twice (上海市上海海欣机械, 苏州市苏州市建筑科学研究院)
    for end, leading in reversed(leading_regions(core) if region else []):
        if regions_compatible(leading, region) and _is_real_core(core[end:]):
            core = core[end:]
            break
    core = core.strip(EDGE_PUNCTUATION)
    if not _is_real_core(core):
        stem, legal_form = _without_legal_forms(parent)
        core, region = stem.strip(EDGE_PUNCTUATION), None
    is_latin = LATIN_LETTER.search(name_norm) is not None
    return NameStructure(legal_form, region, branch, core or name_norm, is_latin)


def romanise_core(core_name: str | None) -> tuple[str | None, str | None]:
    """(pinyin, initials) of a core name, lower-case ASCII without tones or spaces.

    Chinese characters give one syllable each (字节跳动 -> zijietiaodong, zjtd); other runs
    (Latin, digits) are kept whole in both, punctuation dropped.
    """
    if not core_name:
        return None, None
    # a run without pinyin comes back as one token, marked (pypinyin takes a str or a one-item list alike)
    tokens = lazy_pinyin(core_name, style=Style.NORMAL, errors=lambda run: _NON_CHINESE + run)
    syllables, initials = [], []
    for token in tokens:
        kept = _NON_ALNUM.sub("", token.lower())
        syllables.append(kept)
        initials.append(kept if token.startswith(_NON_CHINESE) else kept[:1])
    return "".join(syllables) or None, "".join(initials) or None


def name_parts(raw: str | None) -> NameParts:
    """All parts of one raw company name, exactly as standardise_claims computes them."""
    name_norm = normalise_name(raw)
    structure = name_structure(name_norm)
    pinyin, initials = romanise_core(structure.core_name)
    return NameParts(
        name_norm,
        structure.legal_form,
        structure.region,
        structure.branch,
        structure.core_name,
        pinyin,
        initials,
        structure.is_latin_name,
    )


def _is_real_core(text: str) -> bool:
    stripped = text.strip(EDGE_PUNCTUATION)
    return len(stripped) >= MIN_CORE_CHARS and not is_generic(stripped, RULES)


def _split_branch(name: str) -> tuple[str, str | None]:
    """(parent name, branch) where branch is qualifier + marker: 上海分公司, 北京朝阳支行."""
    last_group = BRACKET_GROUP.search(name, max(0, name.rfind("(")))
    if last_group and last_group.end() == len(name):
        content = last_group.group(1)
        parent = name[: last_group.start()]
        if any(content.endswith(m.text) for m in RULES.branch_markers) and _long_enough(parent):
            return parent, content
    text = name.rstrip(EDGE_PUNCTUATION)
    marker = next((m for m in RULES.branch_markers if text.endswith(m.text)), None)
    if marker is None:
        return name, None
    # 有限公司分公司: the part before the canonical marker belongs to the parent's name.
    head = text.removesuffix(marker.text) + marker.text.removesuffix(marker.canonical)
    start = _qualifier_start(head)
    if not _long_enough(head[:start]):
        return name, None
    return head[:start], head[start:] + marker.canonical


def _qualifier_start(head: str) -> int:
    """Where a branch qualifier begins: after the parent's legal form, else at a region."""
    ends = [
        found + len(s.text) for s in RULES.legal_suffixes if (found := head.rfind(s.text)) >= 0
    ]
    if ends:
        return max(ends)
    start = trailing_region_start(head)
    if start is None:
        return len(head)
    return start - 1 if head[start - 1] == BRANCH_QUALIFIER_PREFIX else start


def _without_bracket_regions(text: str) -> tuple[str, str | None]:
    """``text`` without bracketed regions and country markers, and the first region seen."""
    regions: list[str] = []

    def drop(group: re.Match[str]) -> str:
        content = group.group(1)
        region = whole_region(content)
        if region:
            regions.append(region)
            return ""
        return "" if content in COUNTRY_MARKERS else group.group(0)

    return BRACKET_GROUP.sub(drop, text), (regions[0] if regions else None)


def _without_group_region(stem: str) -> tuple[str, str | None]:
    """A region written after a group marker cut, with the marker: 中国移动通信集团广东 ->
    (中国移动通信, 广东). The usual form of a state group's provincial subsidiary."""
    start = trailing_region_start(stem)
    if start is None:
        return stem, None
    head = stem[:start]
    if not any(head.endswith(s.text) for s in RULES.legal_suffixes if s.kind == "group_marker"):
        return stem, None
    core, _ = _without_legal_forms(head)
    return (core, whole_region(stem[start:])) if _is_real_core(core) else (stem, None)


def _without_legal_forms(text: str) -> tuple[str, str | None]:
    """``text`` with trailing legal forms and group markers cut, and the outermost form."""
    legal_form = None
    while True:
        text = text.rstrip(EDGE_PUNCTUATION)
        cut = _last_legal_suffix(text)
        if cut is None or not _long_enough(cut[0]):
            return text, legal_form
        text, suffix = cut
        legal_form = legal_form or suffix.canonical


def _last_legal_suffix(text: str) -> tuple[str, Suffix] | None:
    """(text before, suffix) for the longest legal form or group marker ending ``text``."""
    for length in RULES.chinese_lengths:
        suffix = RULES.chinese_suffixes.get(text[-length:])
        if suffix is not None:
            return text[:-length], suffix
    if not text or not text[-1].isascii():
        return None
    return next(
        ((rest, s) for s in RULES.latin_suffixes
         if s.latin_key is not None and (rest := _cut_latin(text, s.latin_key))),
        None,
    )


def _cut_latin(text: str, latin_key: str) -> str | None:
    """``text`` before an English form, comparing letters and digits only (Co.,Ltd = co ltd)."""
    position, wanted = len(text), latin_key
    while wanted and position > 0:
        char = text[position - 1]
        if char in EDGE_PUNCTUATION:
            position -= 1
        elif char == wanted[-1]:
            position, wanted = position - 1, wanted[:-1]
        else:
            return None
    return None if wanted else text[:position]


def _long_enough(text: str) -> bool:
    return len(text.strip(EDGE_PUNCTUATION)) >= MIN_CORE_CHARS
