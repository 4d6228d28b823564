# The two commands of the README: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# The interpreter is part of the stamp: `make install PYTHON=/usr/bin/python3.11` builds the
# venv again on that interpreter (README, "Which Python"). It is named by its base prefix, which
# is the same whether or not the venv is activated (an activated venv's `python3` is the venv's
# own, and must not make the venv rebuild itself).
STAMP  := $(VENV)/.installed-$(shell (cat requirements.lock pyproject.toml; $(PYTHON) -c 'import sys; print(sys.base_prefix, sys.version)') | cksum | cut -d' ' -f1)

.PHONY: install run test test-fast lint format messages browser migrations-check clean

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv --clear $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --requirement requirements.lock
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

## Run the portal with demo data, a Celery worker and beat on the embedded defaults.
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start

## Debian's Chromium for the browser tests (Playwright cannot download its own browser here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "Install Chromium first: sudo apt-get install -y chromium"; exit 1; fi; }

## The whole suite: rules, integration, browser tests, migrations check, lint and the
## import layers (pyproject.toml, [tool.importlinter]); on two processes, each with a test
## database of its own.
test: install browser
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -n 2

## Everything but the browser tests and the tests that seed thousands of rows, for iterating
## (on two processes, each with a test database of its own).
test-fast: install
	$(BIN)/python -m pytest -m "not e2e and not slow" -n 2

lint: install
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix . && $(BIN)/ruff format .

## After changing a user-facing string: Dutch to translate in locale/nl; English is the source.
messages: install
	$(BIN)/python manage.py makemessages -l nl -l en --ignore=.venv --ignore=var --no-obsolete
	msgen -o locale/en/LC_MESSAGES/django.po locale/en/LC_MESSAGES/django.po
	$(BIN)/python manage.py compilemessages --ignore=.venv --ignore=var

clean:
	rm -rf $(VENV) var
