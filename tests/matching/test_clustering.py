import random

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.clustering import Constraints, clusters_constrained


def _pairs(rows):
    return pl.DataFrame(rows, schema={"claim_id_l": pl.String, "claim_id_r": pl.String,
                                      "match_probability": pl.Float64}, orient="row")


def _groups(clusters: pl.DataFrame) -> set[frozenset[str]]:
    return {frozenset(g) for g in clusters.group_by("cluster_key").agg("claim_id")["claim_id"].to_list()}


def test_without_constraints_pairs_join_transitively():
    clusters, refused = clusters_constrained(
        ["a", "b", "c", "d"], _pairs([("a", "b", 0.99), ("b", "c", 0.95)])
    )
    assert _groups(clusters) == {frozenset("abc"), frozenset("d")}
    assert dict(zip(clusters["claim_id"], clusters["cluster_key"], strict=True))["c"] == "a"
    assert refused.is_empty()


def test_a_cannot_link_cuts_a_transitive_chain_at_its_weakest_edge():
    pairs = _pairs([("a", "b", 0.99), ("b", "c", 0.90), ("c", "d", 0.97)])
    clusters, _ = clusters_constrained(["a", "b", "c", "d"], pairs, Constraints(cannot_link=(("a", "d"),)))
    assert _groups(clusters) == {frozenset("ab"), frozenset("cd")}


def test_links_are_joined_in_the_order_of_the_strength_the_caller_names():
    # a-b-c-d with `a different d`: the weakest edge by `strength` is cut, whatever the probability
    pairs = _pairs([("a", "b", 0.99), ("b", "c", 0.90), ("c", "d", 0.97)]).with_columns(
        pl.Series("link_order_weight", [5.0, 9.0, 1.0]))
    clusters, _ = clusters_constrained(["a", "b", "c", "d"], pairs, Constraints(cannot_link=(("a", "d"),)),
                                       strength="link_order_weight")
    assert _groups(clusters) == {frozenset("abc"), frozenset("d")}


def test_a_must_link_joins_what_the_model_kept_apart():
    clusters, _ = clusters_constrained(["a", "b", "c"], _pairs([]), Constraints(must_link=(("c", "a"),)))
    assert _groups(clusters) == {frozenset("ac"), frozenset("b")}


def test_a_must_link_that_contradicts_a_cannot_link_is_refused_and_reported():
    clusters, refused = clusters_constrained(
        ["a", "b", "c"], _pairs([]),
        Constraints(must_link=(("a", "b"), ("b", "c")), cannot_link=(("a", "c"),)),
    )
    assert _groups(clusters) == {frozenset("ab"), frozenset("c")}
    assert refused.rows() == [("b", "c")]


def test_an_isolated_claim_stays_alone_unless_a_reviewer_links_it():
    pairs = _pairs([("a", "b", 0.99), ("b", "c", 0.99)])
    clusters, _ = clusters_constrained(["a", "b", "c"], pairs, Constraints(isolated=("b",)))
    assert _groups(clusters) == {frozenset("a"), frozenset("b"), frozenset("c")}


def _components_oracle(nodes, edges):
    adjacency = {n: set() for n in nodes}
    for a, b in edges:
        adjacency[a].add(b)
        adjacency[b].add(a)
    seen, groups = set(), set()
    for n in nodes:
        if n in seen:
            continue
        stack, group = [n], set()
        while stack:
            x = stack.pop()
            if x in group:
                continue
            group.add(x)
            stack.extend(adjacency[x] - group)
        seen |= group
        groups.add(frozenset(group))
    return groups


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 40), st.integers(0, 80), st.randoms(use_true_random=False))
def test_with_no_constraints_it_is_connected_components(n_nodes, n_edges, rnd):
    nodes = [f"n{i:02d}" for i in range(n_nodes)]
    edges = [tuple(rnd.sample(nodes, 2)) for _ in range(n_edges)] if n_nodes > 1 else []
    pairs = _pairs([(a, b, rnd.random()) for a, b in edges])
    clusters, _ = clusters_constrained(nodes, pairs)
    assert _groups(clusters) == _components_oracle(nodes, edges)


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 30), st.integers(0, 60), st.integers(0, 6), st.randoms(use_true_random=False))
def test_cannot_links_always_hold_and_order_does_not_matter(n_nodes, n_edges, n_cannot, rnd):
    nodes = [f"n{i:02d}" for i in range(n_nodes)]
    edges = [(*rnd.sample(nodes, 2), rnd.random()) for _ in range(n_edges)]
    cannot = tuple(tuple(rnd.sample(nodes, 2)) for _ in range(n_cannot))
    clusters, _ = clusters_constrained(nodes, _pairs(edges), Constraints(cannot_link=cannot))
    key = dict(zip(clusters["claim_id"], clusters["cluster_key"], strict=True))
    assert all(key[a] != key[b] for a, b in cannot)
    shuffled = edges[:]
    random.Random(1).shuffle(shuffled)
    again, _ = clusters_constrained(nodes[::-1], _pairs(shuffled), Constraints(cannot_link=cannot[::-1]))
    assert again.sort("claim_id").equals(clusters.sort("claim_id"))


def _keys(rows):
    """(claim_id, core_name, registered, region) → the name keys clustering reads."""
    from transforms.names import romanise_core
    return pl.DataFrame([
        {"claim_id": c, "core_name": core, "trade_name": core[:2], "core_pinyin": romanise_core(core)[0],
         "alias_key": None, "region": region, "is_registered_name": registered}
        for c, core, registered, region in rows
    ])


def _links(edges):
    return pl.DataFrame(
        [(a, b, p, exempt) for a, b, p, exempt in edges],
        schema={"claim_id_l": pl.String, "claim_id_r": pl.String, "match_probability": pl.Float64,
                "exempt_from_names": pl.Boolean}, orient="row")


def test_a_bare_short_name_cannot_chain_two_sister_companies():
    keys = _keys([("t1", "华为技术", True, None), ("t2", "华为技术", True, None),
                  ("d1", "华为终端", True, None), ("d2", "华为终端", True, None), ("s", "华为", False, None)])
    links = _links([("t1", "t2", 0.99, False), ("d1", "d2", 0.99, False),
                    ("s", "t1", 0.95, False), ("d1", "s", 0.90, False)])
    clusters, _ = clusters_constrained(["t1", "t2", "d1", "d2", "s"], links, name_keys=keys)
    assert _groups(clusters) == {frozenset({"t1", "t2", "s"}), frozenset({"d1", "d2"})}
    # without the name check the one weak edge merges both companies
    merged, _ = clusters_constrained(["t1", "t2", "d1", "d2", "s"], links)
    assert len(_groups(merged)) == 1


def test_a_typo_on_either_side_does_not_keep_one_company_apart():
    keys = _keys([("a1", "毅威终端", True, None), ("a2", "毅威终端", True, None), ("a3", "毅威锐终端", True, None),
                  ("b1", "毅威终端", True, None), ("b2", "毅威终", True, None)])
    links = _links([("a1", "a2", 0.99, False), ("a1", "a3", 0.95, False), ("b1", "b2", 0.95, False),
                    ("a2", "b1", 0.90, False)])
    clusters, _ = clusters_constrained(["a1", "a2", "a3", "b1", "b2"], links, name_keys=keys)
    assert len(_groups(clusters)) == 1


def test_same_name_in_two_cities_is_not_joined_through_a_claim_without_a_city():
    keys = _keys([("h1", "长风科技", True, "杭州"), ("h2", "长风科技", True, "杭州"), ("c1", "长风科技", True, "成都"),
                  ("x", "长风科技", True, None)])
    links = _links([("h1", "h2", 0.99, False), ("x", "h1", 0.95, False), ("x", "c1", 0.94, False)])
    clusters, _ = clusters_constrained(["h1", "h2", "c1", "x"], links, name_keys=keys)
    assert _groups(clusters) == {frozenset({"h1", "h2", "x"}), frozenset({"c1"})}


def test_a_claim_made_its_own_customer_stays_alone_among_claims_of_its_exact_name():
    """Claims of one written name, region and code are clustered as one unit; a claim a reviewer
    made a customer of its own leaves that unit, even when it is the unit's first claim."""
    keys = _keys([(c, "华为技术", True, "深圳") for c in ("a", "b", "c", "d")]).with_columns(
        pl.lit("深圳华为技术有限公司").alias("name_norm"), pl.lit(None, dtype=pl.String).alias("credit_code_norm"))
    links = _links([("a", "b", 0.99, False), ("b", "c", 0.99, False), ("c", "d", 0.99, False)])
    for alone in ("a", "c"):
        clusters, _ = clusters_constrained(["a", "b", "c", "d"], links, Constraints(isolated=(alone,)), name_keys=keys)
        assert _groups(clusters) == {frozenset({alone}), frozenset(set("abcd") - {alone})}


def test_a_shared_credit_code_joins_a_renamed_company():
    keys = _keys([("old", "国农科技", True, None), ("new", "国华网安", True, None)])
    held, _ = clusters_constrained(["old", "new"], _links([("old", "new", 0.99, False)]), name_keys=keys)
    joined, _ = clusters_constrained(["old", "new"], _links([("old", "new", 0.99, True)]), name_keys=keys)
    assert len(_groups(held)) == 2 and len(_groups(joined)) == 1


def test_a_known_short_name_gives_its_cluster_the_listed_company_it_names():
    # 京东 (bare) links to 京东科技控股 and to 京东方A, the stock name of another listed company
    keys = _keys([("j1", "京东科技控股", True, None), ("j2", "京东科技控股", True, None),
                  ("b1", "京东方", False, None), ("b2", "京东方", False, None), ("s", "京东", False, None)])
    keys = keys.with_columns(pl.when(pl.col("claim_id").str.starts_with("b")).then(pl.lit("京东方科技集团"))
                             .otherwise(pl.col("alias_key")).alias("alias_key"))
    links = _links([("j1", "j2", 0.99, False), ("b1", "b2", 0.99, False),
                    ("s", "j1", 0.9, False), ("s", "b1", 0.9, False)])
    clusters, _ = clusters_constrained(["j1", "j2", "b1", "b2", "s"], links, name_keys=keys)
    assert len(_groups(clusters)) == 2 and not any({"j1", "b1"} <= group for group in _groups(clusters))


def test_two_words_apart_in_a_long_name_are_two_companies_but_two_slips_are_not():
    from matching.identity import RegisteredName, names_compatible

    def name(core, alias=None):
        return RegisteredName(core, None, None, alias)

    assert not names_compatible(name("百度在线网络技术"), name("百度时代网络技术"))
    assert names_compatible(name("沃森省物技术"), name("沃森生物吉技术"))
    assert not names_compatible(name("中铝国际工程", "中铝国际工程"), name("中工国际工程", "中工国际工程"))
    assert names_compatible(name("瓦房店轴承", "瓦房店轴承"), name("瓦轴", "瓦房店轴承"))


def test_a_shared_credit_code_is_joined_first_so_its_cluster_holds_its_name():
    # 华为 (bare) → Huawei Device (English, no registered name) shares 华为终端's credit code; were
    # the code link joined last, the bare name would already have carried it into 华为技术
    keys = _keys([("t1", "华为技术", True, None), ("t2", "华为技术", True, None), ("d1", "华为终端", True, None),
                  ("e", "huaweidevice", False, None), ("s", "华为", False, None)])
    links = _links([("e", "s", 0.999, False), ("s", "t1", 0.95, False), ("t1", "t2", 0.99, False),
                    ("d1", "e", 0.5, True)])
    clusters, _ = clusters_constrained(["t1", "t2", "d1", "e", "s"], links, name_keys=keys)
    assert _groups(clusters) == {frozenset({"t1", "t2"}), frozenset({"d1", "e", "s"})}


def test_couples_compatible_judges_as_names_compatible_does():
    import itertools

    import duckdb

    from matching import identity
    from matching.identity import RegisteredName, couples_compatible, names_compatible
    from transforms.names import romanise_core

    names = [("百度在线网络技术", "百度在线", None), ("百度时代网络技术", "百度时代", None),
             ("沃森省物技术", "沃森省物", None), ("沃森生物吉技术", "沃森生物吉", None),
             ("中铝国际工程", "中铝国际", "中铝国际工程"), ("中工国际工程", "中工国际", "中工国际工程"),
             ("华为技术", "华为", None), ("华为终端", "华为终端", None), ("华为投资", "华为", None),
             ("腾讯科技(绅圳)", "腾讯", None), ("腾讯科技", "腾讯", None), ("毅威锐终端", "毅威锐终端", None),
             ("毅威终端", "毅威终端", None), ("百度网讯科技", "百度网讯", None), ("百度网讯", "百度网讯", None),
             ("华为计术", "华为计术", None), ("花为技术", "花为", None)]
    sides = [RegisteredName(core, trade, romanise_core(core)[0], alias) for core, trade, alias in names]
    rows = [(a.core, a.trade, a.pinyin, a.alias, b.core, b.trade, b.pinyin, b.alias)
            for a, b in itertools.permutations(sides, 2)]
    columns = [f"{c}_{s}" for s in ("l", "r") for c in ("core_name", "trade_name", "core_pinyin", "alias_key")]
    couples = pl.DataFrame(rows, schema=dict.fromkeys(columns, pl.String), orient="row")
    assert couples.height > identity.PYTHON_COUPLES  # the rules in SQL
    judged = couples_compatible(couples, duckdb.connect())
    expected = {(a.core, b.core): names_compatible(a, b) for a, b in itertools.permutations(sides, 2)}
    got = dict(zip(zip(judged["core_name_l"], judged["core_name_r"], strict=True), judged["compatible"], strict=True))
    assert got == expected and any(expected.values()) and not all(expected.values())
    few = couples_compatible(couples.head(identity.PYTHON_COUPLES), duckdb.connect())  # one by one in Python
    assert few.columns == judged.columns and few.schema == judged.schema
    assert all(got[(row["core_name_l"], row["core_name_r"])] == row["compatible"] for row in few.iter_rows(named=True))
