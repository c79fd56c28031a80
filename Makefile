# Neural Networks from Scratch — the two commands of the quick start:
#   make lab    set up (or update) .venv and open JupyterLab on notebooks/
#   make test   set up (or update) .venv and run every test
# Only Python 3 (3.10+) with its venv module is needed beforehand.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# Two parallel workers by default (the CI machine has two cores).
JOBS   ?= 2

.PHONY: lab test build check-build execute clean help mutants

help:
	@echo "make lab      set up .venv and open JupyterLab on notebooks/"
	@echo "make test     set up .venv and run every test"
	@echo "make build    regenerate notebooks/ from solutions/"
	@echo "make execute NB=solutions/01_activations.ipynb   re-run a solution, store outputs, regenerate"
	@echo "make mutants  mutation run over the exercise checks, report in docs/mutants.md (a few minutes)"

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
	$(BIN)/python -m helpers.build --check
	$(BIN)/python -m pytest -n $(JOBS) --dist loadfile -m "not nbgrader" --nbval \
		--nbval-sanitize-with tests/nbval_sanitize.cfg tests solutions

build: $(STAMP)
	$(BIN)/python -m helpers.build

execute: $(STAMP)
	$(BIN)/python -m helpers.build --execute $(NB)

# Mutation run: small changes to each solution must fail its public check (see helpers/mutants.py).
mutants: $(STAMP)
	$(BIN)/python -m helpers.mutants --report docs/mutants.md

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
