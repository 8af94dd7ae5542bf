# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.footprint-installed

.PHONY: demo test setup install system-deps browser-deps clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,sensitivity]'
	@touch $(STAMP)

install: $(STAMP)

# Pango and a CJK font for the PDF report (Debian/Ubuntu; apt-get runs only if one is missing).
# Without them the PDF tests skip with the reason, and the rest still runs.
system-deps:
	@sh scripts/install-system-deps.sh || echo "warning: system packages for PDF output not installed; PDF tests will skip"

# Debian's chromium for the verification page's test in a real browser (tests/test_server.py;
# Playwright drives it). That test fails, never skips, without it.
browser-deps:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends chromium) || echo "warning: chromium not installed; tests/test_server.py's browser test will fail"

setup: install
	$(BIN)/footprint setup

demo: setup system-deps
	$(BIN)/footprint calc examples/perc-glass-backsheet-jiangsu.yaml --per module
	$(BIN)/footprint calc examples/perc-glass-backsheet-jiangsu.yaml --per kWp
	$(BIN)/footprint report examples/perc-glass-backsheet-jiangsu.yaml --scheme cn-cfp --lang both -o reports/ --force

# The registry's tests run on SQLite and on a throwaway PostgreSQL server (installed with
# apt-get where missing, started on a socket of its own); there they may not skip.
test: setup system-deps browser-deps
	url="$$(sh scripts/start-test-postgres.sh)" && \
	FOOTPRINT_TEST_POSTGRES="$$url" FOOTPRINT_REQUIRE_POSTGRES=1 $(BIN)/python -m pytest

clean:
	rm -rf $(VENV) build dist *.egg-info
