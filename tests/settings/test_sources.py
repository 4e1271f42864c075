import re
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from settings.sources import ConfigError, load_sources

REPO = Path(__file__).resolve().parents[2]
PASSWORD_ENV = "RECON_TEST_SMTP_PASSWORD"


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


def _with_delivery(**smtp):
    block = {"host": "127.0.0.1", "port": 2525, "sender": "对账系统 <recon@example.com>",
             "tls": "starttls", **smtp}
    return lambda c: c.update({"delivery": {"smtp": block}})


def test_the_bundled_config_delivers_nothing():
    assert load_sources(REPO / "config" / "sources.yaml").delivery is None


def test_a_delivery_block_loads_with_the_ca_file_beside_the_yaml(tmp_path, monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, "s3cret")
    (tmp_path / "company-ca.pem").write_text("not parsed at load", encoding="utf-8")
    path = _write(tmp_path, _with_delivery(username="recon", password_env=PASSWORD_ENV,
                                           ca_file="company-ca.pem"))
    smtp = load_sources(path).delivery.smtp
    assert smtp.ca_file == (tmp_path / "company-ca.pem").resolve()
    assert smtp.password() == "s3cret"
    assert smtp.timeout_seconds == 30
    assert "s3cret" not in repr(smtp)


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (_with_delivery(hots="smtp.example.com"),
         "delivery.smtp.hots: Extra inputs are not permitted"),
        (_with_delivery(tls="tls"),
         "delivery.smtp.tls: Input should be 'starttls', 'ssl' or 'none'"),
        (_with_delivery(sender="recon"), "delivery.smtp.sender: 'recon' is not an e-mail address"),
        (_with_delivery(ca_file="missing-ca.pem"), "delivery.smtp.ca_file: no file at"),
        (_with_delivery(username="recon"), "delivery.smtp: username and password_env go together"),
        (_with_delivery(password_env="secret value"),
         "delivery.smtp.password_env: String should match"),
        (lambda c: (_with_delivery()(c), c["delivery"].update({"email": {}})),
         "delivery.email: Extra inputs are not permitted"),
    ],
)
def test_a_wrong_delivery_block_is_rejected_naming_the_key(tmp_path, mutate, expected):
    with pytest.raises(ConfigError) as caught:
        load_sources(_write(tmp_path, mutate))
    assert expected in str(caught.value)


def test_a_password_variable_that_is_not_set_is_named(tmp_path, monkeypatch):
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    path = _write(tmp_path, _with_delivery(username="recon", password_env=PASSWORD_ENV))
    with pytest.raises(ConfigError) as caught:
        load_sources(path)
    assert ("sources.yaml: delivery.smtp.password_env: environment variable "
            f"{PASSWORD_ENV} (the SMTP password) is not set or empty") in str(caught.value)


def test_a_ca_file_without_tls_is_refused(tmp_path):
    (tmp_path / "company-ca.pem").write_text("not parsed at load", encoding="utf-8")
    path = _write(tmp_path, _with_delivery(tls="none", ca_file="company-ca.pem"))
    with pytest.raises(ConfigError, match=r"delivery\.smtp: ca_file is only used with tls"):
        load_sources(path)


def test_a_login_without_tls_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, "s3cret")
    path = _write(tmp_path, _with_delivery(tls="none", username="recon",
                                           password_env=PASSWORD_ENV))
    with pytest.raises(ConfigError, match=r"delivery.smtp: a login needs tls starttls or ssl"):
        load_sources(path)


def test_a_missing_config_file_is_named(tmp_path):
    with pytest.raises(ConfigError, match=r"nowhere\.yaml: file not found"):
        load_sources(tmp_path / "nowhere.yaml")


def test_a_manager_with_two_addresses_stops_the_run_naming_them(tmp_path):
    from adapters.ingest import read_roster
    from adapters.readers import SourceFileError
    from settings.sources import load_sources
    from tests.flows.inputs import ROSTER, write_inputs

    roster = [*ROSTER[:2], ("S009", "周敏", "华南组", "张伟", "zhang.wei.south@example-corp.cn", "50")]
    config = load_sources(write_inputs(tmp_path, roster=roster))
    with pytest.raises(SourceFileError, match="manager 张伟 has 2 addresses"):
        read_roster(config)


def test_a_roster_without_any_manager_email_is_read(tmp_path):
    from adapters.ingest import read_roster
    from settings.sources import load_sources
    from tests.flows.inputs import ROSTER, write_inputs

    roster = [(*row[:4], "", row[5]) for row in ROSTER]  # e-mail delivery not used: every cell empty
    frame = read_roster(load_sources(write_inputs(tmp_path, roster=roster)))
    assert frame.height == 3 and frame["manager_email"].is_null().all()


def test_roster_headers_are_mapped_like_a_sources_columns_and_optional_fields_may_be_missing(tmp_path):
    import yaml

    from adapters.ingest import read_roster
    from settings.sources import load_sources
    from tests.flows.inputs import write_csv, write_inputs

    sources = write_inputs(tmp_path)
    write_csv(tmp_path / "inputs" / "reps.csv", ["工号", "姓名", "团队", "名额"],
              [("S001", "王磊", "华北一组", "50"), ("S002", "李娜", "华北一组", "")], encoding="gb18030")
    config = yaml.safe_load(sources.read_text(encoding="utf-8"))
    config["roster"]["columns"] = {"工号": "rep_id", "姓名": "rep_name", "团队": "team", "名额": "quota"}
    sources.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    frame = read_roster(load_sources(sources))
    assert frame.select("rep_id", "rep_name", "quota").rows() == [("S001", "王磊", 50), ("S002", "李娜", None)]
    assert frame["manager"].is_null().all() and frame["manager_email"].is_null().all()


def test_a_roster_column_mapped_to_an_unknown_field_names_the_key(tmp_path):
    import yaml

    from settings.sources import ConfigError, load_sources
    from tests.flows.inputs import write_inputs

    sources = write_inputs(tmp_path)
    config = yaml.safe_load(sources.read_text(encoding="utf-8"))
    config["roster"]["columns"] = {"邮箱": "email"}
    sources.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"roster\.columns: .*'email', which is not a roster field"):
        load_sources(sources)


@pytest.mark.parametrize(("row", "problem"), [
    (("S009", "", "华南组", "", "", "5"), "row 3 (rep S009): rep_name is empty"),
    (("S009", "周敏", "华南组", "张伟", "zhang.wei", "5"), "row 3 (rep S009): manager_email zhang.wei is not"),
    (("S009", "周敏", "华南组", "", "", "-1"), "row 3 (rep S009): quota -1 is not a whole number from 0 to 100,000"),
    (("S009", "周敏", "华南组", "", "", "100000000"), "row 3 (rep S009): quota 100000000 is not a whole number from 0"),
    (("S009", "周敏", "华南组", "", "", "1e3"), "row 3 (rep S009): quota 1e3 is not a whole number"),
])
def test_a_bad_roster_row_is_named(tmp_path, row, problem):
    from adapters.ingest import read_roster
    from adapters.readers import SourceFileError
    from settings.sources import load_sources
    from tests.flows.inputs import ROSTER, write_inputs

    config = load_sources(write_inputs(tmp_path, roster=[ROSTER[0], row]))
    with pytest.raises(SourceFileError, match=re.escape(problem)):
        read_roster(config)


def test_matching_defaults_to_duckdb_and_a_spark_section_loads(tmp_path):
    assert load_sources(REPO / "config" / "sources.yaml").matching.engine == "duckdb"
    spark = {"master": "spark://spark-master:7077", "app_name": "recon-nightly",
             "options": {"spark.driver.memory": "4g", "spark.executor.instances": "4"}}
    matching = load_sources(_write(tmp_path, lambda c: c.update({"matching": {"engine": "spark", "spark": spark}})))
    assert matching.matching.engine == "spark"
    assert matching.matching.spark.options["spark.driver.memory"] == "4g"
    for master in ("local[*]", "local[2]", "yarn"):
        loaded = load_sources(_write(tmp_path, lambda c, m=master: c.update({"matching": {"spark": {"master": m}}})))
        assert loaded.matching.spark.master == master


def test_an_engine_given_for_one_night_is_checked_as_the_file_is():
    """`recon run --engine` and a deployment's `engine` parameter: a value the file could not hold is
    refused, not recorded in matching_runs while the night scores on DuckDB."""
    config = load_sources(REPO / "config" / "sources.yaml")
    assert config.matching_engine() is config.matching
    assert config.matching_engine("spark").engine == "spark"
    assert config.matching_engine("spark").spark == config.matching.spark
    with pytest.raises(ValidationError, match="Input should be 'duckdb' or 'spark'"):
        config.matching_engine("Spark")


def test_the_commented_matching_section_of_the_bundled_file_loads_when_uncommented(tmp_path):
    text = (REPO / "config" / "sources.yaml").read_text(encoding="utf-8")
    block = "\n".join(line.removeprefix("# ") for line in text[text.index("# matching:"):].splitlines())
    section = yaml.safe_load(block)["matching"]
    loaded = load_sources(_write(tmp_path, lambda c: c.update({"matching": section}))).matching
    assert (loaded.engine, loaded.spark.master) == ("duckdb", "local[*]")
    assert loaded.spark.options == {"spark.driver.memory": "4g"}


@pytest.mark.parametrize(
    ("matching", "expected"),
    [
        ({"engine": "sparkk"}, "matching.engine: Input should be 'duckdb' or 'spark'"),
        ({"engine": "spark", "spark": {"master": "locl[2]"}}, "matching.spark.master"),
        ({"spark": {"options": {"driver.memory": "4g"}}}, "driver.memory: a Spark setting starts with 'spark.'"),
        ({"spark": {"options": {"spark.driver.cores": 2}}}, "matching.spark.options.spark.driver.cores"),
        ({"spark": {"mastr": "yarn"}}, "matching.spark.mastr: Extra inputs are not permitted"),
    ],
)
def test_a_wrong_matching_section_is_rejected_naming_the_key(tmp_path, matching, expected):
    with pytest.raises(ConfigError) as caught:
        load_sources(_write(tmp_path, lambda c: c.update({"matching": matching})))
    assert expected in str(caught.value)
    assert "sources.yaml" in str(caught.value)
