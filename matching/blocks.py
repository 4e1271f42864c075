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

import operator
from functools import reduce

import polars as pl

from matching.prepare import UNIQUE_ID

MAX_BLOCK = 20
_NEIGHBOUR_ORDER = ("name_norm", "phone", "company_email_domain", "contact_name_norm", "claim_id")
# The name-shape keys (matching.name_keys) are broad by design (every trade name beginning 华为,
# or ending 新农): they only look for a slip or a translation among names spelt alike, so their
# blocks are cut into small windows, sorted so that such names sit together — by pinyin for the
# head, by pinyin read backwards for the tail.
NARROW_WINDOW = 10
_SEED = 20261126
_NARROW_ORDER = {
    "name_head": pl.col("core_pinyin"),
    "name_tail": pl.col("core_pinyin").str.reverse(),
}


def window_columns(column: str) -> tuple[str, str]:
    """The two window-key columns that stand for `column` in blocking."""
    return f"blk_{column}_a", f"blk_{column}_b"


def window_key_names(columns: tuple[str, ...]) -> list[str]:
    """The window-key columns of `columns`, two per column, in order."""
    return [key for column in columns for key in window_columns(column)]


def moved_pairs_sql(left: str, right: str, key: str, was_key: str, condition: str) -> str:
    """SQL for the pairs (positions `_pos` as `_l` < `_r`) sharing window key `key` with a claim
    of `left` whose `key` is not the one it had last night (`was_key`; null for a new or changed
    claim), meeting `condition` (on `l` and `r`). Two claims that both kept `key` shared it last
    night, so an incremental night joins only the moved claims to their windows."""
    return (f"select least(l._pos, r._pos) as _l, greatest(l._pos, r._pos) as _r from {left} l join {right} r "
            f"on l.{key} = r.{key} and l._pos <> r._pos where l.{was_key} is distinct from l.{key} and {condition}")


def with_window_keys(prepared: pl.DataFrame, columns: tuple[str, ...], max_block: int = MAX_BLOCK) -> pl.DataFrame:
    """`prepared`, sorted by claim id, plus two integer window keys per blocking column (only their
    equality means anything; a null value has null keys): in a block of at most `max_block`
    claims (NARROW_WINDOW for the name-shape keys) the first stands for the value and the second
    is null; in a larger block they stand for the value and the claim's window, the second set
    shifted by half a window."""
    frame = prepared.sort(UNIQUE_ID)
    common = _ordering(frame, [pl.col(c) for c in _NEIGHBOUR_ORDER if c in frame.columns])
    keys = []
    for column in columns:
        if column in _NARROW_ORDER:
            ordering = _ordering(frame, [_NARROW_ORDER[column], pl.col(UNIQUE_ID)])
            keys += _window_keys(frame[column], ordering, min(max_block, NARROW_WINDOW))
        else:
            keys += _window_keys(frame[column], common, max_block)
    return frame.with_columns(keys)


def with_window_keys_reusing(prepared: pl.DataFrame, columns: tuple[str, ...], earlier: pl.DataFrame,
                             touched: dict[str, pl.Series], max_block: int = MAX_BLOCK) -> pl.DataFrame:
    """`with_window_keys(prepared, columns, max_block)` on an incremental night, ranking only the
    blocks that changed. `earlier` holds last night's window keys, row for row with `prepared`
    sorted by claim id (null for a new or changed claim); `touched`, per column, the values whose
    block holds a claim new, changed or gone since (`matching.incremental.blocks_touched`). Every
    other block holds last night's claims, unchanged, so they keep last night's keys; a touched
    block is ranked again over its own claims, in the order the whole frame would give them (each
    ordering ends with the claim id). At 1M claims ranking every block cost 2 s a night."""
    frame = prepared.sort(UNIQUE_ID)
    redo = {c: frame[c].is_in(touched[c].implode()).fill_null(False) for c in columns}
    in_wide_blocks = reduce(operator.or_, (redo[c] for c in columns if c not in _NARROW_ORDER),
                            pl.repeat(False, frame.height, dtype=pl.Boolean, eager=True))
    common = _ordering(frame, [pl.col(c) for c in _NEIGHBOUR_ORDER if c in frame.columns], in_wide_blocks)
    keys = []
    for column in columns:
        if column in _NARROW_ORDER:
            ordering = _ordering(frame, [_NARROW_ORDER[column], pl.col(UNIQUE_ID)], redo[column])
            size = min(max_block, NARROW_WINDOW)
        else:
            ordering, size = common, max_block
        values = pl.select(pl.when(redo[column]).then(frame[column])).to_series().alias(column)
        fresh = _window_keys(values, ordering, size)
        keys += [pl.select(pl.when(redo[column]).then(key).otherwise(earlier[key.name])).to_series().alias(key.name)
                 for key in fresh]
    return frame.with_columns(keys)


def _ordering(frame: pl.DataFrame, by: list[pl.Expr], rows: pl.Series | None = None) -> pl.Series:
    """The row numbers of `frame` sorted `by`; only those where `rows` is true, if given."""
    if rows is None:
        return frame.select(pl.arg_sort_by(by, nulls_last=True)).to_series()
    chosen = rows.arg_true()  # only the columns `by` reads are gathered
    ranked = frame.lazy().filter(pl.lit(rows)).select(pl.arg_sort_by(by, nulls_last=True)).collect()
    return chosen.gather(ranked.to_series())


def _window_keys(values: pl.Series, ordering: pl.Series, size: int) -> list[pl.Series]:
    """The two keys of `values`, whose claims sit in their blocks in `ordering` (row numbers):
    each value hashed, or in a block of more than `size` claims the value and its window hashed
    together. Only the claims of such blocks are ranked (ranking all 1M claims in their blocks cost
    seconds per column)."""
    first, second = window_columns(values.name)
    in_order = pl.DataFrame({"row": ordering, "value": values.gather(ordering)})
    ranked = (in_order.filter(pl.col("value").is_not_null() & (pl.len().over("value") > size))
              .with_columns(pl.int_range(pl.len()).over("value").alias("rank")))
    half = max(size // 2, 1)
    windows = ranked.select(pl.struct("value", pl.col("rank") // size).hash(_SEED).alias(first),
                            pl.struct("value", (pl.col("rank") + half) // size).hash(_SEED).alias(second))
    plain = pl.select(pl.when(values.is_not_null()).then(values.hash(_SEED))).to_series()
    return [
        plain.scatter(ranked["row"], windows[first]).alias(first),
        pl.repeat(None, len(values), dtype=pl.UInt64, eager=True).scatter(ranked["row"], windows[second]).alias(second),
    ]


def window_rules(columns: tuple[str, ...]) -> list[dict[str, str]]:
    """Splink blocking rules (JSON form) on the window keys of `columns`."""
    return [
        {"blocking_rule": f'l."{key}" = r."{key}"', "sql_dialect": "duckdb"}
        for column in columns for key in window_columns(column)
    ]
