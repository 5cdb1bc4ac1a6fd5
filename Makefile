# Piecework: `make run` starts the app, `make test` runs everything CI runs.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test test-fast check format venv sysdeps coverage clean package deb appimage package-test

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade uv
	@echo "Installing Piecework and its dependencies into $(VENV) ..."
	@$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -e '.[dev]'
	@touch $(STAMP)

# Our own modules compiled ahead (only what changed): with PYTHONDONTWRITEBYTECODE set, as on
# some machines, every process would otherwise compile them again at each start.
venv: $(STAMP)
	@$(BIN)/python -m compileall -q engine server pieces piecework desktop > /dev/null

PACKAGE_STAMP := $(VENV)/.package-stamp
$(PACKAGE_STAMP): $(STAMP)
	@$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -e '.[dev,package]'
	@touch $(PACKAGE_STAMP)

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

## package: the frozen app, one folder: dist/piecework/piecework (PyInstaller; not part of `make test`)
package: $(PACKAGE_STAMP)
	$(BIN)/pyinstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build/pyinstaller packaging/piecework.spec
	@du -sh dist/piecework

## deb: dist/piecework_<version>_<arch>.deb from the frozen app
deb: package
	bash installers/linux/build-deb.sh

## appimage: dist/Piecework-<arch>.AppImage (needs appimagetool on PATH)
appimage: package
	bash installers/linux/appimage/build-appimage.sh

## package-test: build the .deb, install it, run the installed app (server, a flow, the desktop)
package-test: deb
	$(BIN)/python installers/linux/package_test.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build dist *.egg-info test-artifacts
