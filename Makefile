# One-command setup: every target creates .venv when it is missing and installs what it needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip

.PHONY: help install test test-fast fuzz report notebooks lab clean

help:
	@echo "make report   write the reports for data/sample into reports/"
	@echo "make test     run the whole test suite (what CI runs)"
	@echo "make lab      start JupyterLab with cvlib installed"
	@echo "make notebooks  re-execute notebooks/ in place (the stored outputs nbval checks)"
	@echo "make fuzz     the workspace fuzzer with 2,000 examples and a fresh seed"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "cvlib needs Python 3.11 or newer: run make PYTHON=python3.11 ...")'
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# An editable install leaves cvlib uncompiled, and where PYTHONDONTWRITEBYTECODE is set every
# process (each report kernel) would compile it again: compile it once, as pip does for packages.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP) install --quiet -e .
	$(BIN)/python -m compileall -q cvlib
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(PIP) install --quiet -e '.[dev]'
	$(BIN)/python -m compileall -q cvlib
	@touch $@ $(VENV)/.installed

# Under CI (CI set and non-empty) `make test` installs the spark and postgres extras too, so the
# PySpark and PostgreSQL engine tests run there (they never skip under CI; PySpark needs Java 17,
# and .ci/run installs Debian's postgresql); locally they skip while these are not installed.
$(VENV)/.installed-engines: pyproject.toml | $(VENV)/.installed-dev
	$(PIP) install --quiet -e '.[dev,spark,postgres]'
	@touch $@
ENGINES := $(if $(CI),$(VENV)/.installed-engines)

$(VENV)/.installed-lab: pyproject.toml | $(BIN)/python
	$(PIP) install --quiet -e '.[dev,lab]'
	@touch $@ $(VENV)/.installed-dev $(VENV)/.installed

install: $(VENV)/.installed

# The python3 kernel of this venv, for JupyterLab and `make notebooks` (cvlib report starts its
# kernels with the interpreter it runs in, and nbval uses the current environment: neither needs it).
KERNEL := $(VENV)/share/jupyter/kernels/python3/kernel.json
$(KERNEL): | $(VENV)/.installed
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (cvlib)" > /dev/null

# pytest exits 5 when it collected no test: that must never pass silently.
test: $(VENV)/.installed-dev $(ENGINES)
	$(BIN)/ruff format --check cvlib tests benchmarks
	$(BIN)/ruff check cvlib tests benchmarks
	@status=0; $(BIN)/python -m pytest $(PYTEST_ARGS) || status=$$?; \
	if [ $$status -eq 5 ]; then echo "make test: pytest collected no tests" >&2; exit 1; fi; \
	exit $$status

# Everything but the tests marked slow, for quick local runs (CI runs everything).
test-fast: $(VENV)/.installed-dev
	@$(MAKE) --no-print-directory test PYTEST_ARGS="-m 'not slow' $(PYTEST_ARGS)"

# The fuzzer of tests/test_fuzz.py with many more examples than make test runs, and a fresh
# seed each time (printed; FUZZ_SEED=N repeats a run).
FUZZ_EXAMPLES ?= 2000
ifndef FUZZ_SEED
FUZZ_SEED := $(shell od -An -N4 -tu4 /dev/urandom | tr -d ' ')
endif
fuzz: $(VENV)/.installed-dev
	@echo "make fuzz: $(FUZZ_EXAMPLES) examples, seed $(FUZZ_SEED)"
	CVLIB_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -p no:cacheprovider -q \
	  tests/test_fuzz.py --hypothesis-seed=$(FUZZ_SEED) --hypothesis-show-statistics

report: $(VENV)/.installed
	$(BIN)/cvlib report data/sample --out reports --previous data/sample/published

# Regenerates the outputs stored in notebooks/ (what nbval compares) in this project environment.
# No timing metadata, so a re-run with nothing changed leaves the files unchanged.
# notebooks/ is the source of the copies shipped in the package (cvlib/report/notebooks/), which
# are the same bytes (tests/test_package.py).
notebooks: $(VENV)/.installed-dev $(KERNEL)
	cd notebooks && for nb in *.ipynb; do \
	  ../$(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	    --ExecutePreprocessor.kernel_name=python3 --ExecutePreprocessor.record_timing=False \
	    --ExecutePreprocessor.timeout=600 "$$nb" || exit 1; \
	done
	cp notebooks/*.ipynb cvlib/report/notebooks/

# JupyterLab refuses to run as root without --allow-root (as in many containers).
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)
lab: $(VENV)/.installed-lab $(KERNEL)
	$(BIN)/jupyter lab --notebook-dir=notebooks $(ROOT_FLAG)

clean:
	rm -rf $(VENV) .pytest_cache
