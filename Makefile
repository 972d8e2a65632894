# Every target sets up .venv itself when it is missing or stale, so on a fresh machine
# `make run` and `make test` are the only two commands needed.
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
WAREHOUSE ?= duckdb:///$(CURDIR)/warehouse.duckdb

.PHONY: run test bench eval lint fmt clean venv

venv: $(STAMP)

# constraints.txt pins every package (torch to the CPU build on local disk: see README).
$(STAMP): pyproject.toml constraints.txt setup.py
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/hotline run --feeds seeds/feeds.yaml --warehouse $(WAREHOUSE)
	$(VENV)/bin/hotline query --warehouse $(WAREHOUSE) calls

test: $(STAMP)
	$(PY) -m pytest -q

eval: $(STAMP)
	$(PY) -m tests.eval_gate

bench: $(STAMP)
	@echo "no benchmarks yet"

lint: $(STAMP)
	$(VENV)/bin/ruff check pipeline transforms tests
	$(VENV)/bin/ruff format --check pipeline transforms tests
	$(VENV)/bin/mypy

fmt: $(STAMP)
	$(VENV)/bin/ruff format pipeline transforms tests
	$(VENV)/bin/ruff check --fix pipeline transforms tests

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
