"""The real Splink model (the packaged default the session's sample run used) on
hand-made claims whose right answer is known."""

from datetime import UTC, datetime

import duckdb
import polars as pl
import pytest

from flows.matching_stage import NAME_KEY_COLUMNS
from matching.clustering import clusters_constrained
from matching.links import LinkPolicy, pairs_classified, with_sides
from matching.match_model import MatchModel
from matching.model import scored_pairs
from matching.prepare import claims_for_matching
from transforms.standardise import standardise_claims

pytestmark = pytest.mark.usefixtures("prefect_harness")

# (claim_id, company_name, phone, email, website, credit_code, contact) → the true company
TINY = [
    ("t01", "北京字节跳动科技有限公司", "+86 138-0013-8000", "zhang@bytedance.com", "www.bytedance.com", None, "张伟", "bytedance"),  # noqa: E501
    ("t02", "字节跳动（北京）科技有限公司", "13800138000", None, None, None, "张伟", "bytedance"),
    ("t03", "字節跳動（北京）科技有限公司", None, "li@qq.com", None, None, "李娜", "bytedance"),
    ("t04", "华为技术有限公司", "0755-28780808", "a@huawei.com", "huawei.com", "914403001922038216", "王强", "huawei-tech"),  # noqa: E501
    ("t05", "華為技術有限公司", None, None, None, "914403001922038216", None, "huawei-tech"),
    ("t06", "华为终端有限公司", "0769-23839999", "b@huawei.com", "huawei.com", "91441900MA4UH4W236", "赵敏", "huawei-device"),  # noqa: E501
    ("t07", "深圳市腾讯计算机系统有限公司", "0755-86013388", "c@tencent.com", "tencent.com", None, "周杰", "tencent"),
    ("t08", "腾讯计算机系统（深圳）有限公司", "0755 8601 3388", None, None, None, None, "tencent"),
    ("t09", "上海浦东发展银行股份有限公司", "021-61618888", None, "spdb.com.cn", None, None, "spdb"),
    # a listed company's stock short name and full name: nothing but the name in common
    ("t10", "瓦轴B", None, None, None, None, "孙丽", "zwz"),
    ("t11", "瓦房店轴承股份有限公司", "0411-85678888", None, None, None, "钱多", "zwz"),
    # a bare short name fits two sister companies; it must not chain them together
    ("t12", "华为", "0755-28780808", None, None, None, None, "huawei-tech"),
    # one rep's own mobile on two unrelated companies: not evidence
    ("t13", "北京百度网讯科技有限公司", "13912345678", None, None, None, "刘洋", "baidu"),
    ("t14", "北京抖音信息服务有限公司", "13912345678", None, None, None, "刘洋", "douyin"),
    # homophones of different companies, nothing else in common
    ("t15", "南京市信前网络科技有限公司", "025-83331111", None, None, None, "陈晨", "xinqian"),
    ("t16", "南京市芯千网络科技有限公司", "025-84442222", None, None, None, "吴刚", "xinqian-other"),
]


def _tiny_claims() -> pl.DataFrame:
    rows = [dict(zip(("claim_id", "company_name", "phone", "email", "website", "credit_code", "contact_name"),
                     r[:7], strict=True))
            for r in TINY]
    frame = pl.DataFrame(rows, schema={c: pl.String for c in rows[0]})
    return frame.with_columns(pl.lit(datetime(2026, 11, 1, tzinfo=UTC)).alias("submitted_at"),
                              pl.lit("r1").alias("rep_id"))


def _groups(clusters: pl.DataFrame) -> set[frozenset[str]]:
    return {frozenset(g) for g in clusters.group_by("cluster_key").agg("claim_id")["claim_id"].to_list()}


def test_tiny_set_clusters_as_known(sample_model):
    claims = standardise_claims(_tiny_claims())
    prepared = claims_for_matching(claims)
    pairs = scored_pairs(prepared, sample_model, min_probability=0.01)
    links = pairs_classified(with_sides(pairs, prepared), sample_model, LinkPolicy()).filter("is_link")
    clusters, _ = clusters_constrained(claims["claim_id"].to_list(), links, name_keys=prepared.select(NAME_KEY_COLUMNS))
    truth: dict[str, set[str]] = {}
    for row in TINY:
        truth.setdefault(row[-1], set()).add(row[0])
    assert _groups(clusters) == {frozenset(v) for v in truth.values()}


def test_saved_model_reloads_and_scores_identically(samples_run, sample_model):
    _, warehouse = samples_run
    with duckdb.connect(str(warehouse), read_only=True) as con:
        prepared = claims_for_matching(con.sql("select * from claims").pl())
    first = scored_pairs(prepared, sample_model, min_probability=0.01)
    reloaded = scored_pairs(prepared, MatchModel.from_json(sample_model.to_json()), min_probability=0.01)
    assert first.height > 100
    assert first.equals(reloaded)


def test_match_weights_chart_is_a_page_that_works_offline(sample_model):
    from matching.model import match_weights_chart_html

    page = match_weights_chart_html(claims_for_matching(standardise_claims(_tiny_claims())), sample_model)
    assert "vega" in page and "company_name" in page
    assert "<script src=\"http" not in page and "cdn.jsdelivr" not in page


def test_a_shared_credit_code_links_even_when_the_model_scores_low(sample_model):
    frame = pl.DataFrame({
        "claim_id": ["a", "b"], "company_name": ["甲乙丙科技有限公司", "完全不同贸易有限公司"],
        "contact_name": ["张三", "李四"], "phone": ["13800138000", "13900139000"], "email": [None, None],
        "website": [None, None], "credit_code": ["914403001922038216", "914403001922038216"],
    }, schema_overrides={"email": pl.String, "website": pl.String})
    prepared = claims_for_matching(standardise_claims(frame))
    plain = scored_pairs(prepared, sample_model, min_probability=0.5, with_rule_pairs=False)
    kept = scored_pairs(prepared, sample_model, min_probability=0.5)
    assert plain.is_empty()
    classified = pairs_classified(with_sides(kept, prepared), sample_model, LinkPolicy())
    assert classified.select("claim_id_l", "claim_id_r", "decision_basis").rows() == [("a", "b", "sure_link")]
    assert classified["match_probability"][0] < 0.5


def test_trained_probabilities_are_rounded_so_retraining_gives_the_same_model():
    from matching.model import _rounded

    model = {"probability_two_random_records_match": 0.000123456789012345, "comparisons": [
        {"output_column_name": "phone", "comparison_levels": [
            {"label_for_charts": "exact", "m_probability": 0.91234567890123, "u_probability": 1e-07},
            {"label_for_charts": "else", "m_probability": 0.08765432109877, "is_null_level": False}]}]}
    again = {**model, "probability_two_random_records_match": 0.000123456789012399}
    assert _rounded(model) == _rounded(again)
    levels = _rounded(model)["comparisons"][0]["comparison_levels"]
    assert levels[0] == {"label_for_charts": "exact", "m_probability": 0.9123456789, "u_probability": 1e-07}
    assert levels[1]["is_null_level"] is False
