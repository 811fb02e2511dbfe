# LC Monitor: `make run` builds the warehouse from the bundled sample data, `make test` tests.
# Everything installs into .venv from pinned versions (constraints.txt); only Python 3.11 is needed.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DBT_DIR := dbt_project
MANIFEST := $(DBT_DIR)/target/manifest.json
DAGSTER_HOME_DIR := $(CURDIR)/.dagster_home
HOST ?= 127.0.0.1
PORT ?= 3000

# Local settings (see .env.example); plain KEY=VALUE lines.
ifneq (,$(wildcard .env))
include .env
export $(shell sed -n 's/^\([A-Z_][A-Z0-9_]*\)=.*/\1/p' .env)
endif

# The venv's bin/ first on PATH: dagster-dbt runs the `dbt` executable.
export PATH := $(CURDIR)/$(BIN):$(PATH)
export DAGSTER_HOME := $(DAGSTER_HOME_DIR)
export GX_ANALYTICS_ENABLED := false
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export PYTHONUNBUFFERED := 1

.PHONY: help install run summary dev test lint format manifest docs clean bench bench-organisations bench-disk

help:
	@echo "make run      set up, then load every source and build every model on the sample data"
	@echo "make test     set up, then run the whole test suite"
	@echo "make dev      Dagster UI and daemon on http://$(HOST):$(PORT)"
	@echo "make lint     ruff on the Python code"
	@echo "make summary  print the warehouse path and mart row counts"
	@echo "make docs     generate the dbt docs site and print where it is"
	@echo "make bench    time a warm refresh against its floor, and NWOpen at 15k and 150k projects"
	@echo "make clean    remove the venv, dbt artifacts and Dagster home (keeps data/)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# A DuckDB 1.4 client apart from the project's DuckDB 2.0, like the one many BI connectors
# embed: the tests open the published serving file with it.
DUCKDB1_VERSION := 1.4.0
DUCKDB1_VENV := .venv-duckdb$(DUCKDB1_VERSION)
DUCKDB1_STAMP := $(DUCKDB1_VENV)/.installed

$(DUCKDB1_STAMP):
	$(PYTHON) -m venv $(DUCKDB1_VENV)
	$(DUCKDB1_VENV)/bin/python -m pip install --quiet "duckdb==$(DUCKDB1_VERSION)"
	touch $(DUCKDB1_STAMP)

$(STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

install: $(STAMP) $(DAGSTER_HOME_DIR)/dagster.yaml

$(DAGSTER_HOME_DIR)/dagster.yaml: dagster.yaml
	mkdir -p $(DAGSTER_HOME_DIR)
	ln -sf $(CURDIR)/dagster.yaml $(DAGSTER_HOME_DIR)/dagster.yaml

# dbt's manifest is what Dagster reads to build the dbt assets; parse again when dbt files change.
$(MANIFEST): $(STAMP) $(shell find $(DBT_DIR)/models $(DBT_DIR)/seeds $(DBT_DIR)/macros $(DBT_DIR)/tests $(DBT_DIR)/snapshots -type f 2>/dev/null) $(DBT_DIR)/dbt_project.yml
	cd $(DBT_DIR) && $(CURDIR)/$(BIN)/dbt parse --quiet --profiles-dir .

manifest: $(MANIFEST)

run: install $(MANIFEST)
	$(BIN)/lc-monitor run

summary: install
	$(BIN)/lc-monitor summary

# dbt's documentation site (models, columns, tests, lineage) with the warehouse's catalog:
# needs a warehouse built by `make run`. The printed static_index.html holds the manifest and
# catalog itself, so it opens from disk (index.html needs a web server to load them).
docs: install $(MANIFEST)
	cd $(DBT_DIR) && $(CURDIR)/$(BIN)/dbt docs generate --static --quiet --profiles-dir .
	@echo "dbt docs (one file, opens from disk): $(CURDIR)/$(DBT_DIR)/target/static_index.html"

# The code location (module and its name, lc_monitor) comes from pyproject's [tool.dg.project].
# Services log warnings and errors: at info the run queue repeats "won't launch more" every 5 s
# while a run is in progress. DEV_LOG_LEVEL=info shows everything.
DEV_LOG_LEVEL ?= warning

dev: install $(MANIFEST)
	@echo "Dagster UI: http://$(HOST):$(PORT) (code location lc_monitor; log level $(DEV_LOG_LEVEL))"
	$(BIN)/dagster dev -h $(HOST) -p $(PORT) --log-level $(DEV_LOG_LEVEL)

# Two workers (pytest-xdist), one per core: most of the time goes to whole pipelines, each
# busy on one core. Each module runs on one worker (loadscope), so a module-scoped fixture
# that builds a warehouse is built once. (xdist_group marks are not honoured with pytest 9.2
# and xdist 3.8: checked.) TEST_WORKERS=0 runs in this process.
TEST_WORKERS ?= 2
test: install $(MANIFEST) $(DUCKDB1_STAMP)
	LCM_DUCKDB1_PYTHON=$(CURDIR)/$(DUCKDB1_VENV)/bin/python $(BIN)/python -m pytest \
		-n $(TEST_WORKERS) --dist loadscope --durations=15 $(ARGS)

# Speed and memory (tests/bench/pipeline.py): a warm full refresh against its floor (import
# dagster + a bare dbt build), per-step times, peak memory, and NWOpen sets of 15,000 and
# 150,000 projects served on 127.0.0.1, and a run launched through dagster dev's GraphQL API
# (as the UI does) beside a CLI run. ARGS="--repeats 1 --sizes 15000 --no-ui": a shorter run.
bench: install $(MANIFEST)
	$(BIN)/python -m tests.bench.pipeline $(ARGS)

# Organisation resolution on held-out spellings (docs/organisations.md): prints merge recall,
# false merges, typed and province shares; exits 1 below a target. ARGS=--sweep for the
# accept threshold's trade-off, ARGS=-v to list every miss.
bench-organisations: install
	$(BIN)/python -m tests.heldout.organisation_benchmark $(ARGS)

# Disk use over RUNS full refreshes of the sample in a temporary data folder and Dagster home:
# prints the bytes of the raw snapshots, warehouse, dbt_project/target and Dagster home per run.
RUNS ?= 10
bench-disk: install $(MANIFEST)
	$(BIN)/python -m tests.bench.disk_use --runs $(RUNS)

lint: install
	$(BIN)/ruff check orchestration sources tests dbt_project/models
	$(BIN)/ruff format --check orchestration sources tests dbt_project/models

format: install
	$(BIN)/ruff format orchestration sources tests
	$(BIN)/ruff check --fix orchestration sources tests

clean:
	rm -rf $(VENV) $(DUCKDB1_VENV) $(DBT_DIR)/target $(DBT_DIR)/logs $(DAGSTER_HOME_DIR)
