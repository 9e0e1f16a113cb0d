# govsocial — the two commands are `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python

# make test talks to real PostgreSQL and Redis: the ones in DATABASE_URL / REDIS_URL, else these.
TEST_DATABASE_URL := $(or $(DATABASE_URL),postgres://postgres@127.0.0.1:5432/govsocial)
TEST_REDIS_URL := $(or $(REDIS_URL),redis://127.0.0.1:6379/0)
TEST_ENV := DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) GOVSOCIAL_ENV=development

.PHONY: run test lint bench bench-poll bench-leaderboard bench-campaign messages clean

$(VENV)/.installed-run: requirements.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "govsocial needs Python 3.11 or newer"'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed-run requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

## make run: the whole thing on the embedded default (SQLite, simulated platform, worker + beat).
run: $(VENV)/.installed-run
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py load_hierarchy
	$(PY) manage.py seed_demo
	$(PY) manage.py rundemo

## make test: every check, against real PostgreSQL and Redis.
test: $(VENV)/.installed-dev
	@$(TEST_ENV) $(PY) scripts/check_services.py
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(TEST_ENV) $(PY) manage.py check --fail-level WARNING
	$(TEST_ENV) $(PY) manage.py makemigrations --check --dry-run
	$(TEST_ENV) $(VENV)/bin/pytest

## make bench: the benchmarks in bench/ (PostgreSQL and Redis as for make test; each creates its own database).
bench: bench-poll bench-leaderboard bench-campaign

bench-poll: $(VENV)/.installed-dev
	$(TEST_ENV) $(PY) bench/poll_benchmark.py

## make bench-leaderboard BENCH_ARGS="--scale state": the district board's response time (bench/README.md).
bench-leaderboard: $(VENV)/.installed-dev
	$(TEST_ENV) $(PY) bench/leaderboard_benchmark.py $(BENCH_ARGS)

## make bench-campaign BENCH_ARGS="--scale state": the campaign page, a unit and the report (bench/README.md).
bench-campaign: $(VENV)/.installed-dev
	$(TEST_ENV) $(PY) bench/campaign_benchmark.py $(BENCH_ARGS)

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## make messages: refresh the Hindi catalogue after changing UI strings, then translate locale/hi.
messages: $(VENV)/.installed-dev
	$(PY) manage.py makemessages -l hi --no-obsolete --ignore=.venv --ignore=staticfiles
	$(PY) manage.py compilemessages -l hi --ignore=.venv

clean:
	rm -rf var staticfiles .pytest_cache .ruff_cache
