"""How many pairs an incremental night forms again, with the windows of `matching.blocks` and with
content-defined windows (an experiment: would windows that a new claim does not shift let an
incremental night pair less?).

    python bench/window_churn.py --before D/night1/warehouse.duckdb --after D/incremental/warehouse.duckdb

after `bench/incremental_bench.py --dir D`. Reads both nights' `claims_for_matching` and the first
night's `scored_pairs`; finds tonight's touched claims as the night does
(`matching.incremental.claims_touched`), then counts, per blocking key:

- *positional* (the code's windows: rank in the block // MAX_BLOCK, and shifted by half): the pairs
  of the blocks holding a touched or removed claim, which an incremental night forms again in full
  (a new claim shifts every later window of its block);
- *content-defined*: a claim starts a window when a hash of its id falls on 0 mod MAX_BLOCK (two
  seeds for the two window sets), and a window is keyed by the claim that starts it, so a new
  claim changes its own window only; the pairs of the windows holding a touched claim, a claim
  whose window changed, or last night's window of a removed claim.

Also the pairs a full night forms in each scheme (counted once per key). A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from matching.blocks import _NEIGHBOUR_ORDER, MAX_BLOCK, window_columns, with_window_keys
from matching.incremental import claims_touched
from matching.settings import BLOCKING_COLUMNS


def content_defined_keys(claims: pl.DataFrame, column: str, size: int) -> pl.DataFrame:
    """`claim_id`, `a`, `b`: each claim's content-defined window keys in its `column` block (the
    block's value alone in a block of at most `size` claims)."""
    block = (claims.filter(pl.col(column).is_not_null()).sort([column, *_NEIGHBOUR_ORDER], nulls_last=True)
             .with_columns(pl.len().over(column).alias("_n")))
    keys = []
    for name, seed in (("a", 1), ("b", 2)):
        starts = pl.col("claim_id").hash(seed) % size == 0
        start = pl.when(starts).then(pl.col("claim_id")).forward_fill().over(column).fill_null("")
        keys.append(pl.when(pl.col("_n") > size).then(pl.struct(pl.col(column), start).hash(7))
                    .otherwise(pl.col(column).hash(7)).alias(name))
    return block.select("claim_id", *keys)


def pairs_within(keys: pl.DataFrame, key: str) -> int:
    """The pairs of claims sharing `key`."""
    return int(keys.group_by(key).len().select((pl.col("len") * (pl.col("len") - 1) // 2).sum()).item())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, required=True, help="night 1's warehouse")
    parser.add_argument("--after", type=Path, required=True, help="night 2's warehouse")
    parser.add_argument("--size", type=int, default=MAX_BLOCK)
    args = parser.parse_args()
    with duckdb.connect(str(args.before), read_only=True) as con:
        previous = con.sql("select * from claims_for_matching").pl()
        previous_pairs = con.sql("select pos_l, pos_r from scored_pairs").pl()
        last_ids = con.sql("select claim_id from claims_for_matching order by claim_id").pl()["claim_id"]
    with duckdb.connect(str(args.after), read_only=True) as con:
        prepared = con.sql("select * from claims_for_matching").pl()
    touched, gone = claims_touched(prepared, previous, previous_pairs, last_ids)
    touched_ids = touched.implode()
    windowed = with_window_keys(prepared, BLOCKING_COLUMNS, max_block=args.size)
    counts = dict.fromkeys(("positional full", "positional again", "content full", "content again"), 0)
    for column in BLOCKING_COLUMNS:
        values = pl.concat([prepared.filter(pl.col("claim_id").is_in(touched_ids))[column], gone[column]])
        touched_values = values.drop_nulls().unique().implode()
        for key in window_columns(column):
            keyed = windowed.select(column, key).filter(pl.col(key).is_not_null())
            counts["positional full"] += pairs_within(keyed, key)
            counts["positional again"] += pairs_within(keyed.filter(pl.col(column).is_in(touched_values)), key)
        tonight = content_defined_keys(prepared, column, args.size)
        last_night = content_defined_keys(previous, column, args.size)
        for key in ("a", "b"):
            counts["content full"] += pairs_within(tonight, key)
            was = tonight.join(last_night.select("claim_id", pl.col(key).alias("_was")), on="claim_id", how="left")
            moved = was.filter(pl.col("claim_id").is_in(touched_ids) | pl.col("_was").is_null()
                               | (pl.col(key) != pl.col("_was")))[key]
            left = last_night.filter(pl.col("claim_id").is_in(gone["claim_id"].implode()))[key]
            marked = pl.concat([moved, left]).unique().implode()
            counts["content again"] += pairs_within(tonight.filter(pl.col(key).is_in(marked)), key)
    print(f"{prepared.height:,} claims, {touched.len():,} touched, {gone.height:,} gone or changed; "
          f"window size {args.size}; pairs counted once per blocking key")
    print(f"positional windows: a full night forms {counts['positional full']:,} pairs, "
          f"an incremental night forms {counts['positional again']:,} again")
    print(f"content-defined windows: a full night forms {counts['content full']:,} pairs, "
          f"an incremental night forms {counts['content again']:,} again")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
