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

import duckdb
import pytest

from flows.schedule import cron_expression, crontab_line, nightly_schedule
from samplegen import generate
from tests.flows.inputs import write_inputs
from tests.flows.subprocesses import REPO, free_port, recon, recon_env, recon_popen


def test_cron_expression_and_schedule_zone():
    assert cron_expression("02:30") == "30 2 * * *"
    schedule = nightly_schedule("02:30", "Asia/Shanghai")
    assert schedule.cron == "30 2 * * *"
    assert schedule.timezone == "Asia/Shanghai"
    with pytest.raises(ValueError, match="--at must be HH:MM"):
        cron_expression("2am")


def test_crontab_line_is_written_in_the_machine_zone_with_every_option(tmp_path):
    line = crontab_line(["/opt/recon/.venv/bin/recon"], tmp_path / "s.yaml", tmp_path / "50%" / "w.duckdb",
                        tmp_path / "p.yaml", at="02:00", timezone="Asia/Shanghai", verbose=True,
                        machine_zone=ZoneInfo("UTC"), on=date(2026, 11, 26))
    comment, entry = line.splitlines()
    assert "02:00 Asia/Shanghai (= 18:00 machine time)" in comment
    assert entry.startswith(f"0 18 * * * mkdir -p {tmp_path}/50\\%/logs && /opt/recon/.venv/bin/recon run ")
    assert f"--sources {tmp_path}/s.yaml --policy {tmp_path}/p.yaml --warehouse {tmp_path}/50\\%/w.duckdb" in entry
    assert entry.endswith(f"--verbose >> {tmp_path}/50\\%/logs/nightly.log 2>&1")


def test_help_prints_no_warning():
    done = subprocess.run([sys.executable, "-W", "default", "-m", "cli", "run", "--help"], cwd=REPO,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0 and "--as-of" in done.stdout
    assert done.stderr == ""


def test_the_printed_cron_line_runs_under_an_empty_environment_from_another_folder(tmp_path):
    sources = write_inputs(tmp_path / "project")
    warehouse = tmp_path / "night" / "w.duckdb"
    printed = recon("cron-line", "--sources", str(sources), "--warehouse", str(warehouse), "--at", "02:00",
                    env=recon_env(tmp_path))
    assert printed.returncode == 0, printed.stderr
    command = printed.stdout.splitlines()[1].split(" ", 5)[5]  # what cron runs: after the five time fields
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    done = subprocess.run(["env", "-i", "PATH=/usr/bin:/bin", f"HOME={elsewhere}", "sh", "-c", command],
                          cwd=elsewhere, capture_output=True, text=True, timeout=300, check=False)
    log = (warehouse.parent / "logs" / "nightly.log").read_text(encoding="utf-8")
    assert done.returncode == 0, log
    assert "Summary 汇总" in log and "rows read" in log
    assert "Traceback" not in log and "WARNING" not in log  # library chatter went to the run's own log file
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from claims").fetchall()[0][0] == 7


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


def _finished(flow_run: dict) -> str | None:
    state = flow_run["state_type"]
    return state if state in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED") else None


def test_a_deployment_run_can_ship_the_flow_function_to_its_process():
    import cloudpickle

    from flows.nightly import nightly

    # by reference (module and name), as a deployment run pickles it; by value it drags DuckDB along
    assert len(cloudpickle.dumps(nightly.fn)) < 1_000


@pytest.mark.serial
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

        # a run of the deployment, as the schedule would start it, completes and publishes
        # (retried: a busy server may answer 503 while the deployment's first poll holds its database)
        run = _wait_for(lambda: _api(api, f"/deployments/{deployment['id']}/create_flow_run",
                                     {"parameters": {"as_of": "2026-11-27"}}), 60)
        state = _wait_for(lambda: _finished(_api(api, f"/flow_runs/{run['id']}")), 300)
        assert state == "COMPLETED", state
        with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
            assert con.execute("select max(as_of) from run_log").fetchall()[0][0] == date(2026, 11, 27)

        # a run cancelled in Prefect stops, ends Cancelled and leaves the published warehouse as it was
        published = (tmp_path / "w.duckdb").read_bytes()
        big = generate(tmp_path / "big", 5000, 7, date(2026, 11, 25))["sources"]
        run = _api(api, f"/deployments/{deployment['id']}/create_flow_run",
                   {"parameters": {"as_of": "2026-11-28", "sources_path": str(big)}})
        assert _wait_for(lambda: _api(api, f"/flow_runs/{run['id']}")["state_type"] == "RUNNING", 120)
        _api(api, f"/flow_runs/{run['id']}/set_state", {"state": {"type": "CANCELLING"}, "force": True})
        assert _wait_for(lambda: _finished(_api(api, f"/flow_runs/{run['id']}")), 120) == "CANCELLED"
        assert (tmp_path / "w.duckdb").read_bytes() == published
        # the run's process removes its half-built file as it stops; Prefect may show Cancelled a moment
        # before that process is gone (seen with the other test worker loading the machine)
        assert _wait_for(lambda: not (tmp_path / "w.duckdb.building").exists(), 30)
    finally:
        for process in (serving, server):
            if process is not None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
