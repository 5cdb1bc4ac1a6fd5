# Piecework: `make run` starts the app, `make test` runs everything CI runs.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test test-fast check format venv sysdeps coverage clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade uv
	@echo "Installing Piecework and its dependencies into $(VENV) ..."
	@$(BIN)/uv pip install --quiet --python $(BIN)/python -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

sysdeps:
	@bash scripts/sysdeps.sh $(SYSDEPS_ARGS)

## run: start the desktop app with its local server (headless: the server alone)
run: venv sysdeps
	@$(BIN)/piecework

## check: format check, lint, types, import boundaries
check: venv
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

format: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## test: checks, then the whole suite (unit, integration, gui, e2e)
test: SYSDEPS_ARGS = --test
test: venv sysdeps check
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest

## test-fast: unit tests only
test-fast: venv
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest -m "not integration and not gui and not e2e"

## coverage: the whole suite with a per-file coverage report (code run in subprocesses is not counted)
coverage: venv
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest --cov --cov-report=term-missing:skip-covered

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build *.egg-info test-artifacts
