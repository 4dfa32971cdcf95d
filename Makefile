# Two commands on a fresh machine with only Python 3.11+: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO_PORT ?= 8765

.PHONY: demo test lint bench install clean

$(STAMP): requirements.txt requirements-dev.txt requirements-replay.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	# pywb (replay test) pins an old redis client: installed without its declared deps
	$(BIN)/python -m pip install --quiet --no-deps -r requirements-replay.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

## demo: crawl the bundled sample portal on loopback into data/bantin.db, print the summary and a search
demo: $(STAMP)
	$(BIN)/python -m scraper.demo --port $(DEMO_PORT)

## test: install everything and run the test suite (PostgreSQL and Redis must be running)
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .

## bench: run every benchmark and rewrite docs/benchmarks.md
bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) data .pytest_cache
