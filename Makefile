# Two entry points do all the set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test test-pythons lint typecheck pytest bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamps re-install when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(VENV)/.installed $@

demo: $(VENV)/.installed
	$(BIN)/kgxp demo examples/ziyang_county.json

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests examples benchmarks
	$(BIN)/ruff format --check src tests examples benchmarks

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy src benchmarks

pytest: $(VENV)/.installed-dev
	$(BIN)/python -m pytest
	$(BIN)/python -m pytest --nbmake examples

test: lint typecheck pytest

# The test suite on the other Pythons kgxp supports (pyproject.toml's classifiers), each in
# a venv of its own (.venv-3.12, ...), installed as .venv is. CI runs it after `make test`;
# a Python it cannot find (.ci/find-python.sh: on the PATH, or installed by pyenv) is an
# error, not a skip: an untested claim of support is what it is there to stop.
PYTHONS ?= 3.12 3.13

.venv-%/.installed-dev: pyproject.toml
	test -x .venv-$*/bin/python || { py=$$(.ci/find-python.sh $*) && $$py -m venv .venv-$*; }
	.venv-$*/bin/python -m pip install --quiet --upgrade pip
	.venv-$*/bin/python -m pip install --quiet -e '.[dev]'
	touch $@

test-pythons: $(PYTHONS:%=.venv-%/.installed-dev)
	@set -e; for version in $(PYTHONS); do \
	  echo "== pytest on $$(.venv-$$version/bin/python --version)"; \
	  .venv-$$version/bin/python -m pytest -q -p no:cacheprovider; \
	done

# The benchmark table of docs/benchmarks.md (about 10 minutes; not part of `make test`).
bench: $(VENV)/.installed-dev
	$(BIN)/python benchmarks/run.py --markdown

clean:
	rm -rf $(VENV) .venv-3.* .pytest_cache .mypy_cache .ruff_cache .hypothesis
