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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import duckdb
import polars as pl
from pypinyin import Style, lazy_pinyin

from transforms.regions import regions_compatible

MIN_TYPO_CHARS = 3
MIN_TWO_TYPO_CHARS = 5
# up to this many couples are judged in Python, one by one; more in one SQL statement
PYTHON_COUPLES = 256
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


@lru_cache(maxsize=1 << 16)
def _syllables(name: str) -> tuple[str, ...]:
    """The pinyin syllables of a name (the same few names are asked about again and again)."""
    return tuple(lazy_pinyin(name, style=Style.NORMAL))


def _sound_slips(x: str, y: str) -> int:
    """Syllables changed between two names, or 2 once more than one."""
    return _edits(_syllables(x), _syllables(y), 1)


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
            and _sound_slips(x, y) <= 1)


COUPLE_COLUMNS = tuple(f"{c}_{side}" for side in ("l", "r")
                       for c in ("core_name", "trade_name", "core_pinyin", "alias_key"))
# names_compatible in SQL, for many couples at once; null where only the sound of two slips decides
_COMPATIBLE_SQL = f"""
with couples as (
    select *,
        coalesce(nullif(regexp_replace(core_name_l, '\\([^()]*\\)', '', 'g'), ''), core_name_l) as x,
        coalesce(nullif(regexp_replace(core_name_r, '\\([^()]*\\)', '', 'g'), ''), core_name_r) as y
    from _couples
)
select {", ".join(COUPLE_COLUMNS)}, x, y, case
    when alias_key_l is not null and alias_key_r is not null then alias_key_l = alias_key_r
    when x = y then true
    when core_pinyin_l is not null and core_pinyin_l = core_pinyin_r then true
    when trade_name_l is not null and trade_name_l = trade_name_r then starts_with(x, y) or starts_with(y, x)
        or (least(length(x), length(y)) >= {MIN_TYPO_CHARS} and levenshtein(x, y) <= 1)
    when least(length(x), length(y)) >= {MIN_TYPO_CHARS} and levenshtein(x, y) <= 1 then true
    when least(length(x), length(y)) >= {MIN_TWO_TYPO_CHARS} and levenshtein(x, y) <= 2 then null
    else false
end as compatible
from couples
"""


def couples_compatible(couples: pl.DataFrame, con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """`names_compatible` for each row of `couples` (columns `core_name_l` … `alias_key_r`, the
    RegisteredName fields of each side), as column `compatible`: the string rules in DuckDB, the
    sound of two slips in Python for the few rows that need it. Up to PYTHON_COUPLES couples
    (a lookup's) are judged by `names_compatible` itself: planning the SQL costs ~10 ms."""
    couples = couples.select(COUPLE_COLUMNS)
    cores_given = couples["core_name_l"].null_count() + couples["core_name_r"].null_count() == 0
    if couples.height <= PYTHON_COUPLES and cores_given:
        one_by_one = [names_compatible(RegisteredName(*row[:4]), RegisteredName(*row[4:]))
                      for row in couples.iter_rows()]
        return couples.with_columns(pl.Series("compatible", one_by_one, dtype=pl.Boolean))
    con.register("_couples", couples)
    try:
        judged = pl.DataFrame(con.sql(_COMPATIBLE_SQL).pl())
    finally:
        con.unregister("_couples")
    open_rows = judged.filter(pl.col("compatible").is_null())
    sound = [_sound_slips(x, y) <= 1 for x, y in open_rows.select("x", "y").iter_rows()]
    decided = open_rows.with_columns(pl.Series("compatible", sound, dtype=pl.Boolean))
    return pl.concat([judged.filter(pl.col("compatible").is_not_null()), decided]).drop("x", "y")


class ClusterNames:
    """Per cluster root: how often each registered name and each region occurs in it. A merge is
    judged on each side's dominant (most frequent) name and region: a typo on either side
    (毅威锐终端 among ten 毅威终端) must not keep two halves of one company apart.

    Names and regions are tallied as numbers given in their order (a name by core, then alias), so
    that ties go to the smaller number; each distinct couple of names or regions is judged once."""

    def __init__(self, size: int, keys: pl.DataFrame | None):
        """`keys`: one row per union-find index, in index order, with the name keys and optionally
        `weight` (the claims the index stands for); without keys nothing is held apart."""
        self._names = pl.DataFrame(schema=dict.fromkeys(_NAME_COLUMNS, pl.String))
        self._regions: list[str] = []
        self._names_memo: dict[tuple[int, int], bool] = {}
        self._regions_memo: dict[tuple[int, int], bool] = {}
        if keys is None:
            self.names, self.regions = _Tallies([-1] * size, []), _Tallies([-1] * size, [])
            return
        keys = keys.with_columns(pl.col("region", *_NAME_COLUMNS).cast(pl.String))
        registered = pl.col("is_registered_name").fill_null(False) & (pl.col("core_name").str.len_chars() > 0)
        # a known short or former name (京东方A) names its listed company as surely
        by_alias = ~registered & pl.col("alias_key").is_not_null()
        keys = keys.with_columns(
            pl.when(by_alias).then(pl.col("alias_key")).otherwise(pl.col("core_name")).alias("core_name"),
            *(pl.when(~by_alias).then(pl.col(c)).alias(c) for c in ("trade_name", "core_pinyin")),
            (registered | by_alias).alias("_named"),
        )
        registered = pl.col("_named")
        self._names = keys.filter(registered).select(_NAME_COLUMNS).unique().sort(
            "core_name", pl.col("alias_key").fill_null(""), *_NAME_COLUMNS[1:], nulls_last=True)
        regions = keys.filter(pl.col("region").str.len_chars() > 0)["region"].unique().sort()
        self._regions = regions.to_list()
        name_codes = keys.join(self._names.with_row_index("_code"), on=list(_NAME_COLUMNS), how="left",
                               nulls_equal=True, maintain_order="left").select(
            pl.when(registered).then("_code").fill_null(-1))
        region_codes = keys.join(regions.to_frame().with_row_index("_code"), on="region", how="left",
                                 maintain_order="left")["_code"].fill_null(-1)
        weights = (keys["weight"].fill_null(1) if "weight" in keys.columns
                   else pl.repeat(1, size, eager=True)).to_list()
        self.names = _Tallies(name_codes.to_series().to_list(), weights)
        self.regions = _Tallies(region_codes.to_list(), weights.copy())

    def compatible(self, ra: int, rb: int) -> bool:
        region_a, region_b = self.regions.top(ra), self.regions.top(rb)
        if min(region_a, region_b) >= 0 and region_a != region_b and not _judged(
                self._regions_memo, region_a, region_b, self._regions_compatible):
            return False
        name_a, name_b = self.names.top(ra), self.names.top(rb)
        return min(name_a, name_b) < 0 or name_a == name_b or _judged(
            self._names_memo, name_a, name_b, self._names_compatible)

    def _regions_compatible(self, a: int, b: int) -> bool:
        return regions_compatible(self._regions[a], self._regions[b])

    def _names_compatible(self, a: int, b: int) -> bool:
        return names_compatible(RegisteredName(*self._names.row(a)), RegisteredName(*self._names.row(b)))

    def merged(self, keep: int, gone: int) -> None:
        self.names.merge(keep, gone)
        self.regions.merge(keep, gone)


_NAME_COLUMNS = ("core_name", "trade_name", "core_pinyin", "alias_key")


def _judged(memo: dict[tuple[int, int], bool], a: int, b: int, judge: Callable[[int, int], bool]) -> bool:
    key = (a, b) if a < b else (b, a)
    if key not in memo:
        memo[key] = judge(*key)
    return memo[key]


class _Tallies:
    """Per root, the values seen (numbers; -1: none) and how often, and the dominant one (most
    frequent; ties: the smallest). A root seen once holds its value alone; counts start at a merge."""

    def __init__(self, values: list[int], weights: list[int]):
        self._top = values
        self._single = weights
        self._counts: dict[int, dict[int, int]] = {}

    def top(self, root: int) -> int:
        return self._top[root]

    def merge(self, keep: int, gone: int) -> None:
        top_gone = self._top[gone]
        if top_gone < 0:
            return
        self._top[gone] = -1
        top_keep = self._top[keep]
        if top_keep < 0:
            self._top[keep] = top_gone
            if gone in self._counts:
                self._counts[keep] = self._counts.pop(gone)
            else:
                self._single[keep] = self._single[gone]
            return
        big = self._counts.pop(keep, None) or {top_keep: self._single[keep]}
        small = self._counts.pop(gone, None) or {top_gone: self._single[gone]}
        if len(big) < len(small):
            big, small, top_keep = small, big, top_gone
        # the larger tally's other values keep their counts, below its top's: only those added can overtake it
        best, most = top_keep, big[top_keep]
        for value, count in small.items():
            count = big[value] = big.get(value, 0) + count
            if count > most or (count == most and value < best):
                best, most = value, count
        self._counts[keep] = big
        self._top[keep] = best
