# govhall — `make run` serves the demo county, `make test` runs every check.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

# One sync worker more than cores: each worker waits on the database for part of every
# request, and the spare one keeps both cores busy meanwhile (docs/performance.md).
WORKERS ?= $(shell echo $$(( $$(nproc 2>/dev/null || echo 2) + 1 )))
# The demo answers on HOST; on all interfaces (HOST=0.0.0.0) by any name.
comma := ,
empty :=
space := $(empty) $(empty)
DEMO_HOSTS := $(if $(filter 0.0.0.0 ::,$(HOST)),*,$(subst $(space),$(comma),$(sort 127.0.0.1 localhost $(HOST))))

.PHONY: run dev test setup venv sysdeps static migrate demo lint format bench clean

# The production server (gunicorn, docs/deploy.md) with DEBUG off, static files by whitenoise,
# with the task worker and the scheduler (Procfile, run together by honcho; docs/tasks.md).
run: setup demo
	@echo "== 演示服务器：gunicorn，$(WORKERS) 个工作进程，DEBUG 关闭，http://$(HOST):$(PORT)/"
	@if [ -n "$$SECRET_KEY" ]; then echo "   SECRET_KEY：取自环境变量"; \
		else echo "   SECRET_KEY：var/secret_key（首次运行时自动生成，0600）"; fi
	@echo "   ALLOWED_HOSTS：$${ALLOWED_HOSTS:-$(DEMO_HOSTS)}（演示设置；生产环境见 docs/deploy.md）"
	@echo "   任务：worker（manage.py run_worker）与 scheduler（manage.py run_scheduler，工作日 $${GOVHALL_DAILY_JOBS_AT:-06:30}），见 docs/tasks.md"
	ALLOWED_HOSTS="$${ALLOWED_HOSTS:-$(DEMO_HOSTS)}" HOST=$(HOST) WORKERS=$(WORKERS) \
		$(VENV)/bin/honcho start -f Procfile -p $(PORT)

# Development: runserver with autoreload and DEBUG on (Django's error pages).
dev: setup demo
	DEBUG=true $(PY) manage.py runserver $(HOST):$(PORT)

# Tests run in one worker per core (pytest-xdist); a module's tests stay on one worker,
# so a module-scoped fixture (the demo county) is built once.
PYTEST := $(PY) -m pytest -q -n auto --dist loadscope
# The pushes' SIGKILL test runs in a pytest process of its own: after the rest of the
# suite in the same process its worker never reached the held push (cause not yet found,
# docs/tasks.md); alone it passes on both databases.
ISOLATED := govhall/licences/tests/test_reliability.py

test: venv sysdeps static lint
	DATABASE_URL= $(PYTEST) --ignore=$(ISOLATED)
	DATABASE_URL= $(PY) -m pytest -q $(ISOLATED)
	@if [[ "$$DATABASE_URL" == postgres* ]]; then \
		echo "== PostgreSQL: $$DATABASE_URL"; \
		$(PYTEST) --ignore=$(ISOLATED) && $(PY) -m pytest -q $(ISOLATED); \
	fi

setup: venv sysdeps static migrate

# pip warns once per package about configured index folders that do not exist on this
# machine ("WARNING: Location 'file:///…' is ignored"): noise on a newcomer's first
# screen. Those lines are dropped; every other line and pip's exit status are kept.
PIP_FILTER := 2>&1 | { grep -v "^WARNING: Location '.*' is ignored" || true; }

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -d $(VENV) || python3 -m venv $(VENV)
	@echo "== 安装 Python 依赖（requirements-dev.txt）到 $(VENV)"
	@set -o pipefail; $(VENV)/bin/pip install -q --upgrade pip $(PIP_FILTER)
	@set -o pipefail; $(VENV)/bin/pip install -q -r requirements-dev.txt $(PIP_FILTER)
	touch $@

venv: $(VENV)/.installed

# From Debian: Chromium (browser tests), CJK fonts (pages: Noto; PDFs: WenQuanYi Zen Hei,
# a TrueType font reportlab can embed), poppler-utils (pdftotext, to test PDFs).
SYSPKGS := chromium fonts-noto-cjk fonts-wqy-zenhei poppler-utils
sysdeps:
	@if [ ! -x /usr/bin/chromium ] || [ ! -f /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] \
		|| ! command -v pdftotext >/dev/null || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSPKGS) >/dev/null; \
		else echo "请先安装 Debian 软件包：$(SYSPKGS)"; exit 1; fi; \
	fi

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Front-end packages from the npm registry, served by the app itself (no CDN).
static: venv node_modules/.installed
	mkdir -p govhall/static/vendor/bootstrap govhall/static/vendor/echarts
	cp -r node_modules/bootstrap/dist/css node_modules/bootstrap/dist/js govhall/static/vendor/bootstrap/
	cp node_modules/echarts/dist/echarts.min.js node_modules/echarts/LICENSE govhall/static/vendor/echarts/
	$(PY) manage.py collectstatic --noinput -v 0

migrate: venv
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py seed_calendar -v 0

demo: migrate
	$(PY) manage.py load_demo

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: setup
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) node_modules govhall/static/vendor staticfiles var
