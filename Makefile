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
PYRIGHT_VERSION ?= 1.1.414
TEST_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

export PATH := $(TOOLS):$(PATH)
export REFLEX_USE_SYSTEM_BUN := 1
export REFLEX_TELEMETRY_ENABLED := false
export REFLEX_CHECK_LATEST_VERSION := false
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run serve worker test lint format bench seed migrate deps chromium nginx test-unit test-clock-moved test-postgres test-e2e test-security test-deploy export-frontend nginx-site clean

## deps: the virtualenv with the pinned Python packages; bun, axe-core (accessibility checks)
## and pyright (type checks) from the npm registry
deps: $(VENV)/.installed .tools/.installed

$(VENV)/.installed: requirements.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

.tools/.installed: Makefile
	npm install --prefix .tools --no-save --no-audit --no-fund bun@$(BUN_VERSION) axe-core@$(AXE_VERSION) \
		pyright@$(PYRIGHT_VERSION)
	test -x $(TOOLS)/bun && test -x $(TOOLS)/pyright && test -f .tools/node_modules/axe-core/axe.min.js
	touch $@

## migrate: bring the database (DATABASE_URL, default data/portal.db) to the latest schema
migrate: deps
	$(PY) -m alembic upgrade head

## seed: load demo data (SIZE=large adds a fleet customer with 500 contracts)
seed: migrate
	$(PY) -m portal.seed --size $(SIZE)

## run: migrate, load the demo data if the database is empty, serve on http://127.0.0.1:$(PORT)
## (demo mode: loopback only unless PORTAL_LISTEN_HOST says otherwise; refused with https or a non-SQLite database)
run: migrate
	PORTAL_DEMO_MODE=1 $(PY) -m portal.seed --if-empty
	PORT=$(PORT) PORTAL_DEMO_MODE=1 $(VENV)/bin/reflex run --env prod --single-port

## serve: migrate and serve without demo mode (no /dev/mailbox, mail by SMTP), on PORTAL_LISTEN_HOST (default all interfaces)
serve: migrate
	PORT=$(PORT) PORTAL_DEMO_MODE=0 $(VENV)/bin/reflex run --env prod --single-port

## worker: a job worker (PostgreSQL only: DATABASE_URL=postgresql+psycopg://...; docs/DEPLOY.md section 5).
## With SQLite the app runs the background jobs itself.
worker: deps
	$(PY) -m portal.jobs worker

## chromium: Debian's Chromium for the browser tests (never a downloaded browser)
chromium:
	@command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

## nginx: Debian's nginx for the production topology and its test (tests/deploy)
nginx:
	@command -v nginx >/dev/null || test -x /usr/sbin/nginx || (apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light)

## export-frontend: production's static frontend (docs/DEPLOY.md) into .web/build/client, for PORTAL_PUBLIC_URL;
## run it with the production environment (PORTAL_ENV=production ...)
export-frontend: deps
	$(VENV)/bin/reflex export --frontend-only --no-zip

## nginx-site: print the nginx site for BACKENDS (host:port, comma-separated) and STATIC (the exported frontend)
BACKENDS ?= 127.0.0.1:8001,127.0.0.1:8002
STATIC ?= $(CURDIR)/.web/build/client
nginx-site: deps
	$(PY) -m portal.deploy site $(foreach b,$(subst $(comma), ,$(BACKENDS)),--backend $(b)) --static-root $(STATIC)
comma := ,

## test: unit and state tests (SQLite), the same a year on, the unit tests on PostgreSQL, browser tests,
## the hostile suite against the app as production runs it, and the production topology (nginx, two backends).
## The three unit runs go beside the browser tests, which mostly wait on the browser and the server (about
## half a core of two): CI's whole run stays well inside its 30 minutes. Their output follows the browser tests'.
BESIDE_LOG := .test-beside.log
test: deps chromium nginx
	@( $(MAKE) --no-print-directory test-unit test-clock-moved test-postgres > $(BESIDE_LOG) 2>&1; \
	   echo $$? > $(BESIDE_LOG).rc ) & \
	$(MAKE) --no-print-directory test-e2e; e2e=$$?; wait; \
	echo "--- test-unit, test-clock-moved, test-postgres (run beside test-e2e) ---"; cat $(BESIDE_LOG); \
	beside=$$(cat $(BESIDE_LOG).rc); rm -f $(BESIDE_LOG).rc; \
	echo "test-e2e exit $$e2e; test-unit, test-clock-moved, test-postgres exit $$beside"; \
	test $$e2e -eq 0 && test $$beside -eq 0
	$(MAKE) --no-print-directory test-security test-deploy

test-unit: deps
	$(PY) -m pytest tests/unit tests/state -q

## test-clock-moved: the unit and state tests with the demo data and the portal's clock a year on
## (tests/conftest.py reads PORTAL_TEST_TODAY): nothing may depend on the real date
TEST_TODAY_MOVED ?= 2027-11-22
test-clock-moved: deps
	PORTAL_TEST_TODAY=$(TEST_TODAY_MOVED) $(PY) -m pytest tests/unit tests/state -q

## test-postgres: the unit tests again on PostgreSQL. Unreachable: a loud warning, and in CI (CI=true) a failure.
PG_CHECK := import sqlalchemy as sa; url = sa.make_url('$(TEST_DATABASE_URL)'); \
	print(url.render_as_string(hide_password=True)); \
	sa.create_engine(url, connect_args={'connect_timeout': 5}).connect().close()
test-postgres: deps
	@if shown=$$($(PY) -c "$(PG_CHECK)" 2>/dev/null); then \
		echo "PostgreSQL answers at $$shown: the unit tests again against it"; \
		TEST_DATABASE_URL='$(TEST_DATABASE_URL)' $(PY) -m pytest tests/unit -q; \
	else \
		shown=$$($(PY) -c "import sqlalchemy as sa; print(sa.make_url('$(TEST_DATABASE_URL)').render_as_string(hide_password=True))"); \
		echo "" >&2; \
		echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!" >&2; \
		echo "!!  PostgreSQL does not answer at $$shown" >&2; \
		echo "!!  The unit tests did NOT run on PostgreSQL: only the SQLite run (make test-unit) covers them." >&2; \
		echo "!!  Start it, or point TEST_DATABASE_URL at one, and run: make test-postgres" >&2; \
		echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!" >&2; \
		echo "" >&2; \
		if [ "$${CI:-}" = "true" ]; then echo "CI=true: the PostgreSQL run is required, failing." >&2; exit 1; fi; \
	fi

test-e2e: deps chromium
	$(PY) -m pytest tests/e2e -q

## test-security: the hostile suite (tests/security): crafted websocket clients against the real app, demo mode off
test-security: deps chromium
	$(PY) -m pytest tests/security -q

## test-deploy: the production topology on loopback (tests/deploy): nginx, two backend processes, the static
## frontend, this machine's PostgreSQL and Redis; a backend is killed under a browser tab, which goes on
test-deploy: deps chromium nginx
	$(PY) -m pytest tests/deploy -q

## lint: ruff (lint and format check) over the code and tests, pyright over portal/
LINTED := portal tests bench alembic rxconfig.py
lint: deps
	$(VENV)/bin/ruff check $(LINTED)
	$(VENV)/bin/ruff format --check $(LINTED)
	$(TOOLS)/pyright

## format: let ruff sort imports and format the code
format: deps
	$(VENV)/bin/ruff check --fix $(LINTED)
	$(VENV)/bin/ruff format $(LINTED)

## bench: benchmarks (figures and ratios, no pass/fail); then the load benchmark (bench/load.py:
## signed-in tabs over the websocket against the app on PostgreSQL + Redis, 1 to 500 users)
bench: deps
	$(PY) bench/run.py
	$(PY) bench/load.py

clean:
	rm -rf .web .web-e2e .states .states-e2e
