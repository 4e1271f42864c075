"""Plain-word reasons, in Chinese for reps and English for the log, one pair per reason code.

Placeholders name columns of the frame being explained: {owner} the holding rep as
"name (id)", {end}/{before}/{after}/{at} instants in the business time zone, {n} a number,
{text} a category or claim id, {decision} a decision id, {template}/{fields} a claim template.
"""

from __future__ import annotations

import re

import polars as pl

# code -> (outcome, reason_zh, reason_en)
CLAIM_REASONS: dict[str, tuple[str, str, str]] = {
    "granted": ("granted", "报备成功，保护期至{end}", "granted: protected until {end}"),
    "granted_on_appeal": (
        "granted",
        "申诉改判（{decision}）：自{at}起获得保护，至{end}止",
        "granted on appeal: decision {decision} overturned the conflict; protected from {at} until {end}",
    ),
    "renewed": ("renewed", "续报成功，保护期延至{end}", "renewed: protection now runs until {end}"),
    "renewed_unchanged": (
        "renewed",
        "续报：现有保护期至{end}，晚于新的保护期，保持不变",
        "renewed: the protection already runs until {end}, later than a new period would; unchanged",
    ),
    "duplicate": (
        "duplicate",
        "重复报备：当天已报备过该客户（{text}），保护期至{end}",
        "duplicate: you registered this customer earlier the same day (claim {text}); protected until {end}",
    ),
    "conflict": (
        "conflict",
        "撞单：该客户已由{owner}报备，保护期至{end}",
        "conflict: {owner} already protects this customer until {end}",
    ),
    "conflict_upheld": (
        "conflict",
        "撞单：该客户已由{owner}报备，保护期至{end}；申诉维持原判（{decision}）",
        "conflict: {owner} protects this customer until {end}; appeal upheld by decision {decision}",
    ),
    "conflict_after_appeal": (
        "conflict",
        "申诉改判（{decision}），但此时该客户由{owner}保护，保护期至{end}",
        "appeal overturned by decision {decision}, but by then {owner} protected the customer until {end}",
    ),
    "over_quota": (
        "over_quota",
        "保护名额已满（上限{n}个客户）",
        "over quota: the quota of {n} protected customers is full",
    ),
    "over_category_cap": (
        "over_quota",
        "{text}类客户保护名额已满（上限{n}个）",
        "over quota: the cap of {n} protected category {text} customers is full",
    ),
    "over_quota_on_appeal": (
        "over_quota",
        "申诉改判（{decision}），原保护已释放，但保护名额已满（上限{n}个客户），客户回到公海",
        ("appeal overturned by decision {decision} and the protection released, but the quota of {n} "
        "protected customers is full; the customer returns to the public pool"),
    ),
    "over_category_cap_on_appeal": (
        "over_quota",
        "申诉改判（{decision}），原保护已释放，但{text}类客户保护名额已满（上限{n}个），客户回到公海",
        ("appeal overturned by decision {decision} and the protection released, but the cap of {n} "
        "protected category {text} customers is full; the customer returns to the public pool"),
    ),
    "incomplete": (
        "incomplete",
        "资料不全：“{template}”模板必填 {fields}",
        "incomplete: the '{template}' template requires {fields}",
    ),
    "cooldown": (
        "cooldown",
        "冷静期：该客户刚从你的保护中释放，{at}起才能重新报备",
        "cooldown: this customer recently left your protection; you may register it again from {at}",
    ),
    "over_daily_cap": (
        "over_daily_cap",
        "超出每日报备上限：当天已成功报备{n}个客户",
        "over daily cap: {n} registrations were already granted that day",
    ),
}

EXTENSION_REASONS: dict[str, tuple[str, str, str]] = {
    "extended": ("extended", "延期成功，保护期由{before}延至{after}",
                 "extended: the protection end moved from {before} to {after}"),
    "refused": ("refused", "延期申请未获批准，保护期仍至{before}",
                "refused: the request was not approved; the protection still ends {before}"),
    "awaiting_approval": ("awaiting_approval", "延期申请尚未审批，保护期仍至{before}",
                          "awaiting approval: not yet approved; the protection still ends {before}"),
    "over_max_count": ("over_max_count", "已延期{n}次，达到上限，保护期仍至{before}",
                       "over max count: already extended {n} time(s), the limit; still ends {before}"),
    "not_owner": ("not_owner", "申请人此时未持有该客户的有效保护",
                  "not owner: the requester held no active protection of this customer then"),
    "unknown_claim": ("unknown_claim", "找不到申请所指的报备记录",
                      "unknown claim: the request names no known claim"),
}

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _filled(template: str) -> pl.Expr:
    names = _PLACEHOLDER.findall(template)
    return pl.format(_PLACEHOLDER.sub("{}", template), *(pl.col(n).cast(pl.String) for n in names))


def explained(frame: pl.DataFrame, table: dict[str, tuple[str, str, str]]) -> pl.DataFrame:
    """`frame` plus `outcome`, `reason_zh`, `reason_en` for its `code` column (rows regrouped)."""
    parts = [
        part.with_columns(outcome=pl.lit(table[code][0]), reason_zh=_filled(table[code][1]),
                          reason_en=_filled(table[code][2]))
        for (code,), part in frame.partition_by("code", as_dict=True).items()
    ]
    empty = frame.clear().with_columns(outcome=pl.lit(None, pl.String),
                                       reason_zh=pl.lit(None, pl.String),
                                       reason_en=pl.lit(None, pl.String))
    return pl.concat([empty, *parts])


def local_text(col: str, zone: str) -> pl.Expr:
    """An instant column as 'YYYY-MM-DD HH:MM' in the business time zone."""
    return pl.col(col).dt.convert_time_zone(zone).dt.strftime("%Y-%m-%d %H:%M")


def rep_label(rep_col: str, roster: pl.DataFrame) -> pl.Expr:
    """'name (id)' for a rep in the roster, the id alone otherwise."""
    names = dict(zip(roster["rep_id"].to_list(), roster["rep_name"].to_list(), strict=True))
    name = pl.col(rep_col).replace_strict(names, default=None, return_dtype=pl.String)
    return pl.when(name.is_not_null()).then(pl.format("{} ({})", name, pl.col(rep_col))).otherwise(
        pl.col(rep_col))
