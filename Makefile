# Campus Pathways: two commands on a fresh machine, `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SCALE ?= 0.01
SEED ?= 42
DATA ?= sandbox_data
export DBT_PROFILES_DIR := $(CURDIR)
export DBT_PROJECT_DIR := $(CURDIR)/dbt_project

.PHONY: install run test app bench lint docs sandbox serve clean

# Re-install only when the pins change; the stamp makes `make` idempotent and fast on a ready machine.
$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON) (Python 3.11) on PATH"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

sandbox: $(STAMP)
	$(BIN)/campus sandbox generate --scale $(SCALE) --seed $(SEED) --out $(DATA)

serve: $(STAMP)
	$(BIN)/campus sandbox serve --data $(DATA)

run: $(STAMP)
	$(BIN)/campus run --data $(DATA) --scale $(SCALE) --seed $(SEED)

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m bench.run

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/sqlfluff lint dbt_project

docs: $(STAMP)
	cd dbt_project && ../$(BIN)/dbt docs generate

clean:
	rm -rf $(DATA) warehouse dbt_project/target dbt_project/logs
