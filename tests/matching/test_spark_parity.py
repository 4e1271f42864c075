"""Scoring on Spark (`matching.spark_engine`) gives what scoring on DuckDB gives, on the bundled
samples with the packaged model: the same pairs, levels and columns, weights and probabilities to
1e-9. One local Spark for the module (~15 s to start); skipped only where Java is missing."""

import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from adapters.readers import ROW_NUMBER, read_source_file
from matching.blocks import window_key_names, with_window_keys
from matching.match_model import MatchModel
from matching.model import KEPT_COLUMNS, scored_pairs
from matching.model_files import DEFAULT_MODEL
from matching.predict import Increment, predicted
from matching.prepare import claims_for_matching
from matching.scoring import scoring_model
from matching.spark_engine import predicted_on_spark, spark_session, spark_sql
from settings.matching import SparkConfig
from settings.sources import load_sources
from transforms.mapping import raw_claims_from_rows
from transforms.parsing import claims_parsed
from transforms.standardise import standardise_claims

from .test_spark_translation import called_functions, model_queries

pytestmark = pytest.mark.spark

REPO = Path(__file__).resolve().parents[2]
IDS = ["claim_id_l", "claim_id_r"]


@pytest.fixture(scope="module")
def session():
    spark = spark_session(SparkConfig(master="local[2]", app_name="recon-tests",
                                      options={"spark.ui.enabled": "false", "spark.sql.shuffle.partitions": "2"}))
    yield spark
    spark.stop()


@pytest.fixture(scope="module")
def prepared() -> pl.DataFrame:
    """The bundled samples' claims, read, standardised and prepared as the nightly flow does."""
    config = load_sources(REPO / "config" / "sources.yaml")
    frames = []
    for source in config.sources:
        for path in config.files_of(source):
            raw = raw_claims_from_rows(read_source_file(path, source).rows, source.columns,
                                       row_number_column=ROW_NUMBER)
            frames.append(claims_parsed(raw, value_maps=source.values, timestamp_formats=source.timestamp_formats,
                                        zone=config.timezone).drop("raw_record", "row_number", "submitted_at_text"))
    claims = (pl.concat(frames).filter(pl.col("company_name").is_not_null() & pl.col("claim_id").is_not_null())
              .unique("claim_id", keep="first").sort("claim_id"))
    return claims_for_matching(standardise_claims(claims))


def assert_same_scores(spark: pl.DataFrame, duck: pl.DataFrame) -> None:
    """The same pairs, columns (in order) and dtypes; levels equal, weights to 1e-9."""
    spark, duck = spark.sort(IDS), duck.sort(IDS)
    assert spark.schema == duck.schema
    assert spark.select(IDS).equals(duck.select(IDS))
    exact = [c for c in duck.columns if not duck.schema[c].is_float()]
    assert spark.select(exact).equals(duck.select(exact))
    assert_frame_equal(spark, duck, check_exact=False, rel_tol=1e-9, abs_tol=1e-9)


def test_predicted_on_spark_equals_predicted_on_duckdb_with_forced_pairs(session, prepared):
    model = scoring_model(MatchModel.read(DEFAULT_MODEL))
    # small windows, so that the samples' larger blocks are cut as a night's key accounts are; three
    # of the blocking columns, each a join (and Spark job) per window key: all nine are scored below
    columns = ("core_name", "core_pinyin", "phone")
    windowed = with_window_keys(prepared, columns, max_block=4)
    forced = pl.DataFrame({"_l": [0, 1, 2], "_r": [windowed.height - 1, windowed.height - 2, 3],
                           "forced_by": [1, 8, 34]}, schema={"_l": pl.UInt32, "_r": pl.UInt32, "forced_by": pl.UInt8})
    kwargs = {"threshold": 1e-6, "kept_columns": KEPT_COLUMNS, "forced": forced}
    duck = predicted(windowed, model, columns, duckdb.connect(), **kwargs)
    spark = predicted_on_spark(windowed, model, columns, session, **kwargs)
    assert_same_scores(spark, duck)
    # varied enough for the equality to mean something
    assert duck.height >= 200
    assert duck["gamma_company_name"].n_unique() >= 6 and duck["gamma_contact_name"].n_unique() >= 2
    assert duck.filter(pl.col("mw_tf_adj_company_name") != 0).height > 0
    assert duck.filter(pl.col("match_probability") < 0.01).height > 0
    # an incremental night's query: pairs formed around touched claims only, unless their claims
    # shared a window the last night (cut without the new claims), earlier ones rescored
    is_new = pl.int_range(pl.len()) % 4 == 0
    new = windowed.filter(is_new)
    touched = windowed.select(pl.col(c).is_in(new[c].drop_nulls().implode()).fill_null(False) for c in columns)
    keys = window_key_names(columns)
    last = with_window_keys(windowed.filter(~is_new).drop(keys), columns, max_block=4).select("claim_id", *keys)
    earlier = windowed.select("claim_id").join(last, on="claim_id", how="left", maintain_order="left").drop("claim_id")
    rescored = duck.select(pl.col("claim_id_l"), pl.col("claim_id_r"), pl.col("^gamma_.*$")).join(
        windowed.select(pl.col("claim_id").alias("claim_id_l"), pl.int_range(pl.len(), dtype=pl.UInt32).alias("_l")),
        on="claim_id_l").join(
        windowed.select(pl.col("claim_id").alias("claim_id_r"), pl.int_range(pl.len(), dtype=pl.UInt32).alias("_r")),
        on="claim_id_r").select("_l", "_r", pl.col("^gamma_.*$"))
    # some stored pairs still asked for by a rule whose block is not searched again (`_carried`)
    carried = pl.Series("_carried", [2, 0, 16, 0, 0] * 10, dtype=pl.UInt8)
    incremental = {**kwargs, "increment": Increment(touched, earlier, rescored.head(50).with_columns(carried))}
    assert_same_scores(predicted_on_spark(windowed, model, columns, session, **incremental),
                       predicted(windowed, model, columns, duckdb.connect(), **incremental))


def test_scored_pairs_on_spark_equal_scored_pairs_on_duckdb(session, prepared):
    model = MatchModel.read(DEFAULT_MODEL)
    duck = scored_pairs(prepared, model, min_probability=0.05)
    spark = scored_pairs(prepared, model, min_probability=0.05, spark=session)
    assert_same_scores(spark, duck)
    assert spark.select(IDS).equals(duck.select(IDS))  # scored_pairs sorts: the same order too
    assert duck.height >= 50


def test_every_function_the_translated_queries_call_exists_in_spark(session):
    called = set().union(*(called_functions(spark_sql(q)) for q in model_queries())) - {"cast"}
    assert called and all(session.catalog.functionExists(name) for name in called)


def test_the_jars_jaro_winkler_is_textbook_jaro_where_duckdbs_rounds_half_transpositions_down(session):
    """Where the engines' jaro_winkler differ (and why a level may differ between engines on
    other data): DuckDB halves the transpositions in integers (3 mismatched → 1), the jar does not
    (→ 1.5); for two empty strings DuckDB says 0, the jar 1. Identical strings, anagram-free
    typos and Chinese characters (single UTF-16 units) agree."""
    pairs = [("bnzecddc", "benzecdc"), ("", ""), ("zijietiaodong", "zijietiaodng"), ("张伟", "张玮"),
             ("huawei", "huawei")]
    rows = ", ".join(f"('{a}', '{b}')" for a, b in pairs)
    query = f"select jaro_winkler_similarity(a, b) as jw from (values {rows}) as t(a, b)"
    duck = [row[0] for row in duckdb.sql(query).fetchall()]
    spark = [row[0] for row in session.sql(spark_sql(query)).collect()]
    assert duck[0] == pytest.approx(0.8821428571) and spark[0] == pytest.approx(0.8607142857)
    assert (duck[1], spark[1]) == (0.0, 1.0)
    assert duck[2:] == pytest.approx(spark[2:], abs=1e-12)


def test_a_master_that_never_answers_is_reported_once_spark_gives_up():
    """A standalone master nobody listens on: Spark tries for about a minute, then the session
    fails to start with SparkUnavailableError naming the master, in a process of its own
    (`getOrCreate` would hand back this module's running session)."""
    code = ("from matching.spark_engine import SparkUnavailableError, spark_session\n"
            "from settings.matching import SparkConfig\n"
            "try:\n"
            "    spark_session(SparkConfig(master='spark://127.0.0.1:1', app_name='recon-tests'))\n"
            "except SparkUnavailableError as exc:\n"
            "    print(exc)\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.stdout.startswith("Spark could not start a session on master 'spark://127.0.0.1:1': "), \
        done.stderr[-2000:]
    assert len(done.stdout.splitlines()) == 1 and "--engine duckdb" in done.stdout


def test_a_job_that_fails_while_scoring_stops_with_its_root_cause_in_one_line(prepared, tmp_path):
    """Spark started, then failed while scoring (here: a driver limit of 1k on the results it
    collects loses the first task's): SparkJobError names the master and the root cause, not the
    stack. In a process of its own, as the limit is the context's."""
    prepared.write_parquet(tmp_path / "prepared.parquet")
    code = ("import polars as pl\n"
            "from matching.match_model import MatchModel\n"
            "from matching.model import KEPT_COLUMNS, window_keyed\n"
            "from matching.model_files import DEFAULT_MODEL\n"
            "from matching.scoring import scoring_model\n"
            "from matching.settings import BLOCKING_COLUMNS\n"
            "from matching.spark_engine import SparkJobError, predicted_on_spark, spark_session\n"
            "from settings.matching import SparkConfig\n"
            "spark = spark_session(SparkConfig(master='local[1]', app_name='recon-tests', options={\n"
            "    'spark.ui.enabled': 'false', 'spark.driver.maxResultSize': '1k'}))\n"
            f"windowed = window_keyed(pl.read_parquet({str(tmp_path / 'prepared.parquet')!r}))\n"
            "try:\n"
            "    predicted_on_spark(windowed, scoring_model(MatchModel.read(DEFAULT_MODEL)), BLOCKING_COLUMNS, spark,\n"
            "                       threshold=0.01, kept_columns=KEPT_COLUMNS)\n"
            "except SparkJobError as exc:\n"
            "    print(exc)\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.stdout.startswith("Spark failed while scoring the pairs on master 'local[1]': "), done.stderr[-2000:]
    assert "Job aborted due to stage failure" in done.stdout, done.stdout
    assert len(done.stdout.splitlines()) == 1 and "--engine duckdb" in done.stdout
