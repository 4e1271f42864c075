# Two commands for a new machine: `make run` and `make test`.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# The business date of the bundled samples' night (their last claims are of 2026-11-24), so that
# `make run` gives the figures and README examples the tests check; `make run AS_OF=` for today.
AS_OF  ?= 2026-11-25

.PHONY: run test test-spark bench samples lint clean web screenshots

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/recon run $(if $(AS_OF),--as-of $(AS_OF))

# two workers (pytest-xdist), each test file kept on one worker so its module fixtures run once;
# then, alone, the tests marked `serial` (a Prefect deployment run cancelled mid-way, timing-sensitive)
test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadfile -m "not spark and not serial"
	$(BIN)/python -m pytest -m serial

# the Spark engine's parity tests (a local Spark on Java 17), kept out of `make test`'s 15 minutes
test-spark: $(STAMP)
	$(BIN)/python -m pytest -m spark

# the screens on the bundled samples' warehouse (after `make run`); set a password first:
#   .venv/bin/recon web-password ops.chenjing
web: $(STAMP)
	$(BIN)/recon web

# the README's pictures of the screens, taken by the browser tests in Debian's Chromium
screenshots: $(STAMP)
	RECON_SCREENSHOTS=docs/screens $(BIN)/python -m pytest tests/web/test_browser.py

samples: $(STAMP)
	$(BIN)/recon generate-samples --out data/samples

bench: $(STAMP)
	$(BIN)/python bench/ingest_bench.py --claims 100000

lint: $(STAMP)
	$(BIN)/ruff check adapters cli flows settings transforms matching samplegen service web tests bench
	$(BIN)/mypy

clean:
	rm -rf $(VENV) var
