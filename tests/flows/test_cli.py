"""`recon run` as a person runs it: exit codes, messages, the summary, and a run killed mid-way."""

import os
import signal
import time

import duckdb

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


def test_a_bad_config_exits_1_with_the_key_and_publishes_nothing(tmp_path):
    sources = write_inputs(tmp_path)
    sources.write_text(sources.read_text(encoding="utf-8").replace("kind: crm", "kind: erp"), encoding="utf-8")
    warehouse = tmp_path / "var" / "warehouse.duckdb"
    done = recon("run", "--sources", str(sources), "--warehouse", str(warehouse), env=recon_env(tmp_path))
    assert done.returncode == 1
    assert "sources[1].kind" in done.stdout
    assert "published warehouse is unchanged" in done.stdout
    assert not warehouse.exists()


def test_a_bad_as_of_is_refused_by_the_parser(tmp_path):
    done = recon("run", "--as-of", "26/11/2026", env=recon_env(tmp_path))
    assert done.returncode == 2
    assert "--as-of must be YYYY-MM-DD" in done.stderr


def test_a_run_killed_mid_way_leaves_the_last_warehouse_readable(tmp_path):
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
    os.killpg(run.pid, signal.SIGKILL)  # the whole job dies at once, as in a crash
    run.wait(timeout=30)

    assert warehouse.read_bytes() == before
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from claims").fetchall()[0][0] == 7

    again = recon("run", "--sources", str(sources), "--warehouse", str(warehouse), "--as-of", "2026-11-27", env=env)
    assert again.returncode == 0, again.stdout + again.stderr
    assert not building.exists()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from claims").fetchall()[0][0] == 9
