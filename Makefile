# The two commands a newcomer needs: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/postgres
# Extra arguments for pytest, e.g. `make test PYTEST_ARGS="-k schedule"`.
PYTEST_ARGS ?=

.PHONY: run test install lint format migrate demo check-migrations test-sqlite test-postgres clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,run]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed

migrate: install
	DEBUG=true $(BIN)/python manage.py migrate --no-input

demo: migrate
	DEBUG=true $(BIN)/python manage.py load_demo

# The web server and the task worker (mail) together, as production runs them.
run: demo
	DEBUG=true PORT=$(PORT) PATH="$(abspath $(BIN)):$$PATH" $(BIN)/honcho -f Procfile.dev start

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check-migrations: install
	DEBUG=true $(BIN)/python manage.py makemigrations --check --dry-run

test-sqlite: install
	$(BIN)/pytest $(PYTEST_ARGS)

# PostgreSQL is the production database: the suite runs there too whenever a
# server answers, and CI (CI=true) insists on it.
test-postgres: install
	@if $(BIN)/python -c "import sys, psycopg; psycopg.connect(sys.argv[1], connect_timeout=3).close()" '$(TEST_DATABASE_URL)' 2>/dev/null; then \
		DATABASE_URL='$(TEST_DATABASE_URL)' $(BIN)/pytest $(PYTEST_ARGS); \
	elif [ "$$CI" = "true" ]; then \
		echo "PostgreSQL at $(TEST_DATABASE_URL) is not reachable, and CI requires it." >&2; exit 1; \
	else \
		echo "Skipping the PostgreSQL run: no server at $(TEST_DATABASE_URL)."; \
	fi

test: lint check-migrations test-sqlite test-postgres

# Load-test the production stack on this machine and rewrite docs/benchmarks.md
# (see the README's Benchmark section; BENCH_QUICK=1 for a short try). Not part
# of `make test`: it takes minutes and its numbers depend on the machine.
bench: install
	@command -v wrk >/dev/null 2>&1 || { \
		sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$sudo apt-get update -qq && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	.ci/start-postgres
	DJANGO_SETTINGS_MODULE=confguide.bench.settings $(BIN)/python manage.py bench

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache .ruff_cache
