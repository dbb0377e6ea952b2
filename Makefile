# Alumni Monitor — two commands on a fresh machine with Python 3.11:
#   make run    start the platform on embedded defaults (SQLite, filesystem broker, local mail)
#   make test   run the whole test suite (PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set)
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
MANAGE := $(BIN)/python manage.py

.PHONY: run test bench lint format messages demo-reset clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $(VENV)/.runtime $@

run: $(VENV)/.runtime
	$(MANAGE) migrate --noinput
	$(MANAGE) load_reference_data
	$(MANAGE) load_demo_data
	@echo ""
	@echo "  Alumni Monitor: http://127.0.0.1:8000/   (log in: beheerder / alumni-demo-2026)"
	@echo "  Mail sent locally: http://127.0.0.1:8000/dev/mail/"
	@echo ""
	$(BIN)/honcho -f Procfile.dev start

test: $(VENV)/.dev
	bin/ensure-browser
	$(BIN)/python -m pytest

# Benchmarks need PostgreSQL (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/alumni_bench).
BENCHES ?= import dispatch survey report
bench: $(VENV)/.dev
	@for b in $(BENCHES); do \
	  if [ -f bench/$$b.py ]; then $(BIN)/python bench/$$b.py || exit 1; fi; \
	done

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: $(VENV)/.dev
	$(MANAGE) makemessages -l nl --ignore=.venv --ignore=var --ignore=bench
	$(MANAGE) compilemessages --ignore=.venv

clean:
	rm -rf var/broker var/mail var/celerybeat-schedule*
