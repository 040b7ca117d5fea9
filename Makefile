# Two entry points: `make run` (set up, index the bundled corpus, serve the chat) and
# `make test` (set up with test extras, then run the whole test suite).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(VENV)/bin/pip

.PHONY: run test setup setup-test ingest lint eval bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip

setup: $(PY)
	$(PIP) install -q -e .

setup-test: $(PY)
	$(PIP) install -q -e ".[test,st,llm]"
	@command -v chromium >/dev/null || (apt-get update -q && apt-get install -y -q chromium chromium-driver)
	@test -f .cache/node/node_modules/axe-core/axe.min.js || npm install -q --no-save --prefix .cache/node axe-core@4

ingest: setup
	$(PY) -m ingest

run: ingest
	$(PY) -m ui

test: setup-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/pytest -q

lint: $(PY)
	$(VENV)/bin/ruff check .

eval: ingest
	$(PY) -m assistant eval

bench: setup
	$(PY) -m tools.bench_ingest

clean:
	rm -rf data .cache .pytest_cache test-artifacts
