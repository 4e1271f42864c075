"""Scoring from the saved model JSON equals Splink's own scoring, level by level, on the same pairs;
and the candidate index finds what the blocking rules would."""

import copy
import math

import duckdb
import numpy as np
import polars as pl
import pytest
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

from matching.candidate_index import CandidateIndex
from matching.candidates import blocking_columns, rule_columns
from matching.lookup import query_pairs
from matching.match_model import MatchModel
from matching.model_files import DEFAULT_MODEL
from matching.prepare import claims_for_matching
from matching.scoring import (
    Comparison,
    Level,
    PairScorer,
    ScoringModel,
    scoring_model,
)
from transforms.standardise import standardise_claims

COLUMNS = ("claim_id", "company_name", "contact_name", "phone", "email", "website", "credit_code")
# Spellings chosen so that the pairs reach every company-name level, null levels, contacts,
# shared domains, and the term-frequency adjustment (字节跳动科技 three times).
CLAIMS = [
    ("A1", "北京字节跳动科技有限公司", "张三", "13800138000", "zhangsan@bytedance.com", "www.bytedance.com", None),
    ("A2", "字节跳动（北京）科技股份有限公司", "张三丰", "+86 138-0013-8000", "li@qq.com", None, None),
    ("A3", "北京字節跳動科技有限公司", None, None, "wang@bytedance.com", "https://bytedance.com/cn", None),
    ("A4", "字节跳动", "李四", None, None, None, None),
    ("A5", "北京字节跳栋科技有限公司", "王五", "010-88886666", None, None, None),
    ("A6", "北京字节跳科技有限公司", None, None, None, None, None),
    ("A7", "Beijing Zijie Tiaodong Technology Co., Ltd.", "Zhang San", None, None, None, None),
    ("A8", "字节跳动网络科技上海分公司", None, None, None, None, None),
    ("H1", "华为技术有限公司", "王五", "0755-28780808", "wangwu@huawei.com", "huawei.com", "914403001922038216"),
    ("H2", "华为终端有限公司", "赵六", "13900139000", "zhao@huawei.com", "huawei.com", None),
    ("H3", "華為技術有限公司", None, None, None, None, "91440300192203821X"),
    ("X1", "青岚星河生物科技有限公司", None, None, None, None, None),
    ("X2", None, None, "13800138000", None, None, None),
]


@pytest.fixture(scope="module")
def prepared() -> pl.DataFrame:
    raw = pl.DataFrame(CLAIMS, schema=dict.fromkeys(COLUMNS, pl.String), orient="row")
    return claims_for_matching(standardise_claims(raw))


@pytest.fixture(scope="module")
def model() -> MatchModel:
    return MatchModel.read(DEFAULT_MODEL)


def _splink_scores(prepared: pl.DataFrame, left: pl.DataFrame, right: pl.DataFrame, model: MatchModel) -> pl.DataFrame:
    db_api = DuckDBAPI(connection=duckdb.connect())
    linker = Linker(db_api.register(prepared, dataset_display_name="claims"), model.settings)
    linker.table_management.compute_tf_table("core_name")
    left_df = db_api.register(left, dataset_display_name="queries")
    right_df = db_api.register(right, dataset_display_name="candidates")
    return linker.inference.score_pairs(left_df, right_df).as_duckdbpyrelation().pl()


def term_frequencies(prepared: pl.DataFrame, column: str) -> pl.DataFrame:
    """`column`, `tf_<column>`: each value's share of the non-null values (Splink's TF table)."""
    present = prepared.select(column).drop_nulls()
    return present.group_by(column).len().select(
        column, (pl.col("len").cast(pl.Float64) / present.height).alias(f"tf_{column}"))


def test_scores_equal_splinks_on_the_same_pairs(prepared, model):
    left, right = prepared.head(4), prepared
    expected = _splink_scores(prepared, left, right, model)
    tf = term_frequencies(prepared, "core_name")
    with_tf = [frame.join(tf, on="core_name", how="left", maintain_order="left") for frame in (left, right)]
    every_query = with_tf[1].join(left.select(pl.col("claim_id").alias("query_id")), how="cross")
    ours = PairScorer(scoring_model(model)).scored(query_pairs(with_tf[0], every_query))

    keys = ["claim_id_l", "claim_id_r"]
    compared = [c for c in expected.columns if c.startswith(("gamma_", "mw_"))] + ["match_weight", "match_probability"]
    assert len(compared) >= 2 * len(model.comparisons) + 2  # every gamma and mw, and the tf adjustment
    joined = expected.select(*keys, *compared).join(ours.select(*keys, *compared), on=keys, suffix="_ours")
    assert joined.height == left.height * right.height == expected.height
    for column in compared:
        if column.startswith("gamma_"):
            assert joined[column].to_list() == joined[f"{column}_ours"].to_list(), column
        else:
            difference = (joined[column] - joined[f"{column}_ours"]).abs().max()
            assert difference <= 1e-9, (column, difference)
    # the pairs are varied enough for the equality to mean something
    assert joined["gamma_company_name"].n_unique() >= 6
    assert joined.filter(pl.col("mw_tf_adj_company_name") != 0).height > 0
    assert joined["match_probability"].min() < 0.01 and joined["match_probability"].max() > 0.99


def _read_by_splink(model: MatchModel) -> ScoringModel:
    """The oracle: the model's levels and weights as Splink's own settings classes read them."""
    settings = SettingsCreator.from_path_or_dict(model.settings).get_settings("duckdb")
    prior = settings.core_model_settings.probability_two_random_records_match
    comparisons = []
    for comparison in settings.core_model_settings.comparisons:
        levels = comparison.comparison_levels
        read = []
        for level in levels:
            gamma, label = level.comparison_vector_value, level.label_for_charts
            if level.is_null_level:
                read.append(Level(gamma, level.sql_condition, label, True, 0.0))
                continue
            m, u = max(level.m_probability, 1e-300), max(level.u_probability, 1e-300)
            column = level._tf_adjustment_input_column_name
            if not column or level._tf_adjustment_weight == 0 or level._is_else_level:
                read.append(Level(gamma, level.sql_condition, label, False, math.log2(m / u)))
                continue
            read.append(Level(gamma, level.sql_condition, label, False, math.log2(m / u), column,
                              float(level._tf_adjustment_weight),
                              math.log2(level._u_probability_corresponding_to_exact_match(levels)),
                              float(level._tf_minimum_u_value)))
        comparisons.append(Comparison(comparison.output_column_name, tuple(read)))
    return ScoringModel(math.log2(prior / (1 - prior)), tuple(comparisons))


def _untrained(model: MatchModel) -> MatchModel:
    """The model with gaps Splink fills: m and u missing, a level never observed, a tf minimum."""
    changed = copy.deepcopy(model.settings)
    name = next(c for c in changed["comparisons"] if c["output_column_name"] == "company_name")
    name["comparison_levels"][1].pop("m_probability")
    name["comparison_levels"][2].pop("u_probability")  # the tf level's exact-match u is then a default
    name["comparison_levels"][2]["tf_minimum_u_value"] = 0.001
    name["comparison_levels"][3]["m_probability"] = "level not observed in training dataset"
    name["comparison_levels"][4]["u_probability"] = "level not observed in training dataset"
    legal = next(c for c in changed["comparisons"] if c["output_column_name"] == "legal_form")
    for level in legal["comparison_levels"]:
        level.pop("m_probability", None)
        level.pop("u_probability", None)
    return MatchModel(changed)


@pytest.mark.parametrize("variant", ["packaged", "untrained"])
def test_the_model_is_read_as_splink_reads_it(model, variant):
    model = _untrained(model) if variant == "untrained" else model
    ours, splinks = scoring_model(model), _read_by_splink(model)
    assert ours.prior_match_weight == pytest.approx(splinks.prior_match_weight, abs=1e-12)
    assert [c.name for c in ours.comparisons] == [c.name for c in splinks.comparisons]
    for mine, theirs in zip(ours.comparisons, splinks.comparisons, strict=True):
        assert len(mine.levels) == len(theirs.levels), mine.name
        for a, b in zip(mine.levels, theirs.levels, strict=True):
            assert (a.gamma, a.sql_condition, a.label, a.is_null_level, a.tf_column) == (
                b.gamma, b.sql_condition, b.label, b.is_null_level, b.tf_column), (mine.name, a.label)
            for field in ("match_weight", "tf_weight", "tf_log2_u", "tf_minimum_u"):
                assert getattr(a, field) == pytest.approx(getattr(b, field), abs=1e-9), (mine.name, a.label, field)


def test_untrained_levels_get_splinks_defaults(model):
    scoring = scoring_model(model)
    branch = next(c for c in scoring.comparisons if c.name == "branch")
    # the packaged model never trained "other branch": Splink's default m and u give it a weight
    assert all(np.isfinite(level.match_weight) for level in branch.levels)


def test_blocking_columns_come_from_the_model_and_match_the_settings(model):
    from matching.settings import BLOCKING_RULES

    settings_rules = [rule.get_blocking_rule("duckdb").blocking_rule_sql for rule in BLOCKING_RULES]
    assert blocking_columns(model) == rule_columns(settings_rules) == (
        "core_name", "core_pinyin", "credit_code_norm", "phone", "company_email_domain", "website_domain",
        "trade_name", "trade_pinyin", "alias_key")
    two_columns = block_on("core_name", "phone").get_blocking_rule("duckdb").blocking_rule_sql
    with pytest.raises(ValueError, match="not an equality on one column"):
        blocking_columns(MatchModel({"blocking_rules_to_generate_predictions": [{"blocking_rule": two_columns}]}))


def test_candidates_share_a_blocking_value_or_carry_the_pinyin(prepared, model):
    index = CandidateIndex(prepared, blocking_columns(model))
    ids = prepared["claim_id"]

    def found(claim_id: str) -> set[str]:
        (rows,) = index.rows_for(prepared.filter(pl.col("claim_id") == claim_id))
        return set(ids.gather(rows).to_list())

    assert {"A1", "A2", "A3", "A4", "A5"} <= found("A4")
    assert "X1" not in found("A1") and "H1" not in found("A1")
    assert found("X2") == {"A1", "A2", "X2"}  # phone only
    assert found("H2") >= {"H1", "H2"}  # a shared web domain is a blocking key (the rules judge it)
    assert {"A1", "A3", "A4"} <= found("A7")  # English name reaches the Chinese names by pinyin
    assert found("X1") == {"X1"}
    together = index.rows_for(prepared)  # many queries at once: each gets what it gets alone
    assert [set(ids.gather(rows).to_list()) for rows in together] == [found(c) for c in ids]
