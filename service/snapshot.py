"""The lookup for a long-lived process (`recon serve-lookup`): the same answers as `recon lookup`,
read from an in-memory copy of what lookups need instead of the file on every call.

The published warehouse is opened read-only just long enough to copy the matching input of every
claim with its customer, the trade names per phone, the term frequencies and the customers; the
copy is refreshed when the warehouse file or the model file is replaced. Candidates then come from
`matching.candidates.CandidateIndex`, the in-memory twin of the SQL the command line runs
(tests/service/test_query.py checks that both give the same answers).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from matching.candidate_index import CandidateIndex
from matching.candidates import blocking_columns
from matching.match_model import MatchModel
from matching.model_files import model_in_use
from matching.prepare import MATCH_COLUMNS
from matching.scoring import PairScorer, scoring_model
from service.query import Lookup
from service.warehouse_reader import (
    CANDIDATE_SCHEMA,
    CUSTOMER_SCHEMA,
    CUSTOMERS_SQL,
    NoWarehouseError,
    Reader,
)


@dataclass(frozen=True)
class Snapshot:
    """Everything a lookup reads, copied from one version of the warehouse and the model; a
    `service.query.Reader`."""

    identity: tuple
    prepared: pl.DataFrame  # CANDIDATE_SCHEMA, one row per published claim
    index: CandidateIndex
    phone_cores: pl.DataFrame  # distinct (phone_e164, core_name), sorted by phone
    tf: dict[str, float]
    all_customers: pl.DataFrame  # CUSTOMER_SCHEMA: display name and current owner, one row per customer
    model: MatchModel
    scorer: PairScorer
    as_of: str | None

    def phone_companies(self, phones: list[str]) -> list[set[str]]:
        keys, cores = self.phone_cores["phone_e164"], self.phone_cores["core_name"]
        wanted = pl.Series(phones, dtype=pl.String)
        starts = keys.search_sorted(wanted, side="left").to_list()
        ends = keys.search_sorted(wanted, side="right").to_list()
        return [set(cores[start:end].to_list()) for start, end in zip(starts, ends, strict=True)]

    def candidates(self, queries: pl.DataFrame) -> pl.DataFrame:
        rows = self.index.rows_for(queries)
        query_ids = np.repeat(queries["claim_id"].to_numpy(), [len(r) for r in rows])
        positions = np.concatenate(rows) if rows else np.empty(0, dtype=np.uint32)
        return self.prepared[positions].with_columns(pl.Series("query_id", query_ids, dtype=pl.String))

    def term_frequencies(self, core_names: list[str]) -> dict[str, float]:
        return {name: self.tf[name] for name in core_names if name in self.tf}

    def customers(self, customer_ids: list[str]) -> pl.DataFrame:
        if not customer_ids or self.all_customers.is_empty():
            return self.all_customers.clear()
        keys = self.all_customers["customer_id"]  # sorted: a sorted search, not a scan of every customer
        positions = keys.search_sorted(pl.Series(customer_ids, dtype=pl.String)).clip(upper_bound=keys.len() - 1)
        found = self.all_customers[positions.to_numpy()].filter(pl.col("customer_id").is_in(customer_ids))
        return found.unique("customer_id", maintain_order=True)


class SnapshotLookup(Lookup):
    """`Lookup` answering from memory; reloads when the warehouse or the model file is replaced.
    Safe to share between threads."""

    def __init__(self, warehouse: Path, policy_path: Path) -> None:
        super().__init__(warehouse, policy_path)
        self._snapshot: Snapshot | None = None
        self._lock = threading.Lock()

    def snapshot(self) -> Snapshot:
        """The loaded data, reloaded first if the files changed since."""
        identity = self._identity()
        current = self._snapshot
        if current is not None and current.identity == identity:
            return current
        with self._lock:
            if self._snapshot is None or self._snapshot.identity != identity:
                self._snapshot = _load(self.warehouse, model_in_use(self.warehouse), identity)
            return self._snapshot

    @contextmanager
    def _reader(self) -> Iterator[Reader]:
        yield self.snapshot()

    def _identity(self) -> tuple:
        try:
            stat = os.stat(self.warehouse)
        except FileNotFoundError as exc:
            raise NoWarehouseError.missing(self.warehouse) from exc
        model = model_in_use(self.warehouse)
        model_stat = os.stat(model)
        return (stat.st_ino, stat.st_mtime_ns, stat.st_size, str(model), model_stat.st_ino, model_stat.st_mtime_ns)


def _load(warehouse: Path, model_path: Path, identity: tuple) -> Snapshot:
    """Copy what lookups read into memory; the connection is closed before any matching work."""
    try:
        con = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error as exc:
        raise NoWarehouseError(f"cannot open {warehouse} read-only: {exc}") from exc
    try:
        prepared = con.sql(
            f"select {', '.join(f'm.{c}' for c in MATCH_COLUMNS)}, cc.customer_id from claims_for_matching as m "
            "join claim_customer as cc using (claim_id) order by claim_id"
        ).pl()
        phone_cores = con.sql(
            "select distinct phone_e164, core_name from claims where phone_e164 is not null and core_name is not null "
            "order by phone_e164, core_name"
        ).pl()
        customers = con.sql(f"{CUSTOMERS_SQL} order by customer_id").pl()
        last_run = con.execute("select as_of from run_log order by started_at desc limit 1").fetchall()
    except duckdb.Error as exc:
        raise NoWarehouseError(f"{warehouse} is not a published warehouse with lookup tables: {exc}") from exc
    finally:
        con.close()
    model = MatchModel.read(model_path)
    present = prepared["core_name"].drop_nulls()
    tf = present.value_counts().with_columns(pl.col("count") / present.len())
    # in one chunk each (DuckDB hands over many): gathering a batch's rows is then 3× faster
    return Snapshot(
        identity=identity, prepared=prepared.cast(CANDIDATE_SCHEMA).rechunk(),
        index=CandidateIndex(prepared, blocking_columns(model)),
        phone_cores=phone_cores.rechunk(), tf=dict(tf.iter_rows()),
        all_customers=customers.cast(CUSTOMER_SCHEMA).rechunk(),
        model=model, scorer=PairScorer(scoring_model(model)),
        as_of=str(last_run[0][0]) if last_run else None,
    )
