"""Clustering scored pairs into customers under reviewer constraints.

Edges are joined greedily, strongest first, with a union-find. A reviewer's `different` is a
cannot-link: no union may put the two claims in one cluster, even through other claims, so a
chain a–b–c with `a different c` is cut at its weakest admissible point. A reviewer's `same` is a
must-link, applied before any model edge. Plain connected components is the special case with
no constraints.

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
    name_keys: pl.DataFrame | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """`_clusters` on claims collapsed by identity: claims of one written name, region and credit
    code (IDENTITY in `name_keys`) are linked by the rules whatever else they carry, so they are
    clustered as one unit (a key account's hundreds of claims are a handful of units, and its
    links a handful of edges). Claims a reviewer's decision names stay units of their own."""
    if name_keys is None or not set(IDENTITY) <= set(name_keys.columns):
        return _clusters(claim_ids, pairs, constraints, name_keys)
    decided = {c for pair in (*constraints.must_link, *constraints.cannot_link) for c in pair} | set(constraints.isolated)
    keyed = name_keys.filter(pl.col("claim_id").is_in(pl.Series(sorted(set(claim_ids))).implode()))
    unit = (
        pl.when(pl.col("claim_id").is_in(pl.Series(sorted(decided), dtype=pl.String).implode())
                | pl.col("name_norm").is_null())
        .then(pl.col("claim_id")).otherwise(pl.col("claim_id").min().over(IDENTITY))
    )
    units = keyed.with_columns(unit.alias("unit"))
    loose = sorted(set(claim_ids) - set(units["claim_id"]))
    unit_of = pl.concat([units.select("claim_id", "unit"),
                         pl.DataFrame({"claim_id": loose, "unit": loose}, schema={"claim_id": pl.String, "unit": pl.String})])
    edges = (
        pairs.join(unit_of.rename({"claim_id": "claim_id_l", "unit": "u_l"}), on="claim_id_l")
        .join(unit_of.rename({"claim_id": "claim_id_r", "unit": "u_r"}), on="claim_id_r")
        .filter(pl.col("u_l") != pl.col("u_r"))
        .with_columns(pl.min_horizontal("u_l", "u_r").alias("claim_id_l"), pl.max_horizontal("u_l", "u_r").alias("claim_id_r"))
    )
    exempt = [pl.col("exempt_from_names").fill_null(False).any()] if "exempt_from_names" in pairs.columns else []
    edges = edges.group_by("claim_id_l", "claim_id_r").agg(pl.col("match_probability").max(), *exempt)
    weighted = units.filter(pl.col("claim_id") == pl.col("unit")).drop("unit").join(
        units.group_by("unit").len("weight").rename({"unit": "claim_id"}), on="claim_id")
    clustered, refused = _clusters(unit_of["unit"].unique().to_list(), edges, constraints, weighted)
    expanded = unit_of.join(clustered.rename({"claim_id": "unit"}), on="unit").select("claim_id", "cluster_key")
    return expanded.sort("claim_id"), refused


def _clusters(
    claim_ids: list[str], pairs: pl.DataFrame, constraints: Constraints = Constraints(),
    name_keys: pl.DataFrame | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(one row per claim: `claim_id`, `cluster_key` = smallest claim_id of its cluster;
    the must-links that were refused because a cannot-link forbids them).

    `pairs` has `claim_id_l`, `claim_id_r`, `match_probability`: the edges above the threshold,
    and optionally `exempt_from_names` (a shared credit code, or policy counting a group as one
    customer: not held by the name check). `name_keys` has per claim
    `core_name`, `trade_name`, `core_pinyin`, `alias_key`, `region`, `is_registered_name`
    (`matching.prepare`) and optionally `weight` (the claims it stands for); without it no name
    check is made.
    """
    ids = sorted(set(claim_ids))
    index = {c: i for i, c in enumerate(ids)}
    uf = UnionFind(len(ids))
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
    names = ClusterNames(index, name_keys)

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

    exempt = pl.col("exempt_from_names") if "exempt_from_names" in pairs.columns else pl.lit(False)
    edges = (
        pairs.filter(pl.col("claim_id_l").is_in(ids) & pl.col("claim_id_r").is_in(ids))
        .with_columns(exempt.fill_null(False).alias("exempt"))
        # edges exempt from the name check (a shared credit code) first: they are the surest, and
        # a cluster formed around them then holds its name against weaker links
        .sort(["exempt", "match_probability", "claim_id_l", "claim_id_r"], descending=[True, True, False, False])
        .select("claim_id_l", "claim_id_r", "exempt")
        .iter_rows()
    )
    for a, b, exempt_from_names in edges:
        ra, rb = uf.find(index[a]), uf.find(index[b])
        if ra == rb or ra in sealed or rb in sealed:
            continue
        if allowed(ra, rb) and (exempt_from_names or names.compatible(ra, rb)):
            union(ra, rb)

    keys = [ids[uf.find(i)] for i in range(len(ids))]
    clusters = pl.DataFrame({"claim_id": ids, "cluster_key": keys}, schema={"claim_id": pl.String, "cluster_key": pl.String})
    refused_frame = pl.DataFrame(refused, schema={"claim_id_l": pl.String, "claim_id_r": pl.String}, orient="row")
    return clusters, refused_frame
