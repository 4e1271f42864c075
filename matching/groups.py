"""Groups of companies: separate customers rolled up by the evidence that they belong together.

Sister companies (华为技术 / 华为终端 / 华为云计算) are separate legal entities and stay separate
customers, but managers and analysts need to see them together. Two customers are in one group
when a scored pair between them has the same trade name with another industry word (`sister`),
or the same company mail domain, or the same website: what a group's companies share. A phone in
common is not enough on its own (a rep's or agent's mobile is shared by unrelated companies).
The group id is `G` with the number of its smallest customer id; a group's name is the trade
name its members' core names begin with, else the core name of its largest member.
"""

from __future__ import annotations

import os

import polars as pl

from matching.clustering import UnionFind
from matching.positions import both_sides

EVIDENCE = {
    "sister": "same trade name, other industry word",
    "mail": "same company mail domain",
    "site": "same website",
}


def group_edges(classified: pl.DataFrame, claim_customer: pl.DataFrame) -> pl.DataFrame:
    """One row per two customers with group evidence: `customer_id_a` < `customer_id_b`, `evidence`
    (sorted, distinct labels of EVIDENCE)."""
    shown_by = {
        EVIDENCE["sister"]: pl.col("name_agreement") == "sister",
        EVIDENCE["mail"]: pl.col("gamma_company_email_domain") == 1,
        EVIDENCE["site"]: pl.col("gamma_website_domain") == 1,
    }
    # each kind of evidence a bit, so that a customer pair's evidence is one number until the end
    bits = {label: 1 << i for i, label in enumerate(shown_by)}
    mask = pl.sum_horizontal(pl.when(condition).then(bits[label]).otherwise(0)
                             for label, condition in shown_by.items()).cast(pl.UInt8)
    labels = pl.DataFrame({"_mask": range(1, 1 << len(bits))}, schema={"_mask": pl.UInt8}).with_columns(
        pl.col("_mask").map_elements(lambda m: sorted(label for label, bit in bits.items() if m & bit),
                                     return_dtype=pl.List(pl.String)).alias("evidence"))
    shown = classified.filter(pl.any_horizontal(shown_by.values()).fill_null(False))
    # most such pairs are within one customer: the evidence is listed for the others only
    return (
        shown.select(mask.alias("_mask"))
        .hstack(both_sides(shown, claim_customer, ["customer_id"]).rename({"customer_id_l": "c_l",
                                                                           "customer_id_r": "c_r"}))
        .filter(pl.col("c_l") != pl.col("c_r"))
        .group_by(pl.min_horizontal("c_l", "c_r").alias("customer_id_a"),
                  pl.max_horizontal("c_l", "c_r").alias("customer_id_b"))
        .agg(pl.col("_mask").bitwise_or())
        .join(labels, on="_mask")
        .select("customer_id_a", "customer_id_b", "evidence")
        .sort("customer_id_a", "customer_id_b")
    )


def customer_groups(edges: pl.DataFrame, customer_names: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(members: `group_id`, `customer_id`; groups: `group_id`, `group_name`, `members`,
    `member_count`, `evidence` — one line per edge, "C1 – C2: labels").

    `customer_names` has `customer_id`, `core_name` (its most common) and `claims`."""
    ids = sorted(set(edges["customer_id_a"]) | set(edges["customer_id_b"]))
    index = {c: i for i, c in enumerate(ids)}
    uf = UnionFind(len(ids))
    for a, b in edges.select("customer_id_a", "customer_id_b").iter_rows():
        ra, rb = uf.find(index[a]), uf.find(index[b])
        if ra != rb:
            uf.parent[max(ra, rb)] = min(ra, rb)
    members = pl.DataFrame(
        {"customer_id": ids, "group_id": ["G" + ids[uf.find(i)][1:] for i in range(len(ids))]},
        schema={"customer_id": pl.String, "group_id": pl.String},
    ).select("group_id", "customer_id")
    lines = edges.join(members.rename({"customer_id": "customer_id_a"}), on="customer_id_a").select(
        "group_id",
        pl.format("{} – {}: {}", "customer_id_a", "customer_id_b", pl.col("evidence").list.join(", ")).alias("line"))
    named = members.join(customer_names, on="customer_id", how="left")
    groups = (
        named.sort(["claims", "customer_id"], descending=[True, False])
        .group_by("group_id", maintain_order=True)
        .agg(pl.col("customer_id").sort().alias("members"), pl.len().alias("member_count"),
             pl.col("core_name").drop_nulls().alias("_cores"))
        .join(lines.group_by("group_id").agg(pl.col("line").sort().alias("evidence")), on="group_id", how="left")
        .with_columns(pl.col("_cores").map_elements(_group_name, return_dtype=pl.String).alias("group_name"))
        .select("group_id", "group_name", "member_count", "members", "evidence")
        .sort("group_id")
    )
    return members.sort("group_id", "customer_id"), groups


def _group_name(cores: pl.Series) -> str | None:
    """The longest prefix (two characters or more) all members' core names share, else the first
    (largest member's) core name."""
    names = cores.to_list()
    if not names:
        return None
    prefix = os.path.commonprefix(names)  # noqa: RUF071 - a prefix in characters is what is meant
    return prefix if len(prefix) >= 2 else names[0]
