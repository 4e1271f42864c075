"""Work a night starts on a thread of its own and collects later (`concurrent.futures.Future`)."""

from __future__ import annotations

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
