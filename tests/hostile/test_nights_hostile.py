"""Half-finished nights: whatever a night writes besides the warehouse is tied to its publish."""

from __future__ import annotations

from datetime import UTC, date, datetime

import duckdb
import pytest

from adapters.sql_files import TableChecks
from flows import marts_stage, matching_stage
from flows.nightly import RunCheckError, nightly
from flows.publish import EarlierNight
from matching.match_model import MatchModel
from matching.model_files import DEFAULT_MODEL, MODEL_FILE
from tests.flows.inputs import write_inputs

pytestmark = pytest.mark.usefixtures("prefect_harness")


@pytest.fixture
def trains_tonight(monkeypatch):
    """A night that trains its own model however few its claims: training itself is replaced by the
    packaged model (real, just not trained on these claims), so what is tested is where it goes."""
    monkeypatch.setattr(matching_stage, "MIN_TRAINING_CLAIMS", 1)
    monkeypatch.setattr(matching_stage, "train_model", lambda prepared, connect: (MatchModel.read(DEFAULT_MODEL), None))


def test_a_night_that_fails_after_matching_leaves_its_model_unused(tmp_path, monkeypatch, trains_tonight):
    broken = TableChecks("mart_rep_protections", key=("team",))
    declared = marts_stage.published_checks
    monkeypatch.setattr(marts_stage, "published_checks", lambda: [*declared(), broken])
    warehouse = tmp_path / "var" / "warehouse.duckdb"
    with pytest.raises(RunCheckError):
        nightly(write_inputs(tmp_path), warehouse, date(2026, 11, 26))
    assert not warehouse.exists()
    assert not (tmp_path / "var" / "model" / MODEL_FILE).exists()
    assert not (tmp_path / "var" / "model.pending").exists()


def test_a_published_night_puts_the_model_it_trained_in_use(tmp_path, trains_tonight):
    warehouse = tmp_path / "var" / "warehouse.duckdb"
    summary = nightly(write_inputs(tmp_path), warehouse, date(2026, 11, 26))
    assert summary.matching.model_source == "trained tonight"
    assert summary.matching.model_path == tmp_path / "var" / "model" / MODEL_FILE
    assert summary.matching.model_path.exists() and (tmp_path / "var" / "model" / "match_weights.html").exists()
    assert not (tmp_path / "var" / "model.pending").exists()


def test_a_warehouse_folder_that_cannot_be_written_is_one_line_and_exit_2(tmp_path):
    from tests.flows.subprocesses import recon, recon_env

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the warehouse folder should be", encoding="utf-8")
    done = recon("run", "--sources", str(write_inputs(tmp_path)), "--warehouse", str(blocker / "w.duckdb"),
                 "--as-of", "2026-11-26", env=recon_env(tmp_path))
    assert done.returncode == 2
    [line] = done.stderr.strip().splitlines()
    assert line.startswith(f"recon: this night was not published: cannot write in {blocker} (Not a directory: ")
    assert "Traceback" not in done.stderr + done.stdout


def test_a_night_stopped_between_its_swap_and_its_files_has_them_written_by_the_next_run(tmp_path, monkeypatch):
    import flows.nightly as night_module

    sources, warehouse = write_inputs(tmp_path), tmp_path / "var" / "warehouse.duckdb"
    with monkeypatch.context() as killed:
        killed.setattr(night_module, "files_written", lambda *args: None)  # the process died right after the swap
        first = nightly(sources, warehouse, date(2026, 11, 26))
    reports = tmp_path / "var" / "reports" / "2026-11-26"
    assert warehouse.exists() and not reports.exists()
    assert (tmp_path / "var" / "warehouse.duckdb.files-pending.json").exists()

    second = nightly(sources, warehouse, date(2026, 11, 27))
    assert any(f"night {first.run_id} was stopped after its publish" in p for p in second.problems)
    assert sorted(p.name for p in reports.iterdir()) == [
        "conflicts_2026-11-26_刘洋.html", "conflicts_2026-11-26_刘洋.xlsx", "conflicts_2026-11-26_张伟.html",
        "conflicts_2026-11-26_张伟.xlsx", "notices"]
    assert (tmp_path / "var" / "exports" / "quarantine_2026-11-26.csv").exists()
    assert not (tmp_path / "var" / "warehouse.duckdb.files-pending.json").exists()
    with duckdb.connect(str(warehouse), read_only=True) as con:  # run_log says which night finished which
        logged = con.execute("select run_id, model, finished_night from run_log order by started_at").fetchall()
    assert logged == [(first.run_id, "packaged default", None), (second.run_id, "packaged default", first.run_id)]


def test_a_read_only_warehouse_folder_is_one_line_and_exit_2(tmp_path):
    import subprocess

    from tests.flows.subprocesses import recon, recon_env

    folder = tmp_path / "var"
    for sub in ("logs", "prefect"):
        (folder / sub).mkdir(parents=True)
    live = folder / "warehouse.duckdb"
    live.write_bytes(b"the last published night")
    sources = write_inputs(tmp_path)
    # read-only even for root, who ignores permission bits (this machine runs the suite as root)
    if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not available on this file system")
    try:
        done = recon("run", "--sources", str(sources), "--warehouse", str(live), "--as-of", "2026-11-26",
                     env=recon_env(tmp_path))
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)
    assert done.returncode == 2
    [line] = done.stderr.strip().splitlines()
    assert line.startswith(f"recon: this night was not published: cannot write in {folder} (Operation not permitted")
    assert "Traceback" not in done.stderr + done.stdout
    assert live.read_bytes() == b"the last published night"


def test_a_swap_failing_on_a_full_disk_leaves_the_last_night_and_nothing_due(tmp_path, monkeypatch):
    import errno

    from adapters import warehouse as warehouse_files
    from flows.publish import NightFiles, interrupted_files_written

    sources, live = write_inputs(tmp_path), tmp_path / "var" / "warehouse.duckdb"
    nightly(sources, live, date(2026, 11, 26))
    before = live.read_bytes()

    def disk_full(con, path):
        con.execute("checkpoint")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(warehouse_files, "publish", disk_full)
    with pytest.raises(OSError, match="No space left"):
        nightly(sources, live, date(2026, 11, 27))
    assert live.read_bytes() == before
    leftovers = sorted(p.name for p in live.parent.iterdir() if p.name.startswith("warehouse.duckdb."))
    assert leftovers == ["warehouse.duckdb.lock"]  # no half-built file, WAL or files-pending marker
    assert not (tmp_path / "var" / "reports" / "2026-11-27").exists()
    # a night recorded, then killed before its swap, was never published: nothing of it is written
    NightFiles("2026-11-27-1", date(2026, 11, 27), datetime(2026, 11, 27, 16, tzinfo=UTC), "Asia/Shanghai",
               "<html></html>").record(live)
    assert interrupted_files_written(live) == EarlierNight()
    assert not (tmp_path / "var" / "reports" / "2026-11-27").exists()
    assert not (live.parent / "warehouse.duckdb.files-pending.json").exists()
