"""The follow-ups file is read once per version in a process, and again as soon as it changes."""

import os

import yaml

from adapters.side_inputs import FOLLOWUP_COLUMNS, read_followups
from settings.sources import load_sources
from tests.flows.inputs import write_csv, write_inputs

ROW = ["A-1", "WF-1", "R001", "2026-11-20T10:00:00+08:00", "call", "first call"]


def test_followups_are_read_again_once_the_file_changed_and_not_before(tmp_path):
    sources = write_inputs(tmp_path)
    config = yaml.safe_load(sources.read_text(encoding="utf-8"))
    config["followups"] = {"path": "inputs/followups.csv"}
    sources.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    path = tmp_path / "inputs" / "followups.csv"
    write_csv(path, list(FOLLOWUP_COLUMNS), [ROW], encoding="utf-8")
    first = read_followups(load_sources(sources))
    assert read_followups(load_sources(sources)) is first  # unchanged: not parsed again

    stat = path.stat()
    write_csv(path, list(FOLLOWUP_COLUMNS), [[*ROW[:4], "visit", "1st visit"]], encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same size and modification time
    assert path.stat().st_size == stat.st_size
    assert read_followups(load_sources(sources))["activity_type"].to_list() == ["visit"]
