import polars as pl

from matching.links import LinkPolicy, level_value, pairs_classified

MODEL = {"comparisons": [{
    "output_column_name": "company_name",
    "comparison_levels": [
        {"is_null_level": True},
        {"label_for_charts": "full name identical"},
        {"label_for_charts": "trade name identical"},
        {"label_for_charts": "same trade name, other industry word"},
        {"label_for_charts": "All other comparisons"},
    ],
}]}


def _pairs(rows):
    return pl.DataFrame(rows, schema={
        "claim_id_l": pl.String, "claim_id_r": pl.String, "match_probability": pl.Float64,
        "gamma_company_name": pl.Int32, "gamma_credit_code_norm": pl.Int32, "gamma_phone": pl.Int32,
        "legal_form_l": pl.String,
    }, orient="row")


def test_level_values_count_down_from_the_strongest_level():
    assert level_value(MODEL, "company_name", "full name identical") == 3
    assert level_value(MODEL, "company_name", "same trade name, other industry word") == 1


def test_each_rule_decides_its_pairs():
    pairs = _pairs([
        ("a", "b", 0.10, 0, 1, -1, None),         # same credit code: sure, whatever the score
        ("c", "d", 0.20, 3, -1, -1, "有限责任公司"),  # same full registered name: sure
        ("e", "f", 0.99, 1, -1, 0, None),          # sister companies sharing a domain: guarded
        ("g", "h", 0.99, 1, -1, 1, None),          # …unless the phone agrees
        ("i", "j", 0.85, 2, -1, -1, None),         # model above threshold
        ("k", "l", 0.60, 2, -1, -1, None),         # review band
        ("m", "n", 0.30, 2, -1, -1, None),         # below
        ("o", "p", 0.30, 3, -1, -1, None),         # same short name without legal form: not sure
        ("q", "r", 0.99, 2, 0, 1, None),           # two different valid credit codes: two entities
    ])
    out = pairs_classified(pairs, MODEL, LinkPolicy(match_threshold=0.8, review_floor=0.5))
    assert out["decision_basis"].to_list() == [
        "sure_link", "sure_link", "sister_guard", "model_link", "model_link", "review", "below", "below",
        "credit_codes_differ",
    ]
    assert out["is_link"].to_list() == [True, True, False, True, True, False, False, False, False]


def test_policy_can_count_a_group_as_one_customer():
    pairs = _pairs([("e", "f", 0.99, 1, -1, 0, None)])
    out = pairs_classified(pairs, MODEL, LinkPolicy(group_counts_as_one_customer=True))
    assert out["decision_basis"].to_list() == ["model_link"]
