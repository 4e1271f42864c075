"""Clustering scored pairs into customers under reviewer constraints.

Edges are joined greedily, strongest first (by the caller's `strength`, a weight that stays the
same while the pair's two claims do: `matching.links.link_order_weight`), with a union-find. A
reviewer's `different` is a cannot-link: no union may put the two claims in one cluster, even
through other claims, so a chain a–b–c with `a different c` is cut at its weakest admissible
point. A reviewer's `same` is a must-link, applied before any model edge. Plain connected
components is the special case with no constraints.

Model links are further held by `matching.identity.ClusterNames`: two clusters whose registered
names or regions say they are different companies are not joined, whatever single link would join
them (a link sharing a valid credit code is exempt: a renamed company keeps its code; so is a
link between sister companies when policy counts a group as one customer). Reviewers'
`same` decisions are not held by names: a person has looked.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from matching.identity import ClusterNames


@dataclass(frozen=True)
class Constraints:
    """Reviewer decisions as claim pairs (`must_link`, `cannot_link`) and claims to keep alone."""

    must_link: tuple[tuple[str, str], ...] = ()
    cannot_link: tuple[tuple[str, str], ...] = ()
    isolated: tuple[str, ...] = ()


class UnionFind:
    def __init__(self, size: int):
        self.parent = list(range(size))

    def find(self, x: int) -> int:
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root


IDENTITY = ("name_norm", "region", "credit_code_norm")


def clusters_constrained(
    claim_ids: list[str], pairs: pl.DataFrame, constraints: Constraints = Constraints(),
    name_keys: pl.DataFrame | None = None, strength: str = "match_probability",
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(one row per claim: `claim_id`, `cluster_key` = smallest claim_id of its cluster;
    the must-links that were refused because a cannot-link forbids them).

    `pairs` has `claim_id_l`, `claim_id_r` and `strength`: the edges above the threshold, joined
    strongest first,
    and optionally `exempt_from_names` (a shared credit code, or policy counting a group as one
    customer: not held by the name check). `name_keys` has per claim
    `core_name`, `trade_name`, `core_pinyin`, `alias_key`, `region`, `is_registered_name`
    (`matching.prepare`); without it no name check is made.

    With IDENTITY in `name_keys`, claims of one written name, region and credit code are linked by
    the rules whatever else they carry, so they are clustered as one unit, weighing as many claims
    (a key account's hundreds of claims are a handful of units, and its links a handful of edges).
    Claims a reviewer's decision names stay units of their own."""
    ids = pl.Series("claim_id", claim_ids, dtype=pl.String).unique().sort()
    refused_schema = {"claim_id_l": pl.String, "claim_id_r": pl.String}
    if ids.is_empty():  # an incremental night that touched no customer
        return ids.to_frame().with_columns(pl.col("claim_id").alias("cluster_key")), pl.DataFrame(schema=refused_schema)
    # claims as positions in id order: the smallest position of a cluster is its smallest claim id
    claims = ids.to_frame().with_row_index("_i")
    keys = None
    if name_keys is not None:
        keys = claims.join(name_keys.unique("claim_id", keep="last", maintain_order=True), on="claim_id", how="left",
                           maintain_order="left")
    if keys is not None and set(IDENTITY) <= set(keys.columns):
        alone = pl.col("claim_id").is_in(_decided(constraints).implode()) | pl.col("name_norm").is_null()
        # a unit is named after its first claim that is not alone: a decided claim named first
        # would otherwise carry the whole unit with it (into its own customer, or across a cut)
        unit = pl.when(alone).then(pl.col("_i")).otherwise(pl.col("_i").filter(~alone).min().over(IDENTITY))
        keys = keys.with_columns(unit.alias("_unit")).with_columns(pl.len().over("_unit").alias("weight"))
        unit_of = keys["_unit"]
        edges = _edges(pairs, claims, unit_of, strength).filter(pl.col("a") != pl.col("b")).with_columns(
            pl.min_horizontal("a", "b").alias("a"), pl.max_horizontal("a", "b").alias("b"),
        ).group_by("a", "b").agg(pl.col("strength").max(), pl.col("exempt").any())
        # only a unit's first claim stands for it (in edges and names), weighing its claims
        first = pl.col("_i") == pl.col("_unit")
        keys = keys.with_columns(pl.when(first).then(pl.col(c)).alias(c)
                                 for c in ("is_registered_name", "region", "alias_key"))
    else:
        unit_of = claims["_i"]
        edges = _edges(pairs, claims, unit_of, strength)
    # edges exempt from the name check (a shared credit code) first: they are the surest, and a
    # cluster formed around them then holds its name against weaker links
    edges = edges.sort(["exempt", "strength", "a", "b"], descending=[True, True, False, False]).select(
        "a", "b", "exempt")
    roots, refused = _greedy(ids, edges, constraints, ClusterNames(ids.len(), keys))
    clusters = ids.to_frame().with_columns(ids.gather(pl.Series(roots).gather(unit_of)).alias("cluster_key"))
    refused_frame = pl.DataFrame(refused, schema=refused_schema, orient="row")
    return clusters, refused_frame


def _decided(constraints: Constraints) -> pl.Series:
    """The claims a reviewer's decision names."""
    pairs = (*constraints.must_link, *constraints.cannot_link)
    return pl.Series(sorted({c for pair in pairs for c in pair} | set(constraints.isolated)), dtype=pl.String)


def _edges(pairs: pl.DataFrame, claims: pl.DataFrame, unit_of: pl.Series, strength: str) -> pl.DataFrame:
    """`pairs` between `claims` as the positions of their units (`a`, `b`), with their `strength`
    and `exempt`; ties are later ordered by position, that is by claim id."""
    exempt = pl.col("exempt_from_names") if "exempt_from_names" in pairs.columns else pl.lit(False)
    unit = claims.with_columns(unit_of.alias("_unit"))
    return (
        pairs.select("claim_id_l", "claim_id_r", pl.col(strength).alias("strength"),
                     exempt.fill_null(False).alias("exempt"))
        .join(unit.select(pl.col("claim_id").alias("claim_id_l"), pl.col("_unit").alias("a")), on="claim_id_l")
        .join(unit.select(pl.col("claim_id").alias("claim_id_r"), pl.col("_unit").alias("b")), on="claim_id_r")
        .select("a", "b", "strength", "exempt")
    )


def _greedy(ids: pl.Series, edges: pl.DataFrame, constraints: Constraints,
            names: ClusterNames) -> tuple[list[int], list[tuple[str, str]]]:
    """(each position's root, the refused must-links): must-links first, then `edges` (`a`, `b`,
    `exempt`) in their order, each joined unless a cannot-link, an isolated claim or the names
    forbid it."""
    index = dict(ids.to_frame().with_row_index("_i").filter(pl.col("claim_id").is_in(_decided(constraints).implode()))
                 .select("claim_id", "_i").iter_rows())
    uf = UnionFind(ids.len())
    # per root: the claims in it that carry a cannot-link, and whether it holds an isolated claim
    guarded: dict[int, set[int]] = {}
    forbidden: set[tuple[int, int]] = set()
    for a, b in constraints.cannot_link:
        if a in index and b in index and a != b:
            i, j = index[a], index[b]
            forbidden.add((min(i, j), max(i, j)))
            guarded.setdefault(i, set()).add(i)
            guarded.setdefault(j, set()).add(j)
    sealed = {index[c] for c in constraints.isolated if c in index}

    def allowed(ra: int, rb: int) -> bool:
        members_a, members_b = guarded.get(ra), guarded.get(rb)
        if not members_a or not members_b:
            return True
        return not any((min(x, y), max(x, y)) in forbidden for x in members_a for y in members_b)

    def union(ra: int, rb: int) -> None:
        keep, gone = min(ra, rb), max(ra, rb)
        uf.parent[gone] = keep
        if gone in guarded:
            guarded.setdefault(keep, set()).update(guarded.pop(gone))
        if gone in sealed:
            sealed.add(keep)
        names.merged(keep, gone)

    refused = []
    for a, b in sorted((min(p), max(p)) for p in constraints.must_link):
        if a not in index or b not in index:
            continue
        ra, rb = uf.find(index[a]), uf.find(index[b])
        if ra == rb:
            continue
        if allowed(ra, rb):
            union(ra, rb)
        else:
            refused.append((a, b))

    find = uf.find
    for a, b, exempt_from_names in edges.iter_rows():
        ra, rb = find(a), find(b)
        if ra == rb or ra in sealed or rb in sealed:
            continue
        if (not guarded or allowed(ra, rb)) and (exempt_from_names or names.compatible(ra, rb)):
            union(ra, rb)
    return [find(i) for i in range(ids.len())], refused
