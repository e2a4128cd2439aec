# The project's one task runner: CI calls these targets too.
# Every target installs what it needs into .venv, so a fresh machine needs only python3 and make.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
HOST   ?= 127.0.0.1

.PHONY: demo test lint format install install-dev serve e2e screenshots bench bench-scale clean faults audit

# setuptools too: the one a new venv brings (65.5.0 with Python 3.11) has known vulnerabilities.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools

# Re-install only when the dependency list changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(VENV)/.installed $@

$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev,bench]"
	touch $(VENV)/.installed $(VENV)/.installed-dev $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# The demo profile (RUHUI_ENV=demo): DEBUG off whatever the shell says, so a wrong address shows
# the Chinese 404 page, never Django's debug page with the URL list; static files are collected
# into var/static and served by WhiteNoise, as in production (docs/operations.md).
DEMO_ENV := RUHUI_ENV=demo DEBUG=0

demo: install
	$(DEMO_ENV) $(BIN)/ruhui migrate --no-input
	$(DEMO_ENV) $(BIN)/ruhui collectstatic --no-input --verbosity 0
	$(DEMO_ENV) $(BIN)/ruhui seed_demo
	@echo ""
	@echo "入会 演示系统：http://$(HOST):$(PORT)/   （按 Ctrl+C 停止；后台任务进程随之停止）"
	@trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(DEMO_ENV) $(BIN)/ruhui db_worker --queue-name '*' --interval 1 --no-startup-delay & worker=$$!; \
	$(DEMO_ENV) $(BIN)/ruhui runserver $(HOST):$(PORT)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: lint
	RUHUI_ENV=test $(BIN)/pytest

# Fault drills (docs/operations.md「故障演练」): a killed import backend, a killed db_worker and
# the database stopped under load, on a scratch PostgreSQL cluster on port 5433 that the tests
# start and delete (tests/pgcluster.py); the shared server on 5432 is never touched.
FAULTS_PG_PORT ?= 5433

faults: install-dev
	RUHUI_ENV=test RUHUI_FAULTS_PG_PORT=$(FAULTS_PG_PORT) \
	DATABASE_URL=postgres://postgres@127.0.0.1:$(FAULTS_PG_PORT)/ruhui_faults \
	$(BIN)/pytest -m faults tests/faults -q -s -p no:randomly

# Supply chain: 0 known vulnerabilities with a fix in the installed packages (pip-audit, plus
# scripts/audit_deps.py's check of what pip-audit skips) and 0 high-severity bandit findings.
audit: install-dev
	$(BIN)/python scripts/audit_deps.py
	$(BIN)/bandit -r src -lll -q && echo "bandit: 0 high-severity findings in src/"

e2e: install-dev
	RUHUI_ENV=test $(BIN)/pytest -m browser

# The user guide's screenshots (docs/guide/img/), taken from the demo data by the browser test
# that checks each guide page; see tests/browser/test_guide_pages.py.
screenshots: install-dev
	mkdir -p docs/guide/img
	RUHUI_ENV=test RUHUI_SCREENSHOTS=docs/guide/img $(BIN)/pytest -m browser tests/browser/test_guide_pages.py -p no:randomly -q

# Import speed on SQLite and PostgreSQL beside the databases' raw bulk load, a load run of the
# public join form beside a static file, update mode beside django-import-export's upsert, the
# importer's insert beside django-import-export's (xlsx and csv, interleaved), and the campaign
# dashboards on a registry of a million members; each writes its part of docs/benchmarks.md.
# Sizes: BENCH_ROWS, BENCH_EXISTING (default 100000 each); BENCH_JOIN_USERS (50);
# BENCH_UPDATE_ROWS (100000), BENCH_UPDATE_ROUNDS (2); BENCH_PEER_ROWS (100000), BENCH_PEER_ROUNDS (2);
# BENCH_DASH_MEMBERS (1000000), BENCH_DASH_ENTERPRISES (100000), BENCH_DASH_UNIONS (5000).
# The million-row runs (insert, and update with every row present) are separate commands: see
# docs/benchmarks.md and the docstring of bench/bench_import.py.
bench: $(VENV)/.installed-bench
	$(BIN)/python bench/bench_import.py
	$(BIN)/python bench/bench_update.py
	$(BIN)/python bench/bench_peer.py
	$(BIN)/python bench/bench_join.py
	$(BIN)/python bench/bench_dashboard.py
	$(BIN)/python bench/bench_projects.py
	$(BIN)/python bench/bench_reports.py
	$(BIN)/python bench/bench_positions.py

# One province at 10,000,000 members (issue 20): about an hour on 2 cores and ~30 GB of disk. Sizes:
# BENCH_SCALE_MEMBERS (10000000), BENCH_SCALE_CHUNK (1000000), BENCH_SCALE_ENTERPRISES (1000000),
# BENCH_SCALE_UNIONS (50000), BENCH_SCALE_REQUESTS (40). BENCH_SCALE_KEEP=1 keeps the database,
# and `$(BIN)/python bench/bench_scale.py --measure` then measures the pages again on it.
bench-scale: $(VENV)/.installed-bench
	$(BIN)/python bench/bench_scale.py

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
