"""Stopping a run on SIGTERM or Ctrl-C within seconds, even inside a long DuckDB query.

Python runs a signal handler only between bytecodes of the main thread, but DuckDB checks for
pending signals while it executes, so the handler does run during a query; raising from it alone
would not stop the query (DuckDB finishes, then reports "Query interrupted"). The handler
therefore interrupts every connection the run registered, and the run turns whatever exception
comes out into `RunCancelled`.
"""

from __future__ import annotations

import re
import signal
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import duckdb

SIGNALS = (signal.SIGTERM, signal.SIGINT)


class RunCancelled(BaseException):
    """The run was stopped by a signal; nothing was published. A BaseException, like
    KeyboardInterrupt, so that no `except Exception` on the way swallows it."""

    def __init__(self, signum: int) -> None:
        self.signal_name = signal.Signals(signum).name
        super().__init__(f"stopped by {self.signal_name}")


def signal_named(message: str) -> signal.Signals | None:
    """The signal a cancellation message names ("stopped by SIGTERM; …"), if any."""
    found = re.search(r"\bstopped by (SIG[A-Z]+)\b", message)
    return signal.Signals[found.group(1)] if found and found.group(1) in signal.Signals.__members__ else None


@dataclass
class Cancellation:
    """The connections a run works on, and the signal that stopped it, if one did."""

    # weak: a connection the run is done with is freed as before (Splink's hold gigabytes)
    connections: weakref.WeakSet[duckdb.DuckDBPyConnection] = field(default_factory=weakref.WeakSet)
    signum: int | None = None

    def watch(self, con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
        """Interrupt `con` when the run is cancelled; returns it."""
        self.connections.add(con)
        return con

    def connect(self) -> duckdb.DuckDBPyConnection:
        """A new in-memory connection, interrupted with the run."""
        return self.watch(duckdb.connect())

    def _handle(self, signum: int, _frame: object) -> None:
        self.signum = signum
        for con in list(self.connections):
            try:
                con.interrupt()
            except duckdb.Error:  # closed already
                pass
        raise RunCancelled(signum)

    def check(self, exc: BaseException) -> None:
        """Re-raise `exc` as RunCancelled when a signal caused it."""
        if self.signum is not None and not isinstance(exc, RunCancelled):
            raise RunCancelled(self.signum) from exc


@contextmanager
def cancellable() -> Iterator[Cancellation]:
    """Handle SIGTERM and SIGINT for the block (main thread only; elsewhere signals cannot be
    caught and the block runs as it is); the previous handlers come back afterwards."""
    cancellation = Cancellation()
    if threading.current_thread() is not threading.main_thread():
        yield cancellation
        return
    previous = {signum: signal.signal(signum, cancellation._handle) for signum in SIGNALS}
    try:
        yield cancellation
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
