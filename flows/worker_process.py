"""The other end of `flows.background.WorkerProcess`: run the functions the parent sends, one after
another, and hand their results back.

It reads pickled (function, arguments, keyword arguments) from stdin until it closes, and writes a
pickled ("ok", result) or ("error", exception) to stdout for each, in order. Anything the function
prints goes to stderr, so the answers stay readable. On Linux the process asks to be stopped when
its parent dies: a night killed while its replay or checks run leaves nothing behind. A terminal's
Ctrl-C is left to the parent, which cancels the night and then stops this process: interrupted
here, the work would fail with an error of its own first.
"""

from __future__ import annotations

import ctypes
import gc
import os
import pickle
import signal
import sys

_PR_SET_PDEATHSIG = 1


def stopped_with_parent() -> None:
    """SIGTERM this process when its parent dies (Linux `prctl`; elsewhere nothing). The signal follows
    the parent's thread that started this process, which must outlive it."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def main() -> None:
    stopped_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    sys.stdout = sys.stderr
    while True:
        try:
            function, args, kwargs = pickle.load(sys.stdin.buffer)
        except EOFError:  # nothing more to do
            break
        try:
            outcome = ("ok", function(*args, **kwargs))
        except Exception as exc:  # handed to the parent, which raises it where the result is collected
            outcome = ("error", exc)
        try:
            answer = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError):  # an exception that does not pickle
            answer = pickle.dumps(("error", RuntimeError(repr(outcome[1]))), protocol=pickle.HIGHEST_PROTOCOL)
        del outcome
        answers.write(answer)
        answers.flush()
        _memory_returned()
    answers.close()


def _memory_returned() -> None:
    """Hand the freed memory of the last work back to the system: a process kept for the night
    (Great Expectations') would otherwise hold its largest work's (the claims' pandas copy, about
    200 MB at 1M claims) through the night's peak."""
    gc.collect()
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None).malloc_trim(0)
