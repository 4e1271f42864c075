"""From scored pairs to the links that make customers, and the pairs a person could review.

The model's probability weighs all the evidence; these rules decide, each written for a reviewer
who must defend a merge to two reps:
- *sure link*: the same valid credit code, or the same full registered name (with its legal
  form), are the same legal entity whatever else differs;
- *different credit codes*: two different valid codes are two legal entities;
- *names first*: two claims are one company only if their names say so. Names **agree** (same
  trade name, a known short or former name of the same listed company, one name the short form
  of the other when the model is sure), **nearly agree** (a homophone, one character added, dropped or replaced, very
  similar pinyin, an English name carrying the pinyin, two full registered names one of which
  extends the other), are **sisters** (the same trade name with another industry word:
  华为技术 / 华为投资) or **differ**. A phone, e-mail domain, website or contact in common is
  *corroboration*; it never links names that differ, because switchboards, mail domains and
  sites are shared by a group, and a rep's or agent's mobile by unrelated companies;
- *other region*: two claims whose regions (written in the name, else the city, address or
  province column) differ, neither containing the other (杭州… / 成都…), are two companies, even
  under one written name (reps drop the city from a name); only a shared credit code overrides it;
- so: agreeing names link; nearly agreeing names link when corroborated (a character added or
  dropped always, one replaced in a name of five or more, or a homophone of a listed company's
  known name, when nothing contradicts it: no phone, mail domain or site — nor, for the homophone,
  contact — that differs), else may wait for review;
  sisters are one group, never one customer (unless policy counts a group as one customer);
  differing names never link.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from matching.identity import COUPLE_COLUMNS, couples_compatible
from matching.match_model import MatchModel
from matching.positions import both_sides, pair_number
from matching.review import ReviewCapacity
from matching.scoring import level_weights, scoring_model
from matching.scratch_db import scratch_cursor
from transforms.regions import regions_compatible

SISTER_LEVEL = "same trade name, other industry word"
FULL_NAME_LEVEL = "full name identical"
AGREEING_LEVELS = ("full name identical", "trade name identical", "one name begins the other (short name)")
# Slips of the keyboard, not another word that sounds alike, link without corroboration: on the
# real-world evaluation (bench/realworld_eval.py, seed 1) 337 of 338 pairs with a character added
# or dropped were one company, whether or not their phones differed (another contact's mobile),
# against 430 of 532 homophone pairs. One character replaced in a short name is another name
# (华瑞电器 / 华丰电器): it links only from five characters, and only when nothing contradicts it.
# A homophone of a listed company's known name (the other name not a known one), with no phone,
# mail domain, site or contact that differs, was one company in 203 of 215 pairs (seed 3); a
# different company sounding alike shows its own phone or contact.
ADDED_OR_DROPPED = "one character added or dropped"
HOMOPHONE = "same pinyin (homophone typo)"
REPLACED = "one character replaced"
NEAR_LEVELS = (HOMOPHONE, ADDED_OR_DROPPED, REPLACED, "pinyin very similar", "English name carries the pinyin")
MIN_REPLACED_CHARS = 5
# what pairs_classified reads of each claim, beside the scored pair (columns of matching.prepare)
SIDE_COLUMNS = ("core_name", "alias_key", "is_registered_name", "is_latin_name", "region", "name_head",
                "trade_is_shared", "industry_concepts", "trade_name", "core_pinyin", "core_is_common")
# an alias this short (美丽, 神城) is a common word: it agrees only with corroboration
MIN_SURE_ALIAS_CHARS = 3


DEFAULT_CAPACITY = ReviewCapacity()
LINK_BASES = ("sure_link", "name_link", "corroborated_link", "slip_link", "group_link")


@dataclass(frozen=True)
class LinkPolicy:
    match_threshold: float = 0.8
    review_floor: float = 0.5
    group_counts_as_one_customer: bool = False
    review_capacity: ReviewCapacity = DEFAULT_CAPACITY


def exempt_from_names() -> pl.Expr:
    """`exempt_from_names`: a link the clustering's name check does not hold (`matching.clustering`):
    one sharing a valid credit code (a renamed company keeps its code), or a group link (policy
    counting a group of companies as one customer)."""
    return ((pl.col("gamma_credit_code_norm") == 1) | (pl.col("decision_basis") == "group_link")).fill_null(False) \
        .alias("exempt_from_names")


def link_order_weight(model: MatchModel) -> pl.Expr:
    """`link_order_weight`: the match weight of a pair's comparison levels (from its `gamma_*`), without the
    term-frequency adjustments: the order in which the clustering joins links. A pair's levels
    depend on its two claims alone, so two unchanged claims keep their link's place in that order
    from night to night; with the adjustments, a pair's weight moves a little whenever other claims
    share its values, and two near-tied links could swap and cut a customer elsewhere on a full
    rebuild than on an incremental night, which only clusters again what its new claims touch."""
    return pl.sum_horizontal(level_weights(scoring_model(model))).alias("link_order_weight")


def level_value(model: MatchModel, comparison: str, label: str) -> int:
    """The gamma value Splink gives a comparison level, found by its chart label."""
    for gamma, level_label in model.level_labels().get(comparison, {}).items():
        if level_label == label:
            return gamma
    raise KeyError(f"model has no level {label!r} in comparison {comparison!r}")




def with_sides(pairs: pl.DataFrame, prepared: pl.DataFrame) -> pl.DataFrame:
    """`pairs` plus each claim's SIDE_COLUMNS, suffixed `_l` / `_r` (`matching.positions`)."""
    sides = both_sides(pairs, prepared, SIDE_COLUMNS)
    return pairs.drop([c for c in sides.columns if c in pairs.columns]).hstack(sides)


def _regions_differ(pairs: pl.DataFrame) -> pl.Series:
    """Both claims name a region and neither region contains the other (judged once per
    distinct couple of regions)."""
    couples = pairs.select("region_l", "region_r").unique().drop_nulls()
    table = couples.with_columns(pl.Series("_differ", [
        not regions_compatible(a, b) for a, b in couples.iter_rows()], dtype=pl.Boolean))
    return pairs.select("region_l", "region_r").join(
        table, on=["region_l", "region_r"], how="left", maintain_order="left")["_differ"].fill_null(False)


def name_agreement(model: MatchModel, match_threshold: float) -> pl.Expr:
    """agree / near / sister / differ, from the name level and both claims' name keys. One name
    beginning the other agrees only when the model is sure (华联 begins 华联瓷业 and 华联综超 alike);
    an English name carrying the pinyin, or beginning with it and meaning the same industries,
    only when no other company shares that trade name."""
    level = pl.col("gamma_company_name")

    def among(labels: tuple[str, ...]) -> pl.Expr:
        return level.is_in([level_value(model, "company_name", label) for label in labels])

    both_registered = pl.col("is_registered_name_l").fill_null(False) & pl.col("is_registered_name_r").fill_null(False)
    begins = level == level_value(model, "company_name", "one name begins the other (short name)")
    alias = pl.col("alias_key_l").is_not_null() & (pl.col("alias_key_l") == pl.col("alias_key_r"))
    long_alias = pl.min_horizontal(pl.col("core_name_l").str.len_chars(),
                                   pl.col("core_name_r").str.len_chars()) >= MIN_SURE_ALIAS_CHARS
    latin_meets_head = (pl.col("is_latin_name_l") != pl.col("is_latin_name_r")) & (
        pl.col("name_head_l") == pl.col("name_head_r"))
    english = level == level_value(model, "company_name", "English name carries the pinyin")
    # a two-character stock name (厚普) is a common word, but not with its company's city beside it
    same_region = (pl.col("region_l") == pl.col("region_r")).fill_null(False)
    # two known listed companies (中铝国际工程 / 中工国际工程): a one-character slip apart, never one
    listed_apart = pl.col("alias_key_l").is_not_null() & pl.col("alias_key_r").is_not_null() & (
        pl.col("alias_key_l") != pl.col("alias_key_r"))
    industries_differ = pl.col("_industries_differ")
    # an English name beginning with the pinyin of a Chinese name and translating its industry
    # words (Xuchang XuJi Electric / 许继电气), when no other company's name sounds the same
    same_industries = pl.col("industry_concepts_l").is_not_null() & (
        pl.col("industry_concepts_l") == pl.col("industry_concepts_r"))
    chinese_trade_shared = pl.when(pl.col("is_latin_name_l")).then(pl.col("trade_is_shared_r")).otherwise(
        pl.col("trade_is_shared_l")).fill_null(True)
    # an English name naming its industry (Huawei Device) and a bare Chinese short name (华为) that
    # several sisters share: the short name could be any of them
    latin_concepts = pl.when(pl.col("is_latin_name_l")).then(pl.col("industry_concepts_l")).otherwise(
        pl.col("industry_concepts_r"))
    chinese_concepts = pl.when(pl.col("is_latin_name_l")).then(pl.col("industry_concepts_r")).otherwise(
        pl.col("industry_concepts_l"))
    english_meets_bare_sister = (
        (pl.col("is_latin_name_l") != pl.col("is_latin_name_r")) & latin_concepts.is_not_null()
        & chinese_concepts.is_null() & chinese_trade_shared
    ).fill_null(False)
    return (
        pl.when(listed_apart).then(pl.lit("differ"))
        .when(industries_differ | english_meets_bare_sister).then(pl.lit("sister"))
        .when(among(AGREEING_LEVELS) & ~begins).then(pl.lit("agree"))
        .when((english | (latin_meets_head & same_industries)) & ~chinese_trade_shared).then(pl.lit("agree"))
        .when(begins & ~both_registered & (pl.col("match_probability") >= match_threshold)).then(pl.lit("agree"))
        .when(alias & (long_alias | same_region)).then(pl.lit("agree"))
        .when(among(NEAR_LEVELS) | begins | alias | latin_meets_head).then(pl.lit("near"))
        .when(level == level_value(model, "company_name", SISTER_LEVEL)).then(pl.lit("sister"))
        .otherwise(pl.lit("differ"))
    )


def _registered_names_apart(pairs: pl.DataFrame) -> pl.Series:
    """Per pair, whether both claims carry full registered names that nearly agree but could not
    be one company's (`matching.identity.names_compatible`: 百度在线网络技术 / 百度时代网络技术
    sound alike to a string measure, yet two words differ), judged once per distinct couple."""
    both = (pl.col("name_agreement") == "near") & pl.col("is_registered_name_l").fill_null(False) & pl.col(
        "is_registered_name_r").fill_null(False)
    columns = list(COUPLE_COLUMNS)
    rows = pairs.select(*columns, both.alias("_both")).with_row_index("_row").filter("_both")
    if rows.is_empty():  # most lookups: no SQL to run
        return pl.repeat(False, pairs.height, eager=True)
    with scratch_cursor() as con:
        judged = couples_compatible(rows.select(columns).unique(), con).filter(~pl.col("compatible"))
    apart_rows = rows.join(judged, on=columns, nulls_equal=True)["_row"]
    return pl.int_range(pairs.height, eager=True, dtype=pl.UInt32).is_in(apart_rows.implode())


def _industries_differ_column(pairs: pl.DataFrame) -> pl.Series:
    """`_industries_differ` per pair, computed on the pairs with an English name only (splitting
    every pair's industry words took seconds at 1M claims)."""
    latin = pl.col("is_latin_name_l").fill_null(False) | pl.col("is_latin_name_r").fill_null(False)
    rows = pairs.select(pl.arg_where(latin)).to_series()
    unjudged = pl.repeat(False, pairs.height, eager=True)
    if rows.is_empty():  # most lookups
        return unjudged
    return unjudged.scatter(rows, _industries_differ(pairs[rows]))


def _industries_differ(pairs: pl.DataFrame) -> pl.Series:
    """An English name's industry words say which sister it is (Huawei Cloud Computing
    Technologies is not 华为技术): two English names must mean the same industries; an English
    name must mean every industry a Chinese name writes, and no other if that is a full registered
    name (Alibaba Cloud Computing is not 阿里巴巴（中国）有限公司; a short name drops some: 君实生物 /
    JunShi ShengWu YiYao Technology). An English name without industry words says nothing.

    Each side's concepts are split once, then compared once each way (written as one expression,
    the split was repeated a dozen times: ~4 ms however few the pairs)."""
    def concepts(side: str) -> pl.Expr:
        return pl.col(f"industry_concepts_{side}").fill_null("").str.split(" ").list.set_difference([""])

    split = pairs.select(
        concepts("l").alias("concepts_l"), concepts("r").alias("concepts_r"),
        pl.col("is_latin_name_l", "is_latin_name_r", "is_registered_name_l", "is_registered_name_r").fill_null(False),
        pl.col("industry_concepts_l").is_not_null().alias("has_l"),
        pl.col("industry_concepts_r").is_not_null().alias("has_r"),
    )
    # `only_l`: the left side means an industry the right does not; `only_r` the reverse
    compared = split.with_columns(
        (pl.col("concepts_l").list.set_difference("concepts_r").list.len() > 0).alias("only_l"),
        (pl.col("concepts_r").list.set_difference("concepts_l").list.len() > 0).alias("only_r"),
    )
    latin_l, latin_r = pl.col("is_latin_name_l"), pl.col("is_latin_name_r")
    only_l, only_r, has_l, has_r = pl.col("only_l"), pl.col("only_r"), pl.col("has_l"), pl.col("has_r")
    differ = (
        pl.when(latin_l & latin_r).then(has_l & has_r & (only_l | only_r))
        .when(latin_l).then(has_l & (only_r | (pl.col("is_registered_name_r") & only_l)))
        .when(latin_r).then(has_r & (only_l | (pl.col("is_registered_name_l") & only_r)))
        .otherwise(pl.lit(False))
    )
    return compared.select(differ.fill_null(False)).to_series()


def corroborated() -> pl.Expr:
    """A non-shared phone, company mail domain, website or the exact contact in common."""
    return (
        (pl.col("gamma_phone") == 1) | (pl.col("gamma_company_email_domain") == 1)
        | (pl.col("gamma_website_domain") == 1) | (pl.col("gamma_contact_name") == 2)
    )


def contradicted() -> pl.Expr:
    """Both claims give a phone, company mail domain or website, and they differ."""
    return (
        (pl.col("gamma_phone") == 0) | (pl.col("gamma_company_email_domain") == 0)
        | (pl.col("gamma_website_domain") == 0)
    )


def pairs_classified(pairs: pl.DataFrame, model: MatchModel, policy: LinkPolicy) -> pl.DataFrame:
    """Every scored pair (with its SIDE_COLUMNS, `with_sides`) plus `name_agreement`,
    `decision_basis` (sure_link / credit_codes_differ / other_region / name_link /
    corroborated_link / slip_link / group_link / sister / names_differ / review / below) and `is_link`."""
    same_code = pl.col("gamma_credit_code_norm") == 1
    codes_differ = pl.col("gamma_credit_code_norm") == 0
    full_name = (pl.col("gamma_company_name") == level_value(model, "company_name", FULL_NAME_LEVEL)) & (
        pl.col("legal_form_l").is_not_null()
    )
    agreement = pl.col("name_agreement")
    probability = pl.col("match_probability")
    group_is_customer = pl.lit(policy.group_counts_as_one_customer)
    added_or_dropped = pl.col("gamma_company_name") == level_value(model, "company_name", ADDED_OR_DROPPED)
    shorter = pl.min_horizontal(pl.col("core_name_l").str.len_chars(), pl.col("core_name_r").str.len_chars())
    replaced = (pl.col("gamma_company_name") == level_value(model, "company_name", REPLACED)) & (
        shorter >= MIN_REPLACED_CHARS)
    # a name sounding exactly like a listed company's known name, itself unknown, is that name
    # mistyped through the input method (黄山滤游发展 / 黄山旅游发展) unless its contact differs too
    # a slip is written once or twice; two names each written on several claims (京东科技 /
    # 京东方科技) are two names people use, which only corroboration may link
    both_common = pl.col("core_is_common_l").fill_null(False) & pl.col("core_is_common_r").fill_null(False)
    listed_homophone = (
        (pl.col("gamma_company_name") == level_value(model, "company_name", HOMOPHONE))
        & (pl.col("alias_key_l").is_null() != pl.col("alias_key_r").is_null())
        & (pl.col("gamma_contact_name") != 0)
    )
    basis = (
        pl.when(same_code).then(pl.lit("sure_link"))
        .when(codes_differ).then(pl.lit("credit_codes_differ"))
        .when(pl.col("_regions_differ")).then(pl.lit("other_region"))
        .when(full_name).then(pl.lit("sure_link"))
        .when(agreement == "agree").then(pl.lit("name_link"))
        .when((agreement == "near") & corroborated() & (probability >= policy.match_threshold))
        .then(pl.lit("corroborated_link"))
        .when((agreement == "near") & ~both_common
              & (added_or_dropped | ((replaced | listed_homophone) & ~contradicted())))
        .then(pl.lit("slip_link"))
        .when((agreement == "sister") & group_is_customer & corroborated()).then(pl.lit("group_link"))
        .when(agreement == "sister").then(pl.lit("sister"))
        .when(agreement == "differ").then(pl.lit("names_differ"))
        .when(probability >= policy.review_floor).then(pl.lit("review"))
        .otherwise(pl.lit("below"))
    )
    pairs = pairs.with_columns(_industries_differ_column(pairs).alias("_industries_differ")).with_columns(
        name_agreement(model, policy.match_threshold).alias("name_agreement"),
        _regions_differ(pairs).alias("_regions_differ"),
    )
    pairs = pairs.with_columns(pl.when(_registered_names_apart(pairs)).then(pl.lit("differ"))
                               .otherwise(pl.col("name_agreement")).alias("name_agreement"))
    return pairs.with_columns(basis.alias("decision_basis")).drop("_regions_differ", "_industries_differ").with_columns(
        pl.col("decision_basis").is_in(LINK_BASES).alias("is_link")
    )


# what `pairs_classified` decides about a pair, and the side columns read after it (review_candidates)
CLASSIFICATION = ("is_registered_name_l", "is_registered_name_r", "name_agreement", "decision_basis", "is_link")


def classified_reusing(scored: pl.DataFrame, prepared: pl.DataFrame, model: MatchModel, policy: LinkPolicy,
                       earlier: pl.DataFrame | None) -> pl.DataFrame:
    """`scored` pairs classified (`pairs_classified`), with only the side columns of
    CLASSIFICATION, in no particular order (what reads them sorts: re-ordering 4.6M pairs took
    4 s at 1M claims). On an incremental night, `earlier` holds pairs between untouched claims
    (by their positions tonight, `_l` and `_r`, as `scored`'s `pos_l` and `pos_r`: joining
    millions of pairs by their two ids cost seconds) with last night's `match_probability` and
    CLASSIFICATION: a pair's classification reads its
    levels, both claims' prepared rows and its probability only against the match threshold and
    the review floor, so a pair of `earlier` on the same side of both keeps it; the others are
    classified from their claims."""
    if earlier is None:
        fresh, reused = scored, None
    else:
        before = earlier.select(pair_number("_l", "_r").alias("_pair"), pl.col("match_probability").alias("_before"),
                                *CLASSIFICATION)
        joined = scored.with_columns(pair_number().alias("_pair")).join(before, on="_pair", how="left").drop("_pair")
        now, then = pl.col("match_probability"), pl.col("_before")
        same_side = [(now >= limit) == (then >= limit) for limit in (policy.match_threshold, policy.review_floor)]
        reusable = (pl.col("decision_basis").is_not_null() & pl.all_horizontal(same_side)).fill_null(False)
        fresh, reused = joined.filter(~reusable).drop("_before", *CLASSIFICATION), joined.filter(reusable).drop(
            "_before")
    sides = [f"{c}_{s}" for s in ("l", "r") for c in SIDE_COLUMNS if c != "is_registered_name"]
    classified = pairs_classified(with_sides(fresh, prepared), model, policy).drop(sides)
    if reused is None:
        return classified
    return pl.concat([classified, reused.select(classified.columns)])
