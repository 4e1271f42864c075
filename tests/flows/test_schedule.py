"""Nightly scheduling: the cron schedule Prefect gets, the system-cron alternative, and `recon serve`
registering the deployment on a real `prefect server start`."""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from datetime import date
from zoneinfo import ZoneInfo

import pytest

from flows.schedule import cron_expression, crontab_line, nightly_schedule
from tests.flows.inputs import write_inputs
from tests.flows.subprocesses import REPO, free_port, recon, recon_env, recon_popen


def test_cron_expression_and_schedule_zone():
    assert cron_expression("02:30") == "30 2 * * *"
    schedule = nightly_schedule("02:30", "Asia/Shanghai")
    assert schedule.cron == "30 2 * * *"
    assert schedule.timezone == "Asia/Shanghai"
    with pytest.raises(ValueError, match="--at must be HH:MM"):
        cron_expression("2am")


def test_crontab_line_is_written_in_the_machine_zone(tmp_path):
    line = crontab_line(tmp_path, tmp_path / "s.yaml", tmp_path / "w.duckdb", at="02:00",
                        timezone="Asia/Shanghai", machine_zone=ZoneInfo("UTC"), on=date(2026, 11, 26))
    comment, entry = line.splitlines()
    assert "02:00 Asia/Shanghai (= 18:00 machine time)" in comment
    assert entry.startswith("0 18 * * * cd ")
    assert "recon run --sources" in entry and entry.endswith("2>&1")


def _api(url: str, path: str, body: dict | None = None):
    request = urllib.request.Request(
        url + path, data=json.dumps(body or {}).encode() if body is not None else None,
        headers={"Content-Type": "application/json"}, method="POST" if body is not None else "GET",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"null")


def _wait_for(predicate, seconds: float):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except OSError:
            pass
        time.sleep(0.5)
    return None


def test_run_and_serve_against_a_real_prefect_server(tmp_path):
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = recon_env(tmp_path, PREFECT_API_URL=api)
    server = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    serving = None
    try:
        assert _wait_for(lambda: _api(api, "/health") is True, 120), "prefect server did not start"
        sources = write_inputs(tmp_path)
        done = recon("run", "--sources", str(sources), "--warehouse", str(tmp_path / "w.duckdb"),
                     "--as-of", "2026-11-26", env=env)
        assert done.returncode == 0, done.stdout + done.stderr
        runs = _api(api, "/flow_runs/filter", {})
        assert [r["state_type"] for r in runs] == ["COMPLETED"]

        serving = recon_popen("serve", "--sources", str(sources), "--warehouse", str(tmp_path / "w.duckdb"),
                              "--at", "02:00", env=env)
        deployments = _wait_for(lambda: _api(api, "/deployments/filter", {}), 120)
        assert deployments, "recon serve registered no deployment"
        deployment = deployments[0]
        assert deployment["name"] == "nightly"
        schedule = deployment["schedules"][0]["schedule"]
        assert (schedule["cron"], schedule["timezone"]) == ("0 2 * * *", "Asia/Shanghai")
        assert deployment["parameters"]["warehouse_path"] == str(tmp_path / "w.duckdb")
    finally:
        for process in (serving, server):
            if process is not None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
