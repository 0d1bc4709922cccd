# Every target sets itself up: a fresh machine needs nothing but Python 3.11+.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.installed-bench

.PHONY: demo test bench lint run clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/nashir demo

test: $(STAMP)
	@start=$$(date +%s); $(BIN)/pytest -q; status=$$?; \
	echo "make test: $$(( $$(date +%s) - start )) s"; exit $$status

$(BENCH_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	$(BIN)/python -m bench

lint: $(STAMP)
	$(BIN)/ruff check bot handlers scheduler sandbox tests bench
	$(BIN)/ruff format --check bot handlers scheduler sandbox tests bench
	$(BIN)/mypy

run: $(STAMP)
	$(BIN)/nashir run

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
