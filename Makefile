# Mentoring: `make run` serves the app with demo data; `make test` runs the whole suite.
# Override the interpreter with `make PYTHON=/path/to/python3.13 ...`.

SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
PYTEST_FRESH ?=
TEST_WORKERS ?= auto
TEST_MAX_WORKERS ?= 8
BENCH_ARGS ?=

# The first Python >= 3.12 found: PYTHON=..., python3.13/python3.12 on PATH, then pyenv's.
PYTHON ?= $(shell for p in python3.13 python3.12 \
	$$(ls -d $$(pyenv root 2>/dev/null || echo $$HOME/.pyenv)/versions/3.13*/bin/python 2>/dev/null | sort -rV) \
	$$(ls -d $$(pyenv root 2>/dev/null || echo $$HOME/.pyenv)/versions/3.12*/bin/python 2>/dev/null | sort -rV); do \
	  if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
	    command -v $$p; break; fi; done)

.PHONY: help install run test test-fast lint fmt migrations-check bench profile browser tools stop-db clean messages

help:
	@echo "make run     set up, migrate, load demo data, serve on http://$(HOST):$(PORT)"
	@echo "make test    lint, migration check and the whole test suite"
	@echo "make bench   directory (10k and 100k mentors), scheduled jobs and emails/s benchmarks; BENCH_ARGS=\"--sizes 10000\" for a quick run"
	@echo "make profile PAGE=/mentors/ [AS=email] [N=200]  one page under pyinstrument, in-process, against a bench database"
	@echo "make messages  update the Welsh catalogue (locale/cy) from the code, COMPENDIUM=file.po to fill it, and compile it"
	@echo "make lint | fmt | migrations-check | stop-db | clean"

$(BIN)/python:
	@if [ -z "$(PYTHON)" ]; then \
	  echo "No Python 3.12 or newer was found. Install one (e.g. pyenv install 3.13) or run: make PYTHON=/path/to/python3.13 $(MAKECMDGOALS)"; \
	  exit 1; fi
	@echo "Creating $(VENV) with $(PYTHON)"
	$(PYTHON) -m venv $(VENV)

# The runtime lock (all the production image installs) and the development and test tools.
$(VENV)/.installed: requirements.lock requirements-dev.lock pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock -r requirements-dev.lock
	touch $@

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed for Bootstrap and axe-core: install Node.js (e.g. apt-get install nodejs npm)"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed

# The browser tests drive Debian's Chromium; install it when it is missing and we may.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	    echo "Installing Chromium for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null; \
	  else echo "Chromium is missing: install it (apt-get install chromium) to run the browser tests"; exit 1; fi; }

# The deployment tests validate docker-compose.yml with Debian's docker-compose (no engine needed).
tools:
	@command -v docker-compose >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	    echo "Installing docker-compose for the deployment tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker-compose >/dev/null; \
	  else echo "docker-compose is missing: install it (apt-get install docker-compose) to run the deployment tests"; exit 1; fi; }

# Settings default to production; `make run` is the development profile: DEBUG on, and two-factor
# for staff off so the demo administrator signs in with a password. Either can be set to override.
run: export DEBUG ?= 1
run: export MFA_REQUIRED_FOR_STAFF ?= 0
# Emails link to where the server listens (settings derive SITE_URL from these when DEBUG; honcho
# gives each process its own PORT, so with it SITE_URL is passed as well).
run: export HOST := $(HOST)
# A server listening on every address (0.0.0.0, ::) is reached from this machine at 127.0.0.1.
run: LINK_HOST = $(if $(filter 0.0.0.0 :: [::],$(HOST)),127.0.0.1,$(HOST))
run: export PORT := $(PORT)
run: JOBS_EVERY ?= 60
run: install
	@echo "Development settings: DEBUG=$(DEBUG); two-factor authentication for staff is $(if $(filter 0,$(MFA_REQUIRED_FOR_STAFF)),OFF,on) (MFA_REQUIRED_FOR_STAFF=$(MFA_REQUIRED_FOR_STAFF))"
	@mkdir -p .data  # beat keeps its schedule file here
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo --if-empty
	@if [ -n "$$REDIS_URL" ]; then \
	  echo "REDIS_URL is set: starting web, worker and beat"; \
	  PATH="$(CURDIR)/$(BIN):$$PATH" HOST=$(HOST) PORT=$(PORT) SITE_URL="$${SITE_URL:-http://$(LINK_HOST):$(PORT)}" $(BIN)/honcho start -f Procfile; \
	else \
	  echo "No REDIS_URL: Celery tasks run in the web process; the scheduled jobs run every $(JOBS_EVERY)s beside it"; \
	  $(BIN)/python manage.py run_jobs --every $(JOBS_EVERY) & jobs=$$!; \
	  trap 'kill $$jobs 2>/dev/null; wait $$jobs 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/python manage.py runserver $(HOST):$(PORT); \
	fi

# The whole suite in two parts. First the tests without a browser, worker or fault of their own,
# on every core up to TEST_MAX_WORKERS (pytest-xdist, a test database per process; the tests
# that take a port on loopback share one process, their xdist_group). Then the browser journeys
# and the delivery tests, which time real servers and workers, one at a time. Both parts always
# run and either failing fails the target; Ctrl-C stops it. PYTEST_ARGS (e.g. "-k outbox" or a
# test's path) runs just those, in one process; PYTEST_FRESH (e.g. --create-db) goes to both.
SERIAL_TESTS := tests/browser tests/delivery
test: install browser tools lint migrations-check
ifeq ($(strip $(PYTEST_ARGS)),)
	@trap 'exit 130' INT TERM; status=0; \
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --maxprocesses=$(TEST_MAX_WORKERS) --dist loadgroup \
	  $(PYTEST_FRESH) tests $(addprefix --ignore=,$(SERIAL_TESTS)) || status=1; \
	$(BIN)/python -m pytest $(PYTEST_FRESH) $(SERIAL_TESTS) || status=1; \
	exit $$status
else
	$(BIN)/python -m pytest $(PYTEST_FRESH) $(PYTEST_ARGS)
endif

# mypy's Django plugin loads the settings, which want a real SECRET_KEY unless DEBUG is on.
lint: export DEBUG = 1
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/djlint templates --lint

fmt: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations-check: export DEBUG = 1
migrations-check: install
	$(BIN)/python manage.py makemigrations --check --dry-run

bench: install
	$(BIN)/python bench/run.py $(BENCH_ARGS)
	$(BIN)/python bench/jobs.py
	$(BIN)/python bench/emails.py

# One page under pyinstrument, in-process, against a bench database (bench/README.md):
# make profile PAGE=/mentors/?programme=careers [AS=mentee@demo.test] [N=200] [PROFILE_ARGS=...]
# make's built-in AS (the assembler, "as") would otherwise sign in as a person called "as".
ifeq ($(origin AS),default)
AS :=
endif
profile: install
	@test -n "$(PAGE)" || { echo "Usage: make profile PAGE=/path/ [AS=email] [N=requests]"; exit 2; }
	$(BIN)/python bench/profile.py '$(PAGE)' $(if $(AS),--as '$(AS)') $(if $(N),-n $(N)) $(PROFILE_ARGS)

# Stops the embedded PostgreSQL whoever still has it open (they are named), and says so.
stop-db:
	@if [ -f .data/postgres/postmaster.pid ]; then \
	  $(BIN)/python -c "from pathlib import Path; from mentoring.embedded_db import stop_embedded_database as stop; left = stop(Path('.data/postgres').resolve()); print('Stopped the embedded PostgreSQL' + (f' (it was still open in processes {left}: stop them too)' if left else '') + '.')"; \
	else echo "The embedded PostgreSQL is not running."; fi

clean: stop-db
	rm -rf $(VENV) node_modules staticfiles .data

# The Welsh catalogue (README: "Welsh"): collect the marked strings of the participant pages,
# emails and modules (staff-only admin and management commands left out), keep the translations
# already there, fill new ones from COMPENDIUM (a .po of translations, exact matches only) when
# given, then compile the .mo that is committed beside it. Needs GNU gettext (apt-get install gettext).
# tests/mentoring/test_translations.py uses the same ignore list.
MESSAGES_IGNORE := -i .venv -i node_modules -i tests -i bench -i static -i templates/admin -i locale \
	-i '*admin.py' -i '*/management/*'
CY_PO := locale/cy/LC_MESSAGES/django.po
COMPENDIUM ?=
messages: $(VENV)/.installed
	$(BIN)/python manage.py makemessages -l cy --no-obsolete $(MESSAGES_IGNORE)
	@if [ -n "$(COMPENDIUM)" ]; then \
	  msgattrib --translated --no-fuzzy -o $(CY_PO).own $(CY_PO) \
	  && msgattrib --clear-fuzzy --empty -o $(CY_PO).ref $(CY_PO) \
	  && msgmerge --quiet --no-fuzzy-matching --compendium "$(COMPENDIUM)" -o $(CY_PO).new $(CY_PO).own $(CY_PO).ref \
	  && mv $(CY_PO).new $(CY_PO); rm -f $(CY_PO).own $(CY_PO).ref; fi
	msgfmt --check -o locale/cy/LC_MESSAGES/django.mo $(CY_PO)
	@echo "Untranslated: $$(msgattrib --untranslated --no-obsolete $(CY_PO) | grep -c '^msgid ' || true) (less the header); fuzzy: $$(msgattrib --only-fuzzy --no-obsolete $(CY_PO) | grep -c '^msgid ' || true)"
