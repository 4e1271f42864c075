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
    assert dict(zip(clusters["claim_id"], clusters["cluster_key"]))["c"] == "a"
    assert refused.is_empty()


def test_a_cannot_link_cuts_a_transitive_chain_at_its_weakest_edge():
    pairs = _pairs([("a", "b", 0.99), ("b", "c", 0.90), ("c", "d", 0.97)])
    clusters, _ = clusters_constrained(["a", "b", "c", "d"], pairs, Constraints(cannot_link=(("a", "d"),)))
    assert _groups(clusters) == {frozenset("ab"), frozenset("cd")}


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
    key = dict(zip(clusters["claim_id"], clusters["cluster_key"]))
    assert all(key[a] != key[b] for a, b in cannot)
    shuffled = edges[:]
    random.Random(1).shuffle(shuffled)
    again, _ = clusters_constrained(nodes[::-1], _pairs(shuffled), Constraints(cannot_link=cannot[::-1]))
    assert again.sort("claim_id").equals(clusters.sort("claim_id"))
