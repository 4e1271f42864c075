"""Nightly tasks for the intake: new files appended to `raw_claims`, then every current row either
accepted (handed to standardisation, which publishes `claims`) or quarantined with its reasons."""

from __future__ import annotations

import hashlib
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb
import polars as pl
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE

from adapters import expectations, warehouse
from adapters.expectations import SuiteResult, claims_checked, rows_passed
from adapters.ingest import new_source_files, read_new_files, sources_matching_nothing
from adapters.sql_files import QUERIES, sql_text
from matching.incremental import code_fingerprint
from settings.sources import SourcesConfig
from transforms.checks import CHECKS, claims_checkable
from transforms.parsing import claims_parsed_by_source
from transforms.quarantine import claims_accepted, claims_quarantined


@dataclass(frozen=True)
class Intake:
    """How many files were new tonight, and what the run summary should list as problems."""

    files_new: int
    problems: list[str]


@task(cache_policy=NO_CACHE)
def raw_claims_ingested(con: duckdb.DuckDBPyConnection, config: SourcesConfig, now: datetime) -> Intake:
    """Append the rows of new or changed files to raw_claims; a source matching no file at all is
    logged as a warning and listed as a problem, without stopping the night."""
    logger = get_run_logger()
    unmatched = sources_matching_nothing(config)
    for problem in unmatched:
        logger.warning(problem)
    known = set(con.execute("select source, file_name, file_sha256 from ingested_files").fetchall())
    files = new_source_files(config, known)
    first_seq = warehouse.scalar(con, "select coalesce(max(ingest_seq), 0) + 1 from ingested_files")
    raw, metas = read_new_files(files, first_seq=first_seq, ingested_at=now)
    if files:
        warehouse.append_rows(con, "raw_claims", raw)
        warehouse.append_rows(con, "ingested_files", metas)
    for item in files:
        logger.info("ingested %s (%s)", item.path, item.source.name)
    logger.info("raw_claims: %d new rows from %d new file(s)", raw.height, len(files))
    return Intake(len(files), unmatched)


@task(cache_policy=NO_CACHE)
def claims_validated(con: duckdb.DuckDBPyConnection, config: SourcesConfig, roster: pl.DataFrame, as_of: date,
                     now: datetime, full_rebuild: bool = False,
                     suites: Executor | None = None) -> tuple[list[SuiteResult], pl.DataFrame]:
    """Check the current version of every ingested file; publish `quarantine`, and the roster as
    `reps`. Returns the input suites' results (row checks, then duplicate claim ids; not the rows
    checked, which the night need not hold) and the accepted claims, which `claims_standardised`
    publishes with their standardised parts (one write of a million claims, not two). Rows that
    passed the row checks on an earlier night under the same rules are not checked again
    (`rows_validated`, `claims_checked`), unless `full_rebuild`. The GX suites run in `suites`
    (default: here)."""
    current = warehouse.frame(con, sql_text(QUERIES, "current_raw_claims"))
    parsed = claims_parsed_by_source(current, config.source_formats(), retired_zone=config.timezone)
    rep_ids = roster["rep_id"].to_list()
    digest = _validation_digest(config, rep_ids)
    settled = None if full_rebuild else _rows_settled(con, digest, now)
    checkable = _with_records_of_repeated_ids(con, claims_checkable(parsed))
    checks = claims_checked(checkable, roster=rep_ids, as_of_end=now, settled=settled, suites=suites)
    claims = claims_accepted(checks.checked, checks.failures)
    quarantine = claims_quarantined(checks.checked, checks.failures, as_of=as_of.isoformat())
    warehouse.write_table(con, "quarantine", quarantine, "source, file_name, row_number")
    warehouse.write_table(con, "reps", roster, "rep_id")
    warehouse.write_table(con, "rows_validated", rows_passed(checks).to_frame().with_columns(
        pl.lit(digest).alias("digest"), pl.lit(now).alias("as_of_end")), order_by=None)
    checked = current.height if settled is None else int((~current["raw_row_id"].is_in(settled.implode())).sum())
    get_run_logger().info("claims: %d accepted, %d quarantined; %d rows checked tonight, the others on an earlier "
                          "night", claims.height, quarantine.height, checked)
    return [checks.rows, checks.duplicates], claims


def _with_records_of_repeated_ids(con: duckdb.DuckDBPyConnection, checkable: pl.DataFrame) -> pl.DataFrame:
    """`checkable` with `raw_record` (the row as read) where its claim id is repeated, null
    elsewhere: the duplicate check's last tie-break between two copies of a claim
    (`transforms.checks.duplicates_marked`). Read for those rows alone: a million records took
    seconds to read and sort."""
    repeated = checkable.filter(pl.col("claim_id").is_not_null() & (pl.len().over("claim_id") > 1))["raw_row_id"]
    records = warehouse.frame(con, "select raw_row_id, raw_record from raw_claims where raw_row_id in "
                              "(select unnest(cast(? as varchar[])))", [repeated.to_list()])
    return checkable.join(records, on="raw_row_id", how="left", maintain_order="left")


def _validation_digest(config: SourcesConfig, roster: list[str]) -> str:
    """What a row check's outcome depends on besides the row and the as-of instant: the sources'
    formats, the zone of retired sources, the roster, the checks and the code that runs them."""
    digest = hashlib.sha256(repr((config.source_formats(), config.timezone, sorted(roster), CHECKS)).encode("utf-8"))
    digest.update(Path(expectations.__file__).read_bytes())
    digest.update(code_fingerprint().encode("utf-8"))
    return digest.hexdigest()


def _rows_settled(con: duckdb.DuckDBPyConnection, digest: str, now: datetime) -> pl.Series | None:
    """Last night's passed rows, if it validated under the same digest at no later instant."""
    if not warehouse.has_table(con, "previous_rows_validated"):
        return None
    settled = warehouse.frame(con, "select raw_row_id from previous_rows_validated where digest = ? and as_of_end <= ?",
                              [digest, now])
    return settled["raw_row_id"] if settled.height else None

