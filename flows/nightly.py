"""The nightly reconciliation as a Prefect flow: what `recon run`, `recon serve`'s deployment and
the tests start. Read `night` as the night's table of contents; each stage is a task in
`flows/*_stage.py`, run control (the next warehouse, the swap, the files after it) in `flows/publish.py`.

No `from __future__ import annotations` here: a deployment run pickles this function and
validates its parameters in another process, where string annotations would not resolve.
"""

from contextlib import ExitStack
from datetime import UTC, date, datetime
from pathlib import Path

from prefect import flow
from prefect.runtime import flow_run as prefect_run
from prefect.states import Cancelled, State

from adapters import warehouse
from adapters.desk_store import desk_beside
from adapters.expectations import validation_report_html
from flows.cancel import RunCancelled, cancellable
from flows.checks_process import suites_runner
from flows.intake_stage import claims_validated, raw_claims_ingested
from flows.marts_stage import RunCheckError, checks_started, marts_built
from flows.matching_stage import claims_standardised, customers_clustered, matching_published
from flows.night_inputs import read_night_inputs
from flows.ownership_stage import ownership_replayed, replay_started
from flows.people_stage import first_acceptance_recorded, people_tables_built
from flows.progress import stage
from flows.publish import (
    NightFiles,
    RunLogged,
    files_written,
    interrupted_files_written,
    next_warehouse,
    run_started,
    warehouse_published,
)
from flows.summary import RunSummary, new_conflicts_by_team, summary_published
from matching.spark_engine import spark_session
from settings.paths import DEFAULT_POLICY
from transforms.schema import as_of_end, business_today

__all__ = ["RunCheckError", "RunSummary", "nightly"]


def night(
    sources_path: Path, warehouse_path: Path, as_of: date | None = None, policy_path: Path = DEFAULT_POLICY,
    full_rebuild: bool = False, engine: str | None = None, desk_path: Path | None = None,
) -> RunSummary | State:
    """Ingest, validate, standardise, match, apply the ownership rules, publish atomically, report; `as_of`
    is today in the policy's zone by default; a signal ends the run Cancelled (`CancelledRun` names it).
    Claims unchanged since the last night are neither standardised nor paired again unless
    `full_rebuild` (see `matching.incremental`). `engine` (duckdb / spark) overrides the one
    sources.yaml names for scoring pairs. What people decided on the screens is read from the desk
    at `desk_path` (default: `desk.sqlite` beside the warehouse)."""
    started = datetime.now(UTC)
    inputs = read_night_inputs(sources_path, policy_path, desk_path or desk_beside(warehouse_path))
    policy, zone = inputs.policy, inputs.policy.business_timezone
    as_of = as_of or business_today(zone, started)
    now = as_of_end(as_of, zone)
    scoring = inputs.config.matching_engine(engine)
    try:
        with warehouse.run_lock(warehouse_path):
            earlier = interrupted_files_written(warehouse_path)
            with cancellable() as cancel, next_warehouse(warehouse_path, cancel) as con, ExitStack() as scope:
                if scoring.engine == "spark":  # a cluster that does not answer stops the night before its work
                    spark_session(scoring.spark)
                run_id = run_started(con, as_of, now, zone)
                # Great Expectations' suites: in a process of its own for a night as large as the last
                suites = scope.enter_context(suites_runner(warehouse.row_count(con, "raw_claims")))
                with stage("读取文件 ingesting new files", lambda: warehouse.row_count(con, "raw_claims")):
                    intake = raw_claims_ingested(con, inputs.config, now)
                # the claims go from stage to stage in memory, and are let go once the next has them
                with stage("校验 validating claims (Great Expectations)", lambda: accepted_count):
                    input_checks, accepted = claims_validated(con, inputs.config, inputs.roster, as_of, now,
                                                              full_rebuild, suites)
                    accepted_count = accepted.height
                with stage("标准化 standardising names, phones, e-mails, sites, codes", lambda: accepted_count):
                    claims = claims_standardised(con, accepted, full_rebuild)
                    early_checks = checks_started(con, suites, "claims")  # checked while the night matches
                    backfill = first_acceptance_recorded(con, as_of, policy.first_night_window_days, zone)
                del accepted
                with stage("归并 matching claims into customers (Splink)", lambda: matching.customers):
                    clustering = customers_clustered(con, claims, warehouse_path, inputs.decisions, run_id,
                                                     policy.link_policy(), cancel.connect, full_rebuild, scoring)
                    # the replay needs only the customers: it runs while the rest of matching is published
                    replayed = replay_started(con, claims, clustering.claim_customer, inputs.followups,
                                              inputs.extensions, inputs.appeals, policy.ownership_policy(), now)
                    matching = matching_published(con, clustering, claims, policy.link_policy())
                    early_checks |= checks_started(con, suites, "customers")
                    del clustering
                del claims
                with stage("归属 applying the ownership rules (replay)", lambda: sum(ownership.outcomes.values())):
                    ownership = ownership_replayed(con, replayed, inputs.appeals)
                    early_checks |= checks_started(con, suites, "public_pool", "conflicts")
                del replayed
                with stage("汇总 building marts and checking them"):
                    mart_checks = marts_built(con, suites, early_checks)
                with stage("通知 conflict details and rep notices", lambda: people.notices.height):
                    people = people_tables_built(con, as_of)
                with stage("发布 publishing the warehouse"):
                    files = NightFiles(run_id, as_of, now, zone, validation_report_html(
                        [*input_checks, *mart_checks], as_of=as_of.isoformat()))
                    logged = RunLogged(started, intake.files_new, matching.model_source, earlier.run_id)
                    published = warehouse_published(con, warehouse_path, files, logged, inputs.dictionary)
            summary = RunSummary(as_of, warehouse_path, run_id, intake.files_new, published.audit, matching, ownership,
                                 backfill, new_conflicts_by_team(people.conflict_details, as_of),
                                 outputs={"warehouse": warehouse_path, "matching model": matching.model_path},
                                 problems=[*earlier.problems, *intake.problems], flow_run_id=prefect_run.id)
            files_written(summary, published, people, files, inputs.config)
    except RunCancelled as exc:
        return Cancelled(message=f"{exc}; the published warehouse is unchanged")
    try:
        summary_published(summary)
    except Exception as exc:
        summary.problems.append(f"the Prefect run summary was not saved: {exc}")
    return summary


# The flow wraps `night` rather than decorating it, so that the function a deployment run pickles
# is found by name in this module (pickled by reference): pickled by value, it would carry its
# tasks' defaults along, and DuckDB's `connect` cannot be pickled.
nightly = flow(night, name="nightly-reconciliation", log_prints=True)
