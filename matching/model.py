"""Training, saving, loading and applying the Splink model, on an in-memory DuckDB.

Training is an explicit step (`train_model`); the nightly run loads the saved JSON and only
predicts, with Splink's formulas compiled from it (`matching.predict`). Splink and the scoring
work in an in-memory connection of their own so that their tables never reach the warehouse.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import polars as pl
from splink import DuckDBAPI, Linker, SettingsCreator

from matching.blocks import window_key_names, with_window_keys, with_window_keys_reusing
from matching.match_model import MatchModel
from matching.positions import pair_number
from matching.predict import Increment, predicted
from matching.rule_pairs import CHAIN_COLUMNS, SLIP_COLUMNS, carried_rule_bits, rule_pairs
from matching.scoring import scoring_model
from matching.settings import (
    BLOCKING_COLUMNS,
    DETERMINISTIC_RECALL,
    DETERMINISTIC_RULES,
    TRAINING_BLOCKS,
    settings,
)

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

# DuckDB otherwise lets its buffer pool grow to 80% of the machine; beyond this it spills to disk.
# At 1M claims scoring's 11M blocked pairs need about 3 GB: at 2 GB it spilled and took 33 s, not 20.
SPLINK_MEMORY_LIMIT = "3GB"
# the columns with window keys: the blocking columns and the name shapes the slips are looked for by
WINDOWED_COLUMNS = (*BLOCKING_COLUMNS, *SLIP_COLUMNS)
KEPT_COLUMNS = ("claim_id_l", "claim_id_r", "match_probability", "match_weight", "legal_form_l")
U_SAMPLE_PAIRS = 5e6
# EM on a blocking rule scores every pair of a block; a key account's name block alone has millions
# (Splink then samples records, deterministically, down to about this many pairs; at 1M claims
# 2M pairs gave every m within 0.001 of 5M's, in 21.5 s of training rather than 27 s)
EM_MAX_PAIRS = 2e6
SEED = 20261126

logging.getLogger("splink").setLevel(logging.ERROR)


@dataclass(frozen=True)
class TrainingReport:
    records: int
    u_sample_pairs: float
    probability_two_random_records_match: float


Connect = Callable[[], duckdb.DuckDBPyConnection]


@contextmanager
def _linker(prepared: pl.DataFrame, model_settings: SettingsCreator | dict[str, Any],
            connect: Connect) -> Iterator[Linker]:
    """A Splink linker on a connection of its own, closed (its memory freed) after the block."""
    connection = connect()
    try:
        _limited(connection)
        db_api = DuckDBAPI(connection=connection)
        frame = db_api.register(prepared, dataset_display_name="claims")
        yield Linker(frame, model_settings)
    finally:
        connection.close()


def _limited(connection: duckdb.DuckDBPyConnection) -> None:
    """Cap the buffer pool, and spill to the system's temporary folder: an in-memory database
    otherwise spills into `.tmp` under whatever folder the night was started from (a cron job's
    home, the project), gigabytes at 1M claims."""
    connection.execute(f"set memory_limit = '{SPLINK_MEMORY_LIMIT}'")
    connection.execute("set temp_directory = ?", [str(Path(tempfile.gettempdir()) / "recon_duckdb_spill")])


def train_model(prepared: pl.DataFrame, *, seed: int = SEED,
                connect: Connect = duckdb.connect) -> tuple[MatchModel, TrainingReport]:
    """Estimate λ from deterministic rules, u by seeded random sampling, m by EM; returns the
    model (what `save_model_to_json` writes). `connect` opens the in-memory
    DuckDB connection Splink works on (a run passes one it can interrupt)."""
    pairs = min(U_SAMPLE_PAIRS, max(1.0, prepared.height * (prepared.height - 1) / 2))
    with _linker(prepared, settings(), connect) as linker:
        training = linker.training
        try:
            training.estimate_probability_two_random_records_match(
                list(DETERMINISTIC_RULES), recall=DETERMINISTIC_RECALL
            )
        except ValueError:
            # Too few deterministic matches in a tiny data set: keep the prior from settings.
            pass
        training.estimate_u_using_random_sampling(max_pairs=pairs, seed=seed)
        for block in TRAINING_BLOCKS:
            training.estimate_parameters_using_expectation_maximisation(
                block, estimate_without_term_frequencies=True, max_pairs=EM_MAX_PAIRS)
        model = MatchModel(_rounded(linker.misc.save_model_to_json()))
    return model, TrainingReport(prepared.height, pairs, model.probability_two_random_records_match)


_TRAINED = ("m_probability", "u_probability", "probability_two_random_records_match")


def _rounded(node: Any) -> Any:
    """The model with every trained probability rounded to 10 significant digits: DuckDB sums in
    parallel, so two trainings on the same claims differ in the last bits, and near-tied pairs
    would then be ordered differently from one run to the next."""
    if isinstance(node, dict):
        return {k: float(f"{v:.10g}") if k in _TRAINED and isinstance(v, float) else _rounded(v)
                for k, v in node.items()}
    if isinstance(node, list):
        return [_rounded(item) for item in node]
    return node


def window_keyed(prepared: pl.DataFrame, earlier_keys: pl.DataFrame | None = None,
                 touched_blocks: dict[str, pl.Series] | None = None) -> pl.DataFrame:
    """`prepared`, sorted by claim id, with the window keys of WINDOWED_COLUMNS
    (`matching.blocks`): what `scored_pairs` pairs. An incremental night passes last night's keys
    (`earlier_keys`, row for row) and the values of the blocks its claims touched
    (`touched_blocks`): only those blocks are ranked again (`with_window_keys_reusing`)."""
    if earlier_keys is None or touched_blocks is None or not set(WINDOWED_COLUMNS) <= set(touched_blocks) \
            or not set(window_key_names(WINDOWED_COLUMNS)) <= set(earlier_keys.columns):
        return with_window_keys(prepared, WINDOWED_COLUMNS)
    return with_window_keys_reusing(prepared, WINDOWED_COLUMNS, earlier_keys, touched_blocks)


def scored_pairs(
    prepared: pl.DataFrame, model: MatchModel, *, min_probability: float, with_rule_pairs: bool = True,
    connect: Connect = duckdb.connect, windowed: pl.DataFrame | None = None,
    touched_blocks: dict[str, pl.Series] | None = None, earlier_keys: pl.DataFrame | None = None,
    retained: pl.DataFrame | None = None, spark: SparkSession | None = None, with_level_weights: bool = True,
) -> pl.DataFrame:
    """Every blocked pair scoring at least `min_probability`, plus (`with_rule_pairs`) the pairs
    the link rules need whatever their score (`matching.rule_pairs`, flagged `is_forced`, with
    their rules' bits `forced_by`); with per-comparison levels and match weights (the levels' own
    `mw_*` only `with_level_weights`: they follow from the levels), in a stable order
    (`claim_id_l` < `claim_id_r`). The
    blocking rules are the code's (windows over giant blocks, `matching.blocks`), whatever the
    model file says; `windowed` is `window_keyed(prepared)`, if the caller has it. `pos_l`,
    `pos_r` are the claims' rows in `windowed` (sorted by claim id): the next night maps its
    pairs by them.

    An incremental night (`matching.incremental`) passes `touched_blocks` (per blocking column,
    the values whose blocks are paired again, and the same for the columns of the rule pairs'
    chains and slips), `earlier_keys` (row for row with `windowed`, the window keys of the
    blocking columns each untouched claim had the last night) and the `retained` pairs (`_l`,
    `_r`: their positions in `windowed`, `gamma_*` and `forced_by`) of earlier nights between
    untouched claims (`matching.predict.Increment`). The chains and slips are searched only in the
    touched blocks; a retained pair keeps the bits of the others (`matching.rule_pairs`).
    With `spark`, the pairs are scored on it (`matching.spark_engine`); the rule pairs stay on DuckDB."""
    windowed = window_keyed(prepared) if windowed is None else windowed
    # an incremental night chains again only the touched blocks and slips only the moved claims
    searched = None if touched_blocks is None else windowed.select(
        pl.col(c).is_in(touched_blocks[c].implode()).fill_null(False) for c in CHAIN_COLUMNS)
    slips_before = None if earlier_keys is None else earlier_keys.select(window_key_names(SLIP_COLUMNS))
    if searched is not None and retained is not None and with_rule_pairs:
        retained = retained.with_columns(carried_rule_bits(retained, windowed, searched))
    increment = None if touched_blocks is None else _increment(windowed, touched_blocks, earlier_keys, retained)
    connection = connect()
    try:
        _limited(connection)
        forced = rule_pairs(windowed, connection, searched, slips_before) if with_rule_pairs else None
        if spark is None:
            frame = predicted(windowed, scoring_model(model), BLOCKING_COLUMNS, connection,
                              threshold=min_probability, kept_columns=KEPT_COLUMNS, forced=forced, increment=increment,
                              with_level_weights=with_level_weights)
        else:
            from matching.spark_engine import predicted_on_spark

            frame = predicted_on_spark(windowed, scoring_model(model), BLOCKING_COLUMNS, spark,
                                       threshold=min_probability, kept_columns=KEPT_COLUMNS, forced=forced,
                                       increment=increment, with_level_weights=with_level_weights)
    finally:
        connection.close()
    if frame.filter(pl.col("_l") > pl.col("_r")).height:
        raise AssertionError("a scored pair's positions (and so its ids) are out of order")
    order = frame.select(pair_number("_l", "_r")).to_series().arg_sort()  # positions follow the ids: their order
    return frame[order].rename({"_l": "pos_l", "_r": "pos_r"})


def _increment(windowed: pl.DataFrame, touched_blocks: dict[str, pl.Series], earlier_keys: pl.DataFrame | None,
               retained: pl.DataFrame | None) -> Increment:
    """`scored_pairs`' incremental inputs, row for row with `windowed`."""
    if earlier_keys is None or earlier_keys.height != windowed.height:
        raise ValueError("an incremental night needs the window keys of the last night, row for row with tonight's")
    return Increment(
        blocks=windowed.select(pl.col(c).is_in(touched_blocks[c].implode()).fill_null(False)
                               for c in BLOCKING_COLUMNS),
        earlier_keys=earlier_keys.select(window_key_names(BLOCKING_COLUMNS)), stored=retained,
    )


def match_weights_chart_html(prepared: pl.DataFrame, model: MatchModel) -> str:
    """Splink's match-weights chart for the model, as a standalone page that works offline."""
    with _linker(prepared.head(10), model.settings, duckdb.connect) as linker:
        return linker.visualisations.match_weights_chart().to_html(inline=True)
