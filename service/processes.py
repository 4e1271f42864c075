"""Several `recon serve-lookup` processes on one listening socket, so that lookups use every core.

Answering is Python-bound (the GIL): one process keeps about one core busy however many threads it
has. The first process binds the socket, then starts copies of itself (`--listen-fd`) that
inherit it; the kernel gives each connection to whichever process accepts it first, and a copy
accepts only once its snapshot is loaded. Each copy holds its own in-memory snapshot (about 1.2 GiB
at 1M claims) and reloads it by itself when the nightly run publishes. The first process stops its
copies when it stops; a copy whose first process is gone stops within a second.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

# how long a stop may take before it is forced (`cli.tools.serve_lookup`); copies get half of it
STOP_SECONDS = 20.0


def copies_started(listening: socket.socket, count: int, *, warehouse: Path, policy: Path, workers: int,
                   quiet: bool) -> list[subprocess.Popen]:
    """`count` more serve-lookup processes answering on `listening`."""
    fd = listening.fileno()
    command = [sys.executable, "-m", "cli", "serve-lookup", "--warehouse", str(warehouse), "--policy", str(policy),
               "--workers", str(workers), "--processes", "1", "--listen-fd", str(fd),
               "--parent-pid", str(os.getpid()), *(["--quiet"] if quiet else [])]
    project = str(Path(__file__).resolve().parents[1])
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, (project, os.environ.get("PYTHONPATH")))))
    return [subprocess.Popen(command, pass_fds=(fd,), env=env, stdin=subprocess.DEVNULL) for _ in range(count)]


def copies_stopped(copies: list[subprocess.Popen]) -> None:
    """SIGTERM to every copy; those still running after STOP_SECONDS / 2 in all are killed."""
    for copy in copies:
        if copy.poll() is None:
            copy.terminate()
    deadline = time.monotonic() + STOP_SECONDS / 2
    for copy in copies:
        try:
            copy.wait(timeout=max(deadline - time.monotonic(), 0.0))
        except subprocess.TimeoutExpired:
            copy.kill()
            copy.wait()


def inherited_socket(fd: int) -> socket.socket:
    """The listening socket the first process passed down."""
    return socket.socket(fileno=fd)


def stop_when_orphaned(parent_pid: int, stop: Callable[[], None]) -> None:
    """Call `stop` (in a background thread) once the first process is gone."""
    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(1)
        stop()

    threading.Thread(target=watch, name="orphan-watch", daemon=True).start()
