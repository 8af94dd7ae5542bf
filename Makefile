# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.footprint-installed

.PHONY: demo test setup install clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

setup: install
	$(BIN)/footprint setup

demo: setup
	$(BIN)/footprint calc examples/perc-glass-backsheet-jiangsu.yaml --per module
	$(BIN)/footprint calc examples/perc-glass-backsheet-jiangsu.yaml --per kWp

test: setup
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) build dist *.egg-info
