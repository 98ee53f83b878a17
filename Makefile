# The two commands: `make run` and `make test`. Everything else is a helper for them or a benchmark.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-size test-fast lint bench-events bench-orders bench-tickets bench-crm bench-gateway bench-pages bench-simulator loadtest chaos system-tools clean

run: $(STAMP)
	$(BIN)/python -m shoplab.supervisor

# Three test processes on two cores: most of an integration test is waiting (workers starting, events travelling,
# sweeps falling due), so the suite takes about half as long; each process has its own Redis, PostgreSQL and folders.
TEST_PROCESSES ?= 3
test: $(STAMP) system-tools
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n $(TEST_PROCESSES) -m "not size"

# The tests about volume (the whole CDNOW log through the import): correctness is in `make test` on the sample.
test-size: $(STAMP)
	$(BIN)/python -m pytest -m size

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

# What the tests need from the system, installed once from Debian's packages when missing (as root; otherwise the
# lanes that need them are skipped with a note, and fail under CI=true): PostgreSQL's binaries (the tests start a
# throwaway server), Chromium (Playwright drives it: it cannot download its own browser offline) and a CJK font
# (so Chinese pages render, also in screenshots).
SYSTEM_PACKAGES := postgresql chromium fonts-wqy-microhei
system-tools:
	@missing=""; \
	  { command -v pg_ctl >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; } || missing="$$missing postgresql"; \
	  command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	  fc-list 2>/dev/null | grep -qi "wenquanyi\|wqy\|noto sans cjk" || missing="$$missing fonts-wqy-microhei"; \
	  if [ -n "$$missing" ]; then \
	    if [ "$$(id -u)" = 0 ]; then echo "installing:$$missing"; apt-get update -qq && \
	      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	    else echo "note: missing$$missing and not root: those test lanes will be skipped"; fi; \
	  fi

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
chaos: $(STAMP) system-tools
	SHOPLAB_CHAOS_EVENTS=$(CHAOS_EVENTS) SHOPLAB_CHAOS_REPORT=$(CURDIR)/var/chaos-report.json \
	  $(BIN)/python -m pytest tests/integration/bus/test_chaos.py -s -p no:logging -q

bench-gateway: $(STAMP)
	$(BIN)/python -m loadtests.bench_gateway

bench-pages: $(STAMP)
	$(BIN)/python -m loadtests.bench_pages

bench-simulator: $(STAMP)
	$(BIN)/python -m loadtests.bench_simulator

# The promotion-day load test (docs/performance.md): the embedded stack on private ports and var/loadtest/stack,
# the simulator's buyers through locust for LOADTEST_MINUTES (4), reports in var/loadtest/ (report.html: ours).
loadtest: $(STAMP)
	$(BIN)/python -m loadtests.loadtest

clean:
	rm -rf var
