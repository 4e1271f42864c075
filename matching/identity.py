"""Whether two groups of claims may be one company, judged on their names as a whole.

Links are made pair by pair; a chain of them can still join two companies that no single pair
would: a bare short name (华为) links to both 华为技术有限公司 and 华为终端有限公司. So before two
clusters are joined, the full registered name (`is_registered_name`) and the region most of
each cluster's claims carry must be compatible: two registered names are one company's only if they
are the same core, a known name of the same listed company, a typo of one another (the same
pinyin, or one edit in three characters or more), or one of them without the industry word the other has (百度网讯 / 百度网讯科技);
two regions only if one contains the other. A shared credit code overrides names (a renamed
company keeps its code).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import polars as pl

from transforms.regions import regions_compatible

MIN_TYPO_CHARS = 3


@dataclass(frozen=True, slots=True)
class RegisteredName:
    core: str
    trade: str | None
    pinyin: str | None
    alias: str | None


def _one_edit(a: str, b: str) -> bool:
    """Levenshtein distance of at most one."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i + 1:] == b[i + 1:] if len(a) == len(b) else a[i:] == b[i + 1:]


def names_compatible(a: RegisteredName, b: RegisteredName) -> bool:
    if a.core == b.core or (a.alias is not None and a.alias == b.alias):
        return True
    if a.pinyin is not None and a.pinyin == b.pinyin:
        return True
    if min(len(a.core), len(b.core)) >= MIN_TYPO_CHARS and _one_edit(a.core, b.core):
        return True
    # the same trade name, one of them without an industry word: 百度网讯 / 百度网讯科技
    return a.trade is not None and a.trade == b.trade and (a.core == a.trade or b.core == b.trade)


class ClusterNames:
    """Per cluster root: how often each registered name and each region occurs in it. A merge is
    judged on each side's dominant (most frequent) name and region: a typo on either side
    (毅威锐终端 among ten 毅威终端) must not keep two halves of one company apart."""

    def __init__(self, claim_index: dict[str, int], keys: pl.DataFrame | None):
        self.names: dict[int, Counter[RegisteredName]] = {}
        self.regions: dict[int, Counter[str]] = {}
        self._memo: dict[tuple[RegisteredName, RegisteredName], bool] = {}
        if keys is None:
            return
        for row in keys.iter_rows(named=True):
            i = claim_index.get(row["claim_id"])
            if i is None:
                continue
            if row["region"]:
                self.regions[i] = Counter((row["region"],))
            if row["is_registered_name"] and row["core_name"]:
                self.names[i] = Counter((RegisteredName(row["core_name"], row["trade_name"], row["core_pinyin"],
                                                        row["alias_key"]),))

    def compatible(self, ra: int, rb: int) -> bool:
        region_a, region_b = _dominant(self.regions.get(ra)), _dominant(self.regions.get(rb))
        if not regions_compatible(region_a, region_b):
            return False
        name_a, name_b = _dominant(self.names.get(ra)), _dominant(self.names.get(rb))
        return name_a is None or name_b is None or self._names_compatible(name_a, name_b)

    def _names_compatible(self, x: RegisteredName, y: RegisteredName) -> bool:
        key = (x, y) if (x.core, x.alias or "") <= (y.core, y.alias or "") else (y, x)
        if key not in self._memo:
            self._memo[key] = names_compatible(x, y)
        return self._memo[key]

    def merged(self, keep: int, gone: int) -> None:
        for table in (self.names, self.regions):
            if gone in table:
                table.setdefault(keep, Counter()).update(table.pop(gone))


def _dominant(counts: Counter | None):
    """The most frequent value (ties: the smallest), or None."""
    if not counts:
        return None
    top = max(counts.values())
    return min((value for value, n in counts.items() if n == top), key=_order)


def _order(value: RegisteredName | str) -> tuple:
    return (value.core, value.alias or "") if isinstance(value, RegisteredName) else (value,)
