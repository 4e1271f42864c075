"""Where the project keeps its configuration and, unless told otherwise, its warehouse: paths
within the checkout, so that `recon` runs the same from any folder and from cron."""

from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_SOURCES = PROJECT_DIR / "config" / "sources.yaml"
DEFAULT_POLICY = PROJECT_DIR / "config" / "policy.yaml"
DEFAULT_WAREHOUSE = PROJECT_DIR / "var" / "warehouse.duckdb"
DEFAULT_WEB_CONFIG = PROJECT_DIR / "config" / "web.yaml"
SAMPLES_DIR = PROJECT_DIR / "data" / "samples"
