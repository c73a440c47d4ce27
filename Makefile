# Two commands on a fresh machine: `make run` and `make test`. See README.md.
PYTHON ?= python3
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin
DEMO_ENV := DEBUG=1 DEMO_MODE=1 SECURE_COOKIES=0
CHECK_ENV := TESTING=1

.PHONY: run test test-fast lint format prereqs install install-dev deploy-check worker beat clean load-test

prereqs:
	@PYTHON=$(PYTHON) sh scripts/check_prereqs.sh

$(BIN)/.installed: requirements.txt
	@PYTHON=$(PYTHON) sh scripts/check_prereqs.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(BIN)/.installed-dev: requirements-dev.txt $(BIN)/.installed
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(BIN)/.installed
install-dev: $(BIN)/.installed-dev

## Demo: SQLite, Celery tasks in-process, demo banner, MFA offered not forced.
run: $(BIN)/.installed
	$(DEMO_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEMO_ENV) $(BIN)/python manage.py load_demo_data
	@echo ""
	@echo "Serving http://127.0.0.1:$(PORT) (demo mode — not for patient data). Ctrl-C to stop."
	$(DEMO_ENV) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

lint: $(BIN)/.installed-dev
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

format: $(BIN)/.installed-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## Production settings must pass Django's deployment checks with no warnings.
deploy-check: $(BIN)/.installed
	DEBUG=0 DEMO_MODE=0 ALLOWED_HOSTS=vig.example.nhs.uk \
	SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
	$(BIN)/python manage.py check --deploy --fail-level WARNING

test: prereqs lint deploy-check
	$(CHECK_ENV) $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest -n 2 --dist loadfile

test-fast: $(BIN)/.installed-dev
	$(BIN)/python -m pytest -m "not slow" -x -q -n 2 --dist loadfile

## What one server carries: gunicorn + locust (50 users, 3 min) on a throw-away PostgreSQL database of 100,000
## referrals (REFERRALS, USERS, DURATION, WORKERS, THREADS to change; scripts/load_test.sh).
.venv-load/.installed: requirements-load.txt
	test -x .venv-load/bin/python || $(PYTHON) -m venv .venv-load
	.venv-load/bin/python -m pip install --quiet -r requirements-load.txt
	touch $@

load-test: $(BIN)/.installed .venv-load/.installed
	bash scripts/load_test.sh

worker: $(BIN)/.installed
	$(BIN)/celery -A vig_service worker --loglevel=info

beat: $(BIN)/.installed
	$(BIN)/celery -A vig_service beat --loglevel=info

clean:
	rm -rf $(VENV) .venv-load staticfiles .pytest_cache .ruff_cache db.sqlite3
