"""Administrative regions written in company names (北京, 广东省深圳市, （浦东）).

Built once from the vendored modood division list; short forms are derived by rule
(name_rules.ADMIN_SUFFIXES, ethnic groups), never typed by hand. A region is reported by
its canonical short form (深圳, 内蒙古, 浦东) or its full name when no short form exists.
"""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import TypeVar

from transforms.name_rules import (
    ADMIN_SUFFIXES,
    AUTONOMOUS_SUFFIXES,
    LEADING_SHORT_FORM_OF,
    MIN_CORE_CHARS,
    PLACEHOLDER_CITY,
    ethnic_group_names,
)
from transforms.reference import read_reference_csv

_PROVINCE, _CITY, _AREA = 1, 2, 3
_Key = TypeVar("_Key")


@dataclass(frozen=True, slots=True)
class Division:
    """One province, prefecture-level city or county-level area of the division list."""

    code: str
    name: str
    short: str | None
    level: int
    parent_code: str | None

    @property
    def canonical(self) -> str:
        return self.short or self.name


@dataclass(frozen=True, slots=True)
class _Surfaces:
    """Spellings a region may take in one context: at the top of a chain, and after a parent.

    ``lengths`` maps the first two characters of every spelling to the spelling lengths
    that start with them, longest first, so most positions cost a single lookup.
    """

    top: Mapping[str, tuple[Division, ...]]
    children: Mapping[tuple[str, str], tuple[Division, ...]]
    lengths: Mapping[str, tuple[int, ...]]


@dataclass(frozen=True, slots=True)
class RegionIndex:
    """Lookup tables for region chains.

    ``prefix`` governs the start of a name, where only full names and the short forms of
    provinces and cities proper count (name_rules.LEADING_SHORT_FORM_OF); ``whole`` governs
    a text that is entirely a region, e.g. a bracket, where any short form counts.
    """

    prefix: _Surfaces
    whole: _Surfaces


def short_form(name: str, ethnic_names: Sequence[str]) -> str | None:
    """Short form of a division name (内蒙古自治区 -> 内蒙古, 浦东新区 -> 浦东), or None."""
    for suffix in AUTONOMOUS_SUFFIXES:
        if name.endswith(suffix):
            stem = name.removesuffix(suffix)
            while True:
                ethnic = next((e for e in ethnic_names if _cuttable(stem, e)), None)
                if ethnic is None:
                    break
                stem = stem.removesuffix(ethnic)
            return stem if len(stem) >= MIN_CORE_CHARS else None
    admin = next((s for s in ADMIN_SUFFIXES if _cuttable(name, s)), None)
    return name.removesuffix(admin) if admin else None


def _cuttable(text: str, suffix: str) -> bool:
    return text.endswith(suffix) and len(text) - len(suffix) >= MIN_CORE_CHARS


def _load_divisions() -> tuple[Division, ...]:
    ethnic = ethnic_group_names()
    provinces = read_reference_csv("divisions/provinces.csv")
    cities = read_reference_csv("divisions/cities.csv")
    areas = read_reference_csv("divisions/areas.csv")
    placeholders = {c["code"] for c in cities if PLACEHOLDER_CITY.match(c["name"])}

    def division(row: dict[str, str], level: int, parent: str | None) -> Division:
        short = short_form(row["name"], ethnic)
        return Division(row["code"], row["name"], short, level, parent)

    return (
        *(division(p, _PROVINCE, None) for p in provinces),
        *(division(c, _CITY, c["provinceCode"]) for c in cities if c["code"] not in placeholders),
        *(
            division(a, _AREA, _area_parent(a, placeholders))
            for a in areas
        ),
    )


def _area_parent(area: dict[str, str], placeholder_cities: set[str]) -> str:
    """An area's city, or its province when the city row is only a placeholder (市辖区)."""
    city = area["cityCode"]
    return area["provinceCode"] if city in placeholder_cities else city


def _surfaces(divisions: tuple[Division, ...], every_short_form: bool) -> _Surfaces:
    top: dict[str, list[Division]] = defaultdict(list)
    children: dict[tuple[str, str], list[Division]] = defaultdict(list)
    for div in divisions:
        spellings = {div.name}
        leading = div.level != _AREA and div.name.endswith(LEADING_SHORT_FORM_OF)
        if div.short and (every_short_form or leading):
            spellings.add(div.short)
        for spelling in spellings:
            top[spelling].append(div)
            if div.parent_code:
                children[(div.parent_code, spelling)].append(div)

    def frozen(table: Mapping[_Key, list[Division]]) -> Mapping[_Key, tuple[Division, ...]]:
        def ordered(divs: list[Division]) -> tuple[Division, ...]:
            return tuple(sorted(divs, key=lambda d: (d.level, d.code)))

        return MappingProxyType({key: ordered(divs) for key, divs in table.items()})

    lengths: dict[str, set[int]] = defaultdict(set)
    for spelling in top:
        lengths[spelling[:2]].add(len(spelling))
    return _Surfaces(
        top=frozen(top),
        children=frozen(children),
        lengths=MappingProxyType({k: tuple(sorted(v, reverse=True)) for k, v in lengths.items()}),
    )


_DIVISIONS = _load_divisions()
INDEX = RegionIndex(
    prefix=_surfaces(_DIVISIONS, every_short_form=False),
    whole=_surfaces(_DIVISIONS, every_short_form=True),
)


def _chain(text: str, surfaces: _Surfaces) -> list[tuple[int, Division]]:
    """Each step of the longest region chain at the start of ``text``: (end, division)."""
    steps: list[tuple[int, Division]] = []
    position = 0
    parents: tuple[str, ...] = ()
    while True:
        found = None
        for length in surfaces.lengths.get(text[position : position + 2], ()):
            end = position + length
            if end > len(text):
                continue
            spelling = text[position:end]
            if not parents:
                found = surfaces.top.get(spelling)
            else:
                found = tuple(
                    div for code in parents for div in surfaces.children.get((code, spelling), ())
                )
            if found:
                break
        if not found:
            return steps
        position = end
        parents = tuple(div.code for div in found)
        steps.append((position, found[0]))


def leading_regions(text: str) -> list[tuple[int, str]]:
    """Cut points of the region chain opening a name, shortest first: (end, region).

    广东省深圳市腾讯 -> [(3, '广东'), (6, '深圳')]; the caller picks the longest cut that
    leaves a real core.
    """
    return [(end, div.canonical) for end, div in _chain(text, INDEX.prefix)]


def whole_region(text: str) -> str | None:
    """The most specific region when ``text`` is only a region chain (北京朝阳 -> 朝阳)."""
    steps = _chain(text, INDEX.whole)
    return steps[-1][1].canonical if steps and steps[-1][0] == len(text) else None


def named_place(text: str, *, is_address: bool) -> str | None:
    """The region a province, city or address column names, at the start of ``text``.

    The most specific city in the chain, prefecture- or county-level (广东省深圳市南山区… -> 深圳,
    昆山市玉山镇… -> 昆山), since an address always goes on to a district while names mostly
    stop at the city; the first step when there is no city (广东省 -> 广东, 南山区 -> 南山). A
    column may use any short form (浦东); an address only full names and provinces' and
    cities' short forms, so that 建国路 is a street, not a place.
    """
    steps = [div for _, div in _chain(text, INDEX.prefix if is_address else INDEX.whole)]
    cities = [div for div in steps if div.level == _CITY or div.name.endswith("市")]
    return (cities[-1] if cities else steps[0]).canonical if steps else None


def trailing_region_start(text: str) -> int | None:
    """Start of the region chain ending ``text`` (中国银行北京 -> 4), keeping a 2-char head."""
    for start in range(MIN_CORE_CHARS, len(text) - 1):
        if whole_region(text[start:]):
            return start
    return None


@cache
def region_ancestors() -> Mapping[str, frozenset[str]]:
    """Canonical region → the canonical regions containing it (深圳 → {广东}). A canonical form
    shared by several divisions (two 朝阳) gets the ancestors of each."""
    by_code = {d.code: d for d in _DIVISIONS}
    ancestors: dict[str, set[str]] = defaultdict(set)
    for division in _DIVISIONS:
        parent = by_code.get(division.parent_code) if division.parent_code else None
        ancestors[division.canonical]
        while parent is not None:
            ancestors[division.canonical].add(parent.canonical)
            parent = by_code.get(parent.parent_code) if parent.parent_code else None
    return MappingProxyType({k: frozenset(v) for k, v in ancestors.items()})


def regions_compatible(a: str | None, b: str | None) -> bool:
    """False only when both regions are known and neither contains the other (杭州 / 成都);
    深圳 and 广东 are compatible, as are a known and an unknown region."""
    if a is None or b is None or a == b:
        return True
    table = region_ancestors()
    return a in table.get(b, ()) or b in table.get(a, ())
