"""Splink's `predict` on the window keys of `matching.blocks`, as one DuckDB query compiled from
the saved model.

Splink's own predict carried every compared column of both claims through all blocked pairs (11M
at 1M claims, 2.9M kept) and kept its blocking rules apart by repeating every earlier rule's
condition in each later one: 50 s at 1M claims. Here the blocked pairs are one distinct union of
claim positions, each pair gets the levels' SQL conditions (`matching.scoring`) and the weights
exactly as Splink writes them — the same literals added in the same order, so the same floats —
and only the columns the link rules and reviews read are returned.
tests/matching/test_predict.py proves the output equals Splink's `predict` on the same claims.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import duckdb
import polars as pl

from matching.blocks import moved_pairs_sql, window_columns, window_key_names
from matching.prepare import UNIQUE_ID
from matching.rule_pairs import PAIR_SCHEMA
from matching.scoring import Comparison, ScoringModel, compared_columns, gamma_case

NO_PAIRS = pl.DataFrame(schema=PAIR_SCHEMA)


@dataclass(frozen=True)
class Increment:
    """What an incremental night (`matching.incremental`) scores around, row for row with the
    claims scored:
    - `blocks`: one boolean per blocking column (named as the column), true where the claim's
      block holds a new, changed or removed claim: only these blocks are paired;
    - `earlier_keys`: the window keys (named as `matching.blocks.window_key_names`) the claim had on
      the last night, null for a claim new or changed since: two claims that shared one were
      scored on that night or before, and are not compared again (kept, they are among `stored`;
      else they scored below the retention floor, which term frequencies' drift cannot undo,
      `matching.incremental`);
    - `stored`: the pairs kept from earlier nights between untouched claims (positions `_l`,
      `_r`, their `gamma_*` levels, and `_carried`: the bits of the rules still
      asking for them, `matching.rule_pairs.carried_rule_bits`), weighted again from their levels
      with tonight's term frequencies and kept by the same rule if they still share a window key
      or a rule still asks for them."""

    blocks: pl.DataFrame
    earlier_keys: pl.DataFrame
    stored: pl.DataFrame | None = None


def earlier_key_column(key: str) -> str:
    """The name a claim's window key of the last night takes in the scoring query."""
    return f"_was_{key}"


def predicted(windowed: pl.DataFrame, model: ScoringModel, columns: tuple[str, ...], con: duckdb.DuckDBPyConnection,
              *, threshold: float, kept_columns: tuple[str, ...], forced: pl.DataFrame | None = None,
              increment: Increment | None = None, with_level_weights: bool = True) -> pl.DataFrame:
    """Pairs sharing a window key of `columns` whose match probability is at least `threshold`,
    and the `forced` pairs (positions `_l` < `_r` in `windowed`, the bits of the rules asking for
    them `forced_by`, `matching.rule_pairs`) whatever their probability: ids (`claim_id_l` <
    `claim_id_r`), match weight and probability, `gamma_*`, `mw_*` and the `kept_columns` of the
    sides, in Splink's column order, then `is_forced`, `forced_by` and the pair's positions `_l`,
    `_r` (sorting by them is sorting by the ids, and cheaper). `windowed` is sorted by claim id (as
    `matching.blocks.with_window_keys` returns it), so that a pair's positions are in id order.

    An incremental night passes its `increment`: then only the marked blocks are paired (a new
    claim shifts the windows of a large block), and of their pairs only those with a new or
    changed claim or that did not share a window the last night are compared; the stored pairs
    still sharing a window come with their levels: they depend on the two claims alone, which are
    untouched, so their string comparisons are not run again."""
    tf_columns = sorted({level.tf_column for c in model.comparisons for level in c.levels if level.tf_column})
    compared = sorted(compared_columns(model) & set(windowed.columns))
    claims = scoring_input(windowed, compared, columns, increment)
    side_columns = [UNIQUE_ID, *compared, *(f"tf_{c}" for c in tf_columns)]
    kept = [c for c in kept_columns if c not in (f"{UNIQUE_ID}_l", f"{UNIQUE_ID}_r")]
    con.register("_predict_input", claims)
    con.register("_forced_pairs", forced if forced is not None else NO_PAIRS)
    try:
        con.execute(f"create or replace temp table _predict_claims as {term_frequencies_sql(tf_columns)}")
        if increment is not None:
            frequencies = con.sql(f"select {', '.join(['_pos', *(f'tf_{c}' for c in tf_columns)])} "
                                  "from _predict_claims order by _pos").pl().drop("_pos")
            con.register("_stored_pairs", stored_levels(claims.hstack(frequencies), increment.stored, model, columns,
                                                        carried_columns(side_columns)))
        sql = predict_sql(model, columns, side_columns, threshold, kept, incremental=increment is not None,
                          with_level_weights=with_level_weights)
        frame = con.sql(sql).pl().with_columns(pl.col("forced_by").cast(pl.UInt8))
        return with_side_columns(frame, windowed, model, kept, with_level_weights)
    finally:
        for name in ("_predict_input", "_forced_pairs", "_stored_pairs"):
            con.unregister(name)
        con.execute("drop table if exists _predict_claims")


def scoring_input(windowed: pl.DataFrame, compared: list[str], columns: tuple[str, ...],
                  increment: Increment | None) -> pl.DataFrame:
    """The claims as the scoring query reads them: position `_pos`, id, compared columns, window
    keys of `columns`, and on an incremental night the marks of its `increment`."""
    keys = window_key_names(columns)
    claims = windowed.select(UNIQUE_ID, *compared, *keys).with_row_index("_pos")
    if increment is None:
        return claims
    return claims.with_columns(
        *(increment.blocks[c].alias(touched_column(c)) for c in columns),
        *(increment.earlier_keys[k].alias(earlier_key_column(k)) for k in keys),
    )


def carried_columns(side_columns: list[str]) -> list[str]:
    """The side columns a stored pair brings to its weighting: both claims' term frequencies (its
    ids and kept side columns are gathered after the query, `with_side_columns`)."""
    return [f"{c}_{s}" for c in side_columns for s in ("l", "r") if c.startswith("tf_")]


def output_columns(model: ScoringModel, kept: list[str], with_level_weights: bool) -> list[str]:
    """The scoring's columns in order (Splink's, then `is_forced`, `forced_by` and the positions)."""
    per_comparison = [column for c in model.comparisons
                      for column in (*[k for k in kept if k.startswith(f"{c.name}_")], f"gamma_{c.name}",
                                     *([f"mw_{c.name}"] * with_level_weights), *([f"mw_tf_adj_{c.name}"] * c.has_tf))]
    return ["match_weight", "match_probability", f"{UNIQUE_ID}_l", f"{UNIQUE_ID}_r", *per_comparison, "is_forced",
            "forced_by", "_l", "_r"]


def gathered_columns(kept: list[str]) -> list[str]:
    """The output columns that are the claims' own values (both ids and the `kept` side
    columns): left out of the scoring query and gathered by position after it. Carried through
    the query's joins as strings, at 1M claims they cost a second and a half of its five."""
    return [f"{UNIQUE_ID}_l", f"{UNIQUE_ID}_r", *(k for k in kept if k.endswith(("_l", "_r")))]


def with_side_columns(frame: pl.DataFrame, windowed: pl.DataFrame, model: ScoringModel, kept: list[str],
                      with_level_weights: bool) -> pl.DataFrame:
    """The scoring query's result (positions `_l`, `_r` in `windowed`) with the `gathered_columns`
    added from `windowed`, in the order of `output_columns`."""
    sides = [windowed[name[:-2]].gather(frame[f"_{name[-1]}"]).alias(name) for name in gathered_columns(kept)]
    return frame.with_columns(sides).select(output_columns(model, kept, with_level_weights))


def stored_levels(claims: pl.DataFrame, rescored: pl.DataFrame | None, model: ScoringModel,
                  columns: tuple[str, ...], carried: list[str]) -> pl.DataFrame:
    """The `rescored` pairs (positions `_l`, `_r`, stored `gamma_*`, maybe their rules' `_carried`
    bits, else none) with what weighting them needs, gathered by position from
    `claims` (the scoring input with its term frequencies, the row at position i being row i): the
    `carried` side columns they lack, and `_valid`: whether the pair still shares a window key.
    Gathering by position spares two joins of every kept pair (4.9M at 1M claims) with the claims
    in the scoring query."""
    gammas = [f"gamma_{c.name}" for c in model.comparisons]
    if rescored is None:
        rescored = NO_PAIRS.with_columns(pl.lit(None, dtype=pl.Int32).alias(g) for g in gammas)
    ends = {"l": rescored["_l"], "r": rescored["_r"]}
    valid = _sharing_a_key(claims, ends["l"], ends["r"], window_key_names(columns)).to_frame()
    sides = [claims[name[:-2]].gather(ends[name[-1]]).alias(name) for name in carried]
    rules = rescored["_carried"] if "_carried" in rescored.columns else pl.repeat(0, rescored.height, eager=True)
    return pl.DataFrame([ends["l"], ends["r"], *sides, *(rescored[g].cast(pl.Int32) for g in gammas),
                         rules.cast(pl.UInt8).alias("_carried")]).hstack(valid)


def _sharing_a_key(claims: pl.DataFrame, left: pl.Series, right: pl.Series, keys: list[str]) -> pl.Series:
    """`_valid`: whether the claims at positions `left` and `right` of `claims` share a value of
    one of `keys`. Each key is compared only for the pairs no earlier key joined: most kept pairs
    share the first (the name's), and 18 keys over 5M pairs took a second."""
    valid = pl.repeat(False, left.len(), dtype=pl.Boolean, eager=True).alias("_valid")
    open_rows = pl.int_range(left.len(), dtype=pl.UInt32, eager=True)
    for key in keys:
        if open_rows.is_empty():
            break
        values = claims[key]
        same = (values.gather(left.gather(open_rows)) == values.gather(right.gather(open_rows))).fill_null(False)
        valid = valid.scatter(open_rows.filter(same), True)
        open_rows = open_rows.filter(~same)
    return valid


def term_frequencies_sql(columns: list[str]) -> str:
    """The claims with `tf_<column>`, computed by Splink's SQL (polars divides differently in the
    last bit)."""
    joins = " ".join(
        f"left join (select {c}, cast(count(*) as float8) / (select count({c}) from _predict_input) as tf_{c} "
        f"from _predict_input where {c} is not null group by {c}) using ({c})" for c in columns)
    return f"select * from _predict_input {joins}"


def touched_column(column: str) -> str:
    """The name the flag of `column`'s touched blocks takes in the scoring query."""
    return f"_touched_{column}"


def _blocked_sql(column: str, key: str, earlier_keys: list[str] | None) -> str:
    """The pairs sharing `key` (a window key of `column`); on an incremental night (the
    `earlier_keys`' columns given) only in marked blocks, and only those not sharing an earlier key.
    Two claims that both had tonight's `key` last night shared it then: so a pair to compare has a
    claim whose `key` is new (a new or changed claim, or one a new claim moved to another window),
    and only those claims are joined to their windows."""
    if earlier_keys is None:
        return (f"select l._pos as _l, r._pos as _r, 0 as _forced_by from _predict_claims l join _predict_claims r "
                f"on l.{key} = r.{key} and l._pos < r._pos")
    block = f"(select {', '.join(['_pos', key, *earlier_keys])} from _predict_claims where {touched_column(column)})"
    met = " or ".join(f"l.{k} = r.{k}" for k in earlier_keys)
    moved = moved_pairs_sql(block, block, key, earlier_key_column(key), f"not coalesce({met}, false)")
    return f"select _l, _r, 0 as _forced_by from ({moved})"


def _levels_sql(model: ScoringModel, columns: tuple[str, ...], side_columns: list[str], incremental: bool) -> str:
    """`pairs` (the distinct pairs, with the bits of the rules that asked for them, `_forced_by`)
    and `levels` (each pair's positions, term frequencies and `gamma_*`).
    On an incremental night the pairs of `_stored_pairs` (`stored_levels`) formed tonight, still
    sharing a window key or still asked for by a rule (`_carried`) come with their levels; the
    others' are computed from both claims."""
    keys = window_key_names(columns)
    earlier = [earlier_key_column(k) for k in keys] if incremental else None
    blocked = " union all ".join(_blocked_sql(column, key, earlier)
                                 for column in columns for key in window_columns(column))
    pairs = (f"select _l, _r, bit_or(_forced_by) as _forced_by from ({blocked} "
             "union all select _l, _r, forced_by as _forced_by from _forced_pairs) group by _l, _r")
    gamma_names = [f"gamma_{c.name}" for c in model.comparisons]
    sides = ", ".join(f"{s}.{c} as {c}_{s}" for s in ("l", "r") for c in side_columns)
    gammas = ", ".join(f"{gamma_case(c)} as gamma_{c.name}" for c in model.comparisons)
    if not incremental:
        return (f"pairs as ({pairs}), sides as (select pairs._l, pairs._r, pairs._forced_by, {sides} from pairs "
                "join _predict_claims l on l._pos = pairs._l join _predict_claims r on r._pos = pairs._r), "
                f"levels as (select *, {gammas} from sides)")
    listed = ", ".join(["_l", "_r", "_forced_by", *carried_columns(side_columns), *gamma_names])
    return (
        f"pairs as ({pairs}), "
        # one join keeps both kinds of stored pair: formed again tonight (their rules' bits joined to
        # tonight's), or not formed but still sharing a window key or asked for by a rule
        "stored as (select coalesce(pairs._forced_by, 0) | s._carried as _forced_by, s.* from _stored_pairs s "
        "left join pairs on pairs._l = s._l and pairs._r = s._r "
        "where pairs._l is not null or s._valid or s._carried <> 0), "
        "fresh as (select pairs._l, pairs._r, pairs._forced_by from pairs left join _stored_pairs s "
        "on s._l = pairs._l and s._r = pairs._r where s._l is null), "
        f"fresh_sides as (select fresh._l, fresh._r, fresh._forced_by, {sides} from fresh "
        "join _predict_claims l on l._pos = fresh._l join _predict_claims r on r._pos = fresh._r), "
        f"levels as (select {listed} from (select *, {gammas} from fresh_sides) "
        f"union all select {listed} from stored)"
    )


def predict_sql(model: ScoringModel, columns: tuple[str, ...], side_columns: list[str], threshold: float,
                kept: list[str], incremental: bool = False, with_level_weights: bool = True) -> str:
    """The scoring query (`predicted`), whose result lacks the `gathered_columns` (added after it,
    `with_side_columns`). Without `with_level_weights`, the levels' own weights `mw_*`
    are left out of the result (the term-frequency adjustments stay): they follow from `gamma_*`
    (`matching.scoring.level_weights`), and at 1M claims they are 9 float columns of 5M pairs."""
    weights = ", ".join(_weight_cases(c) for c in model.comparisons)
    terms = [term for c in model.comparisons for term in (f"mw_{c.name}", *([f"mw_tf_adj_{c.name}"] * c.has_tf))]
    weight = f"cast({model.prior_match_weight} as float8) + " + " + ".join(terms)
    # Splink's formula: 2^2000 could overflow, 2^-2000 cannot
    probability = (f"case when ({weight}) >= 0 then 1.0 / (1.0 + power(cast(2 as float8), -({weight}))) "
                   f"else power(cast(2 as float8), ({weight})) / (1.0 + power(cast(2 as float8), ({weight}))) end")
    computed = {"match_weight": f"{weight} as match_weight", "match_probability": f"{probability} as match_probability",
                "is_forced": "_forced_by <> 0 as is_forced", "forced_by": "_forced_by as forced_by"}
    output = ", ".join(computed.get(name, name) for name in output_columns(model, kept, with_level_weights)
                       if name not in gathered_columns(kept))
    return (
        f"with {_levels_sql(model, columns, side_columns, incremental)}, "
        f"weighted as (select *, {weights} from levels) "
        f"select {output} from weighted where _forced_by <> 0 or ({weight}) >= {_match_weight(threshold)}"
    )


def _match_weight(probability: float) -> float:
    return math.log2(probability / (1 - probability))


def _weight_names(comparison: Comparison) -> list[str]:
    return [f"mw_{comparison.name}", *([f"mw_tf_adj_{comparison.name}"] * comparison.has_tf)]


def _weight_cases(comparison: Comparison) -> str:
    """`mw_*` and `mw_tf_adj_*` as Splink writes them."""
    gamma = f"gamma_{comparison.name}"
    cases = [" ".join(f"when {gamma} = {lvl.gamma} then cast({lvl.match_weight} as float8)"
                      for lvl in comparison.levels)]
    if comparison.has_tf:
        whens = []
        for lvl in comparison.levels:
            if not lvl.tf_column:
                whens.append(f"when {gamma} = {lvl.gamma} then cast(0 as float8)")
                continue
            tf_l, tf_r = f"tf_{lvl.tf_column}_l", f"tf_{lvl.tf_column}_r"
            larger = f"greatest(coalesce({tf_l}, {tf_r}), coalesce({tf_r}, {tf_l}), cast({lvl.tf_minimum_u} as float8))"
            whens.append(f"when {gamma} = {lvl.gamma} then case when coalesce({tf_l}, {tf_r}) is not null then "
                         f"cast({lvl.tf_weight} as float8) * (cast({lvl.tf_log2_u} as float8) - log2({larger})) "
                         f"else cast(0 as float8) end")
        cases.append(" ".join(whens))
    return ", ".join(f"case {whens} end as {name}"
                     for whens, name in zip(cases, _weight_names(comparison), strict=True))
