# Papershelf: two commands for a fresh machine.
#   make serve  — set everything up and serve the catalog on http://127.0.0.1:8000 (SQLite)
#   make test   — set everything up and run the whole suite on SQLite and on a real PostgreSQL,
#                 and the cache tests once more on a real Redis
# Operations (README, "Operations"):
#   make serve-prod — collectstatic, migrate, gunicorn (needs SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL)
#   make loadtest   — 60 s of wrk against gunicorn + a throwaway PostgreSQL with the seed catalog
#   make sqlmap     — sqlmap against the paper list's parameters on the same kind of server

PYTHON ?= python3
# Python keeps the bytecode it compiles (in __pycache__, ignored by git). An
# environment that sets PYTHONDONTWRITEBYTECODE makes every process of a run
# (lint, both test passes, the settings tests' subprocesses) compile Django
# and the rest from source again (collecting the suite: 12.5 s of CPU, not 4.5).
unexport PYTHONDONTWRITEBYTECODE
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
# Debian's Chromium, driven by Playwright in the browser tests (never `playwright install`).
CHROMIUM ?= /usr/bin/chromium

.PHONY: serve serve-prod loadtest sqlmap test test-sqlite test-postgres test-redis lint install install-browser chromium redis-server clean bench

# One install run for the application, its test tools and the `browser` extra
# (Playwright and its pytest plugin; never `playwright install`). pip puts uv in
# the virtualenv and uv installs the rest: it resolves, downloads and unpacks
# the same releases in about 6 s where pip took 44 s of CPU on this machine (a
# fresh clone's `make test` counts its install). No bytecode compiled up front:
# Python compiles only the modules it imports, once.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --no-compile uv
	$(VENV)/bin/uv pip install --quiet --python $(PY) -e '.[dev,browser]'
	touch $@

install: $(VENV)/.installed

install-browser: install

# Chromium for the browser tests: installed with apt when missing, as root or
# through passwordless sudo. Otherwise test-sqlite says loudly that it skips them.
chromium:
	@if [ -x "$(CHROMIUM)" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
		apt-get update && apt-get install -y chromium; \
	elif sudo -n true 2>/dev/null; then \
		sudo -n apt-get update && sudo -n apt-get install -y chromium; \
	else \
		echo "make: cannot install Chromium (not root, no passwordless sudo)." >&2; \
	fi

# The same for redis-server (test-redis); after chromium, as two apt-get runs
# at once would fight over dpkg's lock.
redis-server: | chromium
	@if command -v redis-server >/dev/null; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
		apt-get update && apt-get install -y redis-server; \
	elif sudo -n true 2>/dev/null; then \
		sudo -n apt-get update && sudo -n apt-get install -y redis-server; \
	else \
		echo "make: cannot install redis-server (not root, no passwordless sudo)." >&2; \
	fi

serve: install
	DEBUG=true $(PY) manage.py migrate --noinput
	DEBUG=true $(PY) manage.py load_catalog --if-empty
	DEBUG=true $(PY) manage.py runserver $(HOST):$(PORT)

# Production: DEBUG is forced off, and the database must be given (PostgreSQL).
serve-prod: install
	@if [ -z "$$DATABASE_URL" ]; then \
		echo "make serve-prod: set DATABASE_URL (e.g. postgres://user:password@host:5432/papershelf)." >&2; \
		exit 2; \
	fi
	DEBUG=false $(PY) manage.py collectstatic --noinput --verbosity 0
	DEBUG=false $(PY) manage.py migrate --noinput
	DEBUG=false $(VENV)/bin/gunicorn --config config/gunicorn.conf.py --bind $(HOST):$(PORT)

LOADTEST_ARGS ?=
loadtest: install
	scripts/loadtest $(LOADTEST_ARGS)

sqlmap: install
	scripts/loadtest --sqlmap-only $(LOADTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run --settings=config.test_settings

# The browser tests run here, in the SQLite pass only: they test pages, not the
# database, and a second browser run would only add time.
test-sqlite: install chromium
	@if [ -x "$(CHROMIUM)" ]; then \
		DJANGO_ALLOW_ASYNC_UNSAFE=true CHROMIUM="$(CHROMIUM)" $(VENV)/bin/pytest $(PYTEST_ARGS); \
	else \
		echo "########################################################################" >&2; \
		echo "## WARNING: no Chromium at $(CHROMIUM): the BROWSER TESTS ARE NOT RUN. ##" >&2; \
		echo "## Install it (apt-get install -y chromium) and run make test again.  ##" >&2; \
		echo "########################################################################" >&2; \
		$(VENV)/bin/pytest -m "not browser" $(PYTEST_ARGS); \
	fi

# The server is started on loopback for this run and always stopped after it.
# Without autovacuum: every test's rows are rolled back, so autovacuum finds the
# tables empty and records them so; the planner then expects one row from each
# and picks nested loops that took minutes for one facet query on a test's 90
# papers. Never vacuumed, the tables are estimated from their size instead.
test-postgres: install
	PG_SERVER_OPTIONS="-c autovacuum=off" \
		scripts/with-postgres $(VENV)/bin/pytest -m "not browser" $(PYTEST_ARGS)

# The tests marked `cache` once more, with the cache on a real Redis server
# (scripts/with-redis) and SQLite; only the files holding such tests are
# collected, which keeps this pass to seconds.
CACHE_TESTS = $(shell grep -rl --include='test_*.py' 'mark\.cache' tests)
test-redis: install redis-server
	@if command -v redis-server >/dev/null; then \
		PAPERSHELF_TEST_CACHE=redis scripts/with-redis \
			$(VENV)/bin/pytest -p no:playwright -p no:hypothesispytest -m cache $(CACHE_TESTS) $(PYTEST_ARGS); \
	else \
		echo "#########################################################################" >&2; \
		echo "## WARNING: no redis-server: the cache tests are NOT RUN against Redis. ##" >&2; \
		echo "## Install it (apt-get install -y redis-server), run make test again.  ##" >&2; \
		echo "#########################################################################" >&2; \
	fi

# The passes run side by side (the PostgreSQL pass waits on its server
# much of the time); make keeps each pass's output together and prints it when
# the pass ends, and fails if any fails.
test: install
	@echo "make test: lint, the SQLite, PostgreSQL and Redis passes, side by side;" \
		"each one's output follows when it ends." >&2
	@$(MAKE) --no-print-directory -j3 --output-sync=target lint test-postgres test-sqlite test-redis

# The performance benchmark: a 100,000-paper catalog on a throwaway
# PostgreSQL, pages, throughput (wrk) and the importer; writes bench/RESULTS.md
# and fails when a target is missed by more than 2x. Not part of `make test`.
# A quick look: make bench BENCH_ARGS="--size 10000".
BENCH_ARGS ?=
bench: install
	$(PY) -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
