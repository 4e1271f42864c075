"""What Prefect needs to run a night, set by `recon` itself, so that a night runs the same from a
shell, from cron (`env -i`, any folder) or as a deployment run.

Without `PREFECT_API_URL`, `recon run` serves Prefect's API for the night from a process of its own
(`flows.prefect_api_process`), with its database under the warehouse's folder. It is started early
(`cli.night.run`), so that it comes up (about 3 s of imports and database set-up) while the night
checks its inputs and imports its flow on the other core, and it stops with the night, killed or
not: nothing of the run outlives it. (Prefect's own temporary server is also a child process, but
one a killed run leaves running.) With `PREFECT_API_URL` set (a long-lived `prefect server start`,
as for `recon serve`), that server is used and nothing is started.

Everything here must happen before Prefect is first imported: its settings are read at import.
"""

from __future__ import annotations

import atexit
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from flows.background import python_child

STARTUP_SECONDS = 120.0  # a cold start on a loaded 2-core machine took up to ~40 s
_QUIET = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",  # offline: no telemetry attempts
    "DO_NOT_TRACK": "1",
    "PREFECT_UI_ENABLED": "false",
}


@dataclass
class LocalApi:
    """Prefect's API served by a process of this night's."""

    url: str
    process: subprocess.Popen

    def wait_until_ready(self) -> None:
        """Return once the API answers; raise if its process ended or it did not answer in time."""
        limit = float(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS") or STARTUP_SECONDS)
        deadline = time.monotonic() + max(limit, STARTUP_SECONDS)
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Prefect's API could not start (its process ended with code "
                                   f"{self.process.returncode}; see the run's log file)")
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"Prefect's API did not answer within {limit:.0f} s")

    def stop(self) -> None:
        """Flush what Prefect still sends, then stop the server (idempotent)."""
        if self.process.poll() is not None:
            return
        if "prefect" in sys.modules:  # else the night stopped before it ran
            _flush_prefect_workers()
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def prepare_prefect(prefect_home: Path, *, verbose: bool = False) -> LocalApi | None:
    """`prefect_environment`, then Prefect imported (`prefect_imported`)."""
    api = prefect_environment(prefect_home, verbose=verbose)
    prefect_imported()
    return api


def prefect_environment(prefect_home: Path, *, verbose: bool = False) -> LocalApi | None:
    """Set Prefect's environment for this process and start its API when none is configured,
    without waiting for it (`LocalApi.wait_until_ready` before the first flow) and without
    importing Prefect here (`prefect_imported`, before the night's logs are routed).

    `prefect_home` holds Prefect's database when the API runs here (an existing
    `PREFECT_HOME` is respected). Console logging is off unless `verbose`: `flows.logs` sends
    it to the run's log file instead."""
    for name, value in _QUIET.items():
        os.environ.setdefault(name, value)
    if not verbose:
        os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "CRITICAL")
    if os.environ.get("PREFECT_API_URL"):
        return None
    home = Path(os.environ.setdefault("PREFECT_HOME", str(prefect_home))).expanduser()
    home.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    url = f"http://127.0.0.1:{port}/api"
    os.environ["PREFECT_API_URL"] = url
    return _start_api(url, port)


def prefect_imported() -> None:
    import prefect  # noqa: F401 - Prefect sets up its logging at import: before `flows.logs` does


def _start_api(url: str, port: int) -> LocalApi:
    # its own session keeps a terminal's Ctrl-C from it, so that a cancelled night can still report so
    process = python_child(f"from flows.prefect_api_process import main; main({port})", stdin=subprocess.DEVNULL,
                           start_new_session=True)
    api = LocalApi(url, process)
    # registered before any Prefect worker starts, so it runs after theirs at exit
    atexit.register(api.stop)
    return api


def _flush_prefect_workers() -> None:
    """Send the logs and events Prefect still holds while the API is up."""
    try:
        from prefect.events.worker import EventsWorker
        from prefect.logging.handlers import APILogWorker

        APILogWorker.drain_all(timeout=5)
        EventsWorker.drain_all(timeout=5)
    except Exception:
        logging.getLogger(__name__).debug("flushing Prefect's workers failed", exc_info=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
