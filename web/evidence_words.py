"""The night's evidence lines ("company_name: same pinyin (homophone typo) (12.4)") in words a
reviewer reads: what was compared, what was found, and whether it argues for or against."""

from __future__ import annotations

import re

FIELDS = {
    "company_name": "公司名称", "legal_form": "企业类型", "region": "地区", "branch": "分支机构",
    "credit_code_norm": "信用代码", "phone": "电话", "company_email_domain": "公司邮箱域名",
    "website_domain": "网站", "contact_name": "联系人",
}
LEVELS = {
    "full name identical": "全称相同",
    "trade name identical": "字号相同",
    "same pinyin (homophone typo)": "拼音相同（同音错字）",
    "one character added or dropped": "多一个或少一个字",
    "one name begins the other (short name)": "一个是另一个的开头（简称）",
    "English name carries the pinyin": "英文名含有拼音",
    "one character replaced": "有一个字不同",
    "same trade name, other industry word": "字号相同，行业词不同",
    "pinyin very similar": "拼音非常接近",
    "same branch or both head office": "同一分支或都是总部",
    "missing on one side": "一方未填",
    "All other comparisons": "不一致",
}
_LINE = re.compile(r"^(?P<field>[^:]+): (?P<level>.*) \((?P<weight>-?[0-9.]+)\)$")
# weights within this of zero neither argue for nor against
NEUTRAL = 0.5


def _level_words(level: str) -> str:
    if level.startswith("Exact match"):
        return "完全一致"
    if level.startswith("Jaro-Winkler"):
        return "非常相近"
    return LEVELS.get(level, level)


def evidence_in_words(lines: list[str] | None) -> list[dict[str, str]]:
    """One row per comparison: field, finding, and stance ("for", "against" or "neutral") with
    the weight as text; lines that do not parse are kept as they are."""
    rows = []
    for line in lines or []:
        parsed = _LINE.match(line)
        if parsed is None:
            rows.append({"field": "", "finding": line, "stance": "neutral", "weight": ""})
            continue
        weight = float(parsed["weight"])
        stance = "for" if weight >= NEUTRAL else "against" if weight <= -NEUTRAL else "neutral"
        rows.append({"field": FIELDS.get(parsed["field"], parsed["field"]), "finding": _level_words(parsed["level"]),
                     "stance": stance, "weight": f"{weight:+.1f}"})
    return rows
