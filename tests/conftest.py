"""Test-wide set-up: Prefect runs against a throwaway local server, never the network or ~/.prefect."""

import os
import shutil
import tempfile

_PREFECT_HOME = tempfile.mkdtemp(prefix="recon-prefect-")
os.environ["PREFECT_HOME"] = _PREFECT_HOME
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

from datetime import date

import pytest

SAMPLES_AS_OF = date(2026, 11, 25)  # the as-of `make run` uses on the bundled samples


def pytest_runtest_setup(item):
    """A test marked `spark` starts a JVM: skipped, saying what to install, where Java is missing."""
    if item.get_closest_marker("spark") and shutil.which("java") is None:
        pytest.skip("Java is not installed (apt-get install openjdk-17-jre-headless): Spark cannot start")


@pytest.fixture(scope="session")
def prefect_harness():
    """One Prefect test server for every flow test in the session (about 10 s to start)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=90):
        yield


@pytest.fixture(scope="session")
def samples_run(tmp_path_factory, prefect_harness):
    """The nightly flow run once on the bundled samples: (RunSummary, warehouse path).
    Its model (the packaged default: the samples are too few to train on) serves the matching
    tests too."""
    from pathlib import Path

    from flows.nightly import nightly

    repo = Path(__file__).resolve().parents[1]
    warehouse = tmp_path_factory.mktemp("samples") / "warehouse.duckdb"
    summary = nightly(repo / "config" / "sources.yaml", warehouse, SAMPLES_AS_OF)
    return summary, warehouse


@pytest.fixture
def sample_model(samples_run):
    """The model the sample run used."""
    from matching.match_model import MatchModel

    summary, _ = samples_run
    return MatchModel.read(summary.matching.model_path)


@pytest.fixture(scope="session")
def lookup_warehouse(tmp_path_factory, prefect_harness):
    """A warehouse built by the nightly flow from tests/service/lookup_inputs.py, scored by the
    packaged model (placed as the saved model, so the 2,500 claims do not train their own)."""
    from flows.nightly import nightly
    from matching.match_model import MatchModel
    from matching.model_files import DEFAULT_MODEL
    from tests.flows.inputs import place_model, write_inputs
    from tests.service.lookup_inputs import KNOWN_CRM_ROWS, KNOWN_FORM_ROWS, filler_rows

    root = tmp_path_factory.mktemp("lookup")
    place_model(root, MatchModel.read(DEFAULT_MODEL))
    sources = write_inputs(root, form_rows=KNOWN_FORM_ROWS + filler_rows(), crm_rows=KNOWN_CRM_ROWS)
    warehouse = root / "var" / "warehouse.duckdb"
    nightly(sources, warehouse, date(2026, 11, 26))
    return warehouse
