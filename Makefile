# Two commands a newcomer needs: `make report` and `make test`.
# Both set everything up first (a .venv with the pinned dependencies, and the
# system libraries WeasyPrint needs), so they work on a fresh clone.

VENV    ?= .venv
PYTHON  ?= python3
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed-stamp
OUT     ?= output
AXE     := node_modules/axe-core/axe.min.js

.PHONY: report test setup system bench doctor docs clean

report: setup
	$(PY) -m reportgen build --out $(OUT) --format both

test: setup
	$(PY) -m pytest -q

bench: setup
	$(PY) bench/run.py

doctor: setup
	$(PY) -m reportgen doctor

# The template variable reference, generated from the models (a test keeps it current).
docs: setup
	$(PY) -m reportgen.render.schema_docs > docs/template-variables.md.tmp && mv docs/template-variables.md.tmp docs/template-variables.md

setup: system $(STAMP) $(AXE)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

# axe-core checks the HTML twin in headless Chromium during the tests (needs npm).
$(AXE): package.json
	@if command -v npm >/dev/null 2>&1; then npm install --no-audit --no-fund --silent && touch $(AXE); \
	else echo "npm not found: the HTML accessibility test (axe-core) will be skipped outside CI"; fi

# Pango (required) and HarfBuzz's subsetter (faster, reproducible font subsets).
system:
	@bash scripts/system-deps.sh

clean:
	rm -rf $(OUT) .pytest_cache
