# arcadia-cloud: `make dev` runs it, `make test` tests it, `make bench` measures it.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: dev test lint bench install lock clean e2e

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# Re-install whenever the project definition or the lock changes.
$(STAMP): $(BIN)/python pyproject.toml requirements.lock
	$(BIN)/pip install -q -c requirements.lock -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

dev: $(STAMP)
	$(BIN)/python scripts/dev.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

test: lint
	$(BIN)/python -m pytest -n 2 --dist loadfile -q

# The browser smoke test: headless Chromium (Debian's `chromium`) against a real deployment;
# refreshes docs/asset-graph.png. Tests marked `browser` never run in `make test`.
e2e: $(STAMP)
	$(BIN)/python -m pytest -m browser -q tests/e2e

bench: $(STAMP)
	@set -e; for script in bench/*.py; do \
		[ "$$(basename $$script)" = "__init__.py" ] && continue; \
		case "$$(basename $$script)" in _*) continue;; esac; \
		echo "== $$script"; $(BIN)/python $$script; done

# Regenerate the pinned lock from a clean resolve of pyproject.toml.
lock:
	rm -rf /tmp/arcadia-lock-venv && $(PYTHON) -m venv /tmp/arcadia-lock-venv
	/tmp/arcadia-lock-venv/bin/pip install -q --upgrade pip
	/tmp/arcadia-lock-venv/bin/pip install -q -e '.[dev]'
	(echo "# Pinned versions for a reproducible install (used as pip constraints by the Makefile)."; \
	 echo "# Regenerate: make lock"; \
	 /tmp/arcadia-lock-venv/bin/pip freeze --exclude-editable) > requirements.lock

clean:
	rm -rf $(VENV) .dagster_home .pytest_cache .ruff_cache
