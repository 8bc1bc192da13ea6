# Two commands on a fresh machine: `make run` and `make test`.
# Embedded default: SQLite in var/, Celery tasks in-process. Set DATABASE_URL / REDIS_URL
# for PostgreSQL and a real broker.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run install migrate demo serve test lint format check lock vendor worker gunicorn clean soak backup restore bench

run: install migrate demo ## install, migrate, load the demo and serve on http://127.0.0.1:8000
	@echo "Serving on http://$(HOST):$(PORT)/ (Ctrl+C to stop)"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required, found " + sys.version.split()[0]'
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml requirements.lock
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP) ## create .venv and install the pinned dependencies

migrate: install
	@mkdir -p var
	$(BIN)/python manage.py migrate --noinput

demo: install
	$(BIN)/python manage.py load_demo

serve: install
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# TEST_WORKERS: parallel pytest processes (pytest-xdist); `make test TEST_WORKERS=0` runs in one.
TEST_WORKERS ?= auto
test: install ## the whole suite (browser and worker tests run when Chromium / REDIS_URL exist)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check: lint ## lint, migrations and deploy checks, as CI runs them
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python manage.py spectacular --validate --fail-on-warn --file var/schema.yml

lock: install ## re-pin every installed package into requirements.lock
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^-e ' > requirements.lock

vendor: ## refresh the vendored nhsuk-frontend, htmx and axe-core builds under static/vendor
	bash static/vendor/refresh.sh

# The production processes, runnable outside Docker (docker-compose.yml runs the same).
gunicorn: install
	$(BIN)/python manage.py collectstatic --noinput
	$(BIN)/gunicorn commissioning.wsgi --bind $(HOST):$(PORT) --workers 3 --access-logfile -

worker: install
	$(BIN)/celery -A commissioning worker --loglevel INFO --concurrency 2

# Long API fuzzing: schemathesis over every operation as two roles with FUZZ_EXAMPLES
# examples each (CI runs 5). Minutes long; any 5xx or answer off the schema fails.
FUZZ_EXAMPLES ?= 50
fuzz: install
	SCHEMATHESIS_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -p no:cacheprovider -q \
	  tests/api/test_schemathesis.py $(PYTEST_ARGS)

# Soak test (bench/soak.py): gunicorn and a Celery worker on a scratch PostgreSQL database
# (DATABASE_URL names the server) and Redis (REDIS_URL), a mixed workload for DURATION
# seconds from CLIENTS clients; results in bench/results/soak-<date>.md and .json.
DURATION ?= 300
CLIENTS ?= 8
soak: install
	$(BIN)/python bench/soak.py --duration $(DURATION) --clients $(CLIENTS)

# Benchmarks (bench/run_all.py): queries, HTTP (wrk), import, SPC and PDF packs, each on a
# throwaway database of the PostgreSQL server DATABASE_URL names (it is only connected to);
# one report in bench/results/<date>.md and .json. `make bench BENCH_ARGS=--quick` smoke-runs;
# BENCH_ARGS="--baseline <commit>" also measures an earlier commit side by side (before/after).
# Needs wrk (`apt-get install wrk`) and REDIS_URL (the packs are built in a real Celery worker).
bench: install
	@command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk"; exit 1; }
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres} \
	  REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/0} $(BIN)/python bench/run_all.py $(BENCH_ARGS)

# Backup and restore (docs/operations/backup.md): one .tar with the database, MEDIA_ROOT and a
# manifest. `make restore ARCHIVE=var/backups/<file>.tar` (RESTORE_ARGS=--force to replace data).
BACKUP ?= var/backups/$(shell date -u +%Y%m%dT%H%M%SZ).tar
backup: install
	$(BIN)/python manage.py backup $(BACKUP)

restore: install
	@test -n "$(ARCHIVE)" || { echo "Usage: make restore ARCHIVE=var/backups/<file>.tar"; exit 2; }
	$(BIN)/python manage.py restore $(ARCHIVE) $(RESTORE_ARGS)

clean:
	rm -rf $(VENV) var/staticfiles .pytest_cache
