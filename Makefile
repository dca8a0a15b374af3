# Crossing: `make run` serves the demo; `make test` runs every test.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)

.PHONY: run test lint format install clean-demo bench loadtest

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $@

# The demo: SQLite, an embedded file-system broker, e-mails written to var/mail/.
run: export DJANGO_DEBUG ?= 1
# The demo scans every 30 s (production: hourly), so flags appear within a minute of start.
run: export PORTAL_SCAN_INTERVAL_SECONDS ?= 30
run: export PORTAL_EMAIL_SWEEP_SECONDS ?= 30
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "Crossing: http://127.0.0.1:8000  (sign in as demo / demo; e-mails land in var/mail/)"
	$(BIN)/honcho -f Procfile.dev start

# With DATABASE_URL and CELERY_BROKER_URL set, the tests run against those services.
# Two processes (pytest-xdist), one per core of the project's machines: each has its own test
# database and Redis database (portal/pytest_plugin.py). TEST_WORKERS=0 runs one process.
# `--dist load` keeps pytest-django's order in each process: tests in a transaction first,
# then the transactional ones, which empty the tables the migrations filled.
TEST_WORKERS ?= 2
test: install
	$(BIN)/pytest -n $(TEST_WORKERS) --dist load $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit --quiet --severity-level medium --recursive portal initiatives ops
	# The dependency rules between the domains: [tool.importlinter] in pyproject.toml.
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean-demo:
	rm -rf var/

# Benchmarks print figures (README, "Figures"). They EMPTY the database they are given.
bench: install
	@test -n "$(BENCH_DATABASE_URL)" || (echo "Set BENCH_DATABASE_URL to a database of its own"; exit 2)
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python benchmarks/scan.py
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python benchmarks/health.py
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python benchmarks/pages.py
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python benchmarks/ops.py
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python benchmarks/api.py

# The load test (README, "Load test"): gunicorn, a worker and beat on PostgreSQL and Redis,
# 100,000 initiatives (seeded once, then reused), Locust headless for 2 minutes. Not part of
# `make test`. LOADTEST_ARGS="--duration 20s" for a short run.
loadtest: install
	@test -n "$(LOADTEST_DATABASE_URL)" || (echo "Set LOADTEST_DATABASE_URL to a database of its own"; exit 2)
	LOADTEST_DATABASE_URL=$(LOADTEST_DATABASE_URL) VENV_BIN=$(abspath $(BIN)) bash loadtest/run.sh $(LOADTEST_ARGS)
