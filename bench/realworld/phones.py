"""Phone numbers as Chinese offices have them, and the annotated ways reps type them into a cell.

Area codes are real for the cities listed here and synthetic (0300-0899, from the division code)
for the others; numbers themselves are random.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

_AREA_CODES = {
    "北京市": "010", "上海市": "021", "天津市": "022", "重庆市": "023", "广州市": "020", "深圳市": "0755",
    "杭州市": "0571", "南京市": "025", "苏州市": "0512", "成都市": "028", "武汉市": "027", "西安市": "029",
    "无锡市": "0510", "宁波市": "0574", "长沙市": "0731", "合肥市": "0551", "郑州市": "0371", "济南市": "0531",
    "青岛市": "0532", "厦门市": "0592", "福州市": "0591", "东莞市": "0769", "佛山市": "0757", "珠海市": "0756",
    "绍兴市": "0575", "温州市": "0577", "嘉兴市": "0573", "常州市": "0519", "南通市": "0513", "沈阳市": "024",
    "大连市": "0411", "哈尔滨市": "0451", "长春市": "0431", "昆明市": "0871", "贵阳市": "0851", "南宁市": "0771",
    "南昌市": "0791", "太原市": "0351", "石家庄市": "0311", "兰州市": "0931", "乌鲁木齐市": "0991",
    "海口市": "0898", "台州市": "0576", "金华市": "0579", "湖州市": "0572", "烟台市": "0535", "徐州市": "0516",
    "扬州市": "0514", "泉州市": "0595", "中山市": "0760", "惠州市": "0752", "汕头市": "0754", "芜湖市": "0553",
}
_MOBILE_PREFIXES = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155", "156",
    "157", "158", "159", "166", "173", "176", "177", "180", "181", "182", "183", "185", "186", "187",
    "188", "189", "191", "193", "198", "199",
)
_FULL_WIDTH = str.maketrans("0123456789-()", "０１２３４５６７８９－（）")


@dataclass(frozen=True)
class Landline:
    area: str
    local: str

    @property
    def text(self) -> str:
        return f"{self.area}-{self.local}"


def area_code(city: str, city_code: str = "") -> str:
    """The real area code of a big city, else a stable synthetic one."""
    if city in _AREA_CODES:
        return _AREA_CODES[city]
    seed = int(city_code) if city_code.isdigit() else sum(map(ord, city))
    return f"0{300 + seed % 600}"


def mobile(rng: random.Random) -> str:
    return rng.choice(_MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def landline(rng: random.Random, area: str) -> Landline:
    digits = 8 if len(area) == 3 or rng.random() < 0.8 else 7
    return Landline(area, str(rng.randrange(2, 9)) + f"{rng.randrange(10 ** (digits - 1)):0{digits - 1}d}")


def annotated_mobile(rng: random.Random, number: str, switchboard: Landline) -> str:
    """A mobile as reps annotate it: WeChat notes, a masked copy, or two labelled numbers."""
    masked = f"{number[:3]}****{number[-4:]}"
    return rng.choice((
        f"{number} 微信同号",
        f"{number}（微信同号）",
        f"{number}/{masked}",
        f"手机:{number} 座机:{switchboard.text}",
    ))


def annotated_landline(rng: random.Random, line: Landline) -> str:
    """A landline with an extension, written the ways real registration files have it."""
    ext = str(rng.randrange(1000, 9999)) if rng.random() < 0.7 else str(rng.randrange(100, 999))
    return rng.choice((
        f"（{line.area}）{line.local}-{ext}",
        f"+86-{line.area[1:]}-{line.local}-{ext}",
        f"{line.area}-{line.local}".translate(_FULL_WIDTH) + f"-{ext}",
        f"{line.area}-{line.local}转{ext}",
    ))
