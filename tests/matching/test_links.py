import polars as pl
import pytest

from matching.links import LinkPolicy, exempt_from_names, level_value, link_order_weight, pairs_classified
from matching.match_model import MatchModel
from matching.model_files import DEFAULT_MODEL
from matching.scoring import scoring_model

MODEL = MatchModel.read(DEFAULT_MODEL)
LEVEL = {label: level_value(MODEL, "company_name", label) for label in (
    "full name identical", "trade name identical", "same pinyin (homophone typo)",
    "one name begins the other (short name)", "same trade name, other industry word", "English name carries the pinyin",
    "All other comparisons", "one character added or dropped",
)}

_SCHEMA = {
    "claim_id_l": pl.String, "claim_id_r": pl.String, "match_probability": pl.Float64,
    "gamma_company_name": pl.Int32, "gamma_credit_code_norm": pl.Int32, "gamma_phone": pl.Int32,
    "gamma_company_email_domain": pl.Int32, "gamma_website_domain": pl.Int32, "gamma_contact_name": pl.Int32,
    "legal_form_l": pl.String,
}
_SIDES = {"core_name": pl.String, "alias_key": pl.String, "is_registered_name": pl.Boolean,
          "is_latin_name": pl.Boolean, "region": pl.String, "name_head": pl.String, "trade_is_shared": pl.Boolean,
          "industry_concepts": pl.String, "trade_name": pl.String, "core_pinyin": pl.String,
          "core_is_common": pl.Boolean}


def _pair(claim_l, claim_r, probability, name_level, *, code=-1, phone=-1, mail=-1, site=-1, contact=-1,
          legal_form=None, left=None, right=None):
    """One scored pair; `left` / `right` override the claims' side columns."""
    sides = {"core_name": "甲乙丙", "alias_key": None, "is_registered_name": False, "is_latin_name": False,
             "region": None, "name_head": None, "trade_is_shared": False, "industry_concepts": None,
             "trade_name": None, "core_pinyin": None, "core_is_common": False}
    row = dict(zip(_SCHEMA, (claim_l, claim_r, probability, LEVEL[name_level], code, phone, mail, site, contact,
                             legal_form), strict=True))
    for side, override in (("l", left or {}), ("r", right or {})):
        row |= {f"{k}_{side}": v for k, v in (sides | override).items()}
    return row


POLICY = LinkPolicy(match_threshold=0.8, review_floor=0.5)


def _classified(rows, policy=POLICY):
    schema = _SCHEMA | {f"{k}_{s}": t for k, t in _SIDES.items() for s in ("l", "r")}
    return pairs_classified(pl.DataFrame(rows, schema=schema, orient="row"), MODEL, policy)


def test_level_values_count_down_from_the_strongest_level():
    assert LEVEL["full name identical"] > LEVEL["trade name identical"] > LEVEL["All other comparisons"] == 0


def test_each_rule_decides_its_pairs():
    registered = {"is_registered_name": True}
    out = _classified([
        _pair("a", "b", 0.10, "All other comparisons", code=1),               # same credit code: sure
        _pair("c", "d", 0.20, "full name identical", legal_form="有限责任公司"),  # same registered name: sure
        _pair("e", "f", 0.99, "trade name identical", code=0),                # two valid codes: two entities
        _pair("g", "h", 0.30, "trade name identical"),                        # the names agree: linked
        _pair("i", "j", 0.99, "same pinyin (homophone typo)"),                # near, nothing in common
        _pair("k", "l", 0.95, "same pinyin (homophone typo)", phone=1),       # near, corroborated
        _pair("m", "n", 0.99, "same trade name, other industry word", phone=1, mail=1, site=1),  # sisters
        _pair("o", "p", 0.99, "All other comparisons", phone=1, contact=2),   # contact-only: names differ
        _pair("q", "r", 0.90, "trade name identical", left={"region": "杭州"}, right={"region": "成都"}),
        _pair("s", "t", 0.90, "trade name identical", left={"region": "深圳"}, right={"region": "广东"}),
        _pair("u", "v", 0.95, "one name begins the other (short name)", phone=1, left=registered, right=registered),
        _pair("w", "x", 0.95, "one name begins the other (short name)"),       # 华为 / 华为技术有限公司
        _pair("y", "z", 0.01, "All other comparisons", left={"alias_key": "瓦房店轴承", "core_name": "瓦轴"},
              right={"alias_key": "瓦房店轴承", "core_name": "瓦房店轴承"}),    # a 2-character stock name
        _pair("A", "B", 0.01, "All other comparisons", left={"alias_key": "汇川技术", "core_name": "汇川技术"},
              right={"alias_key": "汇川技术", "core_name": "汇川技术"}),
        _pair("C", "D", 0.60, "same pinyin (homophone typo)", phone=1),       # corroborated, below threshold
        # an English name carrying the pinyin of a trade name only one company has / a group shares
        _pair("E", "F", 0.20, "English name carries the pinyin", left={"is_latin_name": True}),
        _pair("G", "H", 0.20, "English name carries the pinyin", left={"is_latin_name": True},
              right={"trade_is_shared": True}),
        # two different listed companies one character apart (中铝国际工程 / 中工国际工程)
        _pair("I", "J", 0.30, "trade name identical", left={"alias_key": "中铝国际工程"},
              right={"alias_key": "中工国际工程"}),
        # an English name translating another industry than its sister's (Huawei Cloud … / 华为技术)
        _pair("K", "L", 0.99, "English name carries the pinyin", phone=1, site=1,
              left={"is_latin_name": True, "industry_concepts": "cloud computing technology"},
              right=registered | {"industry_concepts": "technology"}),
        # … but a short name may drop industry words (君实生物 / JunShi ShengWu YiYao Technology)
        _pair("Q", "R", 0.99, "English name carries the pinyin", phone=1,
              left={"is_latin_name": True, "industry_concepts": "biological pharmaceutical technology"},
              right={"industry_concepts": "biological"}),
        _pair("M", "N", 0.99, "English name carries the pinyin", phone=1,
              left={"is_latin_name": True, "industry_concepts": "technology"},
              right={"industry_concepts": "technology"}),
        # two registered names a string measure finds alike, two words apart (在线 / 时代)
        _pair("O", "P", 0.99, "same pinyin (homophone typo)", phone=1,
              left=registered | {"core_name": "百度在线网络技术"},
              right=registered | {"core_name": "百度时代网络技术"}),
        # a homophone of a listed company's known name: a typo, unless phone or contact differ
        _pair("S", "T", 0.40, "same pinyin (homophone typo)", left={"alias_key": "旅游发展"}),
        _pair("U", "V", 0.60, "same pinyin (homophone typo)", contact=0, left={"alias_key": "旅游发展"}),
        _pair("W", "X", 0.60, "same pinyin (homophone typo)", phone=0, left={"alias_key": "旅游发展"}),
        # an English name beginning with the pinyin and translating the industry (XuJi Electric / 许继电气)
        _pair("Y", "Z", 0.10, "All other comparisons",
              left={"is_latin_name": True, "name_head": "xuji", "industry_concepts": "electric"},
              right={"name_head": "xuji", "industry_concepts": "electric"}),
        _pair("Ya", "Za", 0.10, "All other comparisons",
              left={"is_latin_name": True, "name_head": "xuji", "industry_concepts": "electric"},
              right={"name_head": "xuji", "industry_concepts": "electric", "trade_is_shared": True}),
        # a one-character slip between two names each written on several claims (京东科技 / 京东方科技)
        _pair("Yc", "Zc", 0.60, "one character added or dropped",
              left={"core_is_common": True}, right={"core_is_common": True}),
        _pair("Yd", "Zd", 0.60, "one character added or dropped", left={"core_is_common": True}),
        # Alibaba Cloud Computing / 阿里巴巴（中国）有限公司: the full name has no cloud in it
        _pair("Ye", "Ze", 0.99, "English name carries the pinyin", phone=1,
              left={"is_latin_name": True, "industry_concepts": "cloud computing"}, right=registered),
        # a two-character stock name agrees with its full name in the same city
        _pair("Yf", "Zf", 0.01, "All other comparisons",
              left={"alias_key": "瓦房店轴承", "core_name": "瓦轴", "region": "大连"},
              right={"alias_key": "瓦房店轴承", "core_name": "瓦房店轴承", "region": "大连"}),
        # Huawei Device / 华为 (bare, shared by sisters): any of them
        _pair("Yb", "Zb", 0.99, "English name carries the pinyin", phone=1,
              left={"is_latin_name": True, "name_head": "huawei", "industry_concepts": "device"},
              right={"name_head": "huawei", "trade_is_shared": True}),
    ])
    assert dict(zip(out["claim_id_l"], out["decision_basis"], strict=True)) == {
        "a": "sure_link", "c": "sure_link", "e": "credit_codes_differ", "g": "name_link", "i": "review",
        "k": "corroborated_link", "m": "sister", "o": "names_differ", "q": "other_region", "s": "name_link",
        "u": "corroborated_link", "w": "name_link", "y": "below", "A": "name_link", "C": "review",
        "E": "name_link", "G": "below", "I": "names_differ", "K": "sister", "M": "name_link", "O": "names_differ",
        "Q": "name_link", "S": "slip_link", "U": "review", "W": "review",
        "Y": "name_link", "Ya": "below", "Yb": "sister", "Yc": "review", "Yd": "slip_link", "Ye": "sister",
        "Yf": "name_link",
    }
    assert out.filter("is_link")["claim_id_l"].sort().to_list() == [
        "A", "E", "M", "Q", "S", "Y", "Yd", "Yf", "a", "c", "g", "k", "s", "u", "w"]


def test_policy_can_count_a_corroborated_group_as_one_customer():
    rows = [_pair("m", "n", 0.99, "same trade name, other industry word", phone=1),
            _pair("o", "p", 0.99, "same trade name, other industry word")]
    out = _classified(rows, LinkPolicy(group_counts_as_one_customer=True))
    assert out["decision_basis"].to_list() == ["group_link", "sister"]
    assert out["is_link"].to_list() == [True, False]


def test_an_incremental_night_keeps_a_pairs_classification_unless_its_probability_crossed_a_threshold():
    from matching.links import classified_reusing

    rows = [_pair("a", "b", 0.65, "same pinyin (homophone typo)"),   # 0.60 last night: same side of both
            _pair("c", "d", 0.90, "same pinyin (homophone typo)", phone=1),  # 0.60 then: crossed 0.8
            _pair("e", "f", 0.95, "trade name identical")]           # new tonight
    scored = pl.DataFrame([{k: r[k] for k in _SCHEMA} for r in rows], schema=_SCHEMA, orient="row").with_columns(
        pos_l=pl.Series([0, 2, 4], dtype=pl.UInt32), pos_r=pl.Series([1, 3, 5], dtype=pl.UInt32))  # claims a..f
    sides = {k: v for k, v in rows[0].items() if k.endswith("_l") and k[:-2] in _SIDES}
    prepared = pl.DataFrame([{"claim_id": c, **{k[:-2]: v for k, v in sides.items()}} for c in "abcdef"],
                            schema={"claim_id": pl.String} | _SIDES)
    earlier = pl.DataFrame({
        "_l": pl.Series([0, 2], dtype=pl.UInt32), "_r": pl.Series([1, 3], dtype=pl.UInt32),
        "match_probability": [0.60, 0.60],
        "is_registered_name_l": [False, False], "is_registered_name_r": [False, False],
        "name_agreement": ["near", "near"], "decision_basis": ["kept from last night", "review"],
        "is_link": [True, False],
    })
    out = classified_reusing(scored, prepared, MODEL, POLICY, earlier)
    assert out.select("claim_id_l", "decision_basis", "is_link").sort("claim_id_l").rows() == [
        ("a", "kept from last night", True), ("c", "corroborated_link", True), ("e", "name_link", True)]
    fresh = classified_reusing(scored, prepared, MODEL, POLICY, None)
    assert fresh.columns == out.columns
    assert fresh.sort("claim_id_l")["decision_basis"].to_list() == ["review", "corroborated_link", "name_link"]


def test_the_order_weight_of_a_link_is_its_levels_weight_without_the_term_frequency_adjustments():
    scoring = scoring_model(MODEL)
    # two pairs on the same levels, the first comparison's strongest; other claims share the name tonight
    pairs = pl.DataFrame({**{f"gamma_{c.name}": [c.levels[0].gamma] * 2 for c in scoring.comparisons},
                          "mw_tf_adj_company_name": [0.5, -3.0]})
    weights = pairs.select(link_order_weight(MODEL))["link_order_weight"].to_list()
    expected = sum(c.levels[0].match_weight for c in scoring.comparisons)
    assert weights == [pytest.approx(expected)] * 2
    assert weights[0] == weights[1]


def test_a_link_sharing_a_credit_code_or_a_group_link_is_exempt_from_the_name_check():
    pairs = pl.DataFrame({"gamma_credit_code_norm": [1, 0, -1, None], "decision_basis": [
        "sure_link", "group_link", "name_link", None]})
    assert pairs.select(exempt_from_names())["exempt_from_names"].to_list() == [True, True, False, False]
