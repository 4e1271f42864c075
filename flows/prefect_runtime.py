"""What Prefect needs to run a night, set by `recon` itself, so that a night runs the same from a
shell, from cron (`env -i`, any folder) or as a deployment run.

Without `PREFECT_API_URL`, Prefect would start a temporary API server as a child process: slow to
start on a loaded machine, and left running on its own when the run is killed. Instead the API
runs inside this process, on a thread, with its database under the warehouse's folder: nothing of
the run can outlive it. With `PREFECT_API_URL` set (a long-lived `prefect server start`, as for
`recon serve`), that server is used and nothing is started.

Everything here must happen before Prefect is first imported: its settings are read at import.
"""

from __future__ import annotations

import atexit
import logging
import os
import socket
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

STARTUP_SECONDS = 120.0  # a cold start on a loaded 2-core machine took up to ~40 s
_QUIET = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",  # offline: no telemetry attempts
    "DO_NOT_TRACK": "1",
    "PREFECT_UI_ENABLED": "false",
}


@dataclass
class LocalApi:
    """Prefect's API served from a thread of this process."""

    url: str
    server: object  # uvicorn.Server
    thread: threading.Thread

    def stop(self) -> None:
        """Flush what Prefect still sends, then stop the server (idempotent)."""
        if not self.thread.is_alive():
            return
        _flush_prefect_workers()
        self.server.should_exit = True
        self.thread.join(timeout=10)


def prepare_prefect(prefect_home: Path, *, verbose: bool = False) -> LocalApi | None:
    """Set Prefect's environment for this process and start its API when none is configured.

    `prefect_home` holds Prefect's database when the API runs here (an existing
    `PREFECT_HOME` is respected). Console logging is off unless `verbose`: `flows.logs` sends
    it to the run's log file instead."""
    for name, value in _QUIET.items():
        os.environ.setdefault(name, value)
    if not verbose:
        os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "CRITICAL")
    if os.environ.get("PREFECT_API_URL"):
        import prefect  # noqa: F401 - Prefect sets up its logging at import: before `flows.logs` does

        return None
    home = Path(os.environ.setdefault("PREFECT_HOME", str(prefect_home))).expanduser()
    home.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    url = f"http://127.0.0.1:{port}/api"
    os.environ["PREFECT_API_URL"] = url
    return _start_api(url, port)


def _start_api(url: str, port: int) -> LocalApi:
    import uvicorn
    from prefect.server.api.server import create_app

    app = create_app(ephemeral=True, final=True)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error", lifespan="on"))
    thread = threading.Thread(target=server.run, name="prefect-api", daemon=True)
    thread.start()
    api = LocalApi(url, server, thread)
    # registered before any Prefect worker starts, so it runs after theirs at exit
    atexit.register(api.stop)
    limit = float(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS") or STARTUP_SECONDS)
    deadline = time.monotonic() + max(limit, STARTUP_SECONDS)
    while time.monotonic() < deadline:
        if not thread.is_alive():
            raise RuntimeError("Prefect's API could not start in this process (see the run's log file)")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                if response.status == 200:
                    return api
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"Prefect's API did not answer within {limit:.0f} s")


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
