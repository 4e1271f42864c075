"""A signal stops a run inside a long DuckDB query: the query is interrupted, not waited for."""

import signal
import subprocess
import sys
import time

from tests.flows.subprocesses import REPO

# a query of several minutes; the child prints "running" just before it
SCRIPT = """
import sys
from flows.cancel import RunCancelled, cancellable
with cancellable() as cancel:
    con = cancel.connect()
    try:
        print("running", flush=True)
        con.execute("select count(*) from range(100000000000) a where hash(a) % 7 = 3").fetchall()
        print("finished")
    except BaseException as exc:
        try:
            cancel.check(exc)
            raise
        except RunCancelled as cancelled:
            print(cancelled, flush=True)
            sys.exit(3)
        raise
"""


def test_sigterm_interrupts_a_running_query():
    child = subprocess.Popen([sys.executable, "-c", SCRIPT], cwd=REPO, stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "running"
    time.sleep(1)  # inside the query by now
    child.send_signal(signal.SIGTERM)
    out, _ = child.communicate(timeout=60)  # the query alone would run for minutes
    assert (child.returncode, out.strip()) == (3, "stopped by SIGTERM")


def test_outside_the_block_the_previous_handler_is_back():
    from flows.cancel import cancellable

    before = signal.getsignal(signal.SIGTERM)
    with cancellable():
        assert signal.getsignal(signal.SIGTERM) is not before
    assert signal.getsignal(signal.SIGTERM) is before
