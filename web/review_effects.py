"""What each answer on a review card would change, in words a reviewer reads before clicking.

The two customers of a card are owned by different reps (else the pair is not queued, see
`matching.review`). Answering *same* joins them: first to register wins, so the customer whose
first claim is earlier keeps its owner, and every claim of the other customer that now holds a
protection (granted or renewed) by another rep becomes a conflict (撞单). Answering *different*
keeps both customers and every outcome as tonight's, and the pair leaves the queue for good.
The night's replay decides in the end (an expired protection, a quota, an appeal may change it);
the card says so.
"""

from __future__ import annotations

import polars as pl

HOLDS_PROTECTION = ("granted", "renewed")
MAX_LINES = 8


def _first_claims(claims: pl.DataFrame) -> pl.DataFrame:
    """Per customer: its first claim's time and rep, and its size; earliest customer first."""
    return (
        claims.sort("submitted_at", "claim_id")
        .group_by("customer_id", maintain_order=True)
        .agg(pl.col("submitted_at").first(), pl.col("rep_id").first(), pl.col("rep_name").first(),
             pl.col("display_name").first(), pl.len().alias("claims"),
             pl.col("current_owner_name").first())
        .sort("submitted_at", "customer_id")
    )


def _who(name: str | None, rep_id: str | None) -> str:
    return f"{name or rep_id}（{rep_id}）" if rep_id else "公海"


def answer_effects(claims: pl.DataFrame) -> dict[str, list[str]]:
    """{"same": lines, "different": lines} for the customers in `claims` (sql/queries/
    web_customer_claims.sql: customer_id, claim_id, rep_id, rep_name, submitted_at, outcome,
    display_name, current_owner_name)."""
    firsts = _first_claims(claims)
    if firsts.height < 2:
        return {"same": ["两条报备已属于同一客户：此判断不改变任何结果。"],
                "different": ["今晚会把两条报备分成两个客户。"]}
    earlier, later = firsts.row(0, named=True), firsts.row(1, named=True)
    keep = [f"维持两个客户，今晚的结果都不变：{row['display_name']} 归 {row['current_owner_name'] or '公海'}。"
            for row in (earlier, later)]
    keep.append("这对报备今后不再进入复核队列。")
    same = [
        f"合并为一个客户：{earlier['display_name']}（{earlier['claims']} 条报备）与 "
        f"{later['display_name']}（{later['claims']} 条）。",
        f"先报备者胜：{_who(earlier['rep_name'], earlier['rep_id'])} "
        f"于 {earlier['submitted_at']:%Y-%m-%d} 先报备，合并后的客户归其所有。",
    ]
    losing = claims.filter(
        (pl.col("customer_id") == later["customer_id"]) & pl.col("outcome").is_in(HOLDS_PROTECTION)
        & (pl.col("rep_id") != earlier["rep_id"])
    ).sort("submitted_at", "claim_id")
    for row in losing.head(MAX_LINES).iter_rows(named=True):
        same.append(f"报备 {row['claim_id']}（{_who(row['rep_name'], row['rep_id'])}，"
                    f"{row['submitted_at']:%Y-%m-%d}）由「获得保护」变为「撞单」。")
    if losing.height > MAX_LINES:
        same.append(f"……另有 {losing.height - MAX_LINES} 条报备同样变为撞单。")
    if losing.is_empty():
        same.append(f"{later['display_name']} 的报备目前都不持有保护：没有报备变为撞单。")
    same.append("以上为预估，以今晚重算（保护期、配额、申诉）为准。")
    return {"same": same, "different": keep}
