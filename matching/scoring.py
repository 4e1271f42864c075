"""Scoring pairs straight from a saved Splink model, without Splink.

A lookup scores one query against a few hundred candidate claims; building a Splink linker per
query (or even importing Splink) costs far more than the scoring itself. So the model JSON is read
as Splink reads it (`scoring_model`: untrained levels get Splink's default m and u, the
term-frequency adjustment its u of the exact-match level) and compiled into one DuckDB query that
does what Splink's `predict` does: each comparison's levels as one CASE giving `gamma_*` (in
DuckDB, whose functions the conditions call), then in polars the level's log2(m/u) as `mw_*`,
the term-frequency adjustment as `mw_tf_adj_*`, and match_weight = log2(λ/(1-λ)) + Σ.
tests/matching/test_scoring.py proves the levels equal those Splink's own settings classes read
and the results equal Splink's `score_pairs` on the same pairs.
"""

from __future__ import annotations

import math
import re
import threading
from dataclasses import dataclass
from typing import Any

import duckdb
import polars as pl

from matching.match_model import MatchModel
from matching.scratch_db import scratch_cursor

# Splink clamps m and u at this value before taking log2(m/u).
_M_U_CLAMP_MIN = 1e-300
# what EM writes for a level never seen in training; read back from JSON, Splink treats it as untrained
_LEVEL_NOT_OBSERVED = "level not observed in training dataset"
# `"col_l" = "col_r"`: what Splink recognises as an exact-match level (quotes and case aside)
_SIDE_COLUMN = re.compile(r"\b(\w+)_[lr]\b")
_EXACT_MATCH = re.compile(r'^\s*"?(?P<column>\w+)_l"?\s*=\s*"?(?P=column)_r"?\s*$', re.IGNORECASE)


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


def scoring_model(model: MatchModel) -> ScoringModel:
    """The saved model (the JSON `save_model_to_json` writes) as levels and weights, read by
    Splink's rules: levels numbered from the strongest down to 0 (null levels -1), a missing m or
    u replaced by Splink's default for that number of levels."""
    prior = model.probability_two_random_records_match
    comparisons = []
    for comparison in model.comparisons:
        levels = comparison["comparison_levels"]
        count = sum(not level.get("is_null_level", False) for level in levels)
        default_m, default_u = _default_m_values(count), _default_u_values(count)
        gamma, parsed = count - 1, []
        for level in levels:
            if level.get("is_null_level", False):
                parsed.append((-1, level))
            else:
                parsed.append((gamma, level))
                gamma -= 1
        exact_u: dict[str, float] = {}
        for g, level in parsed:
            if (column := _exact_match_column(level)) is not None:
                exact_u.setdefault(column, _probability(level.get("u_probability"), default_u[g]))
        comparisons.append(Comparison(comparison["output_column_name"], tuple(
            _level(g, level, default_m[g], default_u[g], exact_u) for g, level in parsed
        )))
    return ScoringModel(math.log2(prior / (1 - prior)), tuple(comparisons))


def _default_m_values(count: int) -> list[float]:
    """Splink's m for untrained levels, indexed by level number: 0.95 on the strongest (computed
    as Splink computes them, so that the weights are the same floats)."""
    return [(1 - 0.95) / (count - 1)] * (count - 1) + [0.95]


def _default_u_values(count: int) -> list[float]:
    """Splink's u for untrained levels: weights spread from -5 to 3, and 10 on the strongest."""
    weights = [-5.0] if count == 2 else [-5 + i * (8 / (count - 2)) for i in range(count - 1)]
    return [m / 2 ** w for m, w in zip(_default_m_values(count), [*weights, 10.0], strict=True)]


def _probability(value: float | str | None, default: float) -> float:
    return default if value is None or value == _LEVEL_NOT_OBSERVED else float(value)


def _is_else(level: dict[str, Any]) -> bool:
    return level["sql_condition"].strip().upper() == "ELSE"


def _exact_match_column(level: dict[str, Any]) -> str | None:
    found = None if _is_else(level) else _EXACT_MATCH.match(level["sql_condition"])
    return found["column"].lower() if found else None


def _level(gamma: int, level: dict[str, Any], default_m: float, default_u: float, exact_u: dict[str, float]) -> Level:
    condition = level["sql_condition"]
    label = level.get("label_for_charts") or condition
    if level.get("is_null_level", False):
        return Level(gamma, condition, label, True, 0.0)
    m = _probability(level.get("m_probability"), default_m)
    u = _probability(level.get("u_probability"), default_u)
    weight = math.log2(max(m, _M_U_CLAMP_MIN) / max(u, _M_U_CLAMP_MIN))
    column = level.get("tf_adjustment_column")
    tf_weight = float(level.get("tf_adjustment_weight", 1.0))
    if not column or tf_weight == 0 or _is_else(level):
        return Level(gamma, condition, label, False, weight)
    if level.get("disable_tf_exact_match_detection", False):
        u_exact = u
    elif column.lower() in exact_u:
        u_exact = exact_u[column.lower()]
    else:
        raise ValueError(f"no exact-match level on {column!r} for its term-frequency adjustment")
    return Level(gamma, condition, label, False, weight, column, tf_weight, math.log2(u_exact),
                 float(level.get("tf_minimum_u_value", 0.0)))


def compared_columns(model: ScoringModel) -> set[str]:
    """The claim columns the levels' conditions read (as `<column>_l` / `<column>_r`)."""
    return {name for c in model.comparisons for level in c.levels for name in _SIDE_COLUMN.findall(level.sql_condition)}


def gamma_sql(model: ScoringModel, table: str) -> str:
    """A select over `table` (pair columns suffixed _l / _r, and a `_pair` number) giving `_pair`
    and each comparison's level as `gamma_*`."""
    cases = ", ".join(f"{gamma_case(c)} as gamma_{c.name}" for c in model.comparisons)
    return f"select _pair, {cases} from {table} order by _pair"


def gamma_case(comparison: Comparison) -> str:
    """The comparison's level as one SQL CASE: the levels' conditions, first true wins."""
    whens = " ".join(f"else {lvl.gamma}" if lvl.sql_condition.strip().upper() == "ELSE"
                     else f"when {lvl.sql_condition} then {lvl.gamma}" for lvl in comparison.levels)
    return f"case {whens} end"


def level_weights(model: ScoringModel) -> list[pl.Expr]:
    """Each comparison's `mw_*`, its level's own match weight, from `gamma_*` (null stays null)."""
    return [pl.col(f"gamma_{c.name}").replace_strict({lvl.gamma: lvl.match_weight for lvl in c.levels},
                                                     return_dtype=pl.Float64).alias(f"mw_{c.name}")
            for c in model.comparisons]


def weights_added(pairs: pl.DataFrame, model: ScoringModel) -> pl.DataFrame:
    """Pairs with gamma_* → mw_*, mw_tf_adj_* (from `tf_<column>_l/_r`), match_weight and
    match_probability, by Splink's formulas."""
    weights, terms = [], []
    for c, level_weight in zip(model.comparisons, level_weights(model), strict=True):
        weights.append(level_weight)
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


class PairScorer:
    """Scores pair frames: levels by one compiled query on DuckDB (the levels' conditions use
    DuckDB functions, as in Splink), weights in polars. The query runs on `connection` if given
    (any connection will do, a read-only one too: the pairs are only a temporary view; sharing
    one saves starting a second database, ~0.05 s), else on a private in-memory database.
    Thread-safe (each call works on its own cursor)."""

    def __init__(self, model: ScoringModel, connection: duckdb.DuckDBPyConnection | None = None) -> None:
        self.model = model
        self._sql = gamma_sql(model, "_pairs")
        # only the columns the levels read are handed to DuckDB (a lookup's pairs carry fifty)
        self._read = [f"{name}_{side}" for name in sorted(compared_columns(model)) for side in ("l", "r")]
        self._con = connection if connection is not None else scratch_cursor()
        self._lock = threading.Lock()

    def scored(self, pairs: pl.DataFrame) -> pl.DataFrame:
        """`pairs` with gamma_*, mw_*, mw_tf_adj_*, match_weight and match_probability added."""
        with self._lock:
            cursor = self._con.cursor()
        numbered = pairs.select(self._read).with_row_index("_pair")
        try:
            # in through the Arrow C stream interface (no pyarrow import, ~0.1 s cold); out as NumPy
            # arrays of levels (never null): ~4 ms less than a relation, which DuckDB binds twice
            cursor.register("_pairs", _ArrowStream(numbered))
            gammas = pl.DataFrame(cursor.execute(self._sql).fetchnumpy())
        finally:
            cursor.close()
        return weights_added(pairs.hstack(gammas.drop("_pair")), self.model)


class _ArrowStream:
    """A frame offered to DuckDB only as an Arrow C stream (DuckDB would convert a polars frame
    through pyarrow)."""

    def __init__(self, frame: pl.DataFrame) -> None:
        self._frame = frame

    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object:
        return self._frame.__arrow_c_stream__(requested_schema)
