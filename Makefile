# Two commands a newcomer needs: `make report` and `make test`.
# Both set everything up first (a .venv with exactly the versions of
# requirements.lock, and the system libraries WeasyPrint needs), so they work
# on a fresh clone. `make lock` refreshes requirements.lock on purpose.

VENV    ?= .venv
PYTHON  ?= python3
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed-stamp
OUT     ?= output
NODE    := node_modules/.installed-stamp
LOCKVENV ?= .venv-lock
PIP_TOOLS := pip-tools==7.6.2
LOCKFLAGS ?=

.PHONY: report test setup system bench doctor docs lock clean fonts-chinese messages

report: setup
	$(PY) -m reportgen build --out $(OUT) --format both

# One test process per core; a test file stays in one process, so its module fixtures are built once.
test: setup
	$(PY) -m pytest -q -n auto --dist loadfile

bench: setup
	$(PY) bench/run.py

doctor: setup
	$(PY) -m reportgen doctor

# The optional Chinese font pack (8 MB, not in git), checked against its pinned sha256.
fonts-chinese: setup
	PY=$(PY) bash scripts/fonts-chinese.sh

# The template variable reference, generated from the models (a test keeps it current).
docs: setup
	$(PY) -m reportgen.render.schema_docs > docs/template-variables.md.tmp && mv docs/template-variables.md.tmp docs/template-variables.md

setup: system $(STAMP) $(NODE)

# Every dependency (runtime, test and build) at the locked version and hash;
# then reportgen itself, which pip cannot hash-check, with the locked setuptools.
$(STAMP): pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

# Re-resolve requirements.lock from pyproject.toml, keeping the pins that still
# fit; `make lock LOCKFLAGS=--upgrade` (or `LOCKFLAGS="-P pikepdf"`) moves them.
# pip-tools lives in its own venv: `make test` never needs it.
lock:
	test -x $(LOCKVENV)/bin/pip-compile || { $(PYTHON) -m venv $(LOCKVENV) && \
		$(LOCKVENV)/bin/pip install --quiet --disable-pip-version-check $(PIP_TOOLS); }
	$(LOCKVENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --extra test --all-build-deps \
		--strip-extras --no-emit-find-links --no-emit-index-url $(LOCKFLAGS) --output-file requirements.lock pyproject.toml

# The tests check the HTML twin with axe-core (in headless Chromium) and the
# W3C Nu HTML checker (vnu-jar, run with the system's Java): both from npm.
# --ignore-scripts: vnu-jar's install script would download a Java of its own.
$(NODE): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm install --no-audit --no-fund --ignore-scripts --silent && touch $(NODE); \
	else echo "npm not found: the HTML twin's validator tests (axe-core, Nu checker) will be skipped outside CI"; fi

# Pango (required); HarfBuzz's subsetter (faster, reproducible font subsets); Chromium and
# a Java runtime for the HTML twin's tests.
system:
	@bash scripts/system-deps.sh

clean:
	rm -rf $(OUT) .pytest_cache

# The message catalogue: refresh templates/base/locale/messages.pot from the templates and the
# styles' labels, and merge it into each language's .po (new messages come in untranslated).
messages: setup
	$(PY) -m reportgen.render.messages templates
