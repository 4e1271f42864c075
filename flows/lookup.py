"""`recon lookup`: a prospect checked against every known customer and its owner, at once.

A query is standardised by the same functions as claims; its candidates are the published claims
sharing one of the nightly blocking keys with it (`matching.candidates`), fetched with their
customer by bound-parameter SQL from the warehouse opened read-only for the one call (so analysts
and a nightly run building the next warehouse are never in the way), with the term frequencies of
just their trade names. They are scored from the saved model and judged by the nightly rules
(`matching.lookup`). Only these few claims are read, so a fresh process answers in well under a
second; nothing here imports Prefect, Great Expectations or Splink. The long-lived
`recon serve-lookup` reads the same answers from an in-memory copy (`flows.lookup_snapshot`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

import duckdb
import polars as pl

from flows.policy import read_policy_file
from matching.candidates import blocking_columns, candidate_parameters, candidates_sql
from matching.links import LinkPolicy, pairs_classified
from matching.lookup import RELATED, SAME_CUSTOMER, customers_answered, is_known, query_pairs
from matching.model_files import model_in_use
from matching.prepare import MATCH_COLUMNS, claims_for_matching
from matching.scoring import PairScorer, scoring_model
from transforms.names import romanise_core
from transforms.standardise import SHARED_PHONE_MIN_COMPANIES, standardise_claims

MAX_NAME_CHARS = 200
MAX_FIELD_CHARS = 100
MAX_TOP = 50
QUERY_FIELDS = ("name", "phone", "email", "credit_code", "top")
# what a candidate frame holds: the claim as the model scored it, and its customer tonight
CANDIDATE_SCHEMA = dict.fromkeys(MATCH_COLUMNS, pl.String) | {"is_latin_name": pl.Boolean, "customer_id": pl.String}
CUSTOMER_SCHEMA = {
    "customer_id": pl.String, "display_name": pl.String, "owner_rep_id": pl.String, "owner_name": pl.String,
    "team": pl.String, "protection_end": pl.Datetime("us", "UTC"), "idle_release_at": pl.Datetime("us", "UTC"),
}
# one row per customer: display name and current owner (none: public pool)
CUSTOMERS_SQL = """
select c.customer_id, c.display_name, o.rep_id as owner_rep_id, r.rep_name as owner_name, r.team,
       o.valid_to as protection_end, o.idle_release_at
from customers as c
left join ownership_current as o using (customer_id)
left join reps as r using (rep_id)
"""


class NoWarehouseError(RuntimeError):
    """No published warehouse to look in (or it cannot be opened)."""


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
        limit = MAX_NAME_CHARS if field == "name" else MAX_FIELD_CHARS
        if value and len(value) > limit:
            raise QueryError(f"{field} 过长（最多 {limit} 个字符）", f"{field} is too long (at most {limit} characters)")
        texts[field] = value
    if isinstance(params.get("name"), str) and texts["name"] is None:
        # a form that sends the name field blank has a bug or an empty box: say so, do not guess
        raise QueryError("公司名称为空", "the company name is empty; leave the name out to search by phone, "
                         "e-mail or credit code alone")
    if not any(texts.values()):
        raise QueryError("请输入公司名称（或电话、邮箱、信用代码）",
                         "a company name is required (or a phone, e-mail or credit code)")
    return LookupQuery(**texts, top=_top(params.get("top", 5)))


def _top(value: object) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_TOP:
        raise QueryError(f"top 必须是 1 到 {MAX_TOP} 之间的整数", f"top must be a whole number from 1 to {MAX_TOP}")
    return value


class Reader(Protocol):
    """One consistent version of the warehouse and the model, as a lookup reads it."""

    as_of: str | None
    model: dict
    scorer: PairScorer

    def phone_companies(self, phone: str) -> set[str]:
        """Distinct trade names (core_name) of the published claims giving this E.164 number."""

    def candidates(self, query: dict[str, object]) -> pl.DataFrame:
        """Claims sharing a blocking key with the prepared query: CANDIDATE_SCHEMA, by claim id."""

    def term_frequencies(self, core_names: list[str]) -> dict[str, float]:
        """Each given trade name's share of the published non-null trade names (Splink's TF table)."""

    def customers(self, customer_ids: list[str]) -> pl.DataFrame:
        """CUSTOMER_SCHEMA rows of these customers."""


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
        return {
            "query": _echo(query, row, shared),
            "warehouse_as_of": as_of,
            "known": is_known(answered, self.link_policy.review_floor),
            "matches": self._entries(matches, query.top),
            "related_companies": self._entries(related, query.top),
        }

    @contextmanager
    def _reader(self) -> Iterator[Reader]:
        try:
            con = duckdb.connect(str(self.warehouse), read_only=True)
        except duckdb.IOException as exc:
            if not self.warehouse.exists():
                raise NoWarehouseError(f"no warehouse at {self.warehouse}; run `recon run` first") from exc
            raise NoWarehouseError(f"cannot open {self.warehouse} read-only: {exc}") from exc
        except duckdb.Error as exc:
            raise NoWarehouseError(f"cannot open {self.warehouse} read-only: {exc}") from exc
        try:
            yield _WarehouseReader(con, model_in_use(self.warehouse), self.warehouse)
        finally:
            con.close()

    def _answered(self, query: pl.DataFrame, candidates: pl.DataFrame, tf: dict[str, float],
                  customers: pl.DataFrame, model: dict, scorer: PairScorer) -> pl.DataFrame:
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


class _WarehouseReader:
    """Reads a query's candidates from an open read-only connection to the published warehouse."""

    def __init__(self, con: duckdb.DuckDBPyConnection, model_path: Path, warehouse: Path) -> None:
        self._con = con
        try:
            last_run = con.execute("select as_of from run_log order by started_at desc limit 1").fetchall()
        except duckdb.Error as exc:
            raise NoWarehouseError(f"{warehouse} is not a published warehouse: {exc}") from exc
        self.as_of = str(last_run[0][0]) if last_run else None
        self.model = json.loads(model_path.read_text(encoding="utf-8"))
        self.scorer = PairScorer(scoring_model(self.model), con)
        self._columns = blocking_columns(self.model)
        self._warehouse = warehouse

    def phone_companies(self, phone: str) -> set[str]:
        _, rows = self._fetch(
            "select distinct core_name from claims where phone_e164 = $phone and core_name is not null",
            {"phone": phone},
        )
        return {core for (core,) in rows}

    def candidates(self, query: dict[str, object]) -> pl.DataFrame:
        return self._frame(*self._fetch(candidates_sql(self._columns), candidate_parameters(query, self._columns)),
                           CANDIDATE_SCHEMA)

    def term_frequencies(self, core_names: list[str]) -> dict[str, float]:
        if not core_names:
            return {}
        _, rows = self._fetch(
            "with present as (select count(core_name) as total from claims_for_matching) "
            "select core_name, count(*) / any_value(total) from claims_for_matching, present "
            "where core_name in (select unnest($names)) group by core_name",
            {"names": core_names},
        )
        return dict(rows)

    def customers(self, customer_ids: list[str]) -> pl.DataFrame:
        if not customer_ids:
            return pl.DataFrame(schema=CUSTOMER_SCHEMA)
        return self._frame(*self._fetch(
            f"{CUSTOMERS_SQL} where c.customer_id in (select unnest($ids)) order by customer_id",
            {"ids": customer_ids},
        ), CUSTOMER_SCHEMA)

    def _fetch(self, sql: str, parameters: dict[str, object]) -> tuple[list[str], list[tuple]]:
        """Column names and rows (plain tuples: a handful of rows needs no Arrow round trip)."""
        try:
            cursor = self._con.execute(sql, parameters)
            return [d[0] for d in cursor.description], cursor.fetchall()
        except duckdb.CatalogException as exc:
            raise NoWarehouseError(
                f"{self._warehouse} lacks a table lookups read ({exc}); a warehouse published before "
                "`claims_for_matching` existed gains it at the next `recon run`"
            ) from exc

    @staticmethod
    def _frame(names: list[str], rows: list[tuple], schema: dict[str, pl.DataType]) -> pl.DataFrame:
        """`rows` as a frame of `schema` (every column of which the query must return)."""
        return pl.DataFrame(rows, schema=[(n, schema[n]) for n in names], orient="row").select(list(schema))


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
            return "未找到已知客户，可以报备（以规则为准） no known customer matches: free to register (subject to the rules)"
        return ("未找到同一客户，可以报备（以规则为准）；下列仅为相似或关联的其他客户 no known customer matches: free to "
                "register (subject to the rules); those below are only weakly similar public-pool customers or "
                "other legal entities")
    if any(m["verdict"] in ("sure", "likely") for m in answer["matches"]):
        return "已知客户，请勿重复报备 known customer: see its owner below"
    return ("可能是已知客户，报备前请核对下列客户 possibly a known customer (protected, or similar enough to review): "
            "check the customers below before registering")
