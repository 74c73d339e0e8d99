# Haven: two commands. `make run` sets up and serves with demo data; `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HAVEN := $(BIN)/haven
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup setup-dev lint types unit postgres browser translations clean loadtest

$(VENV)/.runtime: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.dev: $(VENV)/.runtime
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

setup: $(VENV)/.runtime
	$(HAVEN) translations compile
	$(HAVEN) migrate --no-input -v 0
	HAVEN_COLLECTED_STATIC=1 $(HAVEN) collectstatic --no-input -v 0

run: setup
	$(HAVEN) demo
	@echo "Haven is serving on http://$(HOST):$(PORT)/ (Ctrl-C stops it)"
	HAVEN_COLLECTED_STATIC=1 $(BIN)/gunicorn haven.wsgi:application \
		--bind $(HOST):$(PORT) --workers 2 --access-logfile - --forwarded-allow-ips=''

setup-dev: $(VENV)/.dev
	$(HAVEN) translations compile

lint: setup-dev
	$(BIN)/ruff check haven tests
	$(BIN)/ruff format --check haven tests

types: setup-dev
	$(BIN)/mypy haven

unit: setup-dev
	@echo "== pytest on SQLite (including browser tests) =="
	$(BIN)/python -m pytest -q -p no:cacheprovider

postgres: setup-dev
	@url="$$($(BIN)/python scripts/postgres_url.py)" || exit 1; \
	if [ -z "$$url" ]; then \
		echo "== PostgreSQL tests SKIPPED: set HAVEN_TEST_POSTGRES or run a server on 127.0.0.1:5432 =="; \
	else \
		echo "== pytest on PostgreSQL =="; \
		DATABASE_URL="$$url" $(BIN)/python -m pytest -q -p no:cacheprovider -m "not browser"; \
	fi

test: lint types unit postgres
	@echo "== all checks passed =="

# Load and soak test against a scratch PostgreSQL database `haven_load` (never the
# configured one): LOADTEST_ARGS="--cases 10000 --users 20 --duration 1m" for a quick run.
loadtest: setup
	$(BIN)/python -m pip install --quiet -e '.[load]'
	$(HAVEN) loadtest $(LOADTEST_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info test-artifacts
