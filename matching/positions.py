"""A pair's two claims looked up by position instead of by id.

A night's scored pairs carry `pos_l`, `pos_r`: their claims' rows among the night's claims sorted
by id (`matching.model.scored_pairs`). A per-claim frame holding exactly those claims in that order
gives each pair's two rows by gathering, where joining millions of pairs by two string ids took
seconds a night. The gathered ids are compared with the pair's own, so a frame of other claims (a
test's, or a subset) is joined by id instead: the result is the same either way.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

POSITIONS = ("pos_l", "pos_r")
SIDES = ("l", "r")


def pair_number(left: str = "pos_l", right: str = "pos_r") -> pl.Expr:
    """One 64-bit number per pair of positions (each below 2**31), in the pairs' order: sorting or
    joining millions of pairs by it costs half what the two columns cost."""
    return pl.col(left).cast(pl.UInt64) * 2**32 + pl.col(right).cast(pl.UInt64)


def both_sides(pairs: pl.DataFrame, per_claim: pl.DataFrame, columns: Sequence[str]) -> pl.DataFrame:
    """One row per row of `pairs`, in its order: `<column>_l`, `<column>_r` for each of `columns`
    of `per_claim` (one row per `claim_id`), null where a claim is not in `per_claim`."""
    if _positions_fit(pairs, per_claim):
        return pl.DataFrame([per_claim[column].gather(pairs[f"pos_{side}"]).alias(f"{column}_{side}")
                             for side in SIDES for column in columns])
    ids = pairs.select("claim_id_l", "claim_id_r")
    for side in SIDES:
        ids = ids.join(per_claim.select("claim_id", *columns).rename(
            {"claim_id": f"claim_id_{side}"} | {column: f"{column}_{side}" for column in columns}),
            on=f"claim_id_{side}", how="left", maintain_order="left")
    return ids.select(f"{column}_{side}" for side in SIDES for column in columns)


def _positions_fit(pairs: pl.DataFrame, per_claim: pl.DataFrame) -> bool:
    """Whether `per_claim`'s rows are the claims `pairs`' positions count: every position in range,
    and the claim gathered at each is the pair's own."""
    if not set(POSITIONS) <= set(pairs.columns) or pairs.is_empty():
        return False
    if pairs.select(pl.max_horizontal(pl.col(POSITIONS).max())).item() >= per_claim.height:
        return False
    ids = per_claim["claim_id"]
    return all((ids.gather(pairs[f"pos_{side}"]) == pairs[f"claim_id_{side}"]).all() for side in SIDES)
