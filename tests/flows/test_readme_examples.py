"""Every command example of README.md, run against the warehouse `make run` builds (the bundled
samples as of 2026-11-25): the lookups, the analyst one-liner, the HTTP calls and the JSON shown.
(The SQL examples: tests/sql/test_readme_queries.py.)"""

import json
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.flows.subprocesses import REPO, free_port, recon_env

README = (REPO / "README.md").read_text(encoding="utf-8")
SHELL = "\n".join(re.findall(r"^```sh\n(.*?)^```", README, flags=re.DOTALL | re.MULTILINE)).splitlines()
LOOKUPS = [line for line in SHELL if line.startswith(".venv/bin/recon lookup ")]
CURLS = [line for line in SHELL if line.startswith("curl ")]
ONE_LINERS = [line for line in SHELL if line.startswith(".venv/bin/python -c ")]

pytestmark = pytest.mark.usefixtures("prefect_harness")


def _command(line: str) -> list[str]:
    return shlex.split(line, comments=True)


def _lookup(line: str, warehouse) -> subprocess.CompletedProcess:
    words = _command(line)
    assert words[:2] == [".venv/bin/recon", "lookup"]
    return subprocess.run([sys.executable, "-m", "cli", *words[1:], "--warehouse", str(warehouse)],
                          cwd=REPO, capture_output=True, text=True, timeout=120, check=False)


def test_the_readme_has_the_examples_it_promises():
    assert len(LOOKUPS) == 4 and len(CURLS) == 3 and len(ONE_LINERS) == 1


@pytest.mark.parametrize("line", LOOKUPS)
def test_a_lookup_example_finds_a_known_customer(samples_run, line):
    _, warehouse = samples_run
    done = _lookup(line, warehouse)
    assert done.returncode == 0, done.stderr
    if "--json" in line:
        assert json.loads(done.stdout)["known"] is True
    else:
        assert "已知客户" in done.stdout and "owner" in done.stdout


def test_the_json_example_is_what_its_command_answers(samples_run):
    _, warehouse = samples_run
    shown = json.loads(re.search(r"^```json\n(.*?)^```", README, flags=re.DOTALL | re.MULTILINE)[1])
    line = next(line for line in LOOKUPS if "--json" in line)
    answer = json.loads(_lookup(line, warehouse).stdout)
    assert shown["matches"] == answer["matches"]
    assert (shown["known"], shown["warehouse_as_of"]) == (answer["known"], answer["warehouse_as_of"])
    assert shown["query"]["name"] == answer["query"]["name"]


def test_the_weak_but_protected_example_is_known(samples_run):
    _, warehouse = samples_run
    sentence = re.search(r"`recon lookup (\S+)` finds (\S+), protected by\s+(\S+), only at `weak`", README)
    answer = json.loads(_lookup(f".venv/bin/recon lookup {sentence[1]} --json", warehouse).stdout)
    first = answer["matches"][0]
    assert answer["known"] is True and first["verdict"] == "weak"
    assert (first["display_name"], first["owner"]["name"]) == (sentence[2], sentence[3].rstrip(","))


def test_the_analyst_one_liner_prints_the_ingest_audit(samples_run):
    _, warehouse = samples_run
    command = _command(ONE_LINERS[0])
    code = command[2].replace("var/warehouse.duckdb", str(warehouse))
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert "ingest_seq" in done.stdout and "3 rows" in done.stdout


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_the_http_examples_answer_as_shown(samples_run, tmp_path):
    _, warehouse = samples_run
    port = free_port()
    errors = tmp_path / "serve-lookup.stderr"
    with errors.open("wb") as stderr:  # where a stop that hangs shows every thread's stack
        server = subprocess.Popen(
            [sys.executable, "-m", "cli", "serve-lookup", "--port", str(port), "--warehouse", str(warehouse)],
            cwd=REPO, env=recon_env(tmp_path), stdout=subprocess.DEVNULL, stderr=stderr)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2).read()
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "serve-lookup did not come up"
                time.sleep(0.2)
        answers = []
        for line in CURLS:
            words = _command(line.replace("127.0.0.1:8765", f"127.0.0.1:{port}"))
            done = subprocess.run(["curl", "-sS", *words[1:]], capture_output=True, text=True, timeout=60,
                                  check=False)
            assert done.returncode == 0, done.stderr
            answers.append(json.loads(done.stdout))
        get, post, health = answers
        assert get["known"] is True and get["matches"][0]["display_name"] == "渭南市长达云计算技术有限公司"
        assert post["known"] is True and post["matches"][0]["display_name"] == "东莞市海朗启建设工程股份有限公司"
        assert health["status"] == "ok"
    finally:
        server.send_signal(signal.SIGTERM)  # stopped while its copy may still be loading
        stopped = server.wait(timeout=60)  # a stop is forced after service.processes.STOP_SECONDS
    assert stopped == 0, errors.read_text(errors="replace")[-5000:]
