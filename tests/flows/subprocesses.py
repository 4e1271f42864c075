"""Running `recon` as a separate process, as sales-ops or cron would, with a private Prefect home."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def recon_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "PREFECT_HOME": str(tmp_path / "prefect-home"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
        "PYTHONPATH": str(REPO),
    })
    env.pop("PREFECT_API_URL", None)
    env.update(extra)
    return env


def recon(*args: str, env: dict[str, str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cli", *args], check=False, env=env, cwd=REPO, capture_output=True,
        text=True, timeout=300, **kwargs,
    )


def recon_popen(*args: str, env: dict[str, str], stderr=subprocess.DEVNULL) -> subprocess.Popen:
    """`recon` in its own process group (whose id is its pid), so that a test can tell whether
    anything it started outlives it."""
    return subprocess.Popen(
        [sys.executable, "-m", "cli", *args], env=env, cwd=REPO,
        stdout=subprocess.DEVNULL, stderr=stderr, text=True, start_new_session=True,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
