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

.PHONY: install run test app api browser wrk bench lint docs sandbox serve orchestrate clean

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

# Sandbox stand-ins + `dagster dev` on 127.0.0.1:3000, DAGSTER_HOME in .dagster_home/ (git-ignored).
orchestrate: $(STAMP)
	$(BIN)/campus orchestrate --data $(DATA) --scale $(SCALE) --seed $(SEED)

test: $(STAMP) browser wrk
	$(BIN)/python -m pytest -n 2 --dist loadfile --durations=20

# The browser tests drive Debian's chromium (never `playwright install`); install it only when missing.
browser:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing Debian's chromium for the browser tests"; \
		apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium; \
	else \
		echo "browser tests need /usr/bin/chromium: run 'sudo apt-get install --no-install-recommends chromium'"; \
		echo "(without it tests/app/test_browser.py fails)"; \
	fi

# Signs in against the sandbox identity provider (started when not running) unless app/.streamlit/secrets.toml
# has an [auth] section for a real one.
app: $(STAMP)
	$(BIN)/campus app --data $(DATA)

# The API on 127.0.0.1:8740 (docs at /docs); tokens from the identity provider at CAMPUS_API_ISSUER.
api: $(STAMP)
	$(BIN)/campus api

# The API bench (bench/api_load.py) drives the API with Debian's wrk; install it only when missing.
wrk:
	@if command -v wrk >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing Debian's wrk for the API bench"; \
		apt-get update -qq && apt-get install -y -qq --no-install-recommends wrk; \
	else \
		echo "the API bench needs wrk: run 'sudo apt-get install --no-install-recommends wrk'"; \
		echo "(without it bench/api_load.py stops with that message)"; \
	fi

bench: $(STAMP) wrk
	$(BIN)/python -m bench.run

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/sqlfluff lint dbt_project

# Docs need a warehouse for the catalog (column types, row counts). Without one (before `make run`) they are
# still generated from the project alone: --empty-catalog, compiled against an in-memory DuckDB.
docs: $(STAMP)
	cd dbt_project && if [ -f "$${CAMPUS_WAREHOUSE:-../warehouse/campus.duckdb}" ]; then \
		../$(BIN)/dbt docs generate; \
	else \
		echo "no warehouse yet: generating docs without a catalog (run 'make run' for column types)"; \
		CAMPUS_WAREHOUSE=:memory: ../$(BIN)/dbt docs generate --empty-catalog; \
	fi
	@echo "docs: dbt_project/target/index.html (serve: cd dbt_project && ../$(BIN)/dbt docs serve)"

clean:
	rm -rf $(DATA) dbt_project/target dbt_project/logs
	@# The access audit outlives the warehouse it records reads of (decision 011); so do the suppression list,
	@# its key and the erasure requests, or a clean would let an erased person load again (decision 017).
	if [ -d warehouse ]; then find warehouse -mindepth 1 -maxdepth 1 ! -name audit -exec rm -rf {} +; fi
