"""`recon lookup`: a prospect checked against every known customer and its owner, at once.

The published warehouse is opened read-only just long enough to copy what a lookup needs into
memory (so analysts and a nightly run building the next warehouse are never in the way), and the
copy is refreshed when the warehouse file or the model file is replaced. A query is standardised
by the same functions as claims, its candidates found by the nightly blocking keys, scored from
the saved model and judged by the nightly rules (`matching.lookup`).
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import polars as pl

from flows.matching_stage import DEFAULT_MODEL, MODEL_FILE, model_dir
from flows.policy import read_policy_file
from matching.candidates import CandidateIndex
from matching.links import LinkPolicy, pairs_classified
from matching.lookup import RELATED, SAME_CUSTOMER, customers_answered, query_pairs
from matching.prepare import claims_for_matching
from matching.scoring import PairScorer, scoring_model, term_frequencies
from transforms.names import romanise_core
from transforms.standardise import SHARED_PHONE_MIN_COMPANIES, standardise_claims

MAX_NAME_CHARS = 200
MAX_FIELD_CHARS = 100
MAX_TOP = 50
QUERY_FIELDS = ("name", "phone", "email", "credit_code", "top")
# the standardised claim columns claims_for_matching reads
_CLAIM_COLUMNS = (
    "claim_id", "name_norm", "legal_form", "region", "branch", "core_name", "core_pinyin", "is_latin_name",
    "phone_e164", "is_shared_phone", "email_domain", "is_free_mail", "website_domain", "credit_code_norm",
    "contact_name_norm",
)


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


@dataclass(frozen=True)
class _Snapshot:
    """Everything a lookup reads, copied from one version of the warehouse and the model."""

    identity: tuple
    # matching columns of every published claim, tf_core_name, customer_id, region_pinyin
    prepared: pl.DataFrame
    index: CandidateIndex
    phone_cores: pl.DataFrame  # distinct (phone_e164, core_name), sorted by phone
    tf: dict[str, float]
    customers: pl.DataFrame  # display name and current owner, one row per customer
    model: dict
    scorer: PairScorer
    as_of: str | None


class Lookup:
    """Answers queries from the published warehouse; reloads when the warehouse or the model
    file is replaced. Safe to share between threads."""

    def __init__(self, warehouse: Path, policy_path: Path) -> None:
        self.warehouse = Path(warehouse)
        policy = read_policy_file(policy_path)
        self.link_policy: LinkPolicy = policy.link_policy()
        self.zone = ZoneInfo(policy.business_timezone)
        self._snapshot: _Snapshot | None = None
        self._lock = threading.Lock()

    def snapshot(self) -> _Snapshot:
        """The loaded data, reloaded first if the files changed since."""
        identity = self._identity()
        current = self._snapshot
        if current is not None and current.identity == identity:
            return current
        with self._lock:
            if self._snapshot is None or self._snapshot.identity != identity:
                self._snapshot = _load(self.warehouse, self._model_path(), identity)
            return self._snapshot

    def answer(self, query: LookupQuery) -> dict:
        """The JSON-able answer: the query as standardised, then matches and related companies."""
        snap = self.snapshot()
        prepared, echo = self._query_prepared(query, snap)
        rows = snap.index.rows_for(prepared.row(0, named=True))
        answered = self._answered(prepared, snap.prepared[rows], snap) if len(rows) else None
        matches, related = [], []
        if answered is not None:
            matches = self._entries(answered.filter(pl.col("verdict").is_in(SAME_CUSTOMER)), query.top)
            related = self._entries(answered.filter(pl.col("verdict").is_in(RELATED)), query.top)
        return {
            "query": echo,
            "warehouse_as_of": snap.as_of,
            "known": any(m["verdict"] in ("sure", "likely") for m in matches),
            "matches": matches,
            "related_companies": related,
        }

    def _query_prepared(self, query: LookupQuery, snap: _Snapshot) -> tuple[pl.DataFrame, dict]:
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
        shared = _is_shared_phone(row["phone_e164"], row["core_name"], snap.phone_cores)
        prepared = claims_for_matching(
            standardised.with_columns(pl.lit(shared, dtype=pl.Boolean).alias("is_shared_phone"))
        ).with_columns(
            pl.Series("tf_core_name", [snap.tf.get(row["core_name"])], dtype=pl.Float64)
        )
        echo = {
            "name": query.name, "phone": query.phone, "email": query.email, "credit_code": query.credit_code,
            "standardised": {k: row[k] for k in ("name_norm", "core_name", "legal_form", "region", "branch",
                                                 "phone_e164", "email_domain", "credit_code_norm")}
            | {"is_shared_phone": shared},
        }
        return prepared, echo

    def _answered(self, query: pl.DataFrame, candidates: pl.DataFrame, snap: _Snapshot) -> pl.DataFrame:
        scored = snap.scorer.scored(query_pairs(query, candidates))
        # The nightly rules with the review floor at zero, so that the sister guard names a sister
        # company however weak the pair; the floor then only separates "possible" from "weak".
        classified = pairs_classified(scored, snap.model, replace(self.link_policy, review_floor=0.0))
        return customers_answered(classified, snap.customers, snap.scorer.model,
                                  review_floor=self.link_policy.review_floor)

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

    def _model_path(self) -> Path:
        saved = model_dir(self.warehouse) / MODEL_FILE
        return saved if saved.exists() else DEFAULT_MODEL

    def _identity(self) -> tuple:
        try:
            stat = os.stat(self.warehouse)
        except FileNotFoundError as exc:
            raise NoWarehouseError(f"no warehouse at {self.warehouse}; run `recon run` first") from exc
        model = self._model_path()
        model_stat = os.stat(model)
        return (stat.st_ino, stat.st_mtime_ns, stat.st_size, str(model), model_stat.st_ino, model_stat.st_mtime_ns)


def _is_shared_phone(phone: str | None, core_name: str | None, phone_cores: pl.DataFrame) -> bool | None:
    """Whether the nightly would call this phone shared if the query were registered tonight:
    the published claims' distinct company names on it, plus the query's, reach the threshold."""
    if phone is None:
        return None
    keys = phone_cores["phone_e164"]
    start, end = keys.search_sorted(phone, side="left"), keys.search_sorted(phone, side="right")
    cores = set(phone_cores["core_name"][start:end].to_list()) | ({core_name} if core_name else set())
    return len(cores) >= SHARED_PHONE_MIN_COMPANIES


def _load(warehouse: Path, model_path: Path, identity: tuple) -> _Snapshot:
    """Copy what lookups read into memory; the connection is closed before any matching work."""
    try:
        con = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error as exc:
        raise NoWarehouseError(f"cannot open {warehouse} read-only: {exc}") from exc
    try:
        claims = con.sql(f"select {', '.join(_CLAIM_COLUMNS)} from claims").pl()
        claim_customer = con.sql("select claim_id, customer_id from claim_customer").pl()
        customers = con.sql(
            "select c.customer_id, c.display_name, o.rep_id as owner_rep_id, r.rep_name as owner_name, r.team, "
            "o.valid_to as protection_end, o.idle_release_at from customers c "
            "left join ownership_current o using (customer_id) left join reps r using (rep_id) order by customer_id"
        ).pl()
        last_run = con.execute("select as_of from run_log order by started_at desc limit 1").fetchall()
    except duckdb.Error as exc:
        raise NoWarehouseError(f"{warehouse} is not a published warehouse: {exc}") from exc
    finally:
        con.close()
    model = json.loads(model_path.read_text(encoding="utf-8"))
    tf = term_frequencies(claims, "core_name")
    prepared = claims_for_matching(claims)
    regions = prepared["region"].drop_nulls().unique().to_list()
    region_pinyin = pl.DataFrame({"region": regions, "region_pinyin": [romanise_core(r)[0] for r in regions]},
                                 schema={"region": pl.String, "region_pinyin": pl.String})
    prepared = (
        prepared.join(tf, on="core_name", how="left", maintain_order="left")
        .join(claim_customer, on="claim_id", how="left", maintain_order="left")
        .join(region_pinyin, on="region", how="left", maintain_order="left")
    )
    phone_cores = (
        claims.select("phone_e164", "core_name").drop_nulls().unique().sort("phone_e164", "core_name")
    )
    return _Snapshot(
        identity=identity, prepared=prepared, index=CandidateIndex(prepared), phone_cores=phone_cores,
        tf=dict(tf.iter_rows()), customers=customers,
        model=model, scorer=PairScorer(scoring_model(model)),
        as_of=str(last_run[0][0]) if last_run else None,
    )


def answer_text(answer: dict) -> str:
    """The answer as a rep reads it on a terminal."""
    std = answer["query"]["standardised"]
    header = (f"查询 query: {std['name_norm'] or '-'}  (trade name {std['core_name'] or '-'}; "
              f"warehouse as of {answer['warehouse_as_of']})")
    lines = [header]
    if not answer["matches"]:
        lines.append("未找到已知客户 no known customer matches: free to register (subject to the rules)")
    elif not answer["known"]:
        lines.append("没有确定的匹配，请核对下列客户 no confident match: check the customers below")
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
