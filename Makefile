# One-command setup: every target creates .venv when it is missing and installs what it needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip

.PHONY: help install test test-fast report lab clean

help:
	@echo "make report   write the reports for data/sample into reports/"
	@echo "make test     run the whole test suite (what CI runs)"
	@echo "make lab      start JupyterLab with cvlib installed"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "cvlib needs Python 3.11 or newer: run make PYTHON=python3.11 ...")'
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP) install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(PIP) install --quiet -e '.[dev]'
	@touch $@ $(VENV)/.installed

$(VENV)/.installed-lab: pyproject.toml | $(BIN)/python
	$(PIP) install --quiet -e '.[dev,lab]'
	@touch $@ $(VENV)/.installed-dev $(VENV)/.installed

install: $(VENV)/.installed

# pytest exits 5 when it collected no test: that must never pass silently.
test: $(VENV)/.installed-dev
	@status=0; $(BIN)/python -m pytest $(PYTEST_ARGS) || status=$$?; \
	if [ $$status -eq 5 ]; then echo "make test: pytest collected no tests" >&2; exit 1; fi; \
	exit $$status

# Everything but the tests marked slow, for quick local runs (CI runs everything).
test-fast: $(VENV)/.installed-dev
	@$(MAKE) --no-print-directory test PYTEST_ARGS="-m 'not slow' $(PYTEST_ARGS)"

report: $(VENV)/.installed
	$(BIN)/cvlib validate data/sample
	@echo "make report: the report pipeline is not built yet; the sample workspace was validated and no report was written."

lab: $(VENV)/.installed-lab
	$(BIN)/jupyter lab --notebook-dir=notebooks

clean:
	rm -rf $(VENV) .pytest_cache
