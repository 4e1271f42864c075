"""Vendored reference data the generator draws on: listed companies and administrative divisions.

Everything is loaded through importlib.resources so the generator works from an installed
package as well as from a checkout.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from importlib import resources

_PROVINCE_SUFFIXES = (
    "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "特别行政区", "省", "市",
)
# cities.csv rows that are administrative placeholders, not places a company is named after
NOT_A_CITY = ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划")


@dataclass(frozen=True, slots=True)
class ListedCompany:
    """One row of listed_companies.csv that has a registered full name."""

    code: str
    short_name: str
    full_name: str
    former_short_names: tuple[str, ...]
    province: str
    city: str
    industry: str
    website: str
    email: str


@dataclass(frozen=True, slots=True)
class Reference:
    """Reference tables, read once per generation run and never mutated."""

    listed: tuple[ListedCompany, ...]
    industries: tuple[str, ...]
    # short place name (深圳, 湖南) -> the 6-digit county codes inside it, for credit codes
    area_codes: dict[str, tuple[str, ...]]
    # short place names that may open a registered name (深圳, 湖南), sorted
    region_names: tuple[str, ...]
    # the subset short enough to put into a synthetic name (no 自治州 or 地区 names)
    naming_regions: tuple[str, ...]
    all_area_codes: tuple[str, ...]


def short_place_name(name: str) -> str:
    """深圳市 -> 深圳, 广西壮族自治区 -> 广西; names without a known suffix are returned as-is."""
    for suffix in _PROVINCE_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def read_package_csv(package: str, *parts: str) -> list[dict[str, str]]:
    text = resources.files(package).joinpath("/".join(parts)).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def _load_listed() -> tuple[ListedCompany, ...]:
    rows = read_package_csv("samplegen", "reference", "listed_companies.csv")
    return tuple(
        ListedCompany(
            code=r["code"],
            short_name=r["short_name"].strip(),
            full_name=r["full_name"].strip(),
            former_short_names=tuple(n for n in r["former_short_names"].split("|") if n),
            province=short_place_name(r["province"]),
            city=short_place_name(r["city"]),
            industry=r["industry"],
            website=r["website"].strip(),
            email=r["email"].split(";")[0].strip(),
        )
        for r in rows
        if r["full_name"].strip()
    )


def _load_divisions() -> tuple[dict[str, tuple[str, ...]], tuple[str, ...], tuple[str, ...]]:
    divisions = ("reference_data", "divisions")
    provinces = {
        r["code"]: short_place_name(r["name"])
        for r in read_package_csv("transforms", *divisions, "provinces.csv")
    }
    cities = {
        r["code"]: short_place_name(r["name"])
        for r in read_package_csv("transforms", *divisions, "cities.csv")
        if r["name"] not in NOT_A_CITY
    }
    by_place: dict[str, list[str]] = {}
    all_codes: list[str] = []
    for r in read_package_csv("transforms", *divisions, "areas.csv"):
        all_codes.append(r["code"])
        by_place.setdefault(provinces[r["provinceCode"]], []).append(r["code"])
        city = cities.get(r["cityCode"])
        if city is not None:
            by_place.setdefault(city, []).append(r["code"])
    names = sorted(set(provinces.values()) | set(cities.values()))
    return {k: tuple(v) for k, v in by_place.items()}, tuple(names), tuple(all_codes)


def load_reference() -> Reference:
    """Read the vendored listed companies and divisions into an immutable Reference."""
    listed = _load_listed()
    area_codes, region_names, all_codes = _load_divisions()
    industries = tuple(sorted({c.industry for c in listed if c.industry}))
    return Reference(
        listed=listed,
        industries=industries,
        area_codes=area_codes,
        region_names=region_names,
        naming_regions=tuple(n for n in region_names if len(n) <= 3 and n[-1] not in "区盟"),
        all_area_codes=all_codes,
    )
