from pathlib import Path

import pytest
import yaml

from flows.config import ConfigError, load_sources

REPO = Path(__file__).resolve().parents[2]


def _write(tmp_path: Path, mutate) -> Path:
    config = yaml.safe_load((REPO / "config" / "sources.yaml").read_text(encoding="utf-8"))
    mutate(config)
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def test_bundled_config_loads_with_three_source_kinds():
    config = load_sources(REPO / "config" / "sources.yaml")
    assert [s.kind for s in config.sources] == ["form", "crm", "sheet"]
    assert config.sources[2].header_row == 2
    assert config.sources[1].values["category"]["A类-有意向"] == "A"
    assert config.timezone == "Asia/Shanghai"


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda c: c["sources"][1]["columns"].update({"Rating": "categroy"}),
         "sources[1].columns: column 'Rating' maps to 'categroy'"),
        (lambda c: c.update({"sourcess": []}), "sourcess: Extra inputs are not permitted"),
        (lambda c: c["sources"][0].update({"encoding": "latin-1"}), "sources[0].encoding"),
        (lambda c: c["sources"][2].update({"header_row": 0}), "sources[2].header_row"),
        (lambda c: c.update({"timezone": "Asia/Beijing"}), "timezone: unknown time zone 'Asia/Beijing'"),
        (lambda c: c["sources"][0]["columns"].pop("提交编号"), "required field(s) claim_id"),
        (lambda c: c["sources"][1]["values"]["category"].update({"E类": "E"}), "must map to A-D"),
        (lambda c: c["sources"][0].update({"timestamp_formats": ["yyyy-mm-dd"]}), "timestamp_formats"),
        (lambda c: c.pop("roster"), "roster: Field required"),
    ],
)
def test_a_wrong_config_is_rejected_naming_the_key(tmp_path, mutate, expected):
    with pytest.raises(ConfigError) as caught:
        load_sources(_write(tmp_path, mutate))
    assert expected in str(caught.value)
    assert "sources.yaml" in str(caught.value)


def test_a_missing_config_file_is_named(tmp_path):
    with pytest.raises(ConfigError, match="nowhere.yaml: file not found"):
        load_sources(tmp_path / "nowhere.yaml")
