# Sokoni — every command a newcomer needs. `make run` serves a working shop;
# `make test` runs the whole suite. Both set everything up on a fresh machine.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask
export FLASK_APP := wsgi.py

.DEFAULT_GOAL := help
.PHONY: help install install-dev run serve worker scheduler migrate seed test fuzz lint format clean

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamps: reinstall only when a dependency file changes.
$(VENV)/.runtime: $(BIN)/python requirements.txt pyproject.toml
	$(BIN)/pip install --quiet -r requirements.txt -e .
	@touch $@

# The M-Pesa plugin is installed like any third-party gateway, to prove the entry points.
$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt plugins/sokoni-gateway-mpesa/pyproject.toml
	$(BIN)/pip install --quiet -r requirements-dev.txt -e plugins/sokoni-gateway-mpesa
	@touch $@

install: $(VENV)/.runtime ## Create .venv and install Sokoni
install-dev: $(VENV)/.dev ## ... plus the test and lint tools, and headless Chromium for the console's browser tests
	@scripts/install-browser.sh

migrate: install ## Apply database migrations
	$(FLASK) db upgrade

seed: migrate ## Load demo data (idempotent) and print the demo logins
	$(FLASK) seed

run: seed ## Set up, then serve the API on http://127.0.0.1:8000 (+ RQ worker when REDIS_URL is set)
	@scripts/run-dev.sh

serve: migrate ## Serve with gunicorn, the production way
	$(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

worker: install ## Run an RQ worker (needs REDIS_URL)
	$(FLASK) worker

scheduler: install ## Enqueue periodic jobs: order expiry, clean-ups (needs REDIS_URL)
	$(FLASK) scheduler

test: install-dev ## Run the whole test suite (Sokoni's and the M-Pesa plugin's)
	$(BIN)/pytest $(PYTEST_ARGS) tests plugins/sokoni-gateway-mpesa/tests

fuzz: install-dev ## Fuzz the live API against its OpenAPI document with schemathesis
	@scripts/fuzz.sh

.PHONY: bench bench-quick
bench: install-dev ## Load-test PostgreSQL + Redis + gunicorn (needs both running); prints the table
	@command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
	$(BIN)/python -m bench.run $(BENCH_ARGS)

bench-quick: install-dev ## The bench as a smoke test: seconds per scenario, fails only on errors
	@command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
	$(BIN)/python -m bench.run --quick

lint: install-dev ## ruff: lint and formatting
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev ## Apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean: ## Remove the virtualenv and caches (keeps instance/ data)
	rm -rf $(VENV) .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
