"""The optional `matching:` section of sources.yaml: which engine scores the pairs, and where
Spark runs when it is Spark (deployment, like the paths: the model and the rules are the same)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from settings.base import Strict

# local, local[4], local[*], local[4,2] (retries); a standalone cluster; YARN; Kubernetes
_MASTER = r"^(local(\[(\*|[1-9][0-9]*)(,[1-9][0-9]*)?\])?|spark://\S+|yarn|k8s://\S+)$"


class SparkConfig(Strict):
    """How `matching.spark_engine.spark_session` starts Spark. `options` are Spark settings
    (spark.driver.memory, spark.executor.instances, ...), each value a string as in
    spark-defaults.conf."""

    master: str = Field(default="local[*]", pattern=_MASTER)
    app_name: str = Field(default="recon-matching", min_length=1)
    options: dict[str, str] = Field(default_factory=dict)

    @field_validator("options")
    @classmethod
    def _options_are_spark_settings(cls, options: dict[str, str]) -> dict[str, str]:
        # Spark ignores an unknown key with a warning nobody reads: a typo would go unnoticed
        wrong = sorted(key for key in options if not key.startswith("spark."))
        if wrong:
            raise ValueError(f"{', '.join(wrong)}: a Spark setting starts with 'spark.'")
        return options


class MatchingConfig(Strict):
    """`engine: duckdb` (the default) scores pairs in process; `spark` on the session `spark` describes."""

    engine: Literal["duckdb", "spark"] = "duckdb"
    spark: SparkConfig = Field(default_factory=SparkConfig)
