"""Configuration written to hurt: repeated keys, absurd numbers, paths that leave the deployment,
patterns that match nothing, unreadable files and undecodable arguments. Each is refused (or, for a
pattern matching nothing, reported) with one line naming the file and the key."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

import pytest
import yaml

from adapters.data_dictionary import DictionaryError, read_dictionary
from adapters.ingest import new_source_files, read_roster, sources_matching_nothing
from adapters.readers import SourceFileError
from settings.policy_file import PolicyError, read_policy_file
from settings.sources import ConfigError, load_sources
from tests.flows.inputs import write_inputs
from tests.flows.subprocesses import recon, recon_env
from tests.transforms.ownership.builders import at, claim, extension, run

REPO = Path(__file__).resolve().parents[2]


# 1. A key written twice is an error naming the key and both lines, never "the last one wins".

def _doubled(text: str, after: str, line: str) -> str:
    """`text` with `line` inserted after the first line that starts with `after`."""
    lines = text.splitlines()
    index = next(i for i, current in enumerate(lines) if current.startswith(after))
    return "\n".join([*lines[: index + 1], line, *lines[index + 1:]]) + "\n"


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


# 2. Every number in policy.yaml has an upper bound; beyond it is a PolicyError naming the key.

AT_THE_BOUNDS = {
    "protection_days": {"A": 3650, "B": 3650, "C": 3650, "D": 3650},
    "idle_release_days": 3650,
    "extension": {"max_count": 100, "days": 3650, "requires_approval": True},
    "quota": {"default": 100_000, "per_category": {"A": 100_000, "B": 100_000, "C": 100_000, "D": 100_000}},
    "cooldown_days": 365,
    "daily_cap": 10_000,
    "first_night_window_days": 3650,
    "matching": {"review_max_items": 100_000},
}


def _policy(tmp_path: Path, **overrides) -> Path:
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(overrides, sort_keys=False), encoding="utf-8")
    return path


def _leaves(mapping: dict, prefix: str = "") -> list[tuple[str, int]]:
    """(dotted key, bound) of every number in `mapping`."""
    found = []
    for key, value in mapping.items():
        if isinstance(value, dict):
            found += _leaves(value, f"{prefix}{key}.")
        elif isinstance(value, int) and not isinstance(value, bool):
            found.append((f"{prefix}{key}", value))
    return found


def _nested(dotted: str, value: int) -> dict:
    head, _, rest = dotted.partition(".")
    return {head: _nested(rest, value) if rest else value}


@pytest.mark.parametrize(("key", "bound"), _leaves(AT_THE_BOUNDS))
def test_a_policy_number_beyond_its_bound_is_refused_naming_the_key(tmp_path, key, bound):
    with pytest.raises(PolicyError) as caught:
        read_policy_file(_policy(tmp_path, **_nested(key, bound + 1)))
    assert str(caught.value) == f"policy.yaml: {key}: Input should be less than or equal to {bound}"


def test_the_replay_runs_with_every_number_at_its_bound(tmp_path):
    """The bounds keep every date the replay computes before the year 9999: a protection of ten
    years extended a hundred times by ten years each ends about a thousand years on."""
    policy = read_policy_file(_policy(tmp_path, **AT_THE_BOUNDS)).ownership_policy()
    extensions = [extension(f"e{i}", "c1", "r1", i) for i in range(1, 101)]
    result = run([claim("c1", "X", "r1", 0, category="A")], extensions=extensions, policy=policy)
    assert result.ownership_history["valid_to"].to_list() == [at(3650 * 101)]
    assert at(3650 * 101).year == 3034


def test_an_absurd_protection_is_refused_before_it_reaches_the_replay(tmp_path):
    """100000000 days used to pass, then stop the replay on an "out-of-range datetime"."""
    with pytest.raises(PolicyError, match=r"^policy\.yaml: protection_days\.A: Input should be less than or equal"):
        read_policy_file(_policy(tmp_path, protection_days={"A": 100_000_000}))


# 3. Inputs stay inside the folder above sources.yaml's (`config/` beside `data/`), unless allowed.

def _deployment(tmp_path: Path) -> tuple[Path, Path]:
    """(sources.yaml in <tmp>/deploy/config, a folder outside <tmp>/deploy with one real CRM file)."""
    sources = write_inputs(tmp_path / "deploy" / "config")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "crm_leads.csv").write_bytes((sources.parent / "inputs" / "crm" / "crm_leads.csv").read_bytes())
    return sources, outside


def _set(sources: Path, **changes) -> Path:
    """sources.yaml with top-level keys set and `sources[<i>].path` changed (`source_<i>=...`)."""
    config = yaml.safe_load(sources.read_text(encoding="utf-8"))
    for key, value in changes.items():
        if key.startswith("source_"):
            config["sources"][int(key.removeprefix("source_"))]["path"] = value
        else:
            config[key] = value
    sources.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return sources


def test_the_bundled_config_reads_the_samples_beside_its_folder_without_the_flag():
    config = load_sources(REPO / "config" / "sources.yaml")
    assert not config.allow_paths_outside
    assert config.inputs_root == REPO
    assert all(config.files_of(source) for source in config.sources)


def test_a_path_that_climbs_out_names_the_source_and_the_path(tmp_path):
    sources, _ = _deployment(tmp_path)
    _set(sources, source_1="../../elsewhere/*.csv")
    with pytest.raises(ConfigError) as caught:
        load_sources(sources)
    assert str(caught.value) == (
        f"sources.yaml: sources[1].path (source crm): '../../elsewhere/*.csv' is outside {tmp_path / 'deploy'}; "
        "inputs must be in the folder above this file's (set allow_paths_outside: true in it to read from elsewhere)")


def test_an_absolute_path_elsewhere_is_refused_and_one_inside_is_not(tmp_path):
    sources, outside = _deployment(tmp_path)
    inside = str(sources.parent / "inputs" / "crm" / "*.csv")
    assert load_sources(_set(sources, source_1=inside)).sources[1].path == inside
    with pytest.raises(ConfigError, match=r"^sources\.yaml: sources\[1\]\.path \(source crm\): '/.*/elsewhere/\*\.csv' "
                                          r"is outside "):
        load_sources(_set(sources, source_1=str(outside / "*.csv")))


def test_the_roster_and_side_inputs_are_confined_too(tmp_path):
    sources, _ = _deployment(tmp_path)
    with pytest.raises(ConfigError, match=r"^sources\.yaml: roster\.path: '/etc/passwd' is outside "):
        load_sources(_set(sources, roster={"path": "/etc/passwd"}))
    with pytest.raises(ConfigError, match=r"^sources\.yaml: decisions\.path: '\.\./\.\./\.\./x\.csv' is outside "):
        load_sources(_set(sources, roster={"path": "inputs/reps.csv"}, decisions={"path": "../../../x.csv"}))


def test_a_file_reached_through_a_link_pointing_outside_is_refused(tmp_path):
    sources, outside = _deployment(tmp_path)
    (sources.parent / "inputs" / "crm" / "leak.csv").symlink_to(outside / "crm_leads.csv")
    with pytest.raises(ConfigError) as caught:
        load_sources(sources)
    assert str(caught.value).startswith(
        f"sources.yaml: sources[1].path (source crm): 'inputs/crm/*.csv' matches "
        f"{sources.parent / 'inputs' / 'crm' / 'leak.csv'}, a link to {outside / 'crm_leads.csv'}, outside ")


def test_a_folder_that_is_a_link_pointing_outside_is_refused(tmp_path):
    sources, outside = _deployment(tmp_path)
    (sources.parent / "inputs" / "shared").symlink_to(outside, target_is_directory=True)
    with pytest.raises(ConfigError, match=r"^sources\.yaml: sources\[1\]\.path \(source crm\): 'inputs/shared/\*\.csv' "
                                          r"leads through a link to .*/elsewhere, outside "):
        load_sources(_set(sources, source_1="inputs/shared/*.csv"))
    (sources.parent / "inputs" / "roster").symlink_to(sources.parent / "inputs" / "reps.csv")  # a link inside: fine
    config = load_sources(_set(sources, roster={"path": "inputs/roster"}, source_1="inputs/crm/*.csv"))
    assert config.resolve("inputs/roster").name == "reps.csv"


def test_a_file_linked_out_after_loading_is_refused_when_the_night_lists_the_files(tmp_path):
    sources, outside = _deployment(tmp_path)
    config = load_sources(sources)
    (sources.parent / "inputs" / "crm" / "leak.csv").symlink_to(outside / "crm_leads.csv")
    with pytest.raises(ConfigError, match=r"source crm\): 'inputs/crm/\*\.csv' matches .*leak\.csv, a link to "):
        new_source_files(config, set())


def test_allow_paths_outside_lets_an_operator_read_from_elsewhere(tmp_path):
    sources, outside = _deployment(tmp_path)
    (sources.parent / "inputs" / "crm" / "leak.csv").symlink_to(outside / "crm_leads.csv")
    config = load_sources(_set(sources, allow_paths_outside=True, source_2=str(outside / "*.csv")))
    assert config.files_of(config.sources[1])[-1] == outside / "crm_leads.csv"
    assert config.files_of(config.sources[2]) == [outside / "crm_leads.csv"]


@pytest.mark.parametrize("path", ["", "inputs/\x00reps.csv"])
def test_an_empty_path_or_one_with_a_nul_is_a_config_error(tmp_path, path):
    sources, _ = _deployment(tmp_path)
    with pytest.raises(ConfigError, match=r"^sources\.yaml: roster\.path: a path must be neither empty nor contain"):
        load_sources(_set(sources, roster={"path": path}))


# 4. A source whose pattern matches no file does not stop the night, but is not silent either.

def test_a_source_matching_no_file_is_named_with_its_pattern(tmp_path):
    sources = write_inputs(tmp_path)
    (tmp_path / "inputs" / "crm" / "crm_leads.csv").unlink()
    _set(sources, source_2="inputs/sheet/*.xslx")
    assert sources_matching_nothing(load_sources(sources)) == [
        "source crm: 'inputs/crm/*.csv' matches no file (is the path right, the share mounted?)",
        "source sheet: 'inputs/sheet/*.xslx' matches no file (is the path right, the share mounted?)",
    ]
    assert sources_matching_nothing(load_sources(write_inputs(tmp_path / "complete"))) == []


@pytest.mark.usefixtures("prefect_harness")
def test_a_night_with_a_source_matching_nothing_publishes_and_says_so(tmp_path, caplog):
    from flows.nightly import nightly

    sources = write_inputs(tmp_path)
    (tmp_path / "inputs" / "crm" / "crm_leads.csv").unlink()
    warehouse = tmp_path / "var" / "warehouse.duckdb"
    with caplog.at_level(logging.WARNING):
        summary = nightly(sources, warehouse, date(2026, 11, 26))
    problem = "source crm: 'inputs/crm/*.csv' matches no file (is the path right, the share mounted?)"
    assert problem in summary.problems  # what `recon run` lists under "The warehouse was published, but:" (exit 1)
    assert warehouse.is_file()
    assert any(r.levelno == logging.WARNING and r.getMessage() == problem for r in caplog.records)


# 5. Whatever the paths given, a mistake is one line and exit code 2, never a traceback.

def test_a_config_path_that_is_a_folder_or_unreadable_is_one_line(tmp_path, monkeypatch):
    (tmp_path / "folder").mkdir()
    with pytest.raises(ConfigError) as caught:
        load_sources(tmp_path / "folder")
    assert str(caught.value) == f"{tmp_path / 'folder'}: is a folder, not a file"
    policy = tmp_path / "policy.yaml"
    policy.write_text("cooldown_days: 7\n", encoding="utf-8")

    def refuse(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_text", refuse)
    with pytest.raises(PolicyError) as caught:
        read_policy_file(policy)
    assert str(caught.value) == f"{policy}: cannot be read (Permission denied)"


def test_a_config_file_that_is_not_utf8_or_not_yaml_is_one_line(tmp_path):
    policy = tmp_path / "policy.yaml"
    policy.write_bytes(b"cooldown_days: 7\nnote: \xff\n")
    with pytest.raises(PolicyError) as caught:
        read_policy_file(policy)
    assert str(caught.value) == f"{policy}: not UTF-8 text (byte 0xff at offset 23)"
    policy.write_text("protection_days: {A: 90\n", encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        read_policy_file(policy)
    assert str(caught.value).startswith(f"{policy}: not valid YAML at line 2, column 1: ")
    assert "\n" not in str(caught.value)


def test_a_roster_path_naming_a_folder_is_one_line(tmp_path):
    sources = _set(write_inputs(tmp_path), roster={"path": "inputs"})
    with pytest.raises(SourceFileError, match=r"/inputs: is a folder, not a file$"):
        read_roster(load_sources(sources))


def _one_line_exit_2(done, expected: str) -> None:
    assert (done.returncode, done.stdout) == (2, ""), done.stderr
    assert done.stderr.splitlines() == [expected]


def test_recon_run_refuses_hostile_arguments_and_files_in_one_line(tmp_path):
    """End to end: an argument that is not UTF-8, a folder given as the config, a policy number
    beyond its bound, a source path leaving the deployment; nothing is started."""
    env = recon_env(tmp_path)
    sources, outside = _deployment(tmp_path)
    warehouse = tmp_path / "var" / "warehouse.duckdb"
    night = ("run", "--warehouse", str(warehouse))
    _one_line_exit_2(recon(*night, "--sources", str(tmp_path) + "/\udcff.yaml", env=env),
                     f"recon: the argument {tmp_path}/\\xff.yaml is not UTF-8 text; rename the file or retype it")
    _one_line_exit_2(recon(*night, "--sources", str(tmp_path), env=env), f"recon: {tmp_path}: is a folder, not a file")
    policy = _policy(tmp_path, protection_days={"A": 100_000_000})
    _one_line_exit_2(recon(*night, "--sources", str(sources), "--policy", str(policy), env=env),
                     "recon: policy.yaml: protection_days.A: Input should be less than or equal to 3650")
    _set(sources, source_1=str(outside / "*.csv"))
    done = recon(*night, "--sources", str(sources), env=env)
    assert (done.returncode, len(done.stderr.splitlines())) == (2, 1), done.stderr
    assert done.stderr.startswith(f"recon: sources.yaml: sources[1].path (source crm): '{outside}/*.csv' is outside ")
    assert not (tmp_path / "var").exists()
