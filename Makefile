# Two entry points, each setting itself up from nothing but Python and the package registries.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test setup lint bench clean

$(BIN)/newstrace: pyproject.toml requirements/models.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	$(BIN)/pip install --quiet --no-deps --require-hashes -r requirements/models.txt
	touch $@

setup: $(BIN)/newstrace

demo: setup  ## install, then run the whole pipeline on the bundled sample corpus
	$(BIN)/newstrace demo --db demo.duckdb

test: setup  ## install, then lint, type-check and run the test suite
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/pytest

bench: setup  ## run every benchmark on ../shared/data (writes bench/results and BENCHMARKS.md)
	$(BIN)/python -m bench.extraction
	$(BIN)/python -m bench.attribution --split dev --split train
	$(BIN)/python -m bench.embed
	$(BIN)/python -m bench.stance
	$(BIN)/python -m bench.events
	$(BIN)/python -m bench.stories

clean:
	rm -rf $(VENV) demo.duckdb demo.duckdb.wal
