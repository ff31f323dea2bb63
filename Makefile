# The two commands of the README's quick start: `make site` and `make test`.
# Each creates the virtual environment when it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: site test check lint

# BASE_URL (from the environment or `make site BASE_URL=https://...`) is where the site is published:
# with it the build adds canonical links, feed.xml and sitemap.xml. The Pages workflow sets it.
site: $(STAMP)
	$(BIN)/python build.py build $(if $(BASE_URL),--base-url "$(BASE_URL)")

check: $(STAMP)
	$(BIN)/python build.py check

test: $(STAMP)
	if [ -f scripts/install-test-deps.sh ]; then bash scripts/install-test-deps.sh $(VENV); fi
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)
