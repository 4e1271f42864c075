"""`recon lookup`: a prospect checked against every known customer and its owner, at once.

A query is standardised by the same functions as claims; its candidates are the published claims
sharing one of the nightly blocking keys with it (`matching.candidates`), fetched with their
customer by bound-parameter SQL from the warehouse opened read-only for the one call (so analysts
and a nightly run building the next warehouse are never in the way), with the term frequencies of
just their trade names. They are scored from the saved model and judged by the nightly rules
(`matching.lookup`). Only these few claims are read, so a fresh process answers in well under a
second; nothing here imports Prefect, Great Expectations or Splink. The long-lived
`recon serve-lookup` reads the same answers from an in-memory copy (`service.snapshot`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import replace
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl

from matching.links import LinkPolicy, pairs_classified
from matching.lookup import SAME_CUSTOMER, agreed, customers_answered, known_queries, query_pairs
from matching.match_model import MatchModel
from matching.prepare import claims_for_matching, trade_name
from matching.scoring import PairScorer, ScoringModel
from service.lookup_query import LookupQuery, QueryError, parse_query
from service.warehouse_reader import NoWarehouseError, Reader, warehouse_reader
from settings.policy_file import read_policy_file
from transforms.contact_masking import contacts_masked
from transforms.export_safety import neutralise_controls
from transforms.names import romanise_core
from transforms.standardise import SHARED_PHONE_MIN_COMPANIES, standardise_claims

# the answer's fields holding a company name as someone typed it: contact details in them are masked
NAME_FIELDS = frozenset({"name", "name_norm", "core_name", "display_name"})
__all__ = ["Lookup", "LookupQuery", "NoWarehouseError", "QueryError", "parse_query", "shown"]


class Lookup:
    """Answers queries from the published warehouse, reading only each query's candidates.
    Each answer opens the current file read-only and the model in use, so a warehouse or model
    replaced by the nightly run is seen by the next answer. Safe to share between threads."""

    def __init__(self, warehouse: Path, policy_path: Path) -> None:
        self.warehouse = Path(warehouse)
        policy = read_policy_file(policy_path)
        self.link_policy: LinkPolicy = policy.link_policy()
        self.zone = ZoneInfo(policy.business_timezone)

    def answer(self, query: LookupQuery) -> dict:
        """The JSON-able answer: the query as standardised, whether the customer is known, then
        matches and related companies (at most `query.top` of each).

        `known` is true when any candidate customer that may be the same customer — verdict sure,
        likely, possible or weak, never a related company — is protected by a rep, or scores at
        or above the review floor (`matching.review_floor`, verdict possible or stronger): then
        the rep must not treat the prospect as free. It is false when nothing plausible exists:
        no candidate, or only public-pool customers weakly similar (below the review floor, at
        least 1 % — weaker pairs are noise and not shown), or related companies (another legal
        entity of a group, or another credit code), which the nightly rules never count as the
        same customer. Customers beyond `top` count too.

        Every text is as `shown`: no control character, escape sequence or bidi override, and no
        phone number or e-mail address in a name (a rep may have typed the contact into it).
        """
        (answer,) = self.answer_many([query])
        if isinstance(answer, QueryError):
            raise answer
        return answer

    def answer_many(self, queries: Sequence[LookupQuery]) -> list[dict | QueryError]:
        """`answer` for each query, in order, or the QueryError saying why one cannot be answered.

        The queries are standardised, prepared, scored and judged together, as one frame: on a
        frame of a few rows polars' per-call overhead is nearly all the cost, so twenty queries
        cost little more than one, and a server answering concurrent clients together
        (`service.batching`) keeps up with them on two cores."""
        standardised, refused = _queries_standardised(queries)
        with self._reader() as reader:
            shared = _phones_shared(reader, standardised)
            prepared = queries_prepared(
                standardised.with_columns(pl.Series("is_shared_phone", shared, dtype=pl.Boolean))
            )
            candidates = reader.candidates(prepared)
            tf = reader.term_frequencies(
                sorted({*prepared["core_name"].to_list(), *candidates["core_name"].to_list()} - {None})
            )
            customers = reader.customers(candidates["customer_id"].unique().sort().to_list())
            as_of = reader.as_of
            answered = self._answered(prepared, candidates, tf, customers, reader.model, reader.scorer)
            scoring = reader.scorer.model
        known = known_queries(answered, self.link_policy.review_floor)
        tops = {f"q{number}": query.top for number, query in enumerate(queries)}
        entries = self._entries(answered, tops, scoring)
        answers: list[dict | QueryError] = []
        rows = iter(zip(standardised.iter_rows(named=True), shared, strict=True))
        for number, query in enumerate(queries):
            if number in refused:
                answers.append(refused[number])
                continue
            row, is_shared = next(rows)
            answers.append(shown({
                "query": _echo(query, row, is_shared),
                "warehouse_as_of": as_of,
                "known": row["claim_id"] in known,
                "matches": entries.get((row["claim_id"], "matches"), []),
                "related_companies": entries.get((row["claim_id"], "related_companies"), []),
            }))
        return answers

    def _reader(self) -> AbstractContextManager[Reader]:
        return warehouse_reader(self.warehouse)

    def _answered(self, queries: pl.DataFrame, candidates: pl.DataFrame, tf: dict[str, float],
                  customers: pl.DataFrame, model: MatchModel, scorer: PairScorer) -> pl.DataFrame:
        """One row per query and candidate customer, strongest verdict first (`matching.lookup`)."""
        if candidates.is_empty():
            return customers_answered(_no_pairs(scorer), customers, scorer.model,
                                      review_floor=self.link_policy.review_floor)
        regions = sorted(set(candidates["region"].drop_nulls().to_list()))
        region_pinyin = pl.DataFrame({"region": regions, "region_pinyin": [_region_pinyin(r) for r in regions]},
                                     schema={"region": pl.String, "region_pinyin": pl.String})
        tf_of = pl.col("core_name").replace_strict(tf, default=None, return_dtype=pl.Float64).alias("tf_core_name")
        right = (
            candidates.with_columns(tf_of)
            .join(region_pinyin, on="region", how="left", maintain_order="left")
        )
        scored = scorer.scored(query_pairs(queries.with_columns(tf_of), right))
        # The nightly rules with the review floor at zero, so that the sister guard names a sister
        # company however weak the pair; the floor then only separates "possible" from "weak".
        classified = pairs_classified(scored, model, replace(self.link_policy, review_floor=0.0))
        return customers_answered(classified, customers, scorer.model, review_floor=self.link_policy.review_floor)

    def _entries(self, answered: pl.DataFrame, tops: dict[str, int],
                 model: ScoringModel) -> dict[tuple[str, str], list[dict]]:
        """Per (query id, "matches" or "related_companies"), the customers as an answer lists them,
        in `answered`'s order (strongest first), at most the query's `top` of each."""
        entries: dict[tuple[str, str], list[dict]] = defaultdict(list)
        for row in answered.iter_rows(named=True):
            kind = "matches" if row["verdict"] in SAME_CUSTOMER else "related_companies"
            listed = entries[(row["query_id"], kind)]
            if len(listed) >= tops[row["query_id"]]:
                continue
            owned = row["owner_rep_id"] is not None
            listed.append({
                "customer_id": row["customer_id"],
                "verdict": row["verdict"],
                "verdict_zh": row["verdict_zh"],
                "probability": round(row["probability"], 6),
                "display_name": row["display_name"],
                "status": "protected" if owned else "public_pool",
                "status_zh": "保护中" if owned else "公海",
                "owner": {"rep_id": row["owner_rep_id"], "name": row["owner_name"], "team": row["team"]}
                if owned else None,
                "protection_end": self._local(row["protection_end"]),
                "idle_release_at": self._local(row["idle_release_at"]),
                "agreed": agreed(row, model),
            })
        return entries

    def _local(self, instant: datetime | None) -> str | None:
        return None if instant is None else instant.astimezone(self.zone).isoformat(timespec="minutes")


def _queries_standardised(queries: Sequence[LookupQuery]) -> tuple[pl.DataFrame, dict[int, QueryError]]:
    """The queries as claims `q0`, `q1`, … (by position), standardised; those with a contact field
    that cannot be read are left out and refused by position."""
    fields = ("company_name", "contact_name", "phone", "email", "website", "credit_code")
    raw = pl.DataFrame(
        {"claim_id": [f"q{n}" for n in range(len(queries))], "company_name": [q.name for q in queries],
         "contact_name": [None] * len(queries), "phone": [q.phone for q in queries],
         "email": [q.email for q in queries], "website": [None] * len(queries),
         "credit_code": [q.credit_code for q in queries]},
        schema=dict.fromkeys(("claim_id", *fields), pl.String),
    )
    standardised = standardise_claims(raw)
    refused = {}
    for number, (query, row) in enumerate(zip(queries, standardised.iter_rows(named=True), strict=True)):
        if query.phone and row["phone_e164"] is None:
            refused[number] = QueryError("电话号码无法识别", f"the phone number {query.phone!r} cannot be read")
        elif query.email and row["email_norm"] is None:
            refused[number] = QueryError("邮箱地址无法识别", f"the e-mail address {query.email!r} cannot be read")
        elif query.credit_code and row["credit_code_norm"] is None:
            refused[number] = QueryError("统一社会信用代码无效（校验位不符）",
                                         f"the credit code {query.credit_code!r} is not valid (check character)")
    keep = [f"q{n}" for n in range(len(queries)) if n not in refused]
    return standardised.filter(pl.col("claim_id").is_in(keep)), refused


@lru_cache(maxsize=8192)
def _region_pinyin(region: str) -> str:
    """A region's pinyin, as the nightly run spells it (regions are few; pinyin is slow)."""
    return romanise_core(region)[0]


def _echo(query: LookupQuery, row: dict, shared: bool | None) -> dict:
    return {
        "name": query.name, "phone": query.phone, "email": query.email, "credit_code": query.credit_code,
        "standardised": {k: row[k] for k in ("name_norm", "core_name", "legal_form", "region", "branch",
                                             "phone_e164", "email_domain", "credit_code_norm")}
        | {"is_shared_phone": shared},
    }


def queries_prepared(queries: pl.DataFrame) -> pl.DataFrame:
    """Standardised queries as `claims_for_matching` prepares each of them alone.

    It reads a frame's rows together — a core name on two rows is common, a trade name takes the
    pinyin another row gives it as a core name, two cores with one trade name share its pinyin —
    so the queries are prepared in rounds within which no two share a core or trade name (one
    round, unless a batch holds the same company twice)."""
    names = queries.select(pl.concat_list(pl.col("core_name"), trade_name()).list.drop_nulls().list.unique())
    rounds: list[tuple[list[int], set[str]]] = []
    for position, own in enumerate(names.to_series().to_list()):
        free = next((r for r in rounds if r[1].isdisjoint(own)), None)
        if free is None:
            free = ([], set())
            rounds.append(free)
        free[0].append(position)
        free[1].update(own)
    return pl.concat([claims_for_matching(queries[positions]) for positions, _ in rounds] or
                     [claims_for_matching(queries)])


def _phones_shared(reader: Reader, queries: pl.DataFrame) -> list[bool | None]:
    """Per query, whether its phone is shared (None without a phone), the phones looked up together."""
    with_phone = queries.filter(pl.col("phone_e164").is_not_null())
    companies = dict(zip(with_phone["claim_id"], reader.phone_companies(with_phone["phone_e164"].to_list()),
                         strict=True))
    return [None if claim_id not in companies else _is_shared_phone(companies[claim_id], core_name)
            for claim_id, core_name in queries.select("claim_id", "core_name").iter_rows()]


def _is_shared_phone(companies: set[str], core_name: str | None) -> bool:
    """Whether the nightly would call this phone shared if the query were registered tonight:
    the published claims' distinct company names on it, plus the query's, reach the threshold."""
    return len(companies | ({core_name} if core_name else set())) >= SHARED_PHONE_MIN_COMPANIES


def _no_pairs(scorer: PairScorer) -> pl.DataFrame:
    """An empty frame of classified pairs, for queries without candidates."""
    columns = {"claim_id_l": pl.String, "customer_id_r": pl.String, "claim_id_r": pl.String,
               "decision_basis": pl.String, "match_probability": pl.Float64, "match_weight": pl.Float64,
               "is_latin_name_l": pl.Boolean, "core_name_l": pl.String, "region_pinyin_r": pl.String}
    for c in scorer.model.comparisons:
        columns |= {f"gamma_{c.name}": pl.Int64, f"mw_{c.name}": pl.Float64}
    return pl.DataFrame(schema=columns)


def shown(value: object, field: str | None = None) -> object:
    """``value`` (an answer, or any JSON-able part of one) safe to print or send: every text with
    its controls neutralised (`transforms.export_safety.neutralise_controls`), and the texts of
    NAME_FIELDS also with their contact details masked (`transforms.contact_masking`)."""
    if isinstance(value, str):
        value = neutralise_controls(value)
        return contacts_masked(value) if field in NAME_FIELDS else value
    if isinstance(value, dict):
        return {key: shown(item, key) for key, item in value.items()}
    if isinstance(value, list):
        return [shown(item, field) for item in value]
    return value
