"""Incremental nights: pair only the blocks that changed, re-cluster only the customers they touch.

A night keeps, in the warehouse, the claims as prepared for matching and every scored pair at or
above a *retention floor* (`RETENTION_MARGIN_BITS` of match weight below the review floor), with
whether a link rule asked for it and whether it linked (`scored_pairs`). The next night:

- a claim is *touched* when its prepared row is new or differs from last night's (a new claim, a
  corrected one, or one whose phone became shared or whose name became common because of others),
  or when it was paired with a claim that is gone or changed (`claims_touched`);
- the blocks holding a touched or gone claim are paired again in full (a new claim shifts the
  windows of a large block, `matching.blocks`); the kept pairs between untouched claims that still
  share an untouched block are scored again with tonight's term frequencies and kept by the same
  rule; the link rules' chains and slips are searched again only where a touched claim can change
  them, the others carried over by the bits kept with each pair (`matching.rule_pairs`): the pairs
  are those a full night forms;
- the window keys of a block holding no touched or gone claim are last night's (it holds the same
  claims), only the others ranked again (`matching.blocks.with_window_keys_reusing`); the kept
  pairs name their claims by position among the night's claims sorted by id, not by id;
- only the customers reachable from a touched claim, a link made, lost or newly exempt from the
  name check, a removed claim or a new reviewer decision are clustered again (`claims_affected`);
  every other customer keeps its claims and its id.

Term frequencies move as claims arrive: a pair left below the retention floor on an earlier night
can rise by at most how much its value's frequency fell since. A value fewer claims carry than
last night (a claim corrected or deleted: 3 claims down to 2 is 0.58 bits) touches the claims
that still carry it, whose pairs are then scored again (`claims_of_rarer_values`); the others'
frequencies fall only as the claims around them grow in number (`term_frequency_drift`). The night
adds that up; before it could reach RETENTION_MARGIN_BITS, a full rebuild runs instead.
tests/flows/test_incremental.py and bench/incremental_bench.py measure the agreement with a full
rebuild.
"""

from __future__ import annotations

import hashlib
import math
import operator
from collections.abc import Iterable
from functools import cache, reduce
from importlib import resources
from pathlib import Path

import polars as pl

from matching.clustering import IDENTITY, UnionFind
from matching.positions import both_sides, pair_number

RETENTION_MARGIN_BITS = 2.0
PAIR_IDS = ("claim_id_l", "claim_id_r")
# the code and reference lists whose change re-matches every claim (`matching_fingerprint`)
_FINGERPRINTED_PACKAGES = ("matching", "transforms")
_FINGERPRINTED_SUFFIXES = (".py", ".csv", ".json", ".yaml", ".txt")


def retention_probability(review_floor: float, margin_bits: float = RETENTION_MARGIN_BITS) -> float:
    """The probability `margin_bits` of match weight below `review_floor`."""
    weight = math.log2(review_floor / (1 - review_floor)) - margin_bits
    return 2**weight / (1 + 2**weight)


def matching_fingerprint(model_json: str, settings: Iterable[object]) -> str:
    """A digest of what decides tonight's pairs and customers: the model, the thresholds and
    policy passed in `settings`, and `code_fingerprint`. A night whose fingerprint differs from
    the last night's rebuilds in full."""
    digest = hashlib.sha256(model_json.encode("utf-8"))
    digest.update(repr((*settings, RETENTION_MARGIN_BITS)).encode("utf-8"))
    digest.update(code_fingerprint().encode("utf-8"))
    return digest.hexdigest()


def model_fingerprint(model_json: str) -> str:
    """A digest of the model alone: with `code_fingerprint`, it tells which part of
    `matching_fingerprint` changed (the code, the model, else the thresholds)."""
    return hashlib.sha256(model_json.encode("utf-8")).hexdigest()


@cache
def code_fingerprint() -> str:
    """A digest of the source and reference lists of the standardisation and matching code: a
    night run by changed code standardises and matches every claim again."""
    digest = hashlib.sha256()
    for package in _FINGERPRINTED_PACKAGES:
        root = Path(str(resources.files(package)))
        for path in sorted(p for p in root.rglob("*") if p.suffix in _FINGERPRINTED_SUFFIXES
                           and "__pycache__" not in p.parts):
            digest.update(path.relative_to(root).as_posix().encode("utf-8"))
            digest.update(path.read_bytes())
    return digest.hexdigest()


def claims_touched(prepared: pl.DataFrame, previous: pl.DataFrame, previous_pairs: pl.DataFrame,
                   last_ids: pl.Series) -> tuple[pl.Series, pl.DataFrame]:
    """(claim ids of `prepared`, tonight's claims for matching, to pair again; the rows of
    `previous`, last night's, that are gone or changed). Touched: new or changed rows, and the
    partners in `previous_pairs` of a claim that is gone or changed. The pairs name their claims by
    position (`pos_l`, `pos_r`) among `last_ids`, last night's claim ids sorted: their ids are not
    read back (10M strings at 1M claims)."""
    columns = [c for c in prepared.columns if c in previous.columns]
    differing = rows_changed(prepared.select(columns), previous.select(columns), "claim_id")
    if differing is None:  # columns of another type: every row differs
        differing = pl.concat([prepared["claim_id"], previous["claim_id"]]).unique()
    changed = prepared.filter(pl.col("claim_id").is_in(differing.implode()))["claim_id"]
    gone = previous.filter(pl.col("claim_id").is_in(differing.implode()))
    gone_at = last_ids.to_frame("claim_id").with_row_index("at").filter(
        pl.col("claim_id").is_in(gone["claim_id"].implode()))["at"].implode()
    partners = last_ids.gather(pl.concat([
        previous_pairs.filter(pl.col("pos_l").is_in(gone_at))["pos_r"],
        previous_pairs.filter(pl.col("pos_r").is_in(gone_at))["pos_l"],
    ]))
    present_partners = partners.filter(partners.is_in(prepared["claim_id"].implode()))
    return pl.concat([changed, present_partners]).unique().sort(), gone


ROW_HASH_SEED = 20261203


def rows_changed(tonight: pl.DataFrame, last: pl.DataFrame, key: str) -> pl.Series | None:
    """The `key`s of the rows of `tonight` or `last` (last night's rows of the same table) that are
    not in the other exactly as they are: what replacing last night's table by tonight's in place
    deletes (and, for those in `tonight`, inserts again). Rows are compared by a 64-bit digest of
    all their columns. None when the two frames' columns differ (the table is written anew)."""
    if tonight.columns != last.columns:
        return None
    try:  # read back from DuckDB, a time zone may be spelt differently ("Etc/UTC")
        last = last.cast(tonight.schema)
    except (pl.exceptions.InvalidOperationError, pl.exceptions.ComputeError):
        return None
    digests = [frame.select(key, frame.hash_rows(seed=ROW_HASH_SEED).alias("_digest")) for frame in (tonight, last)]
    same = digests[0].join(digests[1], on=[key, "_digest"], how="semi")[key].implode()
    return pl.concat([frame.filter(~pl.col(key).is_in(same))[key] for frame in (tonight, last)]).unique().sort()


def window_keys_replaced(tonight: pl.DataFrame, earlier: pl.DataFrame, replaced: pl.Series) -> pl.Series:
    """The claim ids whose rows of last night's `window_keys` tonight's replace in place:
    `replaced` (the claims touched tonight, or gone) and every other claim with a key it did not
    have last night (`earlier`: last night's keys, row for row with tonight's `claim_id` and keys,
    null for a touched or new claim). A new claim moves the windows of its giant blocks; the rest of
    a million claims keep theirs, and their rows are not written again."""
    same = reduce(operator.and_, (tonight[name].eq_missing(earlier[name]) for name in earlier.columns))
    return pl.concat([replaced, tonight.filter(~same)["claim_id"]]).unique().sort()


def blocks_touched(prepared: pl.DataFrame, touched: pl.Series, gone: pl.DataFrame,
                   columns: Iterable[str]) -> dict[str, pl.Series]:
    """Per blocking column, the values whose block holds a touched claim tonight or held a claim
    now gone or changed: the blocks whose pairs (and windows, in a large block) may differ from
    last night's."""
    mine = prepared.filter(pl.col("claim_id").is_in(touched.implode()))
    return {column: pl.concat([mine[column], gone[column]]).drop_nulls().unique().sort() for column in columns}


def positions_carried(last_ids: pl.Series, tonight_ids: pl.Series, touched: pl.Series) -> tuple[pl.Series, pl.Series]:
    """(Per position of the last night, the claim's position tonight; per position tonight, the
    claim's position the last night), null where the claim is gone, new or touched. A claim's
    position is its row among the night's claims sorted by id (`last_ids`, `tonight_ids`, both
    sorted): what the scored pairs and window keys are kept by, so that a night maps them to
    tonight's claims by gathering, not by joining millions of ids."""
    last = pl.DataFrame({"claim_id": last_ids}).with_row_index("last")
    tonight = pl.DataFrame({"claim_id": tonight_ids}).with_row_index("tonight")
    carried = last.join(tonight, on="claim_id").filter(~pl.col("claim_id").is_in(touched.implode()))
    return (pl.repeat(None, last.height, dtype=pl.UInt32, eager=True).scatter(carried["last"], carried["tonight"]),
            pl.repeat(None, tonight.height, dtype=pl.UInt32, eager=True).scatter(carried["tonight"], carried["last"]))


def pairs_retained(previous_pairs: pl.DataFrame, tonight_of_last: pl.Series) -> pl.DataFrame:
    """Last night's kept pairs (all their columns) between two claims still present and not
    touched, with their positions tonight `_l`, `_r` (`tonight_of_last`, of `positions_carried`,
    maps their positions `pos_l`, `pos_r`): weighted again tonight from their levels, not formed
    again."""
    return previous_pairs.with_columns(
        tonight_of_last.gather(previous_pairs["pos_l"]).alias("_l"),
        tonight_of_last.gather(previous_pairs["pos_r"]).alias("_r"),
    ).drop_nulls(["_l", "_r"])


def links_changed(previous: pl.DataFrame, tonight: pl.DataFrame) -> pl.Series:
    """The claims of a link (`claim_id_l`, `claim_id_r`, `exempt_from_names`) in one of the two
    sets and not the other: a link made, lost, or now held by the name check where it was not (or
    the reverse), which the clustering joins in another place of its order. When both carry their
    claims' positions tonight (`pos_l`, `pos_r`; null in `previous` for a claim gone or touched,
    whose links count as lost: its claims are clustered again anyway), links are compared by them,
    in a tenth of the time two ids take."""
    ids = [*PAIR_IDS, "exempt_from_names"]
    on = ids
    if {"pos_l", "pos_r"} <= set(previous.columns) & set(tonight.columns):
        # one number per link: joined at a third of the cost of three columns
        key = (pair_number() * 2 + pl.col("exempt_from_names").cast(pl.UInt64)).alias("_link")
        previous, tonight = previous.with_columns(key), tonight.with_columns(key)
        on = ["_link"]
    kept = list(dict.fromkeys([*ids, *on]))
    made = tonight.select(kept).join(previous.select(on), on=on, how="anti")
    lost = previous.select(kept).join(tonight.select(on), on=on, how="anti")
    both = pl.concat([made.select(ids), lost.select(ids)])
    return pl.concat([both["claim_id_l"], both["claim_id_r"]]).unique().sort()


def _value_counts(prepared: pl.DataFrame, previous: pl.DataFrame, column: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(tonight's claims per non-null value of `column`, `now`; last night's, `before`)."""
    return (prepared[column].drop_nulls().value_counts(name="now"),
            previous[column].drop_nulls().value_counts(name="before"))


def claims_of_rarer_values(prepared: pl.DataFrame, previous: pl.DataFrame, columns: Iterable[str]) -> pl.Series:
    """The claims of `prepared` carrying a value of `columns` still shared by two claims that fewer
    claims carry than in `previous` (last night's): its frequency fell by more than the growth of
    the others bounds, so the pairs it weighs are scored again instead of bounded
    (`term_frequency_drift`). Weights take −log2 of the frequency: a fall is a rise."""
    claims = []
    for column in columns:
        now, before = _value_counts(prepared, previous, column)
        rarer = now.join(before, on=column).filter((pl.col("now") >= 2) & (pl.col("now") < pl.col("before")))
        claims.append(prepared.filter(pl.col(column).is_in(rarer[column].implode()))["claim_id"])
    return pl.concat(claims).unique().sort() if claims else pl.Series("claim_id", [], dtype=pl.String)


def term_frequency_drift(prepared: pl.DataFrame, previous: pl.DataFrame, columns: Iterable[str]) -> float:
    """The most the term frequency of a value fell since last night, in bits (log2 of last night's
    frequency over tonight's), over the values shared by two claims tonight and by no fewer than
    last night (the claims of the others are scored again, `claims_of_rarer_values`): how far a
    pair scored on an earlier night between untouched claims may have risen since."""
    drift = 0.0
    for column in columns:
        now, before = _value_counts(prepared, previous, column)
        total_now, total_before = now["now"].sum(), before["before"].sum()
        if not total_now or not total_before:
            continue
        both = now.filter(pl.col("now") >= 2).join(before, on=column).filter(pl.col("now") >= pl.col("before"))
        if both.is_empty():
            continue
        rise = both.select(((pl.col("before") / total_before) / (pl.col("now") / total_now)).log(2).max()).item()
        drift = max(drift, float(rise))
    return drift


def claims_affected(
    claims: pl.DataFrame, links: pl.DataFrame, previous: pl.DataFrame, seeds: pl.Series,
    must_link: Iterable[tuple[str, str]] = (),
) -> pl.Series:
    """Claim ids to cluster again: those of every customer reachable from a `seeds` claim through
    tonight's links, must-links and identity units (claims of one name, region and credit code,
    which `matching.clustering` treats as one). `claims` has `claim_id` and IDENTITY; `links`
    `claim_id_l`, `claim_id_r`; `previous` last night's `claim_id`, `customer_id` (a claim absent
    from it is its own group). Nothing outside the result is linked to anything inside it."""
    groups = claims.select("claim_id", *IDENTITY).join(previous, on="claim_id", how="left", maintain_order="left")\
        .with_columns(pl.coalesce("customer_id", pl.lit("new:") + pl.col("claim_id")).alias("group"))
    group_of = groups.select("claim_id", "group")
    must = pl.DataFrame(list(must_link), schema={"claim_id_l": pl.String, "claim_id_r": pl.String}, orient="row")
    crossing = (pl.concat([both_sides(pairs, group_of, ["group"]) for pairs in (links, must)])
                .select(pl.col("group_l").alias("a"), pl.col("group_r").alias("b")).filter(pl.col("a") != pl.col("b")))
    spanning = pl.col("name_norm").is_not_null() & (pl.col("group").n_unique().over(IDENTITY) > 1)
    units = (groups.filter(spanning).group_by(IDENTITY)
             .agg(pl.col("group").unique().sort()).filter(pl.col("group").list.len() > 1)
             .select(pl.col("group").list.first().alias("a"), pl.col("group").alias("b")).explode("b")
             .filter(pl.col("a") != pl.col("b")))
    edges = pl.concat([crossing, units]).unique().sort("a", "b")
    seed_groups = group_of.filter(pl.col("claim_id").is_in(seeds.implode()))["group"].unique()
    names = pl.concat([edges["a"], edges["b"], seed_groups]).unique().sort().to_list()
    index = {g: i for i, g in enumerate(names)}
    uf = UnionFind(len(names))
    for a, b in edges.iter_rows():
        ra, rb = uf.find(index[a]), uf.find(index[b])
        if ra != rb:
            uf.parent[max(ra, rb)] = min(ra, rb)
    seed_roots = {uf.find(index[g]) for g in seed_groups.to_list()}
    reached = [g for g in names if uf.find(index[g]) in seed_roots]
    return groups.filter(pl.col("group").is_in(reached))["claim_id"].sort()
