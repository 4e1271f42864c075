"""Scoring pairs straight from a saved Splink model, without a Splink linker.

A lookup scores one query against a few hundred candidate claims; building a Splink linker per
query costs far more than the scoring itself. So the model JSON is read once through Splink's own
settings classes (untrained levels get Splink's defaults) and compiled into one DuckDB query that
does what Splink's `predict` does: each comparison's levels as one CASE giving `gamma_*` (in
DuckDB, whose functions the conditions call), then in polars the level's log2(m/u) as `mw_*`,
the term-frequency adjustment as `mw_tf_adj_*`, and match_weight = log2(λ/(1-λ)) + Σ. tests/matching/test_scoring.py proves the results equal
Splink's `score_pairs` on the same pairs.
"""

from __future__ import annotations

import logging
import math
import threading
from dataclasses import dataclass

import duckdb
import polars as pl
from splink import SettingsCreator

logging.getLogger("splink").setLevel(logging.ERROR)

# Splink clamps m and u at this value before taking log2(m/u).
_M_U_CLAMP_MIN = 1e-300


@dataclass(frozen=True)
class Level:
    gamma: int
    sql_condition: str
    label: str
    is_null_level: bool
    match_weight: float
    # term-frequency adjustment (Splink's formula), only on a level that has one
    tf_column: str | None = None
    tf_weight: float = 0.0
    tf_log2_u: float = 0.0
    tf_minimum_u: float = 0.0


@dataclass(frozen=True)
class Comparison:
    name: str
    levels: tuple[Level, ...]

    @property
    def has_tf(self) -> bool:
        return any(level.tf_column for level in self.levels)


@dataclass(frozen=True)
class ScoringModel:
    prior_match_weight: float
    comparisons: tuple[Comparison, ...]

    def level_label(self, comparison: str, gamma: int) -> str:
        for spec in self.comparisons:
            if spec.name == comparison:
                return next(level.label for level in spec.levels if level.gamma == gamma)
        raise KeyError(comparison)


def scoring_model(model: dict) -> ScoringModel:
    """The saved model (the JSON `save_model_to_json` writes) as levels and weights."""
    settings = SettingsCreator.from_path_or_dict(model).get_settings("duckdb")
    prior = settings.core_model_settings.probability_two_random_records_match
    comparisons = []
    for comparison in settings.core_model_settings.comparisons:
        levels = comparison.comparison_levels
        comparisons.append(Comparison(
            comparison.output_column_name, tuple(_level(level, levels) for level in levels)
        ))
    return ScoringModel(math.log2(prior / (1 - prior)), tuple(comparisons))


def _level(level, levels) -> Level:
    gamma = level.comparison_vector_value
    if level.is_null_level:
        return Level(gamma, level.sql_condition, level.label_for_charts, True, 0.0)
    m, u = max(level.m_probability, _M_U_CLAMP_MIN), max(level.u_probability, _M_U_CLAMP_MIN)
    base = Level(gamma, level.sql_condition, level.label_for_charts, False, math.log2(m / u))
    column = level._tf_adjustment_input_column_name
    if not column or level._tf_adjustment_weight == 0 or level._is_else_level:
        return base
    exact_u = level._u_probability_corresponding_to_exact_match(levels)
    return Level(
        gamma, level.sql_condition, level.label_for_charts, False, base.match_weight, column,
        float(level._tf_adjustment_weight), math.log2(exact_u), float(level._tf_minimum_u_value),
    )


def gamma_sql(model: ScoringModel, table: str) -> str:
    """A select over `table` (pair columns suffixed _l / _r, and a `_pair` number) giving `_pair`
    and each comparison's level as `gamma_*`: the levels' SQL conditions, first true wins."""
    cases = []
    for c in model.comparisons:
        whens = " ".join(
            f"else {lvl.gamma}" if lvl.sql_condition.strip().upper() == "ELSE"
            else f"when {lvl.sql_condition} then {lvl.gamma}"
            for lvl in c.levels
        )
        cases.append(f"case {whens} end as gamma_{c.name}")
    return f"select _pair, {', '.join(cases)} from {table} order by _pair"


def weights_added(pairs: pl.DataFrame, model: ScoringModel) -> pl.DataFrame:
    """Pairs with gamma_* → mw_*, mw_tf_adj_* (from `tf_<column>_l/_r`), match_weight and
    match_probability, by Splink's formulas."""
    weights, terms = [], []
    for c in model.comparisons:
        gamma = pl.col(f"gamma_{c.name}")
        weights.append(gamma.replace_strict({lvl.gamma: lvl.match_weight for lvl in c.levels},
                                            return_dtype=pl.Float64).alias(f"mw_{c.name}"))
        terms.append(f"mw_{c.name}")
        if c.has_tf:
            weights.append(_tf_adjustment(c).alias(f"mw_tf_adj_{c.name}"))
            terms.append(f"mw_tf_adj_{c.name}")
    weight = pl.lit(model.prior_match_weight)
    for term in terms:
        weight = weight + pl.col(term)
    two = pl.lit(2.0)
    probability = (
        pl.when(pl.col("match_weight") >= 0).then(1.0 / (1.0 + two.pow(-pl.col("match_weight"))))
        .otherwise(two.pow(pl.col("match_weight")) / (1.0 + two.pow(pl.col("match_weight"))))
    )
    return (
        pairs.with_columns(weights)
        .with_columns(weight.alias("match_weight"))
        .with_columns(probability.alias("match_probability"))
    )


def _tf_adjustment(comparison: Comparison) -> pl.Expr:
    """Splink's term-frequency adjustment: weight × (log2 u(exact match) − log2 of the larger of
    the two sides' term frequencies, floored at tf_minimum_u), on the levels that have one."""
    expr = pl.lit(0.0)
    for lvl in reversed(comparison.levels):
        if not lvl.tf_column:
            continue
        tf_l, tf_r = pl.col(f"tf_{lvl.tf_column}_l"), pl.col(f"tf_{lvl.tf_column}_r")
        larger = pl.max_horizontal(tf_l, tf_r, pl.lit(lvl.tf_minimum_u))
        adjusted = pl.when(tf_l.is_not_null() | tf_r.is_not_null()).then(
            lvl.tf_weight * (lvl.tf_log2_u - larger.log(2))
        ).otherwise(0.0)
        expr = pl.when(pl.col(f"gamma_{comparison.name}") == lvl.gamma).then(adjusted).otherwise(expr)
    return expr


def term_frequencies(prepared: pl.DataFrame, column: str) -> pl.DataFrame:
    """`column`, `tf_<column>`: each value's share of the non-null values (Splink's TF table)."""
    present = prepared.select(column).drop_nulls()
    return present.group_by(column).len().select(
        column, (pl.col("len").cast(pl.Float64) / present.height).alias(f"tf_{column}")
    ).sort(column)


class PairScorer:
    """Scores pair frames: levels by one compiled query on a private in-memory DuckDB (the
    levels' conditions use DuckDB functions, as in Splink), weights in polars. Thread-safe
    (each call works on its own cursor)."""

    def __init__(self, model: ScoringModel) -> None:
        self.model = model
        self._sql = gamma_sql(model, "_pairs")
        self._con = duckdb.connect()
        self._lock = threading.Lock()

    def scored(self, pairs: pl.DataFrame) -> pl.DataFrame:
        """`pairs` with gamma_*, mw_*, mw_tf_adj_*, match_weight and match_probability added."""
        with self._lock:
            cursor = self._con.cursor()
        numbered = pairs.with_row_index("_pair")
        try:
            cursor.register("_pairs", numbered)
            gammas = cursor.sql(self._sql).pl()
        finally:
            cursor.close()
        return weights_added(pairs.hstack(gammas.drop("_pair")), self.model)
