"""Where a run's log goes: everything the libraries say (Prefect, Splink, Great Expectations,
Python warnings) to a log file beside the warehouse; the terminal shows only the stages and the
summary unless `--verbose`."""

from __future__ import annotations

import logging
from pathlib import Path

# loggers Prefect configures not to pass records on to the root logger
_NON_PROPAGATING = ("uvicorn", "prefect._internal", "prefect.extra")
_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


def route_logs(log_file: Path, *, verbose: bool) -> Path:
    """Append every log record of INFO and up (and every warning) to `log_file`; unless `verbose`,
    silence the console handlers. Call after Prefect is imported: its set-up replaces the root
    logger's handlers."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(log_file, encoding="utf-8")
    handler.setFormatter(logging.Formatter(_FORMAT))
    handler.setLevel(logging.INFO)
    root = logging.getLogger()
    if not verbose:
        for console in root.handlers:
            console.setLevel(logging.CRITICAL + 1)
    root.addHandler(handler)
    for name in _NON_PROPAGATING:
        logging.getLogger(name).addHandler(handler)
    logging.captureWarnings(True)
    return log_file
