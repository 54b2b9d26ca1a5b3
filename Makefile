# Dasbor KLA: the two commands a new machine needs.
#   make run    install, build the sample warehouse if none exists, start the app
#   make test   install what the tests need (Debian chromium too), run the whole suite
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PORT   ?= 8501

# lock bundle bundle-check proxy-tools: deploy (issue 24)
.PHONY: lock bundle bundle-check proxy-tools
.PHONY: run test test-slow lint format audit install install-dev chromium chromium-optional sample bench clean

# Packages come from the hashed lock files (make lock writes them from requirements*.txt); pip refuses any file
# whose sha256 is not in the lock. With PIP_NO_INDEX=1 PIP_FIND_LINKS=DIR the same targets install offline.
PIP_LOCKED := $(PY) -m pip install --quiet --disable-pip-version-check --require-hashes

$(VENV)/.installed: requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(PIP_LOCKED) -r requirements.lock
	touch $@

$(VENV)/.installed-dev: requirements-dev.lock $(VENV)/.installed
	$(PIP_LOCKED) -r requirements-dev.lock
	touch $@

# make lock: after adding or changing a pin in requirements.txt / requirements-dev.txt. uv (pinned in
# requirements-dev.txt) resolves for the server's target, CPython 3.11 on manylinux x86_64 (glibc 2.36, Debian 12),
# whatever machine runs it; pins already in the lock are kept (only new or changed requirements move), so a rerun
# with the same inputs writes the same files. requirements.lock is constrained by the dev lock: one version each.
UV_VERSION := $(shell sed -n 's/^uv==//p' requirements-dev.txt)
UV_LOCK    := $(VENV)/bin/uv pip compile --quiet --generate-hashes --python-version 3.11 \
	--python-platform x86_64-manylinux_2_36 --annotation-style line --custom-compile-command "make lock"

lock:
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(VENV)/bin/uv --version 2>/dev/null | grep -q "^uv $(UV_VERSION) " || \
		$(PY) -m pip install --quiet --disable-pip-version-check --no-deps uv==$(UV_VERSION)
	$(UV_LOCK) requirements-dev.txt -o requirements-dev.lock
	$(UV_LOCK) requirements.txt --constraint requirements-dev.lock -o requirements.lock

# Debian's caddy and nginx: tests/test_deploy.py validates deploy/Caddyfile (caddy adapt) and deploy/nginx.conf
# (nginx -t); tests/test_proxy.py runs caddy in front of two Streamlit processes. Installed without starting their
# services (policy-rc.d for the install when the machine has none).
proxy-tools:
	@if command -v caddy >/dev/null 2>&1 && command -v nginx >/dev/null 2>&1; then \
		echo "caddy: $$(command -v caddy), nginx: $$(command -v nginx)"; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
		made=; if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; \
			chmod +x /usr/sbin/policy-rc.d; made=1; fi; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq caddy nginx-light; rc=$$?; \
		if [ -n "$$made" ]; then rm -f /usr/sbin/policy-rc.d; fi; exit $$rc; \
	else \
		echo "caddy/nginx belum terpasang. Pasang sebagai root: sudo apt-get install -y caddy nginx-light, lalu ulangi make test."; \
		exit 1; \
	fi

# make bundle [DIST=dist]: the offline installer (wheels for CPython 3.11 manylinux x86_64, Debian packages as a
# local apt repository, the app, install.sh); deploy/bundle.sh says what is in it. make bundle-check installs it
# into a fresh folder with no network and no package index and runs the smoke tests (pytest -m smoke).
DIST ?= dist
bundle: install
	PY=$(PY) deploy/bundle.sh $(DIST)

bundle-check: bundle
	deploy/bundle-check.sh $(DIST)

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

# Debian's chromium drives the end-to-end tests (Playwright never downloads a browser here).
chromium:
	@if command -v chromium >/dev/null 2>&1; then \
		echo "chromium: $$(command -v chromium)"; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core; \
	else \
		echo "Chromium belum terpasang. Pasang sebagai root: sudo apt-get install -y chromium (Debian/Ubuntu), lalu ulangi make test."; \
		exit 1; \
	fi

# Build the warehouse only when none exists: Kendari's public record shipped in data/publik (boundaries, published
# case counts; data/publik/daftar.toml) first, then the labelled synthetic sample for what no public file gives.
sample: install
	@if [ ! -f "$${KLA_DATA_DIR:-data}/warehouse/CURRENT" ]; then \
		$(PY) -m etl sample; \
	else \
		echo "Gudang data sudah ada: $${KLA_DATA_DIR:-data}/warehouse (python -m etl history)"; \
		$(PY) -m etl upgrade; \
	fi

# The app runs without chromium; only the PPTX/PDF meeting material needs it (kaleido draws the charts).
chromium-optional:
	@$(MAKE) --no-print-directory chromium || echo "Catatan: tanpa chromium, dasbor tetap berjalan tetapi unduhan PPTX/PDF tidak tersedia."

run: sample chromium-optional
	$(PY) -m streamlit run app.py --server.port $(PORT)

# Both cores (pytest-xdist); one file per worker, so a file's server and warehouse fixtures are built once.
# One file alone: .venv/bin/python -m pytest tests/test_x.py
# The slow sweeps (SIGKILL faults, the corpus's slow files, the privacy attack on the sample, the benchmarks at tiny
# scale, the mailed decks, the two processes behind the proxy, the 100,000-row register under the reader limits) run
# in their own target: make test-slow. .ci/run runs both.
test: install-dev chromium proxy-tools lint
	$(PY) -m pytest -n 2 --dist loadfile -m "not slow"

test-slow: install-dev chromium proxy-tools
	$(PY) -m pytest -n 2 --dist loadfile -m slow

# ruff: the rules and why in ruff.toml. `make format` rewrites the files; lint only checks.
lint: install-dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: install-dev
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

# The privacy audit's larger sweep: the LP attack on 200 generated warehouses (make test runs 12).
audit: install-dev
	KLA_AUDIT_EXAMPLES=$${KLA_AUDIT_EXAMPLES:-200} $(PY) -m pytest -q tests/test_privacy_audit.py

# Every scale (city, province, national): figures and targets in bench/RESULTS.md; takes long (national).
bench: install-dev
	$(PY) -m bench --scale all

# bench-replicas (issue 24): 1, 2 and 4 Streamlit replicas behind Debian's caddy, 30 and 100 websocket sessions at
# 1 s think time (bench/replicas.py); the table goes under the city's figures in bench/RESULTS.md. ~12 min.
.PHONY: bench-replicas
bench-replicas: install-dev
	@command -v caddy >/dev/null 2>&1 || $(MAKE) --no-print-directory proxy-tools
	$(PY) -m bench --scale city replicas

clean:
	rm -rf $(VENV) data/warehouse data/sample .pytest_cache tests/artifacts
