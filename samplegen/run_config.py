"""The `sources.yaml` that runs the nightly job on a generated sample set, and empty side inputs.

The project's own `config/sources.yaml` is the template (it describes the bundled samples, whose
files the generator writes): its column maps are kept, its paths pointed at the generated files.
"""

from __future__ import annotations

import csv
from pathlib import Path

import yaml

from adapters.side_inputs import APPEAL_COLUMNS, EXTENSION_COLUMNS

TEMPLATE = Path(__file__).resolve().parents[1] / "config" / "sources.yaml"
SOURCE_FILES = {"form": "form/*.csv", "crm": "crm/*.csv", "sheet": "sheet/*.xlsx"}
SIDE_FILES = {"roster": "reps.csv", "followups": "followups.csv", "decisions": "decisions.csv",
              "appeals": "appeals.csv", "extensions": "extensions.csv"}
EMPTY_SIDE_INPUTS = {"appeals": APPEAL_COLUMNS, "extensions": EXTENSION_COLUMNS}


def write_run_config(out_dir: Path) -> dict[str, Path]:
    """`<out_dir>/sources.yaml` with paths relative to it, plus a header-only appeals.csv and
    extensions.csv where none exist (the generator writes neither); returns the files written."""
    config = yaml.safe_load(TEMPLATE.read_text(encoding="utf-8"))
    for source in config["sources"]:
        source["path"] = SOURCE_FILES[source["kind"]]
    written = {}
    for name, file_name in SIDE_FILES.items():
        config[name] = {**(config.get(name) or {}), "path": file_name}
        path = out_dir / file_name
        if name in EMPTY_SIDE_INPUTS and not path.exists():
            with path.open("w", encoding="utf-8", newline="") as handle:
                csv.writer(handle).writerow(EMPTY_SIDE_INPUTS[name])
            written[name] = path
    config.pop("delivery", None)
    sources = out_dir / "sources.yaml"
    sources.write_text(
        "# Runs the nightly job on this generated sample set: recon run --sources <this file>\n"
        + yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return written | {"sources": sources}
