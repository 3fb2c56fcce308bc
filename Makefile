# Two commands for a fresh machine: `make run` and `make test`. Needs only Python 3.11+ and make.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install install-dev lock audit lint format migrate seed browser-deps screenshots clean serve-tls dev-cert bench

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# The lock files pin every package, direct or not, with hashes (`make lock` after editing
# requirements*.in): what is installed is exactly what was tested and audited.
$(VENV)/.installed: requirements.txt | $(PY)
	$(PY) -m pip install --quiet --require-hashes -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

migrate: install
	$(PY) manage.py migrate --noinput

## run: install, migrate, load demo data into an empty database, serve on http://127.0.0.1:8000/
run: migrate
	$(PY) manage.py seed_demo --if-empty
	@echo "Open http://$(HOST):$(PORT)/ and sign in with a login printed above."
	$(PY) manage.py runserver $(HOST):$(PORT)

## test: install dev requirements and run the whole suite (browser tests need Debian's chromium)
test: install-dev
	$(PY) -m pytest $(PYTEST_ARGS)

LOCK := $(PY) -m piptools compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-find-links

## lock: re-resolve requirements*.in into the hashed requirements*.txt files
lock:
	$(LOCK) --output-file requirements.txt requirements.in
	$(LOCK) --output-file requirements-dev.txt requirements-dev.in

## audit: known vulnerabilities in the locked packages (pip-audit) and in our code (bandit)
audit: install-dev
	$(PY) scripts/audit.py

lint: install-dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: install-dev
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

seed: migrate
	$(PY) manage.py seed_demo

## browser-deps: Debian's Chromium for the browser tests (never a downloaded browser)
browser-deps:
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)

## dev-cert: a self-signed certificate for https://localhost in certs/
dev-cert: install
	$(PY) manage.py make_dev_cert

## serve-tls: production mode over HTTPS with gunicorn (needs SECRET_KEY and ALLOWED_HOSTS)
TLS_PORT ?= 8443
CERT_DIR ?= certs
serve-tls: migrate
	test -f $(CERT_DIR)/cert.pem || $(PY) manage.py make_dev_cert --dir $(CERT_DIR)
	DJANGO_ENV=production $(PY) manage.py collectstatic --noinput -v0
	DJANGO_ENV=production $(VENV)/bin/gunicorn pos_site.wsgi --bind $(HOST):$(TLS_PORT) \
		--workers 3 --certfile $(CERT_DIR)/cert.pem --keyfile $(CERT_DIR)/key.pem \
		--forwarded-allow-ips="" --access-logfile -

## screenshots: every picture of the manuals and the README (docs/manual/img/, docs/img/), taken from a
## throw-away demo shop, and the register's first-load figures (some: scripts/screenshots.py --only GROUP)
screenshots: install-dev
	$(PY) scripts/screenshots.py

## bench: every scenario in bench/ on SQLite, then on PostgreSQL when DATABASE_URL points at it
## (BENCH="checkout throughput" for some; one scenario: .venv/bin/python -m bench checkout)
BENCH ?= $(sort $(basename $(notdir $(filter-out bench/common.py bench/__main__.py bench/__init__.py \
	bench/_%,$(wildcard bench/*.py)))))
bench: install-dev
	@set -e; for scenario in $(BENCH); do \
		echo "== $$scenario on SQLite =="; env -u DATABASE_URL $(PY) -m bench $$scenario; \
	done
	@set -e; case "$$DATABASE_URL" in postgres*) for scenario in $(BENCH); do \
		echo "== $$scenario on PostgreSQL =="; $(PY) -m bench $$scenario; \
	done;; *) echo "DATABASE_URL is not PostgreSQL: PostgreSQL runs skipped";; esac

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
