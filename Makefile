# Dasbor KLA: the two commands a new machine needs.
#   make run    install, build the sample warehouse if none exists, start the app
#   make test   install what the tests need (Debian chromium too), run the whole suite
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PORT   ?= 8501

.PHONY: run test lint format audit install install-dev chromium chromium-optional sample bench clean

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

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
test: install-dev chromium lint
	$(PY) -m pytest -n 2 --dist loadfile

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

clean:
	rm -rf $(VENV) data/warehouse data/sample .pytest_cache tests/artifacts
