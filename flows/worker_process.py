"""The other end of `flows.background.in_process`: run one function in this process and hand its
result back.

Started by `in_process` (with the parent's `sys.path`): reads a pickled (function, arguments) from stdin,
writes a pickled ("ok", result) or ("error", exception) to stdout. Anything the function prints
goes to stderr, so the answer stays readable. On Linux the process asks to be stopped when its
parent dies: a night killed while its replay runs leaves nothing behind. (The signal follows the
thread that started the process, which must outlive it: the night's own, which waits for the result.)
"""

from __future__ import annotations

import ctypes
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
    answer = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    sys.stdout = sys.stderr
    try:
        function, args = pickle.load(sys.stdin.buffer)
    except EOFError:  # the parent could not send its work (and raises why)
        sys.exit(1)
    try:
        outcome = ("ok", function(*args))
    except Exception as exc:  # handed to the parent, which raises it where the result is collected
        outcome = ("error", exc)
    try:
        pickle.dump(outcome, answer, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError):  # an exception that does not pickle
        pickle.dump(("error", RuntimeError(repr(outcome[1]))), answer, protocol=pickle.HIGHEST_PROTOCOL)
    answer.close()
