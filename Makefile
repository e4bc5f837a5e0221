# evidencekit — two commands on a fresh machine:
#   make demo   install into .venv and assess every bundled example (results under out/)
#   make test   install into .venv and run lint, types and the whole test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install sysdeps demo test lint typecheck clean web-screenshot screenshots mutation

# System packages (PDF tools, text layout, later a browser): installed with apt-get only
# when missing, so a machine that has them is left alone.
sysdeps:
	sh scripts/system-deps.sh

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	# bytecode, as pip writes it for an installed package (with PYTHONDONTWRITEBYTECODE set,
	# every start would otherwise compile evidencekit's modules again: 0.1-0.2 s)
	$(BIN)/python -m compileall -q evidencekit
	touch $(STAMP)

# Outside checkers the tests run (axe-core for accessibility), pinned in package-lock.json.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch node_modules/.installed

install: sysdeps $(STAMP) node_modules/.installed

demo: install
	$(BIN)/python -m evidencekit.demo examples out

lint: install
	$(BIN)/ruff check evidencekit tests benchmarks

typecheck: install
	$(BIN)/mypy evidencekit

test: install lint typecheck
	$(BIN)/pytest

# Mutation testing of evidencekit/stats/ (slow: minutes per module; not part of `make test`).
# `make mutation MODULES="power pooling" BUDGET=600` for some modules and a time budget each.
MODULES ?=
BUDGET  ?= 1200
mutation: install
	$(BIN)/python scripts/mutation.py --budget $(BUDGET) $(MODULES)

# The README's pictures of the self-assessment web app (docs/web-app.png, docs/web-app-phone.png).
web-screenshot: install
	$(BIN)/python scripts/web_screenshot.py

# The README's pictures of the reports: page one of a report and of the portfolio (PDF), and
# the report at phone width (docs/report-page1.png, portfolio-page1.png, report-phone.png).
screenshots: install
	$(BIN)/python scripts/screenshots.py

clean:
	rm -rf $(VENV) node_modules out build dist .pytest_cache .mypy_cache .ruff_cache
