# Two commands do everything on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := run

VENV    := .venv
PY      := $(VENV)/bin/python
TOOLS   := $(CURDIR)/.tools/node_modules/.bin
PORT    ?= 3000
SIZE    ?= demo
BUN_VERSION ?= 1.4.5
AXE_VERSION ?= 4.14.1
TEST_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

export PATH := $(TOOLS):$(PATH)
export REFLEX_USE_SYSTEM_BUN := 1
export REFLEX_TELEMETRY_ENABLED := false
export REFLEX_CHECK_LATEST_VERSION := false
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test bench seed migrate deps chromium test-unit test-postgres test-e2e clean

## deps: the virtualenv with the pinned Python packages; bun (and axe-core for the
## accessibility checks) from the npm registry
deps: $(VENV)/.installed .tools/.installed

$(VENV)/.installed: requirements.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

.tools/.installed: Makefile
	npm install --prefix .tools --no-save --no-audit --no-fund bun@$(BUN_VERSION) axe-core@$(AXE_VERSION)
	test -x $(TOOLS)/bun && test -f .tools/node_modules/axe-core/axe.min.js
	touch $@

## migrate: bring the database (DATABASE_URL, default data/portal.db) to the latest schema
migrate: deps
	$(PY) -m alembic upgrade head

## seed: load demo data (SIZE=large adds a fleet customer with 500 contracts)
seed: migrate
	$(PY) -m portal.seed --size $(SIZE)

## run: migrate, load the demo data if the database is empty, serve on http://127.0.0.1:$(PORT)
run: migrate
	PORTAL_DEMO_MODE=1 $(PY) -m portal.seed --if-empty
	PORT=$(PORT) PORTAL_DEMO_MODE=1 $(VENV)/bin/reflex run --env prod --single-port

## chromium: Debian's Chromium for the browser tests (never a downloaded browser)
chromium:
	@command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

## test: unit and state tests (SQLite, then PostgreSQL when it answers) and browser tests
test: deps chromium test-unit test-postgres test-e2e

test-unit: deps
	$(PY) -m pytest tests/unit tests/state -q

test-postgres: deps
	@if $(PY) -c "import sqlalchemy as sa; sa.create_engine('$(TEST_DATABASE_URL)').connect().close()" 2>/dev/null; then \
		echo "PostgreSQL answers: data-layer tests against it"; \
		TEST_DATABASE_URL='$(TEST_DATABASE_URL)' $(PY) -m pytest tests/unit -q; \
	else \
		echo "PostgreSQL does not answer at $(TEST_DATABASE_URL): data-layer tests ran on SQLite only"; \
	fi

test-e2e: deps chromium
	$(PY) -m pytest tests/e2e -q

## bench: benchmarks (figures and ratios, no pass/fail)
bench: deps
	$(PY) bench/run.py

clean:
	rm -rf .web .web-e2e .states .states-e2e
