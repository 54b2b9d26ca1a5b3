#!/usr/bin/env bash
# Dasbor KLA offline installer (made by `make bundle`). Nothing here uses the network.
#
#   sudo ./install.sh [--dev] [--no-debs] [APP_DIR]      (APP_DIR: default /opt/dasbor-kla)
#
# 1. Debian packages (as root): apt reads ONLY this folder's debs/ (a local repository) and installs chromium,
#    fonts-dejavu-core, caddy, python3-venv and make with whatever of their dependencies the machine lacks.
# 2. The application: dasbor-kla.tar.gz unpacked into APP_DIR unless APP_DIR already holds app.py.
# 3. Python packages: APP_DIR/.venv from wheels/ with the package index disabled, every file checked against the
#    lock's sha256 (requirements.lock; --dev: requirements-dev.lock, for the tests). `make run` in APP_DIR then
#    finds everything installed and starts the app.
set -euo pipefail
BUNDLE=$(cd "$(dirname "$0")" && pwd)
DEV=0
DEBS=1
APP_DIR=/opt/dasbor-kla
for arg in "$@"; do
	case "$arg" in
		--dev) DEV=1 ;;
		--no-debs) DEBS=0 ;;
		-h | --help) sed -n '2,12p' "$0"; exit 0 ;;
		-*) echo "install.sh: pilihan tidak dikenal: $arg" >&2; exit 2 ;;
		*) APP_DIR=$arg ;;
	esac
done
PYTHON=${PYTHON:-python3}

if [ "$DEBS" = 1 ] && [ -f "$BUNDLE/debs/Packages" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "install.sh: paket Debian perlu root (sudo ./install.sh), atau --no-debs bila sudah terpasang." >&2
		exit 1
	fi
	state=$(mktemp -d)
	mkdir -p "$state/lists/partial"
	echo "deb [trusted=yes] file:$BUNDLE/debs ./" > "$state/sources.list"
	apt_local=(-o Dir::Etc::SourceList="$state/sources.list" -o Dir::Etc::SourceParts=/nonexistent
		-o Dir::State::Lists="$state/lists" -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache=
		-o APT::Get::List-Cleanup=false -o APT::Sandbox::User=root)
	apt-get "${apt_local[@]}" update -qq
	# shellcheck disable=SC2046
	DEBIAN_FRONTEND=noninteractive apt-get "${apt_local[@]}" install -y -qq --no-install-recommends \
		$(cat "$BUNDLE/debs/wanted.txt")
	rm -rf "$state"
fi

if [ ! -f "$APP_DIR/app.py" ]; then
	mkdir -p "$APP_DIR"
	tar -xzf "$BUNDLE/dasbor-kla.tar.gz" -C "$APP_DIR"
fi
lock=requirements.lock
[ "$DEV" = 1 ] && lock=requirements-dev.lock
"$PYTHON" -m venv "$APP_DIR/.venv"
# PIP_CONFIG_FILE=/dev/null: no index or find-links from the machine's pip configuration either
PIP_CONFIG_FILE=/dev/null PIP_NO_INDEX=1 PIP_FIND_LINKS="$BUNDLE/wheels" \
	"$APP_DIR/.venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-index \
	--find-links "$BUNDLE/wheels" --require-hashes -r "$BUNDLE/$lock"
# the Makefile's install stamps: `make run` / `make test` in APP_DIR do not reinstall (nor reach for an index)
touch "$APP_DIR/.venv/.installed"
[ "$DEV" = 1 ] && touch "$APP_DIR/.venv/.installed-dev"
echo "Terpasang di $APP_DIR. Jalankan: cd $APP_DIR && make run   (layanan systemd: README.md, bagian Menjalankan di server)"
