"""`recon run` as a person runs it: exit codes, messages, the summary, and a run killed mid-way."""

import os
import signal
import subprocess
import time
from pathlib import Path

import duckdb
import pytest
import yaml

from tests.flows.inputs import write_inputs
from tests.flows.subprocesses import recon, recon_env, recon_popen


def test_run_prints_a_summary_per_file_and_where_the_outputs_are(tmp_path):
    sources = write_inputs(tmp_path)
    warehouse = tmp_path / "var" / "warehouse.duckdb"
    done = recon("run", "--sources", str(sources), "--warehouse", str(warehouse), "--as-of", "2026-11-26",
                 env=recon_env(tmp_path))
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "webform_export.csv" in out and "crm_leads.csv" in out and "报备登记表.xlsx" in out
    assert f"warehouse: {warehouse}" in out.replace("\n", "")
    assert "validation report" in out
    assert "rows read" in out and "读取行数" in out and "manager reports written" in out
    assert f"reports: {tmp_path / 'var' / 'reports' / '2026-11-26'}" in out.replace("\n", "")
    assert (tmp_path / "var" / "validation" / "index.html").is_file()


def test_a_bad_config_is_one_line_exit_2_before_anything_starts(tmp_path):
    sources = write_inputs(tmp_path)
    sources.write_text(sources.read_text(encoding="utf-8").replace("kind: crm", "kind: erp"), encoding="utf-8")
    warehouse = tmp_path / "var" / "warehouse.duckdb"
    done = recon("run", "--sources", str(sources), "--warehouse", str(warehouse), env=recon_env(tmp_path))
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "recon: sources.yaml: sources[1].kind: Input should be 'form', 'crm' or 'sheet'"]
    assert done.stdout == ""
    assert not (tmp_path / "var").exists()  # no warehouse, no Prefect home, no log: nothing started

    debug = recon("run", "--sources", str(sources), "--warehouse", str(warehouse), "--debug", env=recon_env(tmp_path))
    assert debug.returncode == 2 and "Traceback" in debug.stderr and "ConfigError" in debug.stderr


def test_a_bad_config_after_a_night_stops_the_api_started_while_it_was_checked(tmp_path):
    """A warehouse folder that ran a night has Prefect's home, and its API starts while the inputs
    are checked: a mistake found then still exits 2 with one line, and stops it."""
    sources = write_inputs(tmp_path)
    warehouse = tmp_path / "var" / "warehouse.duckdb"
    env = recon_env(tmp_path)
    first = recon("run", "--sources", str(sources), "--warehouse", str(warehouse), "--as-of", "2026-11-26", env=env)
    assert first.returncode == 0, first.stderr
    sources.write_text(sources.read_text(encoding="utf-8").replace("kind: crm", "kind: erp"), encoding="utf-8")
    done = recon("run", "--sources", str(sources), "--warehouse", str(warehouse), env=env)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "recon: sources.yaml: sources[1].kind: Input should be 'form', 'crm' or 'sheet'"]
    assert not _processes_with(f"PREFECT_HOME={env['PREFECT_HOME']}"), "the API outlived the refused run"


def test_policy_and_roster_mistakes_name_the_key_and_the_row(tmp_path):
    sources = write_inputs(tmp_path)
    policy = tmp_path / "policy.yaml"
    policy.write_text("protection_days:\n  E: 10\n", encoding="utf-8")
    done = recon("run", "--sources", str(sources), "--policy", str(policy), env=recon_env(tmp_path))
    assert (done.returncode, done.stderr) == (
        2, "recon: policy.yaml: protection_days.E: Extra inputs are not permitted\n")

    roster = tmp_path / "inputs" / "reps.csv"
    lines = roster.read_text(encoding="utf-8").splitlines()
    fields = lines[2].split(",")
    fields[-1] = "many"
    lines[2] = ",".join(fields)
    roster.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = recon("run", "--sources", str(sources), env=recon_env(tmp_path))
    assert done.returncode == 2
    assert done.stderr.startswith(f"recon: {roster}: row 3 (rep {fields[0]}): quota many is not a whole number")


def test_a_bad_as_of_is_refused_by_the_parser(tmp_path):
    done = recon("run", "--as-of", "26/11/2026", env=recon_env(tmp_path))
    assert done.returncode == 2
    assert "--as-of must be YYYY-MM-DD" in done.stderr


def _alive(process_group: int) -> bool:
    try:
        os.killpg(process_group, 0)
    except ProcessLookupError:
        return False
    return True


def _processes_with(environment_entry: str) -> list[int]:
    """The processes whose environment holds `environment_entry` (the run's Prefect API runs in its
    own session, outside the run's process group)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and environment_entry.encode() in (entry / "environ").read_bytes().split(b"\0"):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def _second_night(tmp_path):
    """A published first night, and a second night's file: (sources, warehouse, its bytes)."""
    sources = write_inputs(tmp_path)
    warehouse = tmp_path / "var" / "warehouse.duckdb"
    first = recon("run", "--sources", str(sources), "--warehouse", str(warehouse), "--as-of", "2026-11-26",
                  env=recon_env(tmp_path))
    assert first.returncode == 0, first.stderr
    (tmp_path / "inputs" / "form" / "webform_export_2.csv").write_bytes(
        (tmp_path / "inputs" / "form" / "webform_export.csv").read_bytes().replace(b"WF-000", b"WF-100")
    )
    return sources, warehouse, warehouse.read_bytes()


def test_sigterm_cancels_the_run_and_leaves_the_last_warehouse(tmp_path):
    sources, warehouse, before = _second_night(tmp_path)
    run = recon_popen("run", "--sources", str(sources), "--warehouse", str(warehouse), "--as-of", "2026-11-27",
                      env=recon_env(tmp_path), stderr=subprocess.PIPE)
    first_stage = run.stderr.readline()  # the ingest stage is done: validation (Great Expectations) runs
    assert "读取文件" in first_stage, first_stage
    run.send_signal(signal.SIGTERM)
    err = run.stderr.read()
    assert run.wait(timeout=30) == 128 + signal.SIGTERM
    assert "The run was cancelled (SIGTERM); the published warehouse is unchanged." in err
    assert "Traceback" not in err
    assert warehouse.read_bytes() == before
    assert not warehouse.with_name("warehouse.duckdb.building").exists()
    assert not _alive(run.pid)  # nothing the run started outlives it


def test_a_run_killed_mid_way_leaves_the_last_warehouse_readable_and_no_process(tmp_path):
    sources = write_inputs(tmp_path)
    warehouse = tmp_path / "var" / "warehouse.duckdb"
    env = recon_env(tmp_path)
    first = recon("run", "--sources", str(sources), "--warehouse", str(warehouse), "--as-of", "2026-11-26", env=env)
    assert first.returncode == 0, first.stderr
    before = warehouse.read_bytes()

    (tmp_path / "inputs" / "form" / "webform_export_2.csv").write_bytes(
        (tmp_path / "inputs" / "form" / "webform_export.csv").read_bytes().replace(b"WF-000", b"WF-100")
    )
    building = warehouse.with_name("warehouse.duckdb.building")
    run = recon_popen("run", "--sources", str(sources), "--warehouse", str(warehouse), "--as-of", "2026-11-27",
                      env=env)
    deadline = time.monotonic() + 120
    while not building.exists() and run.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert building.exists(), "the run never started building"
    os.kill(run.pid, signal.SIGKILL)  # the run alone dies at once, as in a crash
    run.wait(timeout=30)
    time.sleep(1)
    assert not _alive(run.pid), "a process started by the run outlived it"
    assert not _processes_with(f"PREFECT_HOME={env['PREFECT_HOME']}"), "the run's Prefect API outlived it"

    assert warehouse.read_bytes() == before
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from claims").fetchall()[0][0] == 7

    again = recon("run", "--sources", str(sources), "--warehouse", str(warehouse), "--as-of", "2026-11-27", env=env)
    assert again.returncode == 0, again.stdout + again.stderr
    assert not building.exists()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from claims").fetchall()[0][0] == 9


@pytest.mark.spark
def test_spark_that_cannot_start_stops_the_night_with_one_line_and_the_warehouse_unchanged(tmp_path):
    """`--engine spark` with YARN and no HADOOP_CONF_DIR: exit 1, what failed and where to look, no
    stack; found before the night's work (no stage ran); nothing published."""
    sources = write_inputs(tmp_path)
    config = yaml.safe_load(sources.read_text(encoding="utf-8"))
    config["matching"] = {"spark": {"master": "yarn"}}
    sources.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    warehouse = tmp_path / "var" / "warehouse.duckdb"
    env = {k: v for k, v in recon_env(tmp_path).items() if k not in ("HADOOP_CONF_DIR", "YARN_CONF_DIR")}
    done = recon("run", "--sources", str(sources), "--warehouse", str(warehouse), "--as-of", "2026-11-26",
                 "--engine", "spark", env=env)
    assert done.returncode == 1, done.stderr[-3000:]
    lines = done.stderr.splitlines()
    stopped = lines.index("The run stopped; the published warehouse is unchanged.")
    assert lines[stopped + 1].startswith("Spark could not start a session on master 'yarn': ")
    assert lines[stopped + 1].endswith("or run the night with --engine duckdb.")
    assert "Traceback" not in done.stderr and "unexpected error" not in done.stderr
    assert "✓" not in done.stderr and "ingesting new files" not in done.stderr
    assert not warehouse.exists()
