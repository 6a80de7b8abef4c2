# Papershelf: two commands for a fresh machine.
#   make serve  — set everything up and serve the catalog on http://127.0.0.1:8000 (SQLite)
#   make test   — set everything up and run the whole suite on SQLite and on a real PostgreSQL

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: serve test test-sqlite test-postgres lint install clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

serve: install
	DEBUG=true $(PY) manage.py migrate --noinput
	DEBUG=true $(PY) manage.py load_catalog --if-empty
	DEBUG=true $(PY) manage.py runserver $(HOST):$(PORT)

lint: install
	$(VENV)/bin/ruff check .
	$(PY) manage.py makemigrations --check --dry-run --settings=config.test_settings

test-sqlite: install
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# The server is started on loopback for this run and always stopped after it.
test-postgres: install
	scripts/with-postgres $(VENV)/bin/pytest $(PYTEST_ARGS)

test: lint test-sqlite test-postgres

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
