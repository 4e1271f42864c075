"""Where the matching model lives: the packaged default and the model saved beside a warehouse.

Kept apart from `flows.matching_stage` (which imports Prefect) so that `recon lookup` finds the
model in use without importing the orchestrator.
"""

from __future__ import annotations

from pathlib import Path

MODEL_FILE = "splink_model.json"
CHART_FILE = "match_weights.html"
# trained on 20,000 generated claims (see README, "Matching"); used until a night trains its own
DEFAULT_MODEL = Path(__file__).resolve().parent / "default_model.json"


def model_dir(warehouse_path: Path) -> Path:
    """The folder of the saved model and its chart: model/ beside the warehouse file."""
    return Path(warehouse_path).parent / "model"


def pending_model_dir(warehouse_path: Path) -> Path:
    """Where a model trained tonight waits until the night is published (then it moves to
    model/): a night that fails never leaves its model in use."""
    return Path(warehouse_path).parent / "model.pending"


def model_in_use(warehouse_path: Path) -> Path:
    """The model file the nightly run scores with: the saved one if any, else the packaged default."""
    saved = model_dir(warehouse_path) / MODEL_FILE
    return saved if saved.exists() else DEFAULT_MODEL
