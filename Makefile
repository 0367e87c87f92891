# The two commands a newcomer needs: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
# What `make run` and `make serve` start: the web server and the task worker.
PROCFILE ?= Procfile.dev
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/postgres
# Extra arguments for pytest, e.g. `make test PYTEST_ARGS="-k schedule"`.
PYTEST_ARGS ?=

.PHONY: run serve screenshots test install lint format migrate demo check-migrations test-sqlite test-postgres clean bench \
	cluster cluster-stop cluster-check nginx lighthouse

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,run]'
	touch $@

# The site's own assets only: Lighthouse (a development dependency, 200 MB)
# comes with `make lighthouse`, not with every install and test run.
node_modules/.installed: package.json package-lock.json
	npm ci --omit=dev --no-audit --no-fund --loglevel=error
	rm -f node_modules/.lighthouse
	touch $@

node_modules/.lighthouse: node_modules/.installed
	npm ci --no-audit --no-fund --loglevel=error
	touch node_modules/.installed $@

# A development .env (DEBUG=true, a random SECRET_KEY), written once and never
# overwritten, so `python manage.py ...` works as the README shows without
# DEBUG=true in front. Git- and docker-ignored: production never reads it.
.env: | $(BIN)/python
	$(BIN)/python -m confguide.devenv write $@

install: $(VENV)/.installed node_modules/.installed .env

migrate: install
	DEBUG=true $(BIN)/python manage.py migrate --no-input

demo: migrate
	DEBUG=true $(BIN)/python manage.py load_demo

# The web server and the task worker (mail) together, as production runs them.
run: demo
	@$(MAKE) --no-print-directory serve

# The same servers on the data as it is (no migrations, no demo reload). SITE_URL,
# which feeds, calendar and share links are built on, follows PORT unless the
# environment or .env sets it: both processes get the same one.
serve:
	SITE_URL="$$($(BIN)/python -m confguide.devenv site-url $(PORT))" DEBUG=true PORT=$(PORT) \
		PATH="$(abspath $(BIN)):$$PATH" $(BIN)/honcho -f $(PROCFILE) start

# Full-page PNGs of the main pages at 390 and 1366 px in build/screenshots/ (git-ignored),
# from a production-like server on a fresh demo database (confguide/screenshots.py; the
# list of pages is PAGES there). SCREENSHOTS_ARGS="--only home not-found" narrows it.
# Not part of `make test`: it is for people to look at.
SCREENSHOTS_ARGS ?=
screenshots: install
	@[ -x /usr/bin/chromium ] || [ -n "$$CHROMIUM_PATH" ] || { \
		sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$sudo apt-get update -qq && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	$(BIN)/python -m confguide.screenshots $(SCREENSHOTS_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check-migrations: install
	DEBUG=true $(BIN)/python manage.py makemigrations --check --dry-run

# Compiled bytecode is kept even where the environment says not to: the suite
# starts gunicorn, manage.py and a second Python, each of which would otherwise
# compile Django again.
# The cluster check (tests/cluster) runs once, in the SQLite run: the cluster
# keeps its data in PostgreSQL whatever the suite's database is, and the
# PostgreSQL run is the longer one, so the two runs end at about the same time.
test-sqlite: install
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/pytest $(PYTEST_ARGS)

# PostgreSQL is the production database: the suite runs there too whenever a
# server listens at TEST_DATABASE_URL, and CI (CI=true) insists on it. Only a
# server that is not there is skipped: one that is up but refuses (a missing
# database, a wrong password) fails the run. Each run makes its own test
# database (tests/conftest.py), so runs never collide.
test-postgres: install
	@if $(BIN)/python -c "$$PG_LISTENING" '$(TEST_DATABASE_URL)'; then \
		DATABASE_URL='$(TEST_DATABASE_URL)' env -u PYTHONDONTWRITEBYTECODE $(BIN)/pytest -m "not cluster" $(PYTEST_ARGS); \
	elif [ "$$CI" = "true" ]; then \
		echo "PostgreSQL at $(TEST_DATABASE_URL) is not reachable, and CI requires it." >&2; exit 1; \
	else \
		echo "Skipping the PostgreSQL run: no server listens at $(TEST_DATABASE_URL)."; \
	fi

define PG_LISTENING
import socket, sys
from urllib.parse import urlsplit
url = urlsplit(sys.argv[1])
try:
    socket.create_connection((url.hostname or "127.0.0.1", url.port or 5432), timeout=3).close()
except OSError:
    sys.exit(1)
endef
export PG_LISTENING

# Both databases at once, one pytest process each (the suite is single-threaded,
# the machine has two cores); each run's output appears when it ends.
test: lint check-migrations
	@echo "Running the suite on SQLite and PostgreSQL side by side..."
	@$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres

# Load-test the production stack on this machine and rewrite docs/benchmarks.md
# (see the README's Benchmark section; BENCH_QUICK=1 for a short try). Not part
# of `make test`: it takes minutes and its numbers depend on the machine.
bench: install
	@command -v wrk >/dev/null 2>&1 || { \
		sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$sudo apt-get update -qq && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	.ci/start-postgres
	DJANGO_SETTINGS_MODULE=confguide.bench.settings $(BIN)/python manage.py bench

# Lighthouse's phone profile on the home, a schedule day, a session and my
# schedule, served as in production on the demo content; rewrites
# docs/lighthouse.md. Not part of `make test`: minutes, and machine-dependent.
LIGHTHOUSE_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/confguide_lighthouse_bench
CHROME_PATH ?= /usr/bin/chromium

lighthouse: install node_modules/.lighthouse
	.ci/start-postgres
	BENCH_DATABASE_URL='$(LIGHTHOUSE_DATABASE_URL)' CHROME_PATH='$(CHROME_PATH)' \
		DJANGO_SETTINGS_MODULE=confguide.bench.settings $(BIN)/python manage.py lighthouse

# The production shape on this machine, on loopback: PostgreSQL, Redis, three
# gunicorn replicas, the task worker and nginx in front (see the README's
# "Running several replicas"). `make cluster` stays in the foreground until
# Ctrl-C; `make cluster-stop` stops it from another terminal. CLUSTER_ARGS passes
# options on, e.g. CLUSTER_ARGS=--fresh for an empty database.
CLUSTER_ARGS ?=

# Debian's nginx, installed once (quick when present): the cluster runs it.
nginx:
	@command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || { \
		sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$sudo apt-get update -qq && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; }

cluster: install nginx
	$(BIN)/python -m confguide.cluster up $(CLUSTER_ARGS)

cluster-stop:
	$(BIN)/python -m confguide.cluster stop

# The check that the replicas share no state; starts (and stops) a cluster of its own.
cluster-check: install nginx
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/pytest -m cluster $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache .ruff_cache
