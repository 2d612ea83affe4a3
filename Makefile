# The two commands a new user needs: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
DB ?= all
PYTEST_ARGS ?= -n 2

.PHONY: run test test-sqlite test-postgres conformance install migrate clean bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $(STAMP)

$(TEST_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(TEST_STAMP)

install: $(STAMP)

# Serve on SQLite at ./data/opencom.db. The development token is kept in ./data/dev-token
# (the database itself only stores token hashes), so every `make run` prints the same one.
run: $(STAMP)
	@mkdir -p data
	@test -s data/dev-token || $(BIN)/python -c "import secrets; print(secrets.token_urlsafe(40))" > data/dev-token
	OPENCOM_BOOTSTRAP_TOKEN=$$(cat data/dev-token) $(BIN)/opencom serve

migrate: $(STAMP)
	$(BIN)/opencom migrate

# DB=all (default) runs the suite on SQLite, then on PostgreSQL (skipped, with the reason,
# when PostgreSQL is unreachable; CI=true makes that a failure). DB=sqlite or DB=postgres runs one.
test: $(TEST_STAMP)
ifeq ($(DB),all)
	$(MAKE) --no-print-directory test-sqlite test-postgres
else
	$(MAKE) --no-print-directory test-$(DB)
endif

test-sqlite: $(TEST_STAMP)
	OPENCOM_TEST_DB=sqlite $(BIN)/pytest $(PYTEST_ARGS)

test-postgres: $(TEST_STAMP)
	OPENCOM_TEST_DB=postgres $(BIN)/pytest $(PYTEST_ARGS)

# The Schemathesis gate with many more generated examples per operation (`make test` runs 5).
CONFORMANCE_EXAMPLES ?= 200
conformance: $(TEST_STAMP)
	OPENCOM_TEST_DB=$(if $(filter all,$(DB)),sqlite,$(DB)) OPENCOM_CONFORMANCE_EXAMPLES=$(CONFORMANCE_EXAMPLES) \
		$(BIN)/pytest tests/conformance $(PYTEST_ARGS)

# The load benchmark (benchmarks/run.py, docs/benchmarks.md): Opencom on SQLite and PostgreSQL
# against Prism and a bare Starlette app, ~15 minutes. Installs wrk (apt) and Prism (npm) if missing.
# BENCH_CONTACTS=1000000 for the 1M-contact memory check; BENCH_ARGS for anything else
# (e.g. BENCH_ARGS="--targets sqlite,bare --duration 5").
BENCH_CONTACTS ?= 100000
BENCH_DURATION ?= 30
BENCH_ARGS ?=
PRISM_VERSION := 5.14.2
PRISM := benchmarks/.node/node_modules/.bin/prism
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
BENCH_STAMP := $(VENV)/.installed-bench

$(BENCH_STAMP): $(TEST_STAMP)
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $(BENCH_STAMP)

$(PRISM):
	command -v npm >/dev/null || { $(SUDO) apt-get update && $(SUDO) apt-get install -y nodejs npm; }
	npm install --prefix benchmarks/.node --no-save --no-audit --no-fund --loglevel=error @stoplight/prism-cli@$(PRISM_VERSION)

bench: $(BENCH_STAMP) $(PRISM)
	command -v wrk >/dev/null || { $(SUDO) apt-get update && $(SUDO) apt-get install -y wrk; }
	$(BIN)/python benchmarks/run.py --contacts $(BENCH_CONTACTS) --duration $(BENCH_DURATION) $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache
