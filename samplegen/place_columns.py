"""Province, city and address columns beside the company name, for a share of claims.

Reps fill them in unevenly: some give the province and city (深圳市 or 深圳), fewer a street
address opening with the province, city and district. The values name the company's home
place from the division list. A random generator of their own draws them, so adding the
columns left every other value of a seeded run unchanged.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from samplegen.reference_data import NOT_A_CITY, read_package_csv, short_place_name

_DIVISIONS = ("reference_data", "divisions")
_STREETS = ("人民路", "建设路", "解放路", "中山路", "科技园路", "创业大道", "滨江大道", "高新路", "工业园路")
_FILLED_SHARE = 0.45  # claims with a province and city
_ADDRESS_SHARE = 0.5  # of those, also an address


@dataclass(frozen=True, slots=True)
class Place:
    """A home place: its province, its city (None for a province or a municipality), its districts."""

    province: str
    city: str | None
    areas: tuple[str, ...]


def _places() -> dict[str, Place]:
    """Short place name (深圳, 湖南, 北京) -> the divisions it stands for."""
    provinces = {r["code"]: r["name"] for r in read_package_csv("transforms", *_DIVISIONS, "provinces.csv")}
    cities = {
        r["code"]: r for r in read_package_csv("transforms", *_DIVISIONS, "cities.csv") if r["name"] not in NOT_A_CITY
    }
    areas: dict[str, list[str]] = {}
    for r in read_package_csv("transforms", *_DIVISIONS, "areas.csv"):
        areas.setdefault(r["cityCode"], []).append(r["name"])
        areas.setdefault(r["provinceCode"], []).append(r["name"])
    places = {
        short_place_name(name): Place(name, None, tuple(areas.get(code, ())))
        for code, name in provinces.items()
    }
    for code, city in cities.items():
        places.setdefault(
            short_place_name(city["name"]),
            Place(provinces[city["provinceCode"]], city["name"], tuple(areas.get(code, ()))),
        )
    return places


class PlaceColumns:
    """Draws the (province, city, address) a rep typed for a company at `home`; "" when left blank."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(f"places:{seed}")
        self._places = _places()

    def draw(self, home: str) -> tuple[str, str, str]:
        rng = self._rng
        place = self._places.get(home)
        if place is None or rng.random() >= _FILLED_SHARE:
            return "", "", ""
        short = rng.random() < 0.3  # 广东 / 深圳 rather than 广东省 / 深圳市
        province = short_place_name(place.province) if short else place.province
        city = place.city or place.province  # a municipality is its own city
        city_text = short_place_name(city) if short else city
        address = ""
        if place.areas and rng.random() < _ADDRESS_SHARE:
            opening = place.province if place.city is None else place.province + place.city
            address = f"{opening}{rng.choice(place.areas)}{rng.choice(_STREETS)}{rng.randint(1, 999)}号"
        return province, city_text, address
