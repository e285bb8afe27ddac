# Colophon: `make run` to try it, `make test` to check it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
APP_PORT ?= 8001
WEB_CONCURRENCY ?= 2
WEB_THREADS ?= 8
export PORT WEB_CONCURRENCY WEB_THREADS

.PHONY: install run serve serve-edge test test-browser bench lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed ## Create .venv and install Colophon with its development tools

# The real catalogue for the demo, when the shared data set sits beside the clone.
GOODBOOKS ?= ../shared/data/goodbooks-10k/books.csv

run: install ## Development server with the demo loaded, on http://127.0.0.1:$(PORT)
	DEBUG=true $(BIN)/python manage.py migrate --no-input
	DEBUG=true $(BIN)/python manage.py load_demo
	@if [ -f "$(GOODBOOKS)" ]; then DEBUG=true $(BIN)/python manage.py import_books "$(GOODBOOKS)" -v0; fi
	@echo ""
	@echo "  Colophon is at http://127.0.0.1:$(PORT)/articles/unlikely-allies/"
	@echo "  Editors' desk:  http://127.0.0.1:$(PORT)/$${ADMIN_URL:-admin/}  (login: editor / colophon-demo-editor)"
	@echo ""
	DEBUG=true $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# gunicorn (deploy/gunicorn.conf.py: WEB_CONCURRENCY workers of WEB_THREADS threads, reads
# from clients paced) and, beside it, the background worker that runs the desk's
# imports (manage.py db_worker). Ctrl-C, or SIGTERM to the process group (what systemd
# and `kill -- -PGID` send), stops both.
serve: install ## Production settings (DEBUG off) under gunicorn on 127.0.0.1:$(PORT), with the worker
	@if [ -z "$$SECRET_KEY" ] && [ ! -f .env ]; then \
		echo "SECRET_KEY=$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" > .env; \
		echo "Wrote a new random SECRET_KEY to .env (kept out of git)."; fi
	DEBUG=false $(BIN)/python manage.py collectstatic --no-input -v0
	DEBUG=false $(BIN)/python manage.py migrate --no-input
	@if [ "$${DEMO:-1}" != 0 ]; then DEBUG=false $(BIN)/python manage.py load_demo; fi
	@echo "  Colophon (production settings) at http://127.0.0.1:$(PORT)/, with its background worker"
	@trap 'trap - EXIT INT TERM; kill 0' EXIT INT TERM; \
	DEBUG=false $(BIN)/python manage.py db_worker & \
	DEBUG=false $(BIN)/gunicorn -c deploy/gunicorn.conf.py --bind 127.0.0.1:$(PORT) \
		--forwarded-allow-ips '*'

# Varnish (Debian's, with varnish-modules' xkey) in front, as the reference edge: it
# answers on $(PORT) and passes to gunicorn on $(APP_PORT), which then trusts one
# proxy's X-Forwarded-For and purges this Varnish by tag when a page changes
# (EDGE_PURGE_URLS; set it empty to leave pages `no-cache`). deploy/varnish/colophon.vcl:
# pages the app stored for everyone are kept and served here, their rating form filled
# per reader by an Edge Side Include; each request's body is held whole before the app
# sees it, within the same size limits as the app's (its desk paths made ADMIN_URL's).
# Bodies are held in Transient storage, capped here (VARNISH_TRANSIENT) so that made-up
# session cookies cannot grow Varnish without bound: past it, a post is refused, not
# held. gunicorn is probed on /healthz (deploy/varnish/health.vcl): while it is down or
# failing, readers get the last good copy of a shared page. Stopping this, or any of
# its parts, stops all three.
VARNISH_DIR ?= /tmp/colophon-varnish-$(PORT)
VARNISH_TRANSIENT ?= 256m

serve-edge: install ## make serve with Varnish in front: Varnish on $(PORT), gunicorn on $(APP_PORT)
	@command -v varnishd >/dev/null || { echo "serve-edge needs Varnish: apt-get install varnish"; exit 1; }
	@trap 'trap - EXIT INT TERM; kill 0' EXIT INT TERM; \
	{ TRUSTED_PROXIES=1 EDGE_PURGE_URLS="$${EDGE_PURGE_URLS-http://127.0.0.1:$(PORT)}" \
		$(MAKE) --no-print-directory serve PORT=$(APP_PORT); kill 0; } & \
	echo "  Varnish at http://127.0.0.1:$(PORT)/ in front of gunicorn on 127.0.0.1:$(APP_PORT)"; \
	desk="$${ADMIN_URL:-admin/}"; desk="$${desk#/}"; \
	sed "s|\"^/admin/|\"^/$${desk%/}/|" deploy/varnish/colophon.vcl > $(VARNISH_DIR).colophon.vcl; \
	cp deploy/varnish/health.vcl $(VARNISH_DIR).health.vcl; \
	printf 'vcl 4.1;\ninclude "%s";\nbackend default { .host = "127.0.0.1"; .port = "%s"; .probe = colophon_health; }\ninclude "%s";\n' \
		$(VARNISH_DIR).health.vcl $(APP_PORT) $(VARNISH_DIR).colophon.vcl > $(VARNISH_DIR).vcl; \
	varnishd -F -n $(VARNISH_DIR) -a 127.0.0.1:$(PORT) -f $(VARNISH_DIR).vcl \
		-s malloc,256m -s Transient=malloc,$(VARNISH_TRANSIENT)

# Tests run with production settings (DEBUG off); the key only signs test cookies.
TEST_ENV := DEBUG=false SECRET_KEY=$${SECRET_KEY:-colophon-test-only-secret-key}

test: install ## The whole suite (SQLite unless DATABASE_URL says otherwise)
	$(TEST_ENV) $(BIN)/python manage.py makemigrations --check --dry-run
	$(TEST_ENV) $(BIN)/python -m pytest $(PYTEST_ARGS)

test-browser: install ## Only the browser tests (Playwright driving Debian's Chromium)
	$(TEST_ENV) $(BIN)/python -m pytest -m browser $(PYTEST_ARGS)

bench: install ## Benchmarks under bench/, printing figures
	$(BIN)/python bench/run.py
	$(BIN)/python bench/relevance.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
