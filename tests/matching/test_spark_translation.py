"""`spark_sql` turns the DuckDB SQL of the packaged model into Spark SQL that calls only Spark's
built-in functions and the UDFs of Splink's jar (no Spark is started here: sqlglot parses it)."""

import json
import re

import pytest
import sqlglot
from hypothesis import given
from hypothesis import strategies as st
from sqlglot import exp

from matching.match_model import MatchModel
from matching.model import KEPT_COLUMNS
from matching.model_files import DEFAULT_MODEL
from matching.predict import predict_sql, term_frequencies_sql
from matching.scoring import compared_columns, scoring_model
from matching.settings import BLOCKING_COLUMNS
from matching.spark_engine import spark_sql

# what the translated queries may call: Spark SQL built-ins and the jar's UDFs (Splink's
# get_scala_udfs); tests/matching/test_spark_parity.py checks each against a running Spark
SPARK_FUNCTIONS = {"abs", "bit_or", "cast", "coalesce", "contains", "count", "greatest", "if", "least", "length",
                   "levenshtein", "log", "power", "startswith", "jaro_winkler", "jaro_sim", "jaccard",
                   "damerau_levenshtein"}
_KEYWORDS = {"and", "or", "not", "in", "on", "using", "as", "from", "join", "when", "then", "else", "where"}
# a double literal as Splink's customspark writes it: 1.5D, or a negative one cast
_DOUBLE = re.compile(r"SELECT (?:(?P<literal>[0-9.e+-]+)D|CAST\((?P<negative>-[0-9.e+-]+) AS DOUBLE\)) AS w FROM t")
_CALL = re.compile(r"\b([A-Za-z_][A-Za-z0-9_]*)\s*\(")


def called_functions(sql: str) -> set[str]:
    """The names of the functions `sql` calls, lower-cased."""
    return {name.lower() for name in _CALL.findall(sql)} - _KEYWORDS


def level_conditions() -> list[str]:
    model = json.loads(DEFAULT_MODEL.read_text(encoding="utf-8"))
    return sorted({level["sql_condition"] for c in model["comparisons"] for level in c["comparison_levels"]
                   if level["sql_condition"].strip().upper() != "ELSE"})


def model_queries() -> list[str]:
    """The queries `matching.predict.predicted` runs for the packaged model: the term
    frequencies, a full night's scoring and an incremental night's."""
    model = scoring_model(MatchModel.read(DEFAULT_MODEL))
    tf_columns = sorted({lvl.tf_column for c in model.comparisons for lvl in c.levels if lvl.tf_column})
    sides = ["claim_id", *sorted(compared_columns(model)), *(f"tf_{c}" for c in tf_columns)]
    kept = [c for c in KEPT_COLUMNS if c not in ("claim_id_l", "claim_id_r")]
    return [term_frequencies_sql(tf_columns), predict_sql(model, BLOCKING_COLUMNS, sides, 0.5, kept),
            predict_sql(model, BLOCKING_COLUMNS, sides, 0.5, kept, incremental=True)]


@pytest.mark.parametrize("condition", level_conditions())
def test_every_level_condition_translates_to_spark_sql_calling_only_spark_functions(condition):
    translated = spark_sql(f"select case when {condition} then 1 else 0 end as gamma from pairs")
    sqlglot.parse_one(translated, read="spark")
    assert called_functions(translated) <= SPARK_FUNCTIONS
    assert '"' not in translated  # DuckDB's quoted identifiers became Spark's backquoted ones


def test_the_model_has_the_conditions_this_test_is_about():
    conditions = " ".join(level_conditions())
    for function in ("jaro_winkler_similarity", "levenshtein", "starts_with", "contains", "least", "length"):
        assert f"{function}(" in conditions


@pytest.mark.parametrize("query", model_queries(), ids=["term_frequencies", "predict", "predict_incremental"])
def test_the_whole_predict_query_translates_and_parses_as_spark_sql(query):
    translated = spark_sql(query)
    tree = sqlglot.parse_one(translated, read="spark")
    assert called_functions(translated) <= SPARK_FUNCTIONS
    assert not list(tree.find_all(exp.JarowinklerSimilarity))
    assert "float8" not in translated.lower()


def test_jaro_winkler_similarity_becomes_the_jars_jaro_winkler():
    translated = spark_sql('select jaro_winkler_similarity("core_pinyin_l", "core_pinyin_r") >= 0.9 as x from p')
    assert translated == "SELECT JARO_WINKLER(`core_pinyin_l`, `core_pinyin_r`) >= 0.9 AS x FROM p"


@pytest.mark.parametrize(
    ("duckdb", "spark"),
    [
        ("starts_with(a, b)", "STARTSWITH(a, b)"),
        ("contains(a, b)", "CONTAINS(a, b)"),
        ("least(length(a), length(b)) >= 3", "LEAST(LENGTH(a), LENGTH(b)) >= 3"),
        ("log2(x)", "LOG(2, x)"),
        ("power(cast(2 as float8), -x)", "POWER(2D, -x)"),
        ("cast(-0.5 as float8)", "CAST(-0.5 AS DOUBLE)"),
        ("jaro_similarity(a, b)", "JARO_SIM(a, b)"),
        ("levenshtein(a, b) = 1", "LEVENSHTEIN(a, b) = 1"),
        ("bool_or(f)", "BOOL_OR(f)"),
        ("coalesce(branch_l, '') = coalesce(branch_r, '')", "COALESCE(branch_l, '') = COALESCE(branch_r, '')"),
    ],
)
def test_expressions_translate_as_spark_writes_them(duckdb, spark):
    assert spark_sql(f"select {duckdb} as x from t") == f"SELECT {spark} AS x FROM t"


@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False))
def test_a_weight_literal_keeps_its_exact_value_as_a_spark_double(weight):
    """A weight is written `cast(<repr> as float8)`: in Spark it must be the same double (a
    decimal literal would be exact, but a decimal type could not hold every weight)."""
    translated = spark_sql(f"select cast({weight!r} as float8) as w from t")
    written = _DOUBLE.fullmatch(translated)
    assert written is not None, translated
    assert float(written["literal"] or written["negative"]) == weight
