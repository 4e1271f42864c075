"""Configuration written to hurt: repeated keys, absurd numbers, paths that leave the deployment,
patterns that match nothing, unreadable files and undecodable arguments. Each is refused (or, for a
pattern matching nothing, reported) with one line naming the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.data_dictionary import DictionaryError, read_dictionary
from settings.policy_file import PolicyError, read_policy_file
from settings.sources import ConfigError, load_sources
from tests.flows.inputs import write_inputs

REPO = Path(__file__).resolve().parents[2]


# 1. A key written twice is an error naming the key and both lines, never "the last one wins".

def _doubled(text: str, after: str, line: str) -> str:
    """`text` with `line` inserted after the first line that starts with `after`."""
    lines = text.splitlines()
    at = next(i for i, current in enumerate(lines) if current.startswith(after))
    return "\n".join([*lines[: at + 1], line, *lines[at + 1:]]) + "\n"


def test_a_repeated_policy_key_names_the_key_and_both_lines(tmp_path):
    policy = tmp_path / "policy.yaml"
    text = (REPO / "config" / "policy.yaml").read_text(encoding="utf-8")
    policy.write_text(_doubled(text, "  A: 90", "  A: 900"), encoding="utf-8")
    first = text.splitlines().index(next(x for x in text.splitlines() if x.startswith("  A: 90"))) + 1
    with pytest.raises(PolicyError) as caught:
        read_policy_file(policy)
    assert str(caught.value) == (f"policy.yaml: protection_days.A: repeated key (lines {first} and {first + 1}); "
                                 "each key may appear once")


def test_a_repeated_top_level_policy_key_is_an_error(tmp_path):
    policy = tmp_path / "policy.yaml"
    policy.write_text("cooldown_days: 7\ndaily_cap: 3\ncooldown_days: 70\n", encoding="utf-8")
    with pytest.raises(PolicyError, match=r"^policy\.yaml: cooldown_days: repeated key \(lines 1 and 3\)"):
        read_policy_file(policy)


def test_a_repeated_key_inside_a_listed_source_names_the_source_by_index(tmp_path):
    sources = write_inputs(tmp_path)
    text = sources.read_text(encoding="utf-8")
    sources.write_text(_doubled(text, "  kind: crm", "  kind: form"), encoding="utf-8")
    line = text.splitlines().index("  kind: crm") + 1
    with pytest.raises(ConfigError) as caught:
        load_sources(sources)
    assert str(caught.value) == (f"sources.yaml: sources[1].kind: repeated key (lines {line} and {line + 1}); "
                                 "each key may appear once")


def test_a_repeated_key_in_a_flow_mapping_is_an_error_too(tmp_path):
    sources = write_inputs(tmp_path)
    sources.write_text(sources.read_text(encoding="utf-8").replace(
        "roster:\n  path: inputs/reps.csv", "roster: {path: inputs/reps.csv, path: /etc/passwd}"), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"^sources\.yaml: roster\.path: repeated key \(lines (\d+) and \1\)"):
        load_sources(sources)


def test_a_repeated_column_in_the_data_dictionary_is_an_error(tmp_path):
    dictionary = tmp_path / "dictionary.yaml"
    text = (REPO / "sql" / "dictionary.yaml").read_text(encoding="utf-8")
    doubled = _doubled(text, "      claim_id:", '      claim_id: {en: "again", zh: "再次"}')
    dictionary.write_text(doubled, encoding="utf-8")
    with pytest.raises(DictionaryError) as caught:
        read_dictionary(dictionary)
    assert str(caught.value).startswith("dictionary.yaml: tables.raw_claims.columns.claim_id: repeated key (lines ")


def test_a_merge_key_may_still_be_overridden(tmp_path):
    """`<<: *anchor` then the same key is YAML's way of overriding a shared value, not a repeat."""
    policy = tmp_path / "policy.yaml"
    policy.write_text("protection_days:\n  <<: &days {A: 90, B: 60}\n  A: 120\n", encoding="utf-8")
    assert read_policy_file(policy).protection_days.A == 120
