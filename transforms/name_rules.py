"""The rules company-name standardisation follows, as data.

Lists live in CSV files under ``transforms/reference_data`` (legal forms, generic terms,
ethnic groups, administrative divisions); character maps and suffix orders that are rules
rather than lists live here. Nothing else in ``transforms`` holds name literals.
"""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from transforms.reference import read_reference_csv

# Every bracket becomes ASCII parentheses, every dash a hyphen-minus, every middle dot one
# dot; quotation marks and title marks are dropped. NFKC already folded full-width forms.
PUNCTUATION_MAP = str.maketrans(
    {
        **dict.fromkeys("[{【〔〖〘〚⦅", "("),
        **dict.fromkeys("]}】〕〗〙〛⦆", ")"),
        **dict.fromkeys("‐‑‒–—―−⁃﹘~〜～", "-"),
        **dict.fromkeys("•・‧∙⋅", "·"),
        **dict.fromkeys("、，", ","),
        "。": ".",
        **dict.fromkeys("\"'`“”‘’„‟「」『』《》〈〉«»‹›", ""),
    }
)
# Separators typed between a name and its affixes, trimmed wherever an affix is cut.
# Brackets are not among them: they belong to affixes such as (集团) or to the core.
EDGE_PUNCTUATION = " ,.;:-·_/&+"
# A bracketed group: the unit in which regions, group markers and branches are written.
BRACKET_GROUP = re.compile(r"\(([^()]*)\)")

# Administrative suffixes, longest first, removed to derive a division's short form
# (广东省 -> 广东, 浦东新区 -> 浦东). Autonomous suffixes also drop the ethnic names before
# them (广西壮族自治区 -> 广西); a short form must keep at least MIN_CORE_CHARS characters.
AUTONOMOUS_SUFFIXES = ("自治区", "自治州", "自治县", "自治旗")
ADMIN_SUFFIXES = ("新区", "林区", "特区", "地区", "省", "市", "区", "县", "旗", "盟")
# At the start of a name a short form counts only for provinces and cities proper: the
# short forms of prefectures (阿里地区 -> 阿里, 大理白族自治州 -> 大理) and of districts
# (白云区 -> 白云) open brand names (阿里巴巴, 大理石, 白云山). Inside brackets any counts.
LEADING_SHORT_FORM_OF = ("省", "市", "自治区")
# Placeholder city rows in the divisions list (municipalities' 市辖区 and 县, directly
# administered county-level units): their areas hang off the province instead.
PLACEHOLDER_CITY = re.compile(r"^(市辖区|县|.*直辖县级行政区划)$")

# Cutting a region, legal form or branch must leave at least this many characters.
MIN_CORE_CHARS = 2
# 驻 ("stationed in") opens a branch qualifier: 华为技术有限公司驻深圳办事处.
BRANCH_QUALIFIER_PREFIX = "驻"
# Bracketed country markers that say nothing about the legal entity: 宝洁(中国)有限公司.
COUNTRY_MARKERS = ("中国", "中华人民共和国")
# Latin letters in the normalised name mark an English or mixed name.
LATIN_LETTER = re.compile(r"[a-z]")


@dataclass(frozen=True, slots=True)
class Suffix:
    """One row of legal_forms.csv in normalised spelling.

    ``latin_key`` (letters and digits only) is set for English forms, which are matched
    ignoring punctuation because people type Co.,Ltd / Co. Ltd / co ltd interchangeably.
    """

    text: str
    kind: str
    canonical: str
    latin_key: str | None


@dataclass(frozen=True, slots=True)
class NameRules:
    """Affix rules for company names, each tuple ordered longest first.

    ``chinese_suffixes`` indexes the non-English legal forms and group markers by their
    spelling, with ``chinese_lengths`` the lengths to try, so a name's ending is looked up
    rather than compared with every form.
    """

    legal_suffixes: tuple[Suffix, ...]
    chinese_suffixes: Mapping[str, Suffix]
    chinese_lengths: tuple[int, ...]
    latin_suffixes: tuple[Suffix, ...]
    branch_markers: tuple[Suffix, ...]
    generic_terms: frozenset[str]
    max_generic_len: int


def load_name_rules(normalise: Callable[[str], str]) -> NameRules:
    """Name rules from the reference CSVs, each spelling passed through ``normalise``.

    Normalising the rules with the very function applied to names guarantees that a
    full-width or traditional spelling in the data still matches.
    """
    rows = read_reference_csv("legal_forms.csv")
    zh_canonical = {row["suffix"]: row["canonical"] for row in rows if row["language"] == "zh"}
    suffixes = []
    for row in rows:
        # English rows name a Chinese form (有限公司) that is itself a suffix with its own
        # canonical (有限责任公司): follow that one hop so both languages agree.
        canonical = zh_canonical.get(row["canonical"], row["canonical"])
        text = normalise(row["suffix"])
        latin_key = re.sub(r"[^a-z0-9]", "", text) if row["kind"] == "english" else None
        suffixes.append(Suffix(text, row["kind"], canonical, latin_key))
    by_length = sorted(suffixes, key=lambda suffix: (-len(suffix.text), suffix.text))
    terms = frozenset(normalise(row["term"]) for row in read_reference_csv("generic_terms.csv"))
    legal = tuple(s for s in by_length if s.kind != "branch_marker")
    chinese = {s.text: s for s in legal if s.latin_key is None}
    return NameRules(
        legal_suffixes=legal,
        chinese_suffixes=MappingProxyType(chinese),
        chinese_lengths=tuple(sorted({len(text) for text in chinese}, reverse=True)),
        latin_suffixes=tuple(s for s in legal if s.latin_key is not None),
        branch_markers=tuple(s for s in by_length if s.kind == "branch_marker"),
        generic_terms=terms,
        max_generic_len=max(map(len, terms)),
    )


def ethnic_group_names() -> tuple[str, ...]:
    """Ethnic group names with and without 族 (维吾尔族 / 维吾尔), longest first."""
    names = {row["name"] for row in read_reference_csv("ethnic_groups.csv")}
    bare = {name.removesuffix("族") for name in names}
    return tuple(sorted(names | bare, key=lambda name: (-len(name), name)))


def is_generic(text: str, rules: NameRules) -> bool:
    """True when ``text`` is empty or made only of generic terms (大学, 科技, 信息科技)."""
    reachable = [True] + [False] * len(text)
    for start in range(len(text)):
        if reachable[start]:
            for end in range(start + 1, min(len(text), start + rules.max_generic_len) + 1):
                reachable[end] = reachable[end] or text[start:end] in rules.generic_terms
    return reachable[-1]
