# Two commands for a new machine: `make run` and `make test`.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
AS_OF  ?=
# Prefect runs embedded; keep its state in the project and never phone home.
export PREFECT_HOME ?= $(CURDIR)/var/prefect
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS := 90

.PHONY: run test bench samples lint clean

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

run: $(STAMP)
	mkdir -p $(PREFECT_HOME)
	$(BIN)/recon run $(if $(AS_OF),--as-of $(AS_OF))

test: $(STAMP)
	$(BIN)/python -m pytest

samples: $(STAMP)
	$(BIN)/recon generate-samples --out data/samples

bench: $(STAMP)
	$(BIN)/python bench/ingest_bench.py --claims 100000

lint: $(STAMP)
	$(BIN)/ruff check flows transforms matching tests bench

clean:
	rm -rf $(VENV) var
