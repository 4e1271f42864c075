"""Where `recon lookup` reads from: the published warehouse, opened read-only for one answer.

`warehouse_reader` yields a `WarehouseReader` that fetches, with bound parameters, only what one
query needs: the claims sharing a blocking key with it (`matching.candidates.candidates_sql` over
`claims_for_matching` and `claim_customer`), the trade names on its phone, the term frequencies of
just the candidates' trade names, and the candidate customers with their owners. Any other
`Reader` (the server's in-memory copy, `service.snapshot`) answers the same questions.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

import duckdb
import polars as pl

from adapters.warehouse import NoWarehouseError
from matching.candidates import blocking_columns, candidate_parameters, candidates_sql
from matching.match_model import MatchModel
from matching.model_files import model_in_use
from matching.prepare import MATCH_COLUMNS
from matching.scoring import PairScorer, scoring_model

# what a candidate frame holds: the claim as the model scored it, and its customer tonight
CANDIDATE_SCHEMA = dict.fromkeys(MATCH_COLUMNS, pl.String) | {
    "is_latin_name": pl.Boolean, "is_registered_name": pl.Boolean, "trade_is_shared": pl.Boolean,
    "core_is_common": pl.Boolean, "customer_id": pl.String,
}
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


class Reader(Protocol):
    """One consistent version of the warehouse and the model, as a lookup reads it."""

    as_of: str | None
    model: MatchModel
    scorer: PairScorer

    def phone_companies(self, phones: list[str]) -> list[set[str]]:
        """Per E.164 number, the distinct trade names (core_name) of the published claims giving it."""

    def candidates(self, queries: pl.DataFrame) -> pl.DataFrame:
        """Per prepared query, the claims sharing a blocking key with it: CANDIDATE_SCHEMA and
        `query_id`, the query's claim_id; by query, then claim id."""

    def term_frequencies(self, core_names: list[str]) -> dict[str, float]:
        """Each given trade name's share of the published non-null trade names (Splink's TF table)."""

    def customers(self, customer_ids: list[str]) -> pl.DataFrame:
        """CUSTOMER_SCHEMA rows of these customers."""


@contextmanager
def warehouse_reader(warehouse: Path) -> Iterator[WarehouseReader]:
    """A reader on the current published file (read-only, closed on exit) and the model in use."""
    try:
        con = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.IOException as exc:
        if not warehouse.exists():
            raise NoWarehouseError.missing(warehouse) from exc
        raise NoWarehouseError(f"cannot open {warehouse} read-only: {exc}") from exc
    except duckdb.Error as exc:
        raise NoWarehouseError(f"cannot open {warehouse} read-only: {exc}") from exc
    try:
        yield WarehouseReader(con, model_in_use(warehouse), warehouse)
    finally:
        con.close()


class WarehouseReader:
    """Reads a query's candidates from an open read-only connection to the published warehouse."""

    def __init__(self, con: duckdb.DuckDBPyConnection, model_path: Path, warehouse: Path) -> None:
        self._con = con
        try:
            last_run = con.execute("select as_of from run_log order by started_at desc limit 1").fetchall()
        except duckdb.Error as exc:
            raise NoWarehouseError(f"{warehouse} is not a published warehouse: {exc}") from exc
        self.as_of = str(last_run[0][0]) if last_run else None
        self.model = MatchModel.read(model_path)
        self.scorer = PairScorer(scoring_model(self.model), con)
        self._columns = blocking_columns(self.model)
        self._warehouse = warehouse

    def phone_companies(self, phones: list[str]) -> list[set[str]]:
        _, rows = self._fetch(
            "select distinct phone_e164, core_name from claims "
            "where phone_e164 in (select unnest($phones)) and core_name is not null",
            {"phones": phones},
        )
        companies: dict[str, set[str]] = {phone: set() for phone in phones}
        for phone, core in rows:
            companies[phone].add(core)
        return [companies[phone] for phone in phones]

    def candidates(self, queries: pl.DataFrame) -> pl.DataFrame:
        found = [
            self._frame(*self._fetch(candidates_sql(self._columns), candidate_parameters(query, self._columns)),
                        CANDIDATE_SCHEMA).with_columns(pl.lit(query["claim_id"], pl.String).alias("query_id"))
            for query in queries.iter_rows(named=True)
        ]
        return pl.concat(found) if found else pl.DataFrame(schema=CANDIDATE_SCHEMA | {"query_id": pl.String})

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
