"""The trained matching model: the settings Splink's `save_model_to_json` writes, and the parts of
them the pipeline and the lookup read.

The file on disk stays Splink's own JSON (what `Linker(frame, path_or_dict)` reads); this wrapper
only names what the code looks up in it — λ, the comparisons and their levels by chart label, the
blocking rules — so that the model does not travel as a bare dict. It imports neither Splink nor
Prefect: `recon lookup` reads the model without either.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class MatchModel:
    """A trained Splink model. `settings` is the JSON-able dict Splink writes and reads; it is
    never changed in place (a variant is a new `MatchModel`)."""

    settings: dict[str, Any]

    @classmethod
    def from_json(cls, text: str) -> MatchModel:
        return cls(json.loads(text))

    @classmethod
    def read(cls, path: Path) -> MatchModel:
        """The model saved at `path` (a `splink_model.json`, or the packaged default)."""
        return cls.from_json(Path(path).read_text(encoding="utf-8"))

    def to_json(self) -> str:
        """A stable, diffable text form of the model."""
        return json.dumps(self.settings, ensure_ascii=False, indent=2, sort_keys=True)

    @property
    def probability_two_random_records_match(self) -> float:
        """λ, the prior that two records are one company."""
        return float(self.settings["probability_two_random_records_match"])

    @property
    def comparisons(self) -> list[dict[str, Any]]:
        """Each comparison as saved: `output_column_name` and `comparison_levels` (SQL, label, m, u)."""
        return self.settings["comparisons"]

    @property
    def blocking_rules(self) -> tuple[str, ...]:
        """The SQL of each rule of `blocking_rules_to_generate_predictions` (saved as a dict or a string)."""
        return tuple(
            rule["blocking_rule"] if isinstance(rule, dict) else rule
            for rule in self.settings["blocking_rules_to_generate_predictions"]
        )

    def level_labels(self) -> dict[str, dict[int, str | None]]:
        """Per comparison, the chart label of each level by the gamma Splink gives it: the levels
        other than the null level, numbered from the strongest (the first) down to 0."""
        labels = {}
        for spec in self.comparisons:
            levels = [level for level in spec["comparison_levels"] if not level.get("is_null_level")]
            labels[spec["output_column_name"]] = {
                len(levels) - 1 - position: level.get("label_for_charts") for position, level in enumerate(levels)
            }
        return labels
