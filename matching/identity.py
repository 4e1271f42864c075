"""Whether two groups of claims may be one company, judged on their names as a whole.

Links are made pair by pair; a chain of them can still join two companies that no single pair
would: a bare short name (华为) links to both 华为技术有限公司 and 华为终端有限公司. So before two
clusters are joined, the full registered name (`is_registered_name`, or the listed company a known
short name stands for) and the region most of each cluster's claims carry must be compatible.
Names of two different listed companies never are. Two registered names are one company's only if they are
the same core, a known name of the same listed company, the same pinyin, the same trade name where
one core extends the other by industry words or differs by one character (百度网讯 / 百度网讯科技, but
not 华为技术 / 华为投资), or otherwise a slip (one edit in three characters or more, two in five);
two regions only if one contains the other. A shared credit code overrides names (a renamed
company keeps its code).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl
from pypinyin import Style, lazy_pinyin

from transforms.regions import regions_compatible

MIN_TYPO_CHARS = 3
MIN_TWO_TYPO_CHARS = 5
# a bracketed part left in a core (腾讯科技(绅圳): a mistyped region) is not the company's name
_BRACKETS = re.compile(r"\([^()]*\)")


@dataclass(frozen=True, slots=True)
class RegisteredName:
    core: str
    trade: str | None
    pinyin: str | None
    alias: str | None


def _edits(a: Sequence[str], b: Sequence[str], limit: int) -> int:
    """Levenshtein distance, or limit + 1 once it exceeds `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def names_compatible(a: RegisteredName, b: RegisteredName) -> bool:
    x, y = _BRACKETS.sub("", a.core) or a.core, _BRACKETS.sub("", b.core) or b.core
    if a.alias is not None and b.alias is not None:
        # both names of known listed companies: one company only if the same one
        return a.alias == b.alias
    if x == y:
        return True
    if a.pinyin is not None and a.pinyin == b.pinyin:
        return True
    if a.trade is not None and a.trade == b.trade:
        # the same trade name: one of them without an industry word the other has (百度网讯 /
        # 百度网讯科技) or a one-character slip, else sisters with other industry words (华为技术 / 华为投资)
        return x.startswith(y) or y.startswith(x) or (min(len(x), len(y)) >= MIN_TYPO_CHARS and _edits(x, y, 1) <= 1)
    shorter = min(len(x), len(y))
    if shorter >= MIN_TYPO_CHARS and _edits(x, y, 1) <= 1:
        return True
    # two slips in a long name (沃森省物技术 / 沃森生物吉技术), at most one of which changes the
    # sound: 百度在线网络技术 / 百度时代网络技术 are two words apart, two companies
    return (shorter >= MIN_TWO_TYPO_CHARS and _edits(x, y, 2) <= 2
            and _edits(lazy_pinyin(x, style=Style.NORMAL), lazy_pinyin(y, style=Style.NORMAL), 1) <= 1)


class ClusterNames:
    """Per cluster root: how often each registered name and each region occurs in it. A merge is
    judged on each side's dominant (most frequent) name and region: a typo on either side
    (毅威锐终端 among ten 毅威终端) must not keep two halves of one company apart."""

    def __init__(self, claim_index: dict[str, int], keys: pl.DataFrame | None):
        self.names = _Tallies(lambda name: (name.core, name.alias or ""))
        self.regions = _Tallies(lambda region: region)
        self._memo: dict[tuple[RegisteredName, RegisteredName], bool] = {}
        if keys is None:
            return
        weighted = "weight" in keys.columns
        columns = ["claim_id", "region", "is_registered_name", "core_name", "trade_name", "core_pinyin", "alias_key"]
        for claim, region, registered, core, trade, pinyin, alias, *weight in keys.select(
                columns + (["weight"] if weighted else [])).iter_rows():
            i = claim_index.get(claim)
            if i is None:
                continue
            count = weight[0] if weighted else 1
            if region:
                self.regions.add(i, region, count)
            if registered and core:
                self.names.add(i, RegisteredName(core, trade, pinyin, alias), count)
            elif alias:
                # a known short or former name (京东方A) names its listed company as surely
                self.names.add(i, RegisteredName(alias, None, None, alias), count)

    def compatible(self, ra: int, rb: int) -> bool:
        if not regions_compatible(self.regions.top(ra), self.regions.top(rb)):
            return False
        name_a, name_b = self.names.top(ra), self.names.top(rb)
        return name_a is None or name_b is None or name_a == name_b or self._names_compatible(name_a, name_b)

    def _names_compatible(self, x: RegisteredName, y: RegisteredName) -> bool:
        key = (x, y) if (x.core, x.alias or "") <= (y.core, y.alias or "") else (y, x)
        if key not in self._memo:
            self._memo[key] = names_compatible(x, y)
        return self._memo[key]

    def merged(self, keep: int, gone: int) -> None:
        self.names.merge(keep, gone)
        self.regions.merge(keep, gone)


class _Tallies:
    """Per root, the values seen and how often, and the dominant one (most frequent; ties: the
    smallest by `order`). A root seen once holds its value alone; counts start at a merge."""

    def __init__(self, order):
        self._order = order
        self._single: dict[int, tuple[object, int]] = {}
        self._counts: dict[int, Counter] = {}
        self._top: dict[int, object] = {}

    def add(self, root: int, value: object, count: int) -> None:
        self._single[root] = (value, count)
        self._top[root] = value

    def top(self, root: int):
        return self._top.get(root)

    def merge(self, keep: int, gone: int) -> None:
        if gone not in self._top:
            return
        if keep not in self._top:
            self._move(keep, gone)
            return
        counts = self._counter(keep)
        added = self._counts.pop(gone) if gone in self._counts else Counter(dict([self._single.pop(gone)]))
        counts.update(added)
        del self._top[gone]
        # only the old top and the values just counted can be the new top
        candidates = (self._top[keep], *added)
        self._top[keep] = min(candidates, key=lambda value: (-counts[value], self._order(value)))

    def _move(self, keep: int, gone: int) -> None:
        self._top[keep] = self._top.pop(gone)
        if gone in self._counts:
            self._counts[keep] = self._counts.pop(gone)
        else:
            self._single[keep] = self._single.pop(gone)

    def _counter(self, root: int) -> Counter:
        if root not in self._counts:
            value, count = self._single.pop(root)
            self._counts[root] = Counter({value: count})
        return self._counts[root]
