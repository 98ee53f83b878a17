# The two commands: `make run` and `make test`. Everything else is a helper for them or a benchmark.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-fast lint bench-events bench-orders bench-tickets bench-gateway postgres-tools clean

run: $(STAMP)
	$(BIN)/python -m shoplab.supervisor

test: $(STAMP) postgres-tools
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not postgres and not slow"

lint: $(STAMP)
	$(BIN)/ruff check .

# Installs only when pyproject.toml changed since the last install: a second run reinstalls nothing.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,embedded]'
	touch $(STAMP)

# The PostgreSQL lane of the tests starts its own throwaway server from Debian's binaries.
postgres-tools:
	@command -v pg_ctl >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || \
	  { if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	    else echo "note: PostgreSQL binaries not found and not root: the PostgreSQL lane will be skipped"; fi; }

bench-events: $(STAMP)
	$(BIN)/python -m loadtests.bench_events

bench-orders: $(STAMP)
	$(BIN)/python -m loadtests.bench_orders

bench-tickets: $(STAMP)
	$(BIN)/python -m loadtests.bench_tickets

bench-gateway: $(STAMP)
	$(BIN)/python -m loadtests.bench_gateway

clean:
	rm -rf var
