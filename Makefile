# Two commands do all the set-up on a machine with only Python >= 3.11 and make:
#   make demo   — install and run the Singles' Day twin on embedded defaults
#   make test   — install with dev extras and run ruff, mypy, import-linter and pytest
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test lint typecheck imports pytest serve clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/wujie demo

serve: $(STAMP)
	$(BIN)/wujie serve

lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

typecheck: $(STAMP)
	$(BIN)/mypy

imports: $(STAMP)
	$(BIN)/lint-imports

# pytest exits 5 when it collects no tests: that is not a failure of the suite.
pytest: $(STAMP)
	$(BIN)/pytest -n 2 --dist loadgroup; rc=$$?; if [ $$rc -eq 5 ]; then exit 0; else exit $$rc; fi

test: lint typecheck imports pytest

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
