"""Blocking that stays linear when one value is shared by thousands of claims.

A national key account is claimed thousands of times under one trade name, one mail domain and
one switchboard: scoring every pair of such a block costs its size squared (2,000 claims, 2
million pairs, per key). Above `MAX_BLOCK` claims a block is therefore cut into windows: the
block's claims are sorted so that the most alike sit next to each other (full name, phone, mail
domain, contact, then claim id), and each claim is paired with those in its window of
`MAX_BLOCK`, plus those of a second set of windows shifted by half a window, so that every claim
meets its neighbours on both sides and consecutive windows overlap (the block stays connected
wherever its neighbours link). A block of at most `MAX_BLOCK` claims is paired in full, as
before: only giant blocks lose pairs, those between claims far apart in the sort order, whose
link the chain of neighbours already carries.
"""

from __future__ import annotations

import polars as pl

from matching.prepare import UNIQUE_ID

MAX_BLOCK = 20
_NEIGHBOUR_ORDER = ("name_norm", "phone", "company_email_domain", "contact_name_norm", "claim_id")
# The name-shape keys (matching.name_keys) are broad by design (every trade name beginning 华为,
# or ending 新农): they only look for a slip or a translation among names spelt alike, so their
# blocks are cut into small windows, sorted so that such names sit together — by pinyin for the
# head, by pinyin read backwards for the tail.
NARROW_WINDOW = 10
_NARROW_ORDER = {
    "name_head": pl.col("core_pinyin"),
    "name_tail": pl.col("core_pinyin").str.reverse(),
}


def window_columns(column: str) -> tuple[str, str]:
    """The two window-key columns that stand for `column` in blocking."""
    return f"blk_{column}_a", f"blk_{column}_b"


def with_window_keys(prepared: pl.DataFrame, columns: tuple[str, ...], max_block: int = MAX_BLOCK) -> pl.DataFrame:
    """`prepared` plus, per blocking column, two window keys: in a block of at most `max_block`
    claims (NARROW_WINDOW for the name-shape keys) the first is the value itself and the second
    null; in a larger block they are the value and the window number, the second set shifted by
    half a window."""
    order = [c for c in _NEIGHBOUR_ORDER if c in prepared.columns]
    wide = [c for c in columns if c not in _NARROW_ORDER]
    # one sort for every column paired in the common order, one per name-shape key
    keyed = prepared.sort(order, nulls_last=True).with_columns(
        key for column in wide for key in _window_keys(column, pl.int_range(pl.len()).over(column), max_block))
    for column in columns:
        if column in _NARROW_ORDER:
            keyed = keyed.sort([_NARROW_ORDER[column], pl.col(UNIQUE_ID)], nulls_last=True).with_columns(
                _window_keys(column, pl.int_range(pl.len()).over(column), min(max_block, NARROW_WINDOW)))
    return keyed.sort(UNIQUE_ID)


def _window_keys(column: str, rank: pl.Expr, size: int) -> list[pl.Expr]:
    first, second = window_columns(column)
    value = pl.col(column)
    big = pl.len().over(column) > size
    half = max(size // 2, 1)
    return [
        pl.when(big).then(pl.format("{}#{}", value, rank // size)).otherwise(value).alias(first),
        pl.when(big).then(pl.format("{}#{}", value, (rank + half) // size)).alias(second),
    ]


def window_rules(columns: tuple[str, ...]) -> list[dict]:
    """Splink blocking rules (JSON form) on the window keys of `columns`."""
    return [
        {"blocking_rule": f'l."{key}" = r."{key}"', "sql_dialect": "duckdb"}
        for column in columns for key in window_columns(column)
    ]
