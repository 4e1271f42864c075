"""The samples night publishes exactly the warehouse it published when the fingerprint was taken:
the guard that a refactoring changes no behaviour (`tests/flows/warehouse_fingerprint.py` says how
to rewrite the fingerprint after a change that is meant)."""

import json

from tests.flows.warehouse_fingerprint import SAMPLES_FINGERPRINT, differences, fingerprint


def test_the_samples_warehouse_is_identical_to_its_fingerprint(samples_run):
    _, warehouse = samples_run
    expected = json.loads(SAMPLES_FINGERPRINT.read_text(encoding="utf-8"))
    assert len(expected) >= 25 and sum(entry["rows"] for entry in expected.values()) > 1000
    assert differences(expected, fingerprint(warehouse)) == []


def test_a_changed_row_is_a_difference():
    before = {"claims": {"rows": 2, "sha256": "a"}, "customers": {"rows": 1, "sha256": "b"}}
    after = {"claims": {"rows": 2, "sha256": "c"}, "customers": {"rows": 1, "sha256": "b"},
             "extra": {"rows": 0, "sha256": "d"}}
    assert differences(before, after) == ["extra: new, not in the fingerprint", "claims: 2 rows → 2, other content"]
