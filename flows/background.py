"""Work a night starts on a thread, or in a process, of its own and collects later
(`concurrent.futures.Future`)."""

from __future__ import annotations

import atexit
import pickle
import queue
import subprocess
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future
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


def python_child(call: str, **popen: Any) -> subprocess.Popen:
    """A new Python process running `call` (a statement importing what it runs), with this process's
    `sys.path`: it imports from where this process does, whatever folder it was started in."""
    return subprocess.Popen([sys.executable, "-c", f"import sys; sys.path[:] = {sys.path!r}; {call}"], **popen)


class WorkerProcess(Executor):
    """A new Python process (`flows.worker_process`) running the functions submitted to it one after
    another, for long pure-Python work: on a thread it would hold the interpreter's lock, and the
    night's other thread, handing many small steps to polars and DuckDB, would wait for the lock at
    every step; in a process of its own each has a core.

    A function must be importable by name, its arguments and result picklable. `submit` returns at
    once: a thread sends the work (a busy process reads it only when it is done with the last) and
    another collects the answers, in order. An error is raised where its result is collected; a
    process that dies fails what it had not answered. The process ends with this one (the Linux
    parent-death signal follows the thread that made this object, which must outlive it; and a kill
    at exit)."""

    def __init__(self, name: str = "work") -> None:
        self._child = python_child("from flows.worker_process import main; main()", stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE)
        _RUNNING.add(self._child)
        self._to_send: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self._to_answer: queue.SimpleQueue[Future | None] = queue.SimpleQueue()
        threading.Thread(target=self._send, name=f"process-{name}-send", daemon=True).start()
        threading.Thread(target=self._collect, name=f"process-{name}", daemon=True).start()

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        future: Future[T] = Future()
        try:
            work = pickle.dumps((fn, args, kwargs), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:
            future.set_exception(exc)
            return future
        future.set_running_or_notify_cancel()
        self._to_answer.put(future)
        self._to_send.put(work)
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """The process ends once it has answered what was submitted (at once with `cancel_futures`)."""
        if cancel_futures:
            self._child.kill()
        self._to_send.put(None)
        self._to_answer.put(None)
        if wait:
            self._child.wait()

    def _send(self) -> None:
        assert self._child.stdin is not None
        try:
            with self._child.stdin:
                while (work := self._to_send.get()) is not None:
                    self._child.stdin.write(work)
                    self._child.stdin.flush()
        except OSError:  # the process died: `_collect` fails what it had not answered
            pass

    def _collect(self) -> None:
        assert self._child.stdout is not None
        try:
            while (future := self._to_answer.get()) is not None:
                try:
                    status, value = pickle.load(self._child.stdout)
                except EOFError:
                    code = self._child.wait()
                    future.set_exception(RuntimeError(f"the process ended without a result (exit code {code})"))
                    continue
                if status == "ok":
                    future.set_result(value)
                else:
                    future.set_exception(value)
        finally:
            self._child.stdout.close()
            _RUNNING.discard(self._child)


def in_process(function: Callable[..., T], *args: Any) -> Future[T]:
    """`function(*args)` run in a new process of its own (`WorkerProcess`), which ends with it."""
    worker = WorkerProcess(getattr(function, "__name__", "work"))
    future = worker.submit(function, *args)
    worker.shutdown(wait=False)
    return future


@atexit.register
def _stop_running() -> None:
    """A night leaving before it collected a process's result (cancelled, failed) stops it."""
    for child in list(_RUNNING):
        child.kill()
