# Every target sets up .venv itself when it is missing or stale, so on a fresh machine
# `make run` and `make test` are the only two commands needed.
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
WAREHOUSE ?= duckdb:///$(CURDIR)/warehouse.duckdb

.PHONY: run test bench eval lint fmt clean venv bqemu browser screenshot

venv: $(STAMP)

# constraints.txt pins every package (torch to the CPU build on local disk: see README).
$(STAMP): pyproject.toml constraints.txt setup.py
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/hotline run --feeds seeds/feeds.yaml --warehouse $(WAREHOUSE)
	$(VENV)/bin/hotline query --warehouse $(WAREHOUSE) calls
	$(VENV)/bin/hotline report --warehouse $(WAREHOUSE)

# The BigQuery emulator of the `bigquery` tests, in its own venv: it pins duckdb 1.5.5, hotline
# duckdb 2.0.1, so its pins are a second lock, tests/bqemulator-constraints.txt. It cannot
# download DuckDB extensions itself: they come from PyPI packages, installed once here.
BQEMU_VENV  := .venv-bqemu
BQEMU_STAMP := $(BQEMU_VENV)/.installed

bqemu: $(BQEMU_STAMP)

$(BQEMU_STAMP): tests/bqemulator-constraints.txt
	test -x $(BQEMU_VENV)/bin/python || $(PYTHON) -m venv $(BQEMU_VENV)
	$(BQEMU_VENV)/bin/python -m pip install --quiet --disable-pip-version-check \
	  -c tests/bqemulator-constraints.txt bqemulator duckdb duckdb-extensions \
	  duckdb-extension-spatial duckdb-extension-avro numpy
	$(BQEMU_VENV)/bin/python -c "from duckdb_extensions import import_extension as i; i('spatial'); i('avro')"
	touch $(BQEMU_STAMP)

# The browser test (tests/test_report.py) and `make screenshot` need Debian's Chromium and a font
# with Arabic glyphs (Noto Naskh Arabic): installed here when missing and we are root. Where they
# cannot be installed the browser test skips, saying so (under CI it fails instead).
CHROMIUM ?= /usr/bin/chromium

browser:
	@if [ -x $(CHROMIUM) ] && fc-list :lang=ar family 2>/dev/null | grep -q "Noto Naskh Arabic"; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing Debian's chromium and fonts-noto-core (browser test, screenshot)"; \
	  { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-noto-core; } \
	    > /tmp/hotline-apt-browser.log 2>&1 \
	  || { tail -n 20 /tmp/hotline-apt-browser.log; echo "browser: could not install chromium: see /tmp/hotline-apt-browser.log"; }; \
	else echo "browser: no $(CHROMIUM) and not root: the browser test will skip" \
	  "(apt-get install chromium fonts-noto-core)"; fi

# docs/report.png, the README's picture of the report, from the tests' fixture warehouse.
screenshot: $(STAMP) browser
	$(PY) -m tests.report_fixture --screenshot docs/report.png

test: $(STAMP) $(BQEMU_STAMP) browser
	$(PY) -m pytest -q

eval: $(STAMP)
	$(PY) -m tests.eval_gate

# Every bench/*_bench.py, one after another; numbers are printed, nothing is asserted.
# The 100k-item variant of (a): $(PY) -m bench.pipeline_bench --only a --items 100000
bench: $(STAMP)
	@for b in bench/*_bench.py; do m=$$(basename $$b .py); echo "== bench.$$m"; \
		$(PY) -m bench.$$m || exit 1; done

lint: $(STAMP)
	$(VENV)/bin/ruff check pipeline transforms tests bench scripts
	$(VENV)/bin/ruff format --check pipeline transforms tests bench scripts
	$(VENV)/bin/mypy

fmt: $(STAMP)
	$(VENV)/bin/ruff format pipeline transforms tests
	$(VENV)/bin/ruff check --fix pipeline transforms tests

clean:
	rm -rf $(VENV) $(BQEMU_VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
