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

from collections.abc import Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl

from matching.links import LinkPolicy, pairs_classified
from matching.lookup import RELATED, SAME_CUSTOMER, customers_answered, is_known, query_pairs
from matching.match_model import MatchModel
from matching.prepare import claims_for_matching
from matching.scoring import PairScorer
from service.warehouse_reader import NoWarehouseError, Reader, warehouse_reader
from settings.policy_file import read_policy_file
from transforms.contact_masking import contacts_masked
from transforms.export_safety import neutralise_controls
from transforms.names import romanise_core
from transforms.standardise import SHARED_PHONE_MIN_COMPANIES, standardise_claims

MAX_NAME_CHARS = 200
MAX_FIELD_CHARS = 100
MAX_TOP = 50
QUERY_FIELDS = ("name", "phone", "email", "credit_code", "top")
# the answer's fields holding a company name as someone typed it: contact details in them are masked
NAME_FIELDS = frozenset({"name", "name_norm", "core_name", "display_name"})
__all__ = ["Lookup", "LookupQuery", "NoWarehouseError", "QueryError", "answer_text", "parse_query", "shown"]
class QueryError(ValueError):
    """A query that cannot be answered, with the reason in Chinese and in English."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.zh, self.en = zh, en


@dataclass(frozen=True)
class LookupQuery:
    name: str | None = None
    phone: str | None = None
    email: str | None = None
    credit_code: str | None = None
    top: int = 5


def parse_query(params: Mapping[str, object]) -> LookupQuery:
    """A validated query from form or JSON fields (name, phone, email, credit_code, top)."""
    unknown = sorted(set(params) - set(QUERY_FIELDS))
    if unknown:
        raise QueryError(f"不认识的参数：{', '.join(unknown)}", f"unknown parameter(s): {', '.join(unknown)}; "
                         f"use {', '.join(QUERY_FIELDS)}")
    texts = {}
    for field in ("name", "phone", "email", "credit_code"):
        value = params.get(field)
        if value is not None and not isinstance(value, str):
            raise QueryError(f"{field} 必须是文字", f"{field} must be text")
        value = (value or "").strip() or None
        if value and not _is_unicode(value):
            # a JSON "\ud800", or bytes that are not UTF-8 on the command line: nothing to look up
            raise QueryError(f"{field} 含有无效字符", f"{field} is not valid Unicode text (a lone surrogate)")
        limit = MAX_NAME_CHARS if field == "name" else MAX_FIELD_CHARS
        if value and len(value) > limit:
            raise QueryError(f"{field} 过长（最多 {limit} 个字符）",
                             f"{field} is too long (at most {limit} characters)")
        texts[field] = value
    if isinstance(params.get("name"), str) and texts["name"] is None:
        # a form that sends the name field blank has a bug or an empty box: say so, do not guess
        raise QueryError("公司名称为空", "the company name is empty; leave the name out to search by phone, "
                         "e-mail or credit code alone")
    if not any(texts.values()):
        raise QueryError("请输入公司名称（或电话、邮箱、信用代码）",
                         "a company name is required (or a phone, e-mail or credit code)")
    return LookupQuery(**texts, top=_top(params.get("top", 5)))


def _is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _top(value: object) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_TOP:
        raise QueryError(f"top 必须是 1 到 {MAX_TOP} 之间的整数", f"top must be a whole number from 1 to {MAX_TOP}")
    return value


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
        standardised = _query_standardised(query)
        with self._reader() as reader:
            row = standardised.row(0, named=True)
            phone = row["phone_e164"]
            shared = None if phone is None else _is_shared_phone(reader.phone_companies(phone), row["core_name"])
            prepared = claims_for_matching(
                standardised.with_columns(pl.lit(shared, dtype=pl.Boolean).alias("is_shared_phone"))
            )
            wanted = prepared.row(0, named=True)
            candidates = reader.candidates(wanted)
            tf = reader.term_frequencies(
                sorted({wanted["core_name"], *candidates["core_name"].to_list()} - {None})
            )
            customers = reader.customers(candidates["customer_id"].unique().sort().to_list())
            as_of = reader.as_of
            answered = self._answered(prepared, candidates, tf, customers, reader.model, reader.scorer)
        matches = answered.filter(pl.col("verdict").is_in(SAME_CUSTOMER))
        related = answered.filter(pl.col("verdict").is_in(RELATED))
        return shown({
            "query": _echo(query, row, shared),
            "warehouse_as_of": as_of,
            "known": is_known(answered, self.link_policy.review_floor),
            "matches": self._entries(matches, query.top),
            "related_companies": self._entries(related, query.top),
        })

    def _reader(self) -> AbstractContextManager[Reader]:
        return warehouse_reader(self.warehouse)

    def _answered(self, query: pl.DataFrame, candidates: pl.DataFrame, tf: dict[str, float],
                  customers: pl.DataFrame, model: MatchModel, scorer: PairScorer) -> pl.DataFrame:
        """One row per candidate customer, strongest verdict first (`matching.lookup`)."""
        if candidates.is_empty():
            return customers_answered(_no_pairs(scorer), customers, scorer.model,
                                      review_floor=self.link_policy.review_floor)
        regions = sorted(set(candidates["region"].drop_nulls().to_list()))
        region_pinyin = pl.DataFrame({"region": regions, "region_pinyin": [romanise_core(r)[0] for r in regions]},
                                     schema={"region": pl.String, "region_pinyin": pl.String})
        tf_of = pl.col("core_name").replace_strict(tf, default=None, return_dtype=pl.Float64).alias("tf_core_name")
        right = (
            candidates.with_columns(tf_of)
            .join(region_pinyin, on="region", how="left", maintain_order="left")
        )
        scored = scorer.scored(query_pairs(query.with_columns(tf_of), right))
        # The nightly rules with the review floor at zero, so that the sister guard names a sister
        # company however weak the pair; the floor then only separates "possible" from "weak".
        classified = pairs_classified(scored, model, replace(self.link_policy, review_floor=0.0))
        return customers_answered(classified, customers, scorer.model, review_floor=self.link_policy.review_floor)

    def _entries(self, answered: pl.DataFrame, top: int) -> list[dict]:
        entries = []
        for row in answered.head(top).iter_rows(named=True):
            owned = row["owner_rep_id"] is not None
            entries.append({
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
                "agreed": row["agreed"],
            })
        return entries

    def _local(self, instant: datetime | None) -> str | None:
        return None if instant is None else instant.astimezone(self.zone).isoformat(timespec="minutes")


def _query_standardised(query: LookupQuery) -> pl.DataFrame:
    """The query as a one-row claim, standardised; a contact field that cannot be read is refused."""
    raw = pl.DataFrame(
        {"claim_id": ["query"], "company_name": [query.name], "contact_name": [None], "phone": [query.phone],
         "email": [query.email], "website": [None], "credit_code": [query.credit_code]},
        schema=dict.fromkeys(("claim_id", "company_name", "contact_name", "phone", "email", "website",
                              "credit_code"), pl.String),
    )
    standardised = standardise_claims(raw)
    row = standardised.row(0, named=True)
    if query.phone and row["phone_e164"] is None:
        raise QueryError("电话号码无法识别", f"the phone number {query.phone!r} cannot be read")
    if query.email and row["email_norm"] is None:
        raise QueryError("邮箱地址无法识别", f"the e-mail address {query.email!r} cannot be read")
    if query.credit_code and row["credit_code_norm"] is None:
        raise QueryError("统一社会信用代码无效（校验位不符）",
                         f"the credit code {query.credit_code!r} is not valid (check character)")
    return standardised


def _echo(query: LookupQuery, row: dict, shared: bool | None) -> dict:
    return {
        "name": query.name, "phone": query.phone, "email": query.email, "credit_code": query.credit_code,
        "standardised": {k: row[k] for k in ("name_norm", "core_name", "legal_form", "region", "branch",
                                             "phone_e164", "email_domain", "credit_code_norm")}
        | {"is_shared_phone": shared},
    }


def _is_shared_phone(companies: set[str], core_name: str | None) -> bool:
    """Whether the nightly would call this phone shared if the query were registered tonight:
    the published claims' distinct company names on it, plus the query's, reach the threshold."""
    return len(companies | ({core_name} if core_name else set())) >= SHARED_PHONE_MIN_COMPANIES


def _no_pairs(scorer: PairScorer) -> pl.DataFrame:
    """An empty frame of classified pairs, for a query without candidates."""
    columns = {"customer_id_r": pl.String, "claim_id_r": pl.String, "decision_basis": pl.String,
               "match_probability": pl.Float64, "match_weight": pl.Float64, "is_latin_name_l": pl.Boolean,
               "core_name_l": pl.String, "region_pinyin_r": pl.String}
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


def answer_text(answer: dict) -> str:
    """The answer as a rep reads it on a terminal."""
    std = answer["query"]["standardised"]
    header = (f"查询 query: {std['name_norm'] or '-'}  (trade name {std['core_name'] or '-'}; "
              f"warehouse as of {answer['warehouse_as_of']})")
    lines = [header, _verdict_line(answer)]
    for title, entries in (("可能的同一客户 matches", answer["matches"]),
                           ("关联公司，非同一客户 related companies, not the same customer",
                            answer["related_companies"])):
        if not entries:
            continue
        lines.append(title + ":")
        for e in entries:
            holder = (f"{e['owner']['name']} ({e['owner']['team']}) until {e['protection_end']}"
                      + (f", idle release {e['idle_release_at']}" if e["idle_release_at"] else "")
                      if e["owner"] else "公海 public pool")
            agreed = ", ".join(f"{a['field']}: {a['level']}" for a in e["agreed"]) or "-"
            lines.append(f"  {e['probability']:6.1%}  {e['verdict']:<16} {e['display_name']} [{e['customer_id']}]")
            lines.append(f"          {e['verdict_zh']}; owner {holder}")
            lines.append(f"          agreed: {agreed}")
    return "\n".join(lines)


def _verdict_line(answer: dict) -> str:
    """What the rep should do, in one line; "free to register" only when `known` is false."""
    if not answer["known"]:
        if not answer["matches"] and not answer["related_companies"]:
            return ("未找到已知客户，可以报备（以规则为准） no known customer matches: free to register "
                    "(subject to the rules)")
        return ("未找到同一客户，可以报备（以规则为准）；下列仅为相似或关联的其他客户 "
                "no known customer matches: free to register (subject to the rules); those below are only weakly "
                "similar public-pool customers or other legal entities")
    if any(m["verdict"] in ("sure", "likely") for m in answer["matches"]):
        return "已知客户，请勿重复报备 known customer: see its owner below"
    return ("可能是已知客户，报备前请核对下列客户 possibly a known customer (protected, or similar enough to review): "
            "check the customers below before registering")
