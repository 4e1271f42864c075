"""What one manager may see of the night's conflicts: their reps' side in full (contacts masked),
the other side reduced to the rep's name and team.

A manager's scope is the reps whose roster row names them. A conflict is in scope when the
claimant or the owner is one of those reps; the side outside the scope shows only the rep's name,
team and the protection's end — not their claim id, not their spelling of the company, not a
contact — so each case is headed by our side's spelling of the customer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import polars as pl

from transforms.contact_masking import contact_field_masked, contacts_masked
from transforms.notices import is_new_tonight

# the rule that put the two claims in one customer, by match_pairs.decision_basis
RULE_WORDS: dict[str | None, tuple[str, str]] = {
    "sure_link": ("信用代码或注册全称相同", "same credit code or same full registered name"),
    "name_link": ("名称一致（同一字号、简称或已知曾用名）",
                  "the names agree (same trade name, short or known former name)"),
    "corroborated_link": ("名称相近且电话、邮箱、网站或联系人一致",
                          "nearly the same name, and phone, mail, site or contact agree"),
    "slip_link": ("名称仅一字之差且无矛盾信息", "the names differ by one character and nothing contradicts it"),
    "group_link": ("同一集团，按政策视为同一客户", "one group, counted as one customer by policy"),
    "review": ("匹配模型认为可能是同一客户（待复核），经该客户的其他报备归并",
               ("the model found them possibly the same (awaiting review); grouped through the "
                "customer's other claims")),
    None: ("通过该客户的其他报备归并为同一客户",
           "grouped into one customer through the customer's other claims"),
}
SIDE_FIELDS = ("company_name", "category", "contact_name", "phone", "email", "credit_code", "submitted_at")
WEEKS_CHARTED = 12

@dataclass(frozen=True)
class ManagerScope:
    manager: str
    email: str | None
    teams: tuple[str, ...]
    rep_ids: tuple[str, ...]


def manager_scopes(roster: pl.DataFrame) -> list[ManagerScope]:
    """One scope per manager named in the roster, with their reps and teams; by manager name."""
    named = roster.filter(pl.col("manager").str.strip_chars().str.len_chars() > 0)
    scopes = []
    for (manager,), reps in sorted(named.partition_by("manager", as_dict=True).items()):
        emails = sorted(e for e in reps["manager_email"].to_list() if e and e.strip())
        scopes.append(ManagerScope(
            manager=manager, email=emails[0].strip() if emails else None,
            teams=tuple(sorted(set(reps["team"].to_list()))), rep_ids=tuple(sorted(reps["rep_id"].to_list())),
        ))
    return scopes


def _masked(frame: pl.DataFrame) -> pl.DataFrame:
    """Contact fields masked, and contacts typed into a company name too."""
    contacts = [c for c in frame.columns if c.endswith(("_phone", "_email", "_contact_name"))]
    names = [c for c in frame.columns if c.endswith("company_name") or c == "customer_as_we_know_it"]
    return frame.with_columns(
        *(pl.col(c).map_elements(contact_field_masked, return_dtype=pl.String) for c in contacts),
        *(pl.col(c).map_elements(contacts_masked, return_dtype=pl.String) for c in names),
    )


def _side_hidden(side: str, visible: pl.Expr) -> list[pl.Expr]:
    """A side's claim details kept only where that side is in the manager's scope."""
    hidden = [f"{side}_{field}" for field in SIDE_FIELDS if field != "submitted_at"]
    hidden += ["claim_id"] if side == "claimant" else ["owner_claim_id", "owner_submitted_at"]
    return [pl.when(visible).then(pl.col(c)).alias(c) for c in hidden]


def manager_conflicts(details: pl.DataFrame, scope: ManagerScope, as_of: date) -> pl.DataFrame:
    """The conflicts a manager's report shows: tonight's new ones and any with an open appeal,
    involving one of their reps; latest first, other teams' details removed, contacts masked."""
    claimant_ours = pl.col("claimant_rep_id").is_in(scope.rep_ids)
    owner_ours = pl.col("owner_rep_id").is_in(scope.rep_ids)
    shown = is_new_tonight(as_of) | (pl.col("appeal_status") == "open")
    selected = details.filter((claimant_ours | owner_ours) & shown).with_columns(
        claimant_ours.alias("is_claimant_ours"), owner_ours.alias("is_owner_ours"),
    )
    return (
        selected.with_columns(
            pl.when(pl.col("is_claimant_ours")).then(pl.col("claimant_company_name"))
            .otherwise(pl.col("owner_company_name")).alias("customer_as_we_know_it"),
            *_side_hidden("claimant", pl.col("is_claimant_ours")),
            *_side_hidden("owner", pl.col("is_owner_ours")),
        )
        .pipe(_with_rule_and_action)
        .drop("customer_name", "reason_zh", "reason_en", "appeal_note")
        .pipe(_masked)
        .sort("submitted_at", "claim_id", descending=[True, True], nulls_last=True)
    )


def _with_rule_and_action(frame: pl.DataFrame) -> pl.DataFrame:
    basis = pl.col("decision_basis")
    rule_zh = basis.replace_strict({k: v[0] for k, v in RULE_WORDS.items() if k}, default=RULE_WORDS[None][0])
    rule_en = basis.replace_strict({k: v[1] for k, v in RULE_WORDS.items() if k}, default=RULE_WORDS[None][1])
    status = pl.col("appeal_status")
    pool = pl.col("holder_rep_id").is_null()
    claimant_holds = pl.col("holder_rep_id") == pl.col("claimant_rep_id")
    claimant_side = pl.col("is_claimant_ours")
    cases = [  # (condition, zh, en) — first true wins
        (status == "open", "申诉处理中，等待运营裁决；期间请勿重复报备",
         "appeal pending: wait for sales-ops' ruling; do not register again meanwhile"),
        (claimant_holds & claimant_side, "客户现由我方报备人保护，请继续跟进",
         "our rep now protects this customer: keep following up"),
        (pool & claimant_side, "客户已回公海，可以重新报备",
         "the customer is back in the public pool: register it again"),
        (status == "upheld", "申诉已维持原判：请接受结果，停止跟进该客户",
         "appeal upheld: accept the result and stop working this customer"),
        (claimant_side, "接受结果并停止跟进；如认为不是同一客户或对方未实际跟进，可在 appeals.csv 提出申诉",
         ("accept and stop working it, or appeal in appeals.csv if it is not the same company "
         "or the owner does not really follow it up")),
        (pool, "保护已结束，客户已回公海；如仍在跟进请重新报备",
         "the protection has ended and the customer is in the public pool: register again to keep it"),
        (pl.lit(True), "我方保护有效：继续跟进并记录跟进，以免闲置释放",
         "our protection stands: keep following up and log it, or the customer is released when idle"),
    ]
    action_zh, action_en = pl.lit(None, pl.String), pl.lit(None, pl.String)
    for condition, zh, en in reversed(cases):
        action_zh = pl.when(condition).then(pl.lit(zh)).otherwise(action_zh)
        action_en = pl.when(condition).then(pl.lit(en)).otherwise(action_en)
    return frame.with_columns(rule_zh=rule_zh, rule_en=rule_en, action_zh=action_zh, action_en=action_en)


def weekly_conflicts(details: pl.DataFrame, scope: ManagerScope, as_of_end: datetime,
                     zone: str) -> pl.DataFrame:
    """Per week (Monday, business zone) of the last 12: conflicts our reps ran into (`refused`)
    and claims by others on customers we protect (`claimed_by_others`)."""
    last_day = (as_of_end - timedelta(microseconds=1)).astimezone(ZoneInfo(zone)).date()
    this_week = last_day - timedelta(days=last_day.weekday())
    weeks = pl.DataFrame({"week": [this_week - timedelta(weeks=k) for k in range(WEEKS_CHARTED - 1, -1, -1)]})
    local_day = pl.col("submitted_at").dt.convert_time_zone(zone).dt.date()
    counted = details.with_columns(
        (local_day - pl.duration(days=local_day.dt.weekday() - 1)).alias("week"),
        pl.col("claimant_rep_id").is_in(scope.rep_ids).alias("refused"),
        (pl.col("owner_rep_id").is_in(scope.rep_ids) & ~pl.col("claimant_rep_id").is_in(scope.rep_ids))
        .alias("claimed_by_others"),
    ).group_by("week").agg(pl.col("refused").sum(), pl.col("claimed_by_others").sum())
    return weeks.join(counted, on="week", how="left").fill_null(0).with_columns(
        pl.col("refused", "claimed_by_others").cast(pl.Int64)
    ).sort("week")


def times_as_text(frame: pl.DataFrame, zone: str) -> pl.DataFrame:
    """Every instant column as 'YYYY-MM-DD HH:MM' in the business zone, for people to read."""
    return frame.with_columns(
        pl.col(c).dt.convert_time_zone(zone).dt.strftime("%Y-%m-%d %H:%M")
        for c, dtype in frame.schema.items() if isinstance(dtype, pl.Datetime)
    )
