# Two commands for a newcomer: `make run` and `make test`. Everything else is a step of theirs.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000

WORKERS ?= 2

.PHONY: run serve test lint format install install-dev browser migrate seed static messages clean bench

run: install migrate seed
	@$(BIN)/python manage.py dev_admin --address $(HOST)
	SITE_URL=$${SITE_URL:-http://$(HOST)} $(BIN)/python manage.py runserver $(HOST)

# Production-like: gunicorn, DEBUG off, static files hashed and compressed by
# whitenoise, persistent database connections. Set SECRET_KEY (and the rest of
# docs/operators.md) for a real deployment; plain HTTP on loopback needs HTTPS=0.
serve: install migrate seed static
	@if [ -z "$$DATABASE_URL" ]; then $(BIN)/python manage.py dev_admin --address $(HOST); fi
	DEBUG=0 HTTPS=$${HTTPS:-0} SITE_URL=$${SITE_URL:-http://$(HOST)} ADMIN_SECOND_FACTOR=$${ADMIN_SECOND_FACTOR:-0} \
	SECRET_KEY=$${SECRET_KEY:-$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')} \
	  $(BIN)/gunicorn newsroom.wsgi --bind $(HOST) --workers $(WORKERS) \
	  --max-requests 2000 --max-requests-jitter 200 --timeout 120 --log-file - --access-logfile - \
	  --access-logformat '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms "%(a)s"'
# The access log leaves out query strings: feed readers' ?key= is a secret.

static: install
	DEBUG=0 SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))') \
	  $(BIN)/python manage.py collectstatic --no-input -v 0

# The production server under load, against hello-world: writes bench/results.md.
bench: install
	@command -v wrk >/dev/null && command -v nginx >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx-light >/dev/null; \
	  else echo "make bench needs wrk and nginx: sudo apt-get install wrk nginx-light"; exit 1; fi; }
	$(BIN)/python bench/serve.py

# Two processes, a test file each at a time (module-scoped browsers and data stay shared).
TEST_WORKERS ?= 2
test: install-dev browser
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# A stamp per requirements file: reinstall only when it changes.
$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

# Browser tests drive Debian's Chromium; never a browser downloaded by a test tool.
browser:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "Browser tests need Debian's chromium: sudo apt-get install chromium"; \
	  fi; }

migrate: install
	$(BIN)/python manage.py migrate --no-input

seed: install
	$(BIN)/python manage.py load_seed

# Rebuild translation catalogues after changing user-facing text.
messages: install-dev
	cd exchanges && ../$(BIN)/django-admin makemessages -l uk --no-obsolete
	cd exchanges && ../$(BIN)/django-admin compilemessages

clean:
	rm -rf $(VENV) .pytest_cache test-output
