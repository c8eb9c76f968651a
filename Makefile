# The two commands a fresh machine needs: `make demo` and `make test`. Each creates .venv and installs what it needs.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.cutproof-installed
DEV_STAMP := $(VENV)/.cutproof-dev-installed
BENCH_STAMP := $(VENV)/.cutproof-bench-installed

.PHONY: demo test lint bench install dev clean-demo

$(STAMP): pyproject.toml setup.py ledger/_chash.c
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	@touch $@

$(DEV_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(STAMP)

dev: $(DEV_STAMP)

demo: $(STAMP)
	$(PY) -m cutproof demo

test: $(DEV_STAMP)
	$(PY) -m pytest -n 2 --dist loadfile

lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

# The bench group (watermark peers) is installed without dependencies: see pyproject.toml.
$(BENCH_STAMP): $(DEV_STAMP)
	$(PY) -m pip install --quiet --no-deps $$($(PY) -c "import tomllib; print(' '.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['optional-dependencies']['bench']))")
	@touch $@

bench: $(BENCH_STAMP)
	@for b in bench/*.py; do echo "== $$b"; $(PY) $$b || exit 1; done
