# The reform tracker: `make run` serves the demo on http://127.0.0.1:8000,
# `make test` runs the whole suite on PostgreSQL, Redis and Chromium. See README.md.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
# Written after a successful install; older than pyproject.toml or constraints.txt = reinstall.
STAMP := $(VENV)/.installed-reform-tracker
# axe-core for the accessibility test (tests/e2e/test_accessibility.py): a test tool from the
# npm registry, pinned by tests/a11y/package-lock.json, never served. Reinstalled (npm ci)
# only when the lock file or package.json change.
A11Y := tests/a11y
A11Y_STAMP := $(A11Y)/node_modules/.installed-reform-tracker
MANAGE := $(BIN)/python manage.py
# Translation commands read no database and send nothing: they may always run with DEBUG
# settings, so they need no secret key.
I18N := DJANGO_DEBUG=true DJANGO_SETTINGS_MODULE=config.settings $(MANAGE)
ARGS ?=

.PHONY: help install a11y-tools run test bench lint messages compilemessages constraints clean distclean

help:
	@echo "make run        install, migrate, load the plan and demo data, serve http://127.0.0.1:8000"
	@echo "make test       install and run the whole suite on PostgreSQL, Redis and Chromium"
	@echo "                (extra pytest arguments: make test ARGS='-k foo')"
	@echo "make bench      seed scale 1 and 10 in throwaway bench_ databases; time the pages,"
	@echo "                gunicorn under wrk and the ledger export (5-10 minutes)"
	@echo "make lint       ruff check and ruff format --check"
	@echo "make a11y-tools install axe-core for the accessibility test (npm ci in tests/a11y)"
	@echo "make messages   update locale/zh_Hans/LC_MESSAGES/django.po"
	@echo "make clean      remove caches, compiled translations and collected static files"

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@if [ ! -x $(BIN)/python ]; then \
		command -v $(PYTHON) >/dev/null 2>&1 || { \
			echo "error: $(PYTHON) not found; install Python 3.11 (or make PYTHON=/path/to/python3.11)" >&2; \
			exit 1; }; \
		echo "Creating $(VENV) with $(PYTHON)"; \
		$(PYTHON) -m venv $(VENV); \
	fi
	$(BIN)/python -m pip install --disable-pip-version-check -q -c constraints.txt -e '.[dev]'
	@touch $@

a11y-tools: $(A11Y_STAMP)

$(A11Y_STAMP): $(A11Y)/package.json $(A11Y)/package-lock.json
	@command -v npm >/dev/null 2>&1 || { \
		echo "error: npm not found (axe-core for the accessibility test is installed with it);" >&2; \
		echo "       install Node.js and npm with: apt-get install -y nodejs npm" >&2; \
		exit 1; }
	npm ci --prefix $(A11Y) --no-audit --no-fund --loglevel=error
	@touch $@

compilemessages: $(STAMP)
	@if command -v msgfmt >/dev/null 2>&1; then \
		$(I18N) compilemessages --ignore=$(VENV) -v 0; \
	else \
		echo "warning: msgfmt (gettext) not found: translations not compiled, pages show the"; \
		echo "         English source texts. Install it with: apt-get install -y gettext"; \
	fi

# DJANGO_DEBUG=true unless the environment says otherwise: the local server needs no secret key.
run: export DJANGO_DEBUG ?= true
run: $(STAMP) compilemessages
	$(MANAGE) migrate --noinput
	$(MANAGE) load_plan
	$(MANAGE) seed_demo
	$(MANAGE) runserver 127.0.0.1:8000

# bin/check-test-services finds (or starts) PostgreSQL and Redis and checks Chromium; it
# prints `export` lines for the services it found, or stops make with what to install.
test: $(STAMP) $(A11Y_STAMP) compilemessages
	@found="$$($(BIN)/python bin/check-test-services)" || exit 1; \
	eval "$$found"; \
	$(BIN)/pytest $(ARGS)

# The benchmark of README "make bench": reform/demo/management/commands/bench.py. It needs
# PostgreSQL (local, or BENCH_POSTGRES_URL) and Debian's wrk, installed here when run as root.
# Extra arguments: make bench ARGS="--keep --wrk-seconds 10".
bench: $(STAMP) compilemessages
	@command -v wrk >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "Installing wrk: apt-get install -y wrk"; \
			apt-get install -y -q wrk >/dev/null || \
				{ apt-get update -q >/dev/null && apt-get install -y -q wrk >/dev/null; } || exit 1; \
		else \
			echo "error: wrk not found; install it with: sudo apt-get install -y wrk" >&2; \
			exit 1; \
		fi; }
	@DJANGO_DEBUG=false \
	DJANGO_SECRET_KEY="$${DJANGO_SECRET_KEY:-$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')}" \
	$(MANAGE) bench $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check . bin/check-test-services
	$(BIN)/ruff format --check . bin/check-test-services

messages: $(STAMP)
	$(I18N) makemessages -l zh_Hans --ignore=$(VENV) --ignore=staticfiles --ignore=media --ignore=$(A11Y)

# Rewrite constraints.txt from what is installed in .venv (after changing pyproject.toml).
constraints:
	@{ sed -n '/^#/p' constraints.txt; $(BIN)/pip freeze --exclude reform-tracker; } > constraints.txt.new
	@mv constraints.txt.new constraints.txt
	@echo "constraints.txt: $$(grep -vc '^#' constraints.txt) pins"

clean:
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +
	find locale -name '*.mo' -delete
	rm -rf .pytest_cache .ruff_cache .hypothesis test-results staticfiles

# Also the virtualenv, the local SQLite database of `make run` and tests/a11y/node_modules.
distclean: clean
	rm -rf $(VENV) db.sqlite3 $(A11Y)/node_modules
