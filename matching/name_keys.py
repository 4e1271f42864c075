"""Keys that bring together names people abbreviate, translate or mistype (blocking keys).

`name_head` is the pinyin of the first two syllables of the trade name: 瓦房店轴承 and 瓦房轴承
(a dropped character) and 芯千 / 信前 (homophones) share it, and so does an English name whose
first word is pinyin (Wafangdian Bearing Co., Ltd. → wafang), whatever industry word it
translates. An English word that is not pinyin (Tencent) gives no key. `name_tail`, the pinyin of
the trade name's last two characters, meets a slip in its first character (针新农 / 新农).

`industry_concepts` says what a name's industry words mean in either language, so an English name
meets only the sister whose industry it translates: Huawei Cloud Computing Technologies is
华为云计算技术, not 华为技术 (whose switchboard it shares).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from functools import cache, lru_cache
from importlib import resources

import polars as pl
from pypinyin import Style, lazy_pinyin

from transforms.names import romanise_core
from transforms.regions import region_ancestors

HEAD_SYLLABLES = 2
_WORD = re.compile(r"[a-z0-9]+")
_CJK = re.compile(r"[\u4e00-\u9fff]")
# The basic CJK block: every syllable pypinyin writes for a character
_CJK_FIRST, _CJK_LAST = 0x4E00, 0x9FA5


@cache
def _syllables() -> frozenset[str]:
    chars = "".join(chr(c) for c in range(_CJK_FIRST, _CJK_LAST + 1))
    return frozenset(lazy_pinyin(chars, style=Style.NORMAL))


@cache
def _region_words() -> frozenset[str]:
    """The pinyin of every province and prefecture-level city (a county's name, 瓦房店, is as
    often a trade name)."""
    return frozenset(r for parents in region_ancestors().values() for name in parents
                     if (r := romanise_core(name)[0]))


@cache
def _skipped_words() -> frozenset[str]:
    """English legal-form, generic and industry words, and the regions' pinyin."""
    with resources.files("transforms.reference_data").joinpath("english_name_words.csv").open(encoding="utf-8") as f:
        words = {row["term"] for row in csv.DictReader(f)}
    return frozenset(words | _region_words())


def _trade_syllables(word: str) -> list[str] | None:
    """The pinyin syllables of an English name's word, without a region written into it
    (ShangHaiHongDa → hong da), or None if the word is not pinyin."""
    syllables = pinyin_syllables(word)
    if not syllables:
        return None
    for size in (3, 2):
        if len(syllables) - size >= HEAD_SYLLABLES and "".join(syllables[:size]) in _region_words():
            return syllables[size:]
    return syllables


def has_chinese(text: str | None) -> bool:
    return bool(text and _CJK.search(text))


def pinyin_syllables(word: str) -> list[str] | None:
    """`word` cut into pinyin syllables (longest first, backtracking), or None if it is not pinyin."""
    known, longest = _syllables(), 6

    def cut(start: int) -> list[str] | None:
        if start == len(word):
            return []
        for end in range(min(len(word), start + longest), start, -1):
            if word[start:end] in known and (rest := cut(end)) is not None:
                return [word[start:end], *rest]
        return None

    return cut(0) if word.isalpha() else None


def latin_head(company_name: str | None) -> str | None:
    """The first two pinyin syllables of an English name's first distinctive word."""
    if not company_name:
        return None
    text = unicodedata.normalize("NFKC", company_name).lower()
    skipped = _skipped_words()
    for word in _WORD.findall(text):
        if word in skipped:
            continue
        syllables = _trade_syllables(word)
        return "".join(syllables[:HEAD_SYLLABLES]) if syllables and len(syllables) >= HEAD_SYLLABLES else None
    return None


_PINYIN_OF_CHAR: dict[str, str] = {}


def _pinyin_table(chars: pl.Series) -> dict[str, str]:
    """Each Chinese character among `chars` → its most common pinyin (no tone), memoised; only
    these characters (a lookup's few would otherwise hand polars every character seen so far)."""
    present = chars.drop_nulls().unique().to_list()
    missing = [c for c in present if c not in _PINYIN_OF_CHAR and _CJK.match(c)]
    if missing:
        _PINYIN_OF_CHAR.update(zip(missing, lazy_pinyin(missing, style=Style.NORMAL), strict=True))
    return {c: _PINYIN_OF_CHAR[c] for c in present if c in _PINYIN_OF_CHAR}


def head_and_tail_keys(trade_names: pl.Series) -> tuple[pl.Series, pl.Series]:
    """(pinyin of the first two characters of each Chinese trade name; of the last two, for a
    trade name of three characters or more)."""
    frame = trade_names.rename("t").to_frame().with_columns(
        pl.col("t").str.slice(0, 1).alias("h1"), pl.col("t").str.slice(1, 1).alias("h2"),
        pl.col("t").str.slice(-2, 1).alias("t1"), pl.col("t").str.slice(-1, 1).alias("t2"),
        pl.col("t").str.len_chars().alias("n"),
    )
    table = _pinyin_table(pl.concat([frame["h1"], frame["h2"], frame["t1"], frame["t2"]]))

    def pinyin(column: str) -> pl.Expr:
        return pl.col(column).replace(table)

    chinese = pl.col("t").str.slice(0, 2).str.contains(_CJK.pattern)
    chinese_tail = pl.col("t").str.slice(-2, 2).str.contains(_CJK.pattern)
    keys = frame.select(
        pl.when((pl.col("n") >= HEAD_SYLLABLES) & chinese)
        .then(pl.concat_str(pinyin("h1"), pinyin("h2"))).alias("head"),
        pl.when((pl.col("n") > HEAD_SYLLABLES) & chinese_tail)
        .then(pl.concat_str(pinyin("t1"), pinyin("t2"))).alias("tail"),
    )
    return keys["head"], keys["tail"]


# words a Chinese core may end with whatever the English says (a group or holding company)
_TRANSPARENT = ("集团", "控股", "股份")


@cache
def _industry_concepts() -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    """(Chinese industry word → its concepts, longest first; English word → its concepts), from
    `reference_data/industry_concepts.csv`."""
    chinese: dict[str, set[str]] = {}
    english: dict[str, set[str]] = {}
    with resources.files("transforms.reference_data").joinpath("industry_concepts.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            for word in filter(None, row["chinese"].split("|")):
                chinese.setdefault(word, set()).add(row["concept"])
            for word in filter(None, row["english"].split("|")):
                english.setdefault(word, set()).add(row["concept"])
    ordered = sorted(chinese, key=lambda w: (-len(w), w))
    return ({w: frozenset(chinese[w]) for w in ordered}, {w: frozenset(c) for w, c in english.items()})


def _concepts_text(concepts: set[str]) -> str | None:
    return " ".join(sorted(concepts)) or None


def _trailing_concepts(units: tuple[str, ...], words: dict[tuple[str, ...], frozenset[str]],
                       transparent: frozenset[tuple[str, ...]], longest: int) -> set[str]:
    """The concepts of the run of industry words that ends `units` (characters or syllables),
    read from the end, longest word first: 数通信息技术 → information technology (数通 is the trade)."""
    found: set[str] = set()
    end = len(units)
    while end > 0:
        for size in range(min(longest, end), 0, -1):
            piece = units[end - size:end]
            if piece in words or piece in transparent:
                found |= words.get(piece, frozenset())
                end -= size
                break
        else:
            break
    return found


@cache
def _chinese_words() -> tuple[dict[tuple[str, ...], frozenset[str]], frozenset[tuple[str, ...]], int]:
    """The industry words as character tuples, the transparent ones, the longest length."""
    words = {tuple(w): c for w, c in _industry_concepts()[0].items()}
    transparent = frozenset(tuple(w) for w in _TRANSPARENT)
    return words, transparent, max(len(w) for w in (*words, *transparent))


@cache
def _pinyin_words() -> tuple[dict[tuple[str, ...], frozenset[str]], frozenset[tuple[str, ...]], int]:
    """The industry words spelt in syllables (环保 → huan bao); a one-character word is too
    common a syllable to count (云 / yun)."""
    spelt: dict[tuple[str, ...], set[str]] = {}
    for word, concepts in _industry_concepts()[0].items():
        if len(word) >= 2:
            spelt.setdefault(tuple(lazy_pinyin(word, style=Style.NORMAL)), set()).update(concepts)
    transparent = frozenset(tuple(lazy_pinyin(w, style=Style.NORMAL)) for w in _TRANSPARENT)
    return {k: frozenset(v) for k, v in spelt.items()}, transparent, max(len(w) for w in (*spelt, *transparent))


def english_industry(company_name: str | None) -> str | None:
    """The industry concepts of an English name, space-separated, or None: its English words
    translated (Huawei Cloud Computing Technologies → cloud computing technology), and the
    industry words its pinyin ends with after the trade name's first two syllables
    (JiaAoHuanBao Technology → environmental technology, as 嘉澳环保科技)."""
    if not company_name:
        return None
    words, skipped = _industry_concepts()[1], _skipped_words()
    found: set[str] = set()
    syllables: list[str] = []
    for word in _WORD.findall(unicodedata.normalize("NFKC", company_name).lower()):
        found |= words.get(word, frozenset())
        if word not in skipped and (cut := _trade_syllables(word)):
            syllables += cut
    found |= _trailing_concepts(tuple(syllables[HEAD_SYLLABLES:]), *_pinyin_words())
    return _concepts_text(found)


def chinese_industry(core_name: str | None) -> str | None:
    """The industry concepts of the words a Chinese core ends with, after its first two
    characters (where an English name's pinyin head ends): 华为云计算技术 → cloud computing technology."""
    if not core_name:
        return None
    return _tail_industry(core_name[HEAD_SYLLABLES:])


@lru_cache(maxsize=1 << 16)
def _tail_industry(tail: str) -> str | None:
    """`chinese_industry` of the characters after the head: a million claims' 359,000 distinct core
    names end in 39,000 distinct tails, each read once."""
    return _concepts_text(_trailing_concepts(tuple(tail), *_chinese_words()))


def chinese_head(trade_name: str | None) -> str | None:
    return head_and_tail_keys(pl.Series([trade_name], dtype=pl.String))[0][0]


def chinese_tail(trade_name: str | None) -> str | None:
    return head_and_tail_keys(pl.Series([trade_name], dtype=pl.String))[1][0]
