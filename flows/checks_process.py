"""Great Expectations for a large night in a process of its own.

A night's suites cost about 6 s of pure Python at 1M claims: importing GX (2.5 s), the input rows'
suites and the published tables' (the claims' alone 1.5 s). In a process started when the night
begins, the import happens while the night reads and parses its files on the other core, and the
claims' check runs while the night matches. Only each suite's frame and result cross between the
processes. A smaller night checks in the night's process (`RunHere`): a process of its own would
cost more than it saves.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager

from adapters.expectations import RunHere, gx_context
from flows.background import WorkerProcess

# nights whose raw rows reach this many check in a process of their own
CHECKS_PROCESS_ROWS = 100_000


@contextmanager
def suites_runner(raw_rows: int) -> Iterator[Executor]:
    """Where the night's GX suites run: a process of its own from CHECKS_PROCESS_ROWS raw rows,
    which starts importing GX at once; else here. The process ends with the block."""
    if raw_rows < CHECKS_PROCESS_ROWS:
        yield RunHere()
        return
    checker = WorkerProcess("great-expectations")
    try:
        checker.submit(_gx_imported)
        yield checker
    finally:
        checker.shutdown(wait=False, cancel_futures=True)


def _gx_imported() -> None:
    gx_context()
