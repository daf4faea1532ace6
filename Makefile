# Two commands a newcomer needs: `make report` and `make test`.
# Both set everything up first (a .venv with the pinned dependencies, and the
# system libraries WeasyPrint needs), so they work on a fresh clone.

VENV    ?= .venv
PYTHON  ?= python3
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed-stamp
OUT     ?= output

.PHONY: report test setup system bench doctor clean

report: setup
	$(PY) -m reportgen build --out $(OUT)

test: setup
	$(PY) -m pytest -q

bench: setup
	$(PY) bench/run.py

doctor: setup
	$(PY) -m reportgen doctor

setup: system $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

# Pango (required) and HarfBuzz's subsetter (faster, reproducible font subsets).
system:
	@bash scripts/system-deps.sh

clean:
	rm -rf $(OUT) .pytest_cache
