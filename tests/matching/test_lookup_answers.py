"""From classified pairs to one answer per customer: strongest verdict wins, the review floor
separates possible from weak, ties are ordered by a region spelled in a Latin name."""

from datetime import UTC, datetime

import polars as pl
import pytest

from matching.lookup import agreed, customers_answered
from matching.match_model import MatchModel
from matching.model_files import DEFAULT_MODEL
from matching.scoring import scoring_model

CUSTOMERS = pl.DataFrame({
    "customer_id": ["C1", "C2", "C3"],
    "display_name": ["成都市博坤信息技术有限公司", "沈阳市博坤文化传媒有限公司", "博坤医药有限公司"],
    "owner_rep_id": ["S001", None, "S002"],
    "owner_name": ["王磊", None, "李娜"],
    "team": ["华北一组", None, "华北一组"],
    "protection_end": [datetime(2027, 2, 18, 1, 15, tzinfo=UTC), None, datetime(2027, 1, 1, tzinfo=UTC)],
    "idle_release_at": [None, None, None],
})


@pytest.fixture(scope="module")
def model():
    return scoring_model(MatchModel.read(DEFAULT_MODEL))


def _pairs(model, rows: list[dict]) -> pl.DataFrame:
    """Classified pairs; every comparison null unless a row says otherwise."""
    base = {f"gamma_{c.name}": -1 for c in model.comparisons} | {f"mw_{c.name}": 0.0 for c in model.comparisons}
    base |= {"claim_id_l": "query", "core_name_l": "chengdubokuninformationtechnology", "is_latin_name_l": True,
             "match_weight": 0.0}
    return pl.DataFrame([base | row for row in rows])


def test_a_customer_takes_its_strongest_pair_and_the_floor_makes_weak(model):
    pairs = _pairs(model, [
        {"claim_id_r": "a", "customer_id_r": "C1", "region_pinyin_r": None, "decision_basis": "review",
         "match_probability": 0.3},
        {"claim_id_r": "b", "customer_id_r": "C1", "region_pinyin_r": None, "decision_basis": "name_link",
         "match_probability": 0.9, "gamma_phone": 1, "mw_phone": 12.4},
        {"claim_id_r": "c", "customer_id_r": "C2", "region_pinyin_r": None, "decision_basis": "review",
         "match_probability": 0.6},
        {"claim_id_r": "d", "customer_id_r": "C3", "region_pinyin_r": None, "decision_basis": "sister",
         "match_probability": 0.7},
    ])
    answered = customers_answered(pairs, CUSTOMERS, model, review_floor=0.5)
    assert answered.select("customer_id", "verdict", "probability").rows() == [
        ("C1", "likely", 0.9), ("C2", "possible", 0.6), ("C3", "related", 0.7)]
    assert agreed(answered.row(0, named=True), model) == [{"field": "phone", "level": "Exact match on phone"}]
    assert answered["owner_name"].to_list() == ["王磊", None, "李娜"]
    higher_floor = customers_answered(pairs, CUSTOMERS, model, review_floor=0.65)
    assert higher_floor.select("customer_id", "verdict").rows() == [("C1", "likely"), ("C3", "related"), ("C2", "weak")]


def test_equal_pairs_are_ordered_by_the_region_a_latin_name_spells(model):
    pairs = _pairs(model, [
        {"claim_id_r": "a", "customer_id_r": "C2", "region_pinyin_r": "shenyang", "decision_basis": "below",
         "match_probability": 0.014},
        {"claim_id_r": "b", "customer_id_r": "C1", "region_pinyin_r": "chengdu", "decision_basis": "below",
         "match_probability": 0.014},
        {"claim_id_r": "c", "customer_id_r": "C3", "region_pinyin_r": None, "decision_basis": "below",
         "match_probability": 0.02},
    ])
    answered = customers_answered(pairs, CUSTOMERS, model, review_floor=0.5)
    assert answered["customer_id"].to_list() == ["C3", "C1", "C2"]  # probability first, then the region
    assert answered["verdict"].unique().to_list() == ["weak"]


def test_noise_below_one_percent_is_dropped(model):
    pairs = _pairs(model, [{"claim_id_r": "a", "customer_id_r": "C1", "region_pinyin_r": None,
                            "decision_basis": "below", "match_probability": 0.001}])
    assert customers_answered(pairs, CUSTOMERS, model, review_floor=0.5).is_empty()
