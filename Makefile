# Neural Networks from Scratch — the two commands of the quick start:
#   make lab    set up (or update) .venv and open JupyterLab on notebooks/
#   make test   set up (or update) .venv and run the tests (a few minutes)
# and for contributors and CI:
#   make test-all   make test, the solutions under other BLAS kernels, and the
#                   version matrix of noxfile.py; ends with one table
# Only Python 3 (3.10+) with its venv module is needed beforehand.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
MATRIX_STAMP := $(VENV)/.matrix-stamp
# Two parallel workers by default (the CI machine has two cores).
JOBS   ?= 2

# Slow tests that only `make test-all` runs: pytest markers joined by `or`
# (markers are registered in pyproject.toml).
SLOW   := portability or nbgrader

.PHONY: lab test test-all build check-build execute clean help mutants slides

help:
	@echo "make lab      set up .venv and open JupyterLab on notebooks/"
	@echo "make test     set up .venv and run the tests"
	@echo "make test-all make test, other BLAS kernels, the version matrix (nox); one table"
	@echo "make build    regenerate notebooks/ from solutions/"
	@echo "make execute NB=solutions/01_activations.ipynb   re-run a solution, store outputs, regenerate"
	@echo "make mutants  mutation run over the exercise checks, report in docs/mutants.md (a few minutes)"
	@echo "make slides   one offline reveal.js deck per notebook in build/slides/"

# The environment is rebuilt when pyproject.toml changes; the course itself is
# installed in editable mode, so edits to helpers/ need no reinstall.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[lab,test]"
	@touch $(STAMP)

# Jupyter refuses to run as root unless told to (containers, CI machines).
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: $(STAMP)
	$(BIN)/jupyter lab $(ROOT_FLAG) notebooks/

test: $(STAMP)
	@# The slides' browser tests need reveal.js and MathJax from npm; without npm they skip, saying why.
	@if command -v npm >/dev/null 2>&1; then $(MAKE) --no-print-directory $(SLIDES_NPM)/.installed \
		|| echo "note: npm could not install the slides' packages; the browser tests will skip"; fi
	$(BIN)/python -m helpers.build --check
	$(BIN)/python -m pytest -n $(JOBS) --dist loadfile -m "not ($(SLOW))" --nbval \
		--nbval-sanitize-with tests/nbval_sanitize.cfg tests solutions

$(MATRIX_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[lab,test,matrix]"
	@touch $(MATRIX_STAMP)

# Runs every step even if one fails, then prints the table (tests/matrix.py).
# SKIP_TEST=1 leaves out its `make test` step (CI has just run it).
test-all: $(MATRIX_STAMP)
	JOBS=$(JOBS) SKIP_TEST=$(SKIP_TEST) $(BIN)/python tests/matrix.py

build: $(STAMP)
	$(BIN)/python -m helpers.build

execute: $(STAMP)
	$(BIN)/python -m helpers.build --execute $(NB)

# Mutation run: small changes to each solution must fail its public check (see helpers/mutants.py).
mutants: $(STAMP)
	$(BIN)/python -m helpers.mutants --report docs/mutants.md

# Slides: reveal.js, MathJax 2 (what nbconvert's template configures), require.js and jQuery from
# npm into build/npm (once), copied beside the decks so build/slides works offline.
SLIDES_NPM := build/npm/node_modules
SLIDES_PACKAGES := reveal.js@4.6.1 mathjax@2.7.9 requirejs@2.3.7 jquery@3.7.1

$(SLIDES_NPM)/.installed:
	mkdir -p build/npm
	npm install --prefix build/npm --no-audit --no-fund --no-save $(SLIDES_PACKAGES)
	@touch $@

slides: $(STAMP) $(SLIDES_NPM)/.installed
	$(BIN)/python -m helpers.slides --assets $(SLIDES_NPM) --out build/slides

clean:
	rm -rf $(VENV) .nox .pytest_cache build *.egg-info
