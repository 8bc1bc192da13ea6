# Two commands on a fresh machine: `make run` and `make test`.
# Embedded default: SQLite in var/, Celery tasks in-process. Set DATABASE_URL / REDIS_URL
# for PostgreSQL and a real broker.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run install migrate demo serve test lint format check lock vendor worker gunicorn clean

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

test: install ## the whole suite (browser and worker tests run when Chromium / REDIS_URL exist)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

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

clean:
	rm -rf $(VENV) var/staticfiles .pytest_cache
