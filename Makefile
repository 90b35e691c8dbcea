# The two commands: `make run` (set up, migrate, load the demo, serve) and `make test` (lint, contracts, suite).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run dev test lint format browser install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask demo --if-empty
	@echo "ECP Tracker is serving on http://$(HOST):$(PORT)  (Ctrl-C to stop)"
	$(BIN)/flask run --host $(HOST) --port $(PORT)

dev: install
	$(BIN)/flask db upgrade
	$(BIN)/flask demo --if-empty
	$(BIN)/flask run --host $(HOST) --port $(PORT) --debug

# Debian's Chromium for the browser tests, when this machine can install it (root + apt).
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ -x ../shared/scripts/install-chromium ]; then ../shared/scripts/install-chromium >/dev/null; \
	  elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core) >/dev/null; \
	  else echo "Chromium not found: browser tests will be skipped (install Debian's chromium to run them)"; fi; \
	fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The suite runs on every core (pytest-xdist; TEST_WORKERS=0 runs it in one process).
TEST_WORKERS ?= auto
test: install browser lint
	$(BIN)/pytest -n $(TEST_WORKERS)

# Benchmarks, not part of make test: make bench [SCALE=S|M|L] [BENCH_ARGS="--databases sqlite"].
# See docs/performance.md.
SCALE ?= S
.PHONY: bench
bench: install
	$(BIN)/python -m benchmarks.run --scale $(SCALE) $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .import_linter_cache
