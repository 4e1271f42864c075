"""Pair scoring on Splink's Spark backend: the query `matching.predict` compiles for DuckDB,
translated to Spark SQL and run over the claims registered as Spark temporary views.

Nothing here restates a level: `spark_sql` translates the DuckDB SQL that `matching.predict`
builds from the saved model, with sqlglot, into the dialect Splink's own SparkAPI writes
(`customspark`), the string-similarity functions renamed from the names Splink's DuckDB dialect
uses to those of its Spark dialect (the UDFs of the jar Splink ships, e.g. jaro_winkler_similarity
→ jaro_winkler). tests/matching/test_spark_parity.py proves `predicted_on_spark` equals
`matching.predict.predicted` on the bundled samples. pyspark is imported only when a session is
started or used, so DuckDB-only runs never load it.

One known difference: the jar's jaro_winkler is textbook Jaro (half the transpositions, 1.5 for
three), DuckDB's rounds that half down (1), and they disagree on two empty strings (jar 1, DuckDB 0).
Near a level's threshold (pinyin at 0.9) a pair can then fall one level lower on Spark: 72 of
401,701 scored pairs at 100,000 generated claims, with the same clusters (bench/results/spark_vs_duckdb.md).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import polars as pl
import sqlglot
from splink.internals.dialects import DuckDBDialect, SparkDialect

# registers sqlglot's "customspark" dialect (Spark, with float literals cast as doubles, not decimals)
from splink.internals.spark.spark_helpers import custom_spark_dialect  # noqa: F401
from sqlglot import exp

from matching.blocks import window_key_names
from matching.predict import (
    NO_PAIRS,
    Increment,
    carried_columns,
    earlier_key_column,
    predict_sql,
    scoring_input,
    stored_levels,
    term_frequencies_sql,
    with_side_columns,
)
from matching.prepare import UNIQUE_ID
from matching.scoring import ScoringModel, compared_columns

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

_SPARK_DIALECT = "customspark"
_SIMILARITY_FUNCTIONS = ("jaro_function_name", "jaro_winkler_function_name", "jaccard_function_name",
                         "damerau_levenshtein_function_name", "levenshtein_function_name")
# DuckDB's name of each similarity function → the Spark function or jar UDF Splink uses instead
_RENAMED = {getattr(DuckDBDialect(), name): getattr(SparkDialect(), name) for name in _SIMILARITY_FUNCTIONS}
# what a local master gets unless the options say otherwise: few shuffle partitions (the default
# 200 makes every small join 200 tasks), no console progress bars, the driver on loopback only
_LOCAL_DEFAULTS = {
    "spark.sql.shuffle.partitions": "8",
    "spark.ui.showConsoleProgress": "false",
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
}
_VIEWS = ("_predict_input", "_forced_pairs", "_stored_pairs", "_predict_claims")


class SparkSettings(Protocol):
    """Where and how to run Spark (sources.yaml's `matching.spark`, `settings.matching.SparkConfig`)."""

    @property
    def master(self) -> str: ...

    @property
    def app_name(self) -> str: ...

    @property
    def options(self) -> Mapping[str, str]: ...


class SparkUnavailableError(RuntimeError):
    """No Spark session could be started where the settings point (the night stops before it
    publishes anything)."""


def session_options(settings: SparkSettings, similarity_jar: str, memory: int) -> dict[str, str]:
    """The Spark settings a session of `settings` starts with, on a machine (or container) with
    `memory` bytes: a driver with a third of it, and no limit on the results it collects. The
    driver runs here whatever the master (PySpark's client mode), and every scored pair comes back
    to it: with Spark's defaults (a 1g driver, 1g of results) a night of a million claims failed,
    on "Not enough memory to build and broadcast the table", then on its 1.0 GiB of pairs. A local
    master also gets `_LOCAL_DEFAULTS`. Then `settings.options`, which win; `similarity_jar` is
    added to spark.jars."""
    options = {"spark.driver.memory": f"{max(1, memory // 3 // 2**30)}g", "spark.driver.maxResultSize": "0"}
    if settings.master.startswith("local"):
        options |= _LOCAL_DEFAULTS
    options.update(settings.options)
    jars = [jar for jar in options.get("spark.jars", "").split(",") if jar]
    options["spark.jars"] = ",".join([*jars, similarity_jar])
    return options


def memory_available() -> int:
    """Bytes of memory this process may use: the machine's, or its container's limit if lower."""
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    try:
        limit = Path("/sys/fs/cgroup/memory.max").read_text(encoding="ascii").strip()
    except OSError:
        return memory
    return min(memory, int(limit)) if limit.isdigit() else memory


def spark_session(settings: SparkSettings) -> SparkSession:
    """The Spark session of `settings` (created, or the running one: then options that only a
    new JVM can take, such as spark.driver.memory, are ignored by Spark), with Splink's similarity
    jar on spark.jars and its UDFs registered, logging at ERROR. A master that does not answer, a
    master URL Spark cannot read or a missing Java raise SparkUnavailableError, saying where to
    look, instead of a Java stack."""
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    builder = SparkSession.builder.master(settings.master).appName(settings.app_name)
    for key, value in session_options(settings, similarity_jar_location(), memory_available()).items():
        builder = builder.config(key, value)
    cannot_start: tuple[type[Exception], ...] = (*_spark_errors(), OSError)  # OSError: no Java
    try:
        session = builder.getOrCreate()
    except cannot_start as exc:
        raise _unavailable(settings.master, _first_cause(exc)) from exc
    # a standalone master that never answered stops the context on a thread of its own, maybe
    # after getOrCreate returned: a stopped session fails here, not in the middle of the scoring
    if session.sparkContext._jsc.sc().isStopped():
        raise _unavailable(settings.master, "the Spark context stopped as it started")
    session.sparkContext.setLogLevel("ERROR")
    _register_udfs(session)
    return session


class SparkJobError(RuntimeError):
    """Spark started, then failed while scoring the pairs (out of memory, executors lost): the
    night stops before it publishes anything."""


def _unavailable(master: str, cause: str) -> SparkUnavailableError:
    return SparkUnavailableError(
        f"Spark could not start a session on master {master!r}: {cause}. Check matching.spark (master, "
        "options) in sources.yaml and that the cluster answers (Spark's log above says more), or run the "
        "night with --engine duckdb.")


def _first_cause(exc: Exception) -> str:
    """The line of a (Java) error that names what failed, without its stack."""
    try:
        text = str(exc)  # a py4j error asks the JVM for its message, and the JVM may be gone
    except Exception:  # the class name still says something
        text = ""
    return first_cause_in(text) or type(exc).__name__


def first_cause_in(text: str) -> str:
    """The line of a Java error's text that names what failed: its last "Caused by" (the root
    cause, where Spark puts its advice), else its first line naming an exception or error, else
    its first line; without the stack."""
    lines = [clean for line in text.splitlines() if (clean := line.strip().lstrip(":").strip())]
    causes = [line.removeprefix("Caused by:").strip() for line in lines if line.startswith("Caused by:")]
    named = [line for line in lines if "Exception" in line or "Error" in line]
    return (causes[-1:] or named or lines or [""])[0].rstrip(".")


def _register_udfs(session: SparkSession) -> None:
    """Splink's own list of the jar's UDFs (jaro_winkler, jaro_sim, jaccard, ...), registered as
    Splink's SparkAPI registers them; per session, so a `newSession()` needs them again."""
    from splink.internals.spark.jar_location import get_scala_udfs

    for name, class_path, return_type in get_scala_udfs():
        session.udf.registerJavaFunction(name, class_path, return_type)


def spark_sql(duckdb_sql: str) -> str:
    """`duckdb_sql` (one statement) as Spark SQL: sqlglot's DuckDB → Spark translation
    (starts_with → startswith, log2(x) → log(2, x), float8 → double, "x" → `x`, ...), the
    similarity functions renamed to Splink's Spark ones."""
    tree = sqlglot.parse_one(duckdb_sql, read="duckdb")
    return tree.transform(_renamed).sql(dialect=_SPARK_DIALECT)


def _renamed(node: exp.Expression) -> exp.Expression:
    # sqlglot parses jaro_winkler_similarity into a typed node that Spark would write back unchanged
    if isinstance(node, exp.JarowinklerSimilarity):
        return exp.Anonymous(this=_RENAMED["jaro_winkler_similarity"], expressions=[node.this, node.expression])
    if isinstance(node, exp.Anonymous) and node.name.lower() in _RENAMED:
        return exp.Anonymous(this=_RENAMED[node.name.lower()], expressions=node.expressions)
    return node


def predicted_on_spark(windowed: pl.DataFrame, model: ScoringModel, columns: tuple[str, ...], session: SparkSession,
                       *, threshold: float, kept_columns: tuple[str, ...], forced: pl.DataFrame | None = None,
                       increment: Increment | None = None, with_level_weights: bool = True) -> pl.DataFrame:
    """What `matching.predict.predicted` returns for the same arguments (the same pairs, columns,
    order of columns and dtypes), computed by Spark. Runs in a new session on `session`'s context, so that its
    temporary views never meet another caller's."""
    tf_columns = sorted({level.tf_column for c in model.comparisons for level in c.levels if level.tf_column})
    compared = sorted(compared_columns(model) & set(windowed.columns))
    keys = window_key_names(columns)
    claims = scoring_input(windowed, compared, columns, increment)
    if increment is not None:
        keys += [earlier_key_column(k) for k in keys]
    master = session.sparkContext.master  # asked now: after a failure the JVM may be gone
    side_columns = [UNIQUE_ID, *compared, *(f"tf_{c}" for c in tf_columns)]
    kept = [c for c in kept_columns if c not in (f"{UNIQUE_ID}_l", f"{UNIQUE_ID}_r")]
    spark = None
    try:  # handing a million claims to Spark can fail as the query can
        spark = session.newSession()
        _register_udfs(spark)
        _view(spark, "_predict_input", _spark_compatible(claims, keys))
        _view(spark, "_forced_pairs", _spark_compatible(forced if forced is not None else NO_PAIRS, []))
        # materialised, as DuckDB's temp table is (the query reads it twice per window key); its
        # blocks go with the frame (Spark's context cleaner), the views are dropped below
        scored_claims = spark.sql(spark_sql(term_frequencies_sql(tf_columns))).localCheckpoint()
        scored_claims.createOrReplaceTempView("_predict_claims")
        if increment is not None:
            frequencies = pl.from_arrow(scored_claims.select("_pos", *(f"tf_{c}" for c in tf_columns)).toArrow())
            assert isinstance(frequencies, pl.DataFrame)
            stored = stored_levels(claims.hstack(frequencies.sort("_pos").drop("_pos")), increment.stored, model,
                                   columns, carried_columns(side_columns))
            _view(spark, "_stored_pairs", _spark_compatible(stored, []))
        sql = predict_sql(model, columns, side_columns, threshold, kept, incremental=increment is not None,
                          with_level_weights=with_level_weights)
        result = spark.sql(spark_sql(sql))
        frame = pl.from_arrow(result.toArrow())
    except _spark_errors() as exc:
        raise SparkJobError(
            f"Spark failed while scoring the pairs on master {master!r}: {_first_cause(exc)}. "
            "Check the memory it has in matching.spark.options (sources.yaml): spark.driver.memory and "
            "spark.driver.maxResultSize (the scored pairs come back to the driver), spark.executor.memory on a "
            "cluster; or run the night with --engine duckdb.") from exc
    finally:
        if spark is not None:
            _views_dropped(spark)
    if not isinstance(frame, pl.DataFrame):
        raise TypeError("Spark returned a column, not a table")
    # widened for Spark (`_spark_compatible`)
    frame = frame.with_columns(pl.col("_l", "_r").cast(pl.UInt32), pl.col("forced_by").cast(pl.UInt8))
    return with_side_columns(frame, windowed, model, kept, with_level_weights)


def _spark_errors() -> tuple[type[Exception], ...]:
    """What a failing Spark raises in Python: py4j's errors (the JVM's exceptions, a JVM gone) and
    PySpark's own; imported here, as pyspark is loaded only where Spark is used."""
    from py4j.protocol import Py4JError
    from pyspark.errors import PySparkException

    return Py4JError, PySparkException


def _views_dropped(spark: SparkSession) -> None:
    """Drop the scoring's temporary views; where Spark is gone (a job that killed the JVM), there
    is nothing to drop, and the error already raised says why."""
    for view in _VIEWS:
        try:
            spark.catalog.dropTempView(view)
        except _spark_errors():
            return


def _view(spark: SparkSession, name: str, frame: pl.DataFrame) -> DataFrame:
    """`frame` as the temporary view `name`, handed to Spark as Arrow."""
    view = spark.createDataFrame(frame.to_arrow())
    view.createOrReplaceTempView(name)
    return view


def _spark_compatible(frame: pl.DataFrame, hashes: list[str]) -> pl.DataFrame:
    """`frame` with types Spark's Arrow reader accepts (it has no unsigned integers): the `hashes`
    (UInt64 window keys, of which only equality counts) reinterpreted as Int64, other unsigned
    integers widened to Int64."""
    return frame.with_columns(
        *(pl.col(c).reinterpret(signed=True) for c in hashes),
        *(pl.col(c).cast(pl.Int64) for c, dtype in frame.schema.items()
          if c not in hashes and dtype in (pl.UInt8, pl.UInt16, pl.UInt32)),
    )

