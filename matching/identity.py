"""Whether two groups of claims may be one company, judged on their names as a whole.

Links are made pair by pair; a chain of them can still join two companies that no single pair
would: a bare short name (华为) links to both 华为技术有限公司 and 华为终端有限公司. So before two
clusters are joined, the full registered names in them (`is_registered_name`) and the regions
their names carry must all be compatible: two registered names are one company's only if they
are the same core, a known name of the same listed company, a typo of one another (one edit, or
the same pinyin), or one of them without the industry word the other has (百度网讯 / 百度网讯科技);
two regions only if one contains the other. A shared credit code overrides names (a renamed
company keeps its code).
"""

from __future__ import annotations

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
    if min(len(a.core), len(b.core)) >= MIN_TYPO_CHARS and (_one_edit(a.core, b.core) or a.pinyin == b.pinyin):
        return True
    # the same trade name, one of them without an industry word: 百度网讯 / 百度网讯科技
    return a.trade is not None and a.trade == b.trade and (a.core == a.trade or b.core == b.trade)


class ClusterNames:
    """Per cluster root: its distinct registered names and regions; `compatible` judges a merge."""

    def __init__(self, claim_index: dict[str, int], keys: pl.DataFrame | None):
        self.names: dict[int, frozenset[RegisteredName]] = {}
        self.regions: dict[int, frozenset[str]] = {}
        self._memo: dict[tuple[RegisteredName, RegisteredName], bool] = {}
        if keys is None:
            return
        for row in keys.iter_rows(named=True):
            i = claim_index.get(row["claim_id"])
            if i is None:
                continue
            if row["region"]:
                self.regions[i] = frozenset((row["region"],))
            if row["is_registered_name"] and row["core_name"]:
                self.names[i] = frozenset((RegisteredName(row["core_name"], row["trade_name"], row["core_pinyin"],
                                                          row["alias_key"]),))

    def compatible(self, ra: int, rb: int) -> bool:
        for x in self.regions.get(ra, ()):
            for y in self.regions.get(rb, ()):
                if not regions_compatible(x, y):
                    return False
        for x in self.names.get(ra, ()):
            for y in self.names.get(rb, ()):
                if not self._names_compatible(x, y):
                    return False
        return True

    def _names_compatible(self, x: RegisteredName, y: RegisteredName) -> bool:
        key = (x, y) if (x.core, x.alias or "") <= (y.core, y.alias or "") else (y, x)
        if key not in self._memo:
            self._memo[key] = names_compatible(x, y)
        return self._memo[key]

    def merged(self, keep: int, gone: int) -> None:
        for table in (self.names, self.regions):
            if gone in table:
                table[keep] = table.get(keep, frozenset()) | table.pop(gone)
