"""Work a night starts on a thread, or in a process, of its own and collects later
(`concurrent.futures.Future`)."""

from __future__ import annotations

import atexit
import pickle
import subprocess
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

T = TypeVar("T")


def in_background(function: Callable[..., T], *args: Any) -> Future[T]:
    """`function(*args)` run on a daemon thread: a run cancelled or failed before it collects the
    result exits without waiting for it (a pool's worker would hold the process until it ends).
    Its error is raised by `result()`."""
    future: Future[T] = Future()

    def run() -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            future.set_result(function(*args))
        except BaseException as exc:
            future.set_exception(exc)

    threading.Thread(target=run, name=f"background-{getattr(function, '__name__', 'work')}", daemon=True).start()
    return future


_RUNNING: set[subprocess.Popen] = set()


def in_process(function: Callable[..., T], *args: Any) -> Future[T]:
    """`function(*args)` run in a new Python process (`flows.worker_process`), its result or error
    collected by a daemon thread. For long pure-Python work (the ownership replay's loop): on a
    thread it holds the interpreter's lock, and the night's other thread, handing many small steps
    to polars and DuckDB, waits for the lock at every step; in a process of its own each has a core.
    `function` must be importable by name and its arguments and result picklable. The process
    ends with this one (`flows.worker_process`, and at exit here)."""
    future: Future[T] = Future()
    # the child imports from where this process does, whatever folder it was started in
    start = f"import sys; sys.path[:] = {sys.path!r}; from flows.worker_process import main; main()"
    child = subprocess.Popen([sys.executable, "-c", start], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    _RUNNING.add(child)

    def collect() -> None:
        if not future.set_running_or_notify_cancel():
            child.kill()
            return
        try:
            assert child.stdin is not None and child.stdout is not None
            with child.stdin:
                pickle.dump((function, args), child.stdin, protocol=pickle.HIGHEST_PROTOCOL)
            answer = child.stdout.read()
            code = child.wait()
            if not answer:
                raise RuntimeError(f"{getattr(function, '__name__', 'the work')}'s process ended without a result "
                                   f"(exit code {code})")
            status, value = pickle.loads(answer)
            if status == "ok":
                future.set_result(value)
            else:
                future.set_exception(value)
        except BaseException as exc:
            child.kill()
            future.set_exception(exc)
        finally:
            _RUNNING.discard(child)

    threading.Thread(target=collect, name=f"process-{getattr(function, '__name__', 'work')}", daemon=True).start()
    return future


@atexit.register
def _stop_running() -> None:
    """A night leaving before it collected a process's result (cancelled, failed) stops it."""
    for child in list(_RUNNING):
        child.kill()
