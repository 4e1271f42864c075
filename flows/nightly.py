"""The nightly reconciliation as a Prefect flow: what `recon run`, `recon serve`'s deployment and
the tests start. The work itself is `flows.night.run_night`.

No `from __future__ import annotations` here: a deployment run pickles this function and
validates its parameters in another process, where string annotations would not resolve.
"""

from datetime import date
from pathlib import Path

from prefect import flow
from prefect.states import Cancelled, State

from flows.cancel import RunCancelled
from flows.night import RunCheckError, RunSummary, as_of_end, run_night

__all__ = ["DEFAULT_POLICY", "RunCheckError", "RunSummary", "as_of_end", "nightly"]

DEFAULT_POLICY = Path(__file__).resolve().parent.parent / "config" / "policy.yaml"


@flow(name="nightly-reconciliation", log_prints=True)
def nightly(
    sources_path: Path, warehouse_path: Path, as_of: date | None = None, policy_path: Path = DEFAULT_POLICY
) -> RunSummary | State:
    """Ingest, validate, standardise, match, apply the ownership rules, publish the next warehouse
    atomically, then report. `as_of` defaults to today in the business time zone. A run stopped by
    a signal (Ctrl-C, `kill`, a cancellation in Prefect) ends Cancelled, and the caller gets
    `prefect.exceptions.CancelledRun` with the signal named in its message."""
    try:
        return run_night(sources_path, warehouse_path, as_of, policy_path)
    except RunCancelled as exc:
        return Cancelled(message=f"{exc}; the published warehouse is unchanged")
