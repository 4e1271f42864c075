"""Candidate claims for a query, found the way the nightly blocking finds pairs.

The candidate rule is stated twice: here as bound-parameter SQL over the published
`claims_for_matching` table (`candidates_sql`, for `recon lookup`, which reads only the candidates),
and in `matching.candidate_index` as an in-memory index (for the long-lived `recon serve-lookup`;
apart so that the command line does not import numpy). Both are keyed
by exactly the columns of the model's blocking rules — the rules the nightly run predicts with,
read from the model JSON (`blocking_columns`), themselves `matching.settings.BLOCKING_RULES` when
the model was trained. A claim is a candidate when it shares any one of those values with the
query: the pairs Splink would score if the query were a claim tonight. One route goes further than
the nightly blocking: a query written in Latin letters ("Zijie Tiaodong Technology Co., Ltd.") also
reaches the claims whose trade-name pinyin it contains, the evidence the model's "English name
carries the pinyin" level weighs; without it an English name alone would find nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from matching.match_model import MatchModel

# the shortest pinyin the "English name carries the pinyin" level accepts (matching.settings)
MIN_PINYIN_IN_LATIN = 4
_EQUALITY = re.compile(r'^l\."(?P<column>\w+)" = r\."(?P=column)"$')


def rule_columns(rules: Iterable[str]) -> tuple[str, ...]:
    """The column each blocking rule (as SQL, `l."x" = r."x"`) joins on; any other shape is refused."""
    columns = []
    for rule in rules:
        found = _EQUALITY.match(rule.strip())
        if not found:
            raise ValueError(f"blocking rule {rule!r} is not an equality on one column; the lookup cannot index it")
        columns.append(found["column"])
    return tuple(columns)


def blocking_columns(model: MatchModel) -> tuple[str, ...]:
    """The columns of the saved model's blocking rules (`blocking_rules_to_generate_predictions`)."""
    return rule_columns(model.blocking_rules)


def candidates_sql(columns: tuple[str, ...]) -> str:
    """Candidate claims of one query with their customer, by claim id: parameters `$<column>` for
    each blocking column (null: no match on it) and `$latin_name` (the query's core name if it is
    in Latin letters, else null). One select per blocking rule, as Splink blocks (a union of
    single-column equalities scans each column once; one OR over all of them was slower).
    Reads claims_for_matching and claim_customer."""
    if not all(re.fullmatch(r"\w+", column) for column in columns):
        raise ValueError(f"not a column name among {columns!r}")
    by_rule = "\n    union\n".join(
        f"    select claim_id from claims_for_matching where {column} = ${column}" for column in columns
    )
    return f"""
with hits as (
{by_rule}
    union
    select claim_id from claims_for_matching
    where $latin_name is not null and not is_latin_name
      and length(trade_pinyin) >= {MIN_PINYIN_IN_LATIN} and contains($latin_name, trade_pinyin)
),

final as (
    select m.*, cc.customer_id
    from hits
    join claims_for_matching as m using (claim_id)
    join claim_customer as cc using (claim_id)
)

select * from final order by claim_id
"""


def candidate_parameters(query: dict[str, object], columns: tuple[str, ...]) -> dict[str, object]:
    """The values `candidates_sql` binds, from the query's prepared row."""
    latin = query.get("core_name") if query.get("is_latin_name") else None
    return {column: query.get(column) for column in columns} | {"latin_name": latin}
