"""Work started on a thread or in a process of its own (`flows.background`): the night collects its
result or its error."""

import operator
import os
import pickle
import threading

import pytest

from flows.background import WorkerProcess, in_background, in_process


def test_the_result_is_what_the_function_returned() -> None:
    assert in_background(lambda a, b: a + b, 2, 3).result(timeout=10) == 5


def test_an_error_is_raised_where_the_result_is_collected() -> None:
    def failing() -> None:
        raise ValueError("replay failed")

    with pytest.raises(ValueError, match="replay failed"):
        in_background(failing).result(timeout=10)


def test_the_work_runs_on_a_daemon_thread_so_a_stopped_night_does_not_wait_for_it() -> None:
    release = threading.Event()
    seen: list[threading.Thread] = []

    def waiting() -> None:
        seen.append(threading.current_thread())
        release.wait(10)

    future = in_background(waiting)
    try:
        while not seen:
            threading.Event().wait(0.01)
        assert seen[0] is not threading.main_thread() and seen[0].daemon
        assert not future.done()
    finally:
        release.set()
    future.result(timeout=10)


def test_work_in_a_process_returns_its_result_and_raises_its_error_where_collected() -> None:
    assert in_process(operator.add, 2, 3).result(timeout=60) == 5
    with pytest.raises(ValueError, match="invalid literal"):
        in_process(int, "not a number").result(timeout=60)


def test_a_process_that_dies_without_answering_is_an_error_not_a_hang() -> None:
    with pytest.raises(RuntimeError, match=r"ended without a result \(exit code 3\)"):
        in_process(os._exit, 3).result(timeout=60)


def test_work_that_cannot_be_sent_is_an_error() -> None:
    with pytest.raises((pickle.PicklingError, TypeError, AttributeError)):
        in_process(lambda: 1).result(timeout=60)


def test_a_worker_process_answers_its_work_in_order_and_takes_more_while_busy() -> None:
    import time

    worker = WorkerProcess()
    try:
        started = time.monotonic()
        slow = worker.submit(time.sleep, 2)
        queued = [worker.submit(divmod, n, 3) for n in range(5)]
        failing = worker.submit(int, "x", base=10)
        assert time.monotonic() - started < 1  # submitting does not wait for the busy process
        assert slow.result(timeout=60) is None
        assert [f.result(timeout=60) for f in queued] == [divmod(n, 3) for n in range(5)]
        with pytest.raises(ValueError, match="invalid literal"):
            failing.result(timeout=60)
    finally:
        worker.shutdown()


def test_a_worker_process_shut_down_with_its_work_cancelled_stops_at_once() -> None:
    import time

    worker = WorkerProcess()
    pending = worker.submit(time.sleep, 60)
    worker.shutdown(cancel_futures=True)
    with pytest.raises(RuntimeError, match="ended without a result"):
        pending.result(timeout=10)
