# Make targets: `make run` (demo catalogue on http://127.0.0.1:8000) and `make test` (lint, types, tests).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DB ?= data/catalog.db
export CATALOG_DATABASE__URL ?= sqlite:///$(DEMO_DB)

.PHONY: install run test lint typecheck pytest bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/catalog db upgrade
	$(BIN)/catalog demo
	$(BIN)/catalog serve

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest -q -n auto  # pytest-xdist: one test process per CPU

test: lint typecheck pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/harvest_bench.py --quality both

clean:
	rm -rf $(VENV) data .mypy_cache .ruff_cache .pytest_cache
