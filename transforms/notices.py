"""Rep notices: for every claim new tonight, its outcome in plain Chinese and English and what to
do next. The outcome's reason (claim_outcomes.reason_zh / _en) says what happened; the next step
below says what the rep does about it. A conflict also names the owner's team, and says so when
the owner is a colleague of the same team. A phone or e-mail that could not be read is named
at the end: the claim stands, but the rep should know the field was ignored.
"""

from __future__ import annotations

from datetime import date

import polars as pl

# outcome → (next step in Chinese, in English)
NEXT_STEPS: dict[str, tuple[str, str]] = {
    "granted": ("请在保护期内跟进并记录跟进，闲置过久会被释放到公海",
                "Follow the customer up and log it; a protection without follow-up is released to the pool"),
    "renewed": ("客户仍由你保护，请继续跟进并记录跟进", "The customer stays yours: keep following it up and log it"),
    "conflict": ("请勿继续跟进该客户；如认为不是同一客户或对方未实际跟进，可提出申诉",
                 ("Stop working this customer; appeal if it is not the same company or the owner does "
                 "not really follow it up")),
    "over_quota": ("名额已满：先释放不再跟进的客户，再重新报备",
                   "Your quota is full: release a customer you no longer follow, then register again"),
    "incomplete": ("请补全必填资料后重新报备", "Fill in the required fields and register again"),
    "duplicate": ("无需处理：当天已报备过该客户", "Nothing to do: you registered this customer earlier that day"),
    "cooldown": ("冷静期结束后方可重新报备", "Register again when the cooldown ends"),
    "over_daily_cap": ("明天再报备该客户", "Register this customer again tomorrow"),
}
# flag on the standardised claim → (the field as written, warning in Chinese, in English)
FIELD_WARNINGS: dict[str, tuple[str, str, str]] = {
    "has_unreadable_phone": ("phone", "联系电话“{}”无法识别，已忽略",
                             "The phone '{}' could not be read and was ignored"),
    "has_unreadable_email": ("email", "电子邮箱“{}”无法识别，已忽略",
                             "The e-mail '{}' could not be read and was ignored"),
}
CLAIM_COLUMNS = ("claim_id", "company_name", *(field for field, _, _ in FIELD_WARNINGS.values()), *FIELD_WARNINGS)
NOTICE_COLUMNS = (
    "claim_id", "rep_id", "rep_name", "team", "submitted_at", "company_name", "customer_id", "outcome",
    "owner_rep_id", "owner_name", "owner_team", "is_colleague", "protection_end",
    "notice_zh", "notice_en",
)


class UnknownOutcomeError(ValueError):
    """An outcome without a next step: the notices would leave a rep without advice."""


def is_new_tonight(as_of: date) -> pl.Expr:
    """A claim first accepted on `as_of` that is not history replayed on the first night."""
    return (pl.col("first_accepted_on") == as_of) & ~pl.col("is_backfill").fill_null(False)


def rep_notices(outcomes: pl.DataFrame, claims: pl.DataFrame, roster: pl.DataFrame,
                first_accepted: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """One row per claim new on `as_of` (`is_new_tonight`): the outcome's reason and next step, in Chinese
    and English, then any field ignored as unreadable; by team, rep, submission time, claim id.
    `claims` needs CLAIM_COLUMNS."""
    unknown = sorted(set(outcomes["outcome"].unique().to_list()) - set(NEXT_STEPS))
    if unknown:
        raise UnknownOutcomeError(f"no next step written for outcome(s) {', '.join(unknown)}")
    new = first_accepted.filter(is_new_tonight(as_of)).select("claim_id")
    reps = roster.select("rep_id", "rep_name", "team")
    owners = roster.select(pl.col("rep_id").alias("owner_rep_id"), pl.col("rep_name").alias("owner_name"),
                           pl.col("team").alias("owner_team"))
    conflict = pl.col("outcome") == "conflict"
    colleague = conflict & (pl.col("owner_team") == pl.col("team")) & (pl.col("owner_rep_id") != pl.col("rep_id"))
    team_zh = pl.format("。负责人所在团队：{}", "owner_team") + pl.when(colleague).then(
        pl.lit("（本组同事）")).otherwise(pl.lit(""))
    team_en = pl.format(". The owner's team: {}", "owner_team") + pl.when(colleague).then(
        pl.lit(" (a colleague in your team)")).otherwise(pl.lit(""))
    step_zh = pl.col("outcome").replace_strict({k: v[0] for k, v in NEXT_STEPS.items()})
    step_en = pl.col("outcome").replace_strict({k: v[1] for k, v in NEXT_STEPS.items()})
    return (
        outcomes.join(new, on="claim_id", how="semi")
        .join(claims.select(CLAIM_COLUMNS), on="claim_id", how="left")
        .join(reps, on="rep_id", how="left")
        .join(owners, on="owner_rep_id", how="left")
        .with_columns(colleague.fill_null(False).alias("is_colleague"))
        .with_columns(
            pl.concat_str(
                pl.col("reason_zh"), pl.when(conflict).then(team_zh).otherwise(pl.lit("")), pl.lit("。"), step_zh,
                pl.lit("。"), *_warnings(1, lead="", stop="。"), ignore_nulls=True,
            ).alias("notice_zh"),
            pl.concat_str(
                pl.col("reason_en"), pl.when(conflict).then(team_en).otherwise(pl.lit("")), pl.lit(". "),
                step_en, pl.lit("."), *_warnings(2, lead=" ", stop="."), ignore_nulls=True,
            ).alias("notice_en"),
        )
        .select(NOTICE_COLUMNS)
        .sort("team", "rep_id", "submitted_at", "claim_id", nulls_last=True)
    )


def _warnings(language: int, *, lead: str, stop: str) -> list[pl.Expr]:
    """One sentence per flagged field, in FIELD_WARNINGS' order; null (so skipped) when not flagged."""
    return [
        pl.when(pl.col(flag).fill_null(False)).then(pl.format(lead + texts[language] + stop, pl.col(texts[0])))
        for flag, texts in FIELD_WARNINGS.items()
    ]
