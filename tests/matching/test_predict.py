"""The compiled predict equals Splink's own `predict` on the same claims, windows and model: the
same pairs, levels and weights, to the last bit, in the same columns."""

import duckdb
import polars as pl
import pytest
from splink import DuckDBAPI, Linker

from matching.blocks import window_key_names, window_rules, with_window_keys
from matching.match_model import MatchModel
from matching.model import KEPT_COLUMNS
from matching.model_files import DEFAULT_MODEL
from matching.predict import Increment, predicted
from matching.prepare import claims_for_matching
from matching.scoring import level_weights, scoring_model
from matching.settings import BLOCKING_COLUMNS
from transforms.standardise import standardise_claims

from .test_scoring import CLAIMS, COLUMNS

# small enough that the sample's blocks are cut into windows
MAX_BLOCK = 3


@pytest.fixture(scope="module")
def windowed() -> pl.DataFrame:
    raw = pl.DataFrame(CLAIMS, schema=dict.fromkeys(COLUMNS, pl.String), orient="row")
    return with_window_keys(claims_for_matching(standardise_claims(raw)), BLOCKING_COLUMNS, max_block=MAX_BLOCK)


def _splink_predict(windowed: pl.DataFrame, model: MatchModel, threshold: float) -> pl.DataFrame:
    db_api = DuckDBAPI(connection=duckdb.connect())
    wide = dict(model.settings, blocking_rules_to_generate_predictions=window_rules(BLOCKING_COLUMNS))
    linker = Linker(db_api.register(windowed, dataset_display_name="claims"), wide)
    linker.table_management.compute_tf_table("core_name")
    predictions = linker.inference.predict(threshold_match_probability=threshold).as_duckdbpyrelation()
    return predictions.select(*[c for c in predictions.columns
                                if c.startswith(("gamma_", "mw_")) or c in KEPT_COLUMNS]).pl()


@pytest.mark.parametrize("threshold", [1e-6, 0.5])
def test_predicted_equals_splinks_predict(windowed, threshold):
    model = MatchModel.read(DEFAULT_MODEL)
    expected = _splink_predict(windowed, model, threshold).sort("claim_id_l", "claim_id_r")
    ours = predicted(windowed, scoring_model(model), BLOCKING_COLUMNS, duckdb.connect(), threshold=threshold,
                     kept_columns=KEPT_COLUMNS).sort("claim_id_l", "claim_id_r")
    assert not ours["is_forced"].any() and ours["forced_by"].eq(0).all()
    ours = ours.drop("is_forced", "forced_by", "_l", "_r")
    assert ours.equals(expected)
    assert ours.schema == expected.schema
    # the pairs are varied enough for the equality to mean something
    if threshold < 0.5:
        assert ours.height >= 15 and ours["gamma_company_name"].n_unique() >= 4
        assert ours.filter(pl.col("mw_tf_adj_company_name") != 0).height > 0


def test_without_the_levels_own_weights_the_pairs_are_the_same_and_the_weights_follow_from_the_levels(windowed):
    model = scoring_model(MatchModel.read(DEFAULT_MODEL))
    full = predicted(windowed, model, BLOCKING_COLUMNS, duckdb.connect(), threshold=1e-6, kept_columns=KEPT_COLUMNS)
    lean = predicted(windowed, model, BLOCKING_COLUMNS, duckdb.connect(), threshold=1e-6, kept_columns=KEPT_COLUMNS,
                     with_level_weights=False)
    level_weight_columns = [f"mw_{c.name}" for c in model.comparisons]
    assert not set(level_weight_columns) & set(lean.columns)
    assert "mw_tf_adj_company_name" in lean.columns
    assert lean.sort("_l", "_r").equals(full.drop(level_weight_columns).sort("_l", "_r"))
    derived = lean.sort("_l", "_r").select(level_weights(model))
    assert derived.equals(full.sort("_l", "_r").select(level_weight_columns))


def test_forced_pairs_are_kept_whatever_their_probability_and_scored_alike(windowed):
    model = scoring_model(MatchModel.read(DEFAULT_MODEL))

    def run(threshold: float, forced: pl.DataFrame | None = None) -> pl.DataFrame:
        return predicted(windowed, model, BLOCKING_COLUMNS, duckdb.connect(), threshold=threshold,
                         kept_columns=KEPT_COLUMNS, forced=forced).sort("claim_id_l", "claim_id_r")

    everything, kept = run(1e-6), run(0.5)
    position = {claim: i for i, claim in enumerate(windowed["claim_id"])}
    low = everything.filter(pl.col("match_probability") < 0.5).row(0, named=True)
    blocked = set(everything.select("claim_id_l", "claim_id_r").iter_rows())
    unblocked = next((a, b) for a in windowed["claim_id"] for b in windowed["claim_id"]
                     if a < b and (a, b) not in blocked)
    forced = pl.DataFrame({"_l": [position[low["claim_id_l"]], position[unblocked[0]]],
                           "_r": [position[low["claim_id_r"]], position[unblocked[1]]], "forced_by": [2, 33]},
                          schema={"_l": pl.UInt32, "_r": pl.UInt32, "forced_by": pl.UInt8})
    ours = run(0.5, forced)
    assert ours.height == kept.height + 2
    assert ours.filter(pl.col("claim_id_l") == low["claim_id_l"], pl.col("claim_id_r") == low["claim_id_r"]).row(
        0, named=True) == {**low, "is_forced": True, "forced_by": 2}
    assert ours.filter(pl.col("claim_id_l") == unblocked[0], pl.col("claim_id_r") == unblocked[1]).height == 1
    assert ours.join(kept, on=["claim_id_l", "claim_id_r"], how="semi").equals(kept)


def _last_night(windowed: pl.DataFrame, is_new: pl.Expr) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(Last night's window keys, row for row with `windowed` (null for a claim new tonight); its
    pairs down to a probability of 1e-6, with tonight's positions): the night before the claims
    `is_new` marks arrived, its windows cut without them."""
    keys = window_key_names(BLOCKING_COLUMNS)
    last = with_window_keys(windowed.filter(~is_new).drop(keys), BLOCKING_COLUMNS, max_block=MAX_BLOCK)
    earlier = windowed.select("claim_id").join(last.select("claim_id", *keys), on="claim_id", how="left",
                                               maintain_order="left").drop("claim_id")
    pairs = predicted(last, scoring_model(MatchModel.read(DEFAULT_MODEL)), BLOCKING_COLUMNS, duckdb.connect(),
                      threshold=1e-6, kept_columns=KEPT_COLUMNS)
    position = windowed.select("claim_id", pl.int_range(pl.len(), dtype=pl.UInt32).alias("_pos"))
    stored = (pairs.select("claim_id_l", "claim_id_r", pl.col("^gamma_.*$"))
              .join(position.rename({"claim_id": "claim_id_l", "_pos": "_l"}), on="claim_id_l")
              .join(position.rename({"claim_id": "claim_id_r", "_pos": "_r"}), on="claim_id_r"))
    return earlier, stored


def test_an_incremental_nights_scoring_gives_the_full_nights_pairs(windowed):
    """An incremental night's scoring: in the marked blocks, the pairs with a new claim or whose
    claims shared no window the last night; plus the stored pairs still sharing a window, weighted
    again from their levels. With every pair of the last night stored, that is exactly the full
    scoring's pairs, however the stored pairs were cut (here also stray ones, whose levels are
    wrong on purpose: they share no window and must go)."""
    model = scoring_model(MatchModel.read(DEFAULT_MODEL))
    full = predicted(windowed, model, BLOCKING_COLUMNS, duckdb.connect(), threshold=0.5,
                     kept_columns=KEPT_COLUMNS).sort("claim_id_l", "claim_id_r")
    is_new = pl.int_range(pl.len()) % 3 == 0  # every third claim is new: its blocks are marked
    new = windowed.filter(is_new)
    blocks = windowed.select(pl.col(c).is_in(new[c].drop_nulls().implode()).fill_null(False)
                             for c in BLOCKING_COLUMNS)
    earlier, stored = _last_night(windowed, is_new)
    ends = pl.DataFrame({"_l": [0, 1, 2]}, schema={"_l": pl.UInt32}).join(pl.DataFrame(
        {"_r": [windowed.height - 1, windowed.height - 2, windowed.height - 3]}, schema={"_r": pl.UInt32}), how="cross")
    everything = predicted(windowed, model, BLOCKING_COLUMNS, duckdb.connect(), threshold=1e-6,
                           kept_columns=KEPT_COLUMNS)
    stray = ends.join(everything, on=["_l", "_r"], how="anti").head(2).join(
        stored.drop("_l", "_r").head(1), how="cross").select(stored.columns)
    assert stray.height == 2
    incremental = predicted(windowed, model, BLOCKING_COLUMNS, duckdb.connect(), threshold=0.5,
                            kept_columns=KEPT_COLUMNS,
                            increment=Increment(blocks, earlier, pl.concat([stored, stray])))
    assert incremental.sort("claim_id_l", "claim_id_r").equals(full)
    assert 0 < blocks.select(pl.any_horizontal(pl.all())).to_series().sum() < windowed.height


def test_an_incremental_night_compares_again_no_pair_of_unchanged_claims_that_shared_a_window(windowed):
    """With nothing stored, an incremental night's scoring returns every pair but those of two
    claims already there the last night that shared a window then: those were scored that night."""
    model = scoring_model(MatchModel.read(DEFAULT_MODEL))
    everything = predicted(windowed, model, BLOCKING_COLUMNS, duckdb.connect(), threshold=1e-6,
                           kept_columns=KEPT_COLUMNS).drop("is_forced")
    is_new = pl.int_range(pl.len()) % 3 == 0
    earlier, _ = _last_night(windowed, is_new)
    blocks = windowed.select(pl.repeat(True, pl.len()).alias(c) for c in BLOCKING_COLUMNS)  # all marked
    incremental = predicted(windowed, model, BLOCKING_COLUMNS, duckdb.connect(), threshold=1e-6,
                            kept_columns=KEPT_COLUMNS, increment=Increment(blocks, earlier)).drop("is_forced")
    met = pl.DataFrame([(earlier[k].gather(everything["_l"]) == earlier[k].gather(everything["_r"])).fill_null(False)
                        for k in earlier.columns]).select(pl.any_horizontal(pl.all()).alias("met"))
    old = everything.select("_l", "_r").hstack(met)
    assert incremental.sort("_l", "_r").equals(everything.join(old.filter(~pl.col("met")), on=["_l", "_r"],
                                                               how="semi").sort("_l", "_r"))
    assert 0 < old["met"].sum() < old.height


def test_an_incremental_night_compares_old_claims_a_new_claim_brought_into_one_window():
    """A new claim sorted second in a large block shifts the windows after it: two old claims of
    the block that shared no window last night share one tonight, and are compared."""
    names = ["北京华信科技有限公司", "上海华信贸易有限公司", "广州华信物流有限公司", "深圳华信电子有限公司",
             "杭州华信建材有限公司", "南京华信食品有限公司", "成都华信传媒有限公司"]  # one trade name, 华信
    raw = pl.DataFrame([(f"C{i}", name, None, None, None, None, None) for i, name in enumerate(names)],
                       schema=dict.fromkeys(COLUMNS, pl.String), orient="row")
    windowed = with_window_keys(claims_for_matching(standardise_claims(raw)), BLOCKING_COLUMNS, max_block=MAX_BLOCK)
    second = windowed.sort("name_norm")["claim_id"][1]
    earlier, _ = _last_night(windowed, pl.col("claim_id") == second)
    model = scoring_model(MatchModel.read(DEFAULT_MODEL))
    everything = predicted(windowed, model, BLOCKING_COLUMNS, duckdb.connect(), threshold=1e-6,
                           kept_columns=KEPT_COLUMNS).drop("is_forced")
    blocks = windowed.select(pl.repeat(True, pl.len()).alias(c) for c in BLOCKING_COLUMNS)
    incremental = predicted(windowed, model, BLOCKING_COLUMNS, duckdb.connect(), threshold=1e-6,
                            kept_columns=KEPT_COLUMNS, increment=Increment(blocks, earlier)).drop("is_forced")
    brought_together = incremental.filter((pl.col("claim_id_l") != second) & (pl.col("claim_id_r") != second))
    assert brought_together.height > 0
    met = pl.DataFrame([(earlier[k].gather(everything["_l"]) == earlier[k].gather(everything["_r"])).fill_null(False)
                        for k in earlier.columns]).select(pl.any_horizontal(pl.all()).alias("met"))
    assert incremental.sort("_l", "_r").equals(everything.filter(~met["met"]).sort("_l", "_r"))
