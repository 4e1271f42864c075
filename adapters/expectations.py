"""Great Expectations validation of the mapped claims and of the tables about to be published.

The checks themselves are data: `transforms.checks.CHECKS` for input rows, the `-- @` header lines
of each SQL model for published tables (`adapters.sql_files`). This module turns them into a GX
suite, runs it on a pandas copy of the frame (GX 1.x takes no polars frames) and returns, per
failing row, which checks it failed. Results are also rendered as an HTML page for sales-ops.
"""

from __future__ import annotations

import functools
import html
import logging
from collections.abc import Iterable
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from datetime import datetime
from itertools import count

import duckdb
import polars as pl

from adapters import warehouse
from adapters.sql_files import TableChecks
from transforms.checks import CHECKS, DUPLICATE_CHECK, Check, duplicates_marked
from transforms.schema import CATEGORIES

ROW_KEY = "raw_row_id"
TABLE_KEY = "table_key"
_RUN_NUMBERS = count(1)  # names each suite's GX objects apart within a shared context


@dataclass(frozen=True)
class ExpectationOutcome:
    suite: str
    check: str
    column: str
    expectation: str
    success: bool
    evaluated: int
    failed: int
    sample: tuple[str, ...]


@dataclass(frozen=True)
class SuiteResult:
    suite: str
    success: bool
    outcomes: tuple[ExpectationOutcome, ...]
    failures: pl.DataFrame  # ROW_KEY, check


class RunHere(Executor):
    """Runs each suite at once, in this process: `claims_checked` and `published_suites_started`
    take any executor, and a night too small for a process of its own (`flows.checks_process`)
    gives them this one."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:
            future.set_exception(exc)
        return future


@functools.cache
def gx_context():
    """GX and one ephemeral context for this process, made at the first suite. GX is imported
    lazily (2.5-4 s) and kept quiet; the context (a quarter of a second to make) is shared by the
    night's suites, each under names of its own."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return gx, context


def _expectation(gx, check: Check, *, roster: list[str], as_of_end: datetime):
    meta = {"check": check.code}
    col = check.column
    e = gx.expectations
    match check.kind:
        case "not_null":
            return e.ExpectColumnValuesToNotBeNull(column=col, meta=meta)
        case "null":
            return e.ExpectColumnValuesToBeNull(column=col, meta=meta)
        case "true":
            return e.ExpectColumnValuesToBeInSet(column=col, value_set=[True], meta=meta)
        case "in_set":
            return e.ExpectColumnValuesToBeInSet(column=col, value_set=list(CATEGORIES), meta=meta)
        case "in_roster":
            return e.ExpectColumnValuesToBeInSet(column=col, value_set=roster, meta=meta)
        case "not_regex":
            return e.ExpectColumnValuesToNotMatchRegex(column=col, regex=check.pattern, meta=meta)
        case "not_after_as_of":
            import pandas as pd

            return e.ExpectColumnValuesToBeBetween(
                column=col, max_value=pd.Timestamp(as_of_end), strict_max=True, meta=meta
            )
    raise ValueError(f"unknown check kind {check.kind!r}")


def validate_claims(
    checkable: pl.DataFrame, *, roster: list[str], as_of_end: datetime, checks: tuple[Check, ...] = CHECKS,
    suite: str = "claims_input",
) -> SuiteResult:
    """Run the claim checks; `failures` has one row per (row, failed check)."""
    columns = sorted({ROW_KEY, *(c.column for c in checks)})
    missing = [c for c in columns if c not in checkable.columns]
    if missing:
        raise ValueError(f"cannot validate claims: missing column(s) {', '.join(missing)}")
    gx, context = gx_context()
    expectation_list = [_expectation(gx, c, roster=roster, as_of_end=as_of_end) for c in checks]
    return _run_suite(gx, context, suite, checkable.select(columns), expectation_list)


@dataclass(frozen=True)
class ClaimChecks:
    """The two input suites, the rows checked (with `duplicate_of`) and the rows that failed
    either suite: (raw_row_id, check)."""

    rows: SuiteResult
    duplicates: SuiteResult
    checked: pl.DataFrame
    failures: pl.DataFrame


def claims_checked(checkable: pl.DataFrame, *, roster: list[str], as_of_end: datetime,
                   settled: pl.Series | None = None, suites: Executor | None = None) -> ClaimChecks:
    """Every row check, then the duplicate check among the rows that passed them: a claim id
    repeated by a refused row does not refuse the good row that shares it.

    `settled`: raw row ids that passed every row check on an earlier night under the same rules,
    roster and configuration, and no later as-of instant (a row's content never changes): the row
    checks run on the other rows only, and the duplicate check on those and on the rows marked as
    duplicates, the only ones that could fail it.

    `suites` runs the two GX suites (default: here; `flows.checks_process` in a process of its
    own); the rest stays in this process."""
    suites = suites or RunHere()
    row_checks = tuple(c for c in CHECKS if c.code != DUPLICATE_CHECK)
    settled_rows = pl.col(ROW_KEY).is_in(settled.implode()) if settled is not None else pl.lit(False)
    rows = suites.submit(validate_claims, checkable.filter(~settled_rows), roster=roster, as_of_end=as_of_end,
                         checks=row_checks).result()
    marked = duplicates_marked(checkable, rows.failures[ROW_KEY])
    duplicates = suites.submit(validate_claims, marked.filter(~settled_rows | pl.col("duplicate_of").is_not_null()),
                               roster=roster, as_of_end=as_of_end, suite="claims_duplicates",
                               checks=tuple(c for c in CHECKS if c.code == DUPLICATE_CHECK)).result()
    failures = pl.concat([rows.failures, duplicates.failures]).unique().sort(ROW_KEY, "check")
    return ClaimChecks(rows, duplicates, marked, failures)


def rows_passed(checks: ClaimChecks) -> pl.Series:
    """The raw row ids that passed every row check (settled for the next night)."""
    return checks.checked.filter(~pl.col(ROW_KEY).is_in(checks.rows.failures[ROW_KEY].implode()))[ROW_KEY]


def published_suites(con: duckdb.DuckDBPyConnection, checks: Iterable[TableChecks]) -> list[SuiteResult]:
    """Check each table `checks.table` in `con`, here: a unique, complete key; not-null columns;
    counts >= 0; rates within 0-1 (null passes); every rule true."""
    return [future.result() for future in published_suites_started(con, checks, RunHere())]


def published_suites_started(con: duckdb.DuckDBPyConnection, checks: Iterable[TableChecks],
                             suites: Executor) -> list[Future[SuiteResult]]:
    """`published_suites` handed to `suites`: each table's checked columns are read here, now, and
    checked there, the results collected later (a table checked early must not change after)."""
    return [suites.submit(published_suite, _checked_columns(con, table), table) for table in checks]


def _checked_columns(con: duckdb.DuckDBPyConnection, checks: TableChecks) -> pl.DataFrame:
    key_text = ", ".join(f"cast({c} as varchar)" for c in checks.key)
    columns = dict.fromkeys((*checks.key, *checks.not_null, *checks.non_negative, *checks.within_0_1))
    selected = [*columns, *(f"({condition}) as {name}" for name, condition in checks.rules)]
    return warehouse.frame(
        con, f"select concat_ws('|', {key_text}) as {TABLE_KEY}, {', '.join(selected)} from {checks.table}")


def published_suite(frame: pl.DataFrame, checks: TableChecks) -> SuiteResult:
    """The checks of one published table on its `_checked_columns`."""
    gx, context = gx_context()
    e = gx.expectations
    expectations = [
        e.ExpectColumnValuesToBeUnique(column=TABLE_KEY),
        *(e.ExpectColumnValuesToNotBeNull(column=c) for c in dict.fromkeys((*checks.key, *checks.not_null))),
        *(e.ExpectColumnValuesToBeBetween(column=c, min_value=0) for c in checks.non_negative),
        *(e.ExpectColumnValuesToBeBetween(column=c, min_value=0, max_value=1) for c in checks.within_0_1),
        *(e.ExpectColumnValuesToBeInSet(column=name, value_set=[True]) for name, _ in checks.rules),
    ]
    return _run_suite(gx, context, f"published_{checks.table}", frame, expectations, key=TABLE_KEY)


def _run_suite(
    gx, context, suite_name: str, frame: pl.DataFrame, expectation_list: list, *, key: str = ROW_KEY
) -> SuiteResult:
    run_name = f"{suite_name}_{next(_RUN_NUMBERS)}"  # a context may check one table twice
    source = context.data_sources.add_pandas(run_name)
    batch = source.add_dataframe_asset("frame").add_batch_definition_whole_dataframe("all")
    suite = context.suites.add(gx.ExpectationSuite(name=run_name))
    for expectation in expectation_list:
        suite.add_expectation(expectation)
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name=run_name, data=batch, suite=suite)
    )
    result = definition.run(
        batch_parameters={"dataframe": frame.to_pandas()},
        result_format={"result_format": "COMPLETE", "unexpected_index_column_names": [key]},
    )
    # the data source keeps the frame it read: in a shared context, the claims' copy would live on
    # through the matching stage, the night's peak
    context.data_sources.delete(run_name)
    outcomes, keys, codes = [], [], []
    for r in result.results:
        config = r.expectation_config
        code = (config.meta or {}).get("check", config.type)
        failed_rows = [item[key] for item in r.result.get("unexpected_index_list") or []]
        if r.exception_info.get("raised_exception"):
            raise RuntimeError(f"validation check {code} could not run: {r.exception_info}")
        keys.extend(str(k) for k in failed_rows)
        codes.extend([code] * len(failed_rows))
        sample = tuple(str(v) for v in (r.result.get("partial_unexpected_list") or [])[:5])
        outcomes.append(ExpectationOutcome(
            suite_name, code, config.kwargs.get("column", ""), config.type, bool(r.success),
            int(r.result.get("element_count", frame.height)), int(r.result.get("unexpected_count") or 0),
            sample,
        ))
    failures = pl.DataFrame({ROW_KEY: keys, "check": codes}, schema={ROW_KEY: pl.String, "check": pl.String})
    return SuiteResult(suite_name, bool(result.success), tuple(outcomes), failures.unique().sort(ROW_KEY, "check"))


def validation_report_html(results: list[SuiteResult], *, as_of: str) -> str:
    """A self-contained page listing every expectation and its outcome; all values escaped."""
    rows = []
    for suite in results:
        for o in suite.outcomes:
            status = "通过 passed" if o.success else "未通过 failed"
            rows.append(
                "<tr class='{}'><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
                "<td>{}</td></tr>".format(
                    "ok" if o.success else "bad", *(html.escape(str(v)) for v in (
                        o.suite, o.check, o.column, o.expectation, status, f"{o.failed}/{o.evaluated}",
                        ", ".join(o.sample))),
                )
            )
    return (
        "<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>数据校验结果 Validation results {html.escape(as_of)}</title>"
        "<style>body{font-family:sans-serif;margin:1em}table{border-collapse:collapse;width:100%}"
        "td,th{border:1px solid #ccc;padding:4px;font-size:14px;text-align:left}"
        ".bad{background:#fde8e8}.ok{background:#eefaf0}</style></head><body>"
        f"<h1>数据校验结果 Validation results — {html.escape(as_of)}</h1>"
        "<p>Great Expectations suites run on every input row (a row that passed on an earlier night "
        "under the same rules, roster and sources is not checked again) and on the published tables. "
        "Rows failing an input check are in the <code>quarantine</code> table with the reason.</p>"
        "<table><tr><th>suite</th><th>check</th><th>column</th><th>expectation</th><th>result</th>"
        "<th>failed/rows</th><th>examples</th></tr>" + "".join(rows) + "</table></body></html>"
    )
