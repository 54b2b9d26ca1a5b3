#!/usr/bin/env bash
# make bundle-check [DIST=dist]: install the bundle as a server without internet would, then run the smoke tests.
#   1. the bundle's debs/ alone (no other apt source) resolves chromium, fonts-dejavu-core, caddy, python3-venv and
#      make for a machine with NOTHING installed (apt-get -s against an empty dpkg status)
#   2. install.sh --dev into a fresh folder (the app from the bundle's tarball, a new venv), and then
#   3. pytest -m smoke in that folder,
#   2 and 3 inside a network namespace with only loopback (unshare -n, as root) when the machine allows it, so any
#   download attempt fails; pip runs with its index disabled (PIP_NO_INDEX=1) and the machine's pip config ignored.
set -euo pipefail
cd "$(dirname "$0")/.."
DIST=$(cd "${1:-dist}" && pwd)
t0=$(date +%s)
work=$(mktemp -d /tmp/kla-bundle-check.XXXXXX)
trap 'rm -rf "$work"' EXIT

if [ -f "$DIST/debs/Packages" ]; then
	mkdir -p "$work/apt/lists/partial"
	: > "$work/apt/status"
	echo "deb [trusted=yes] file:$DIST/debs ./" > "$work/apt/sources.list"
	apt_local=(-o Dir::Etc::SourceList="$work/apt/sources.list" -o Dir::Etc::SourceParts=/nonexistent
		-o Dir::State::Lists="$work/apt/lists" -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache=
		-o APT::Sandbox::User=root -o Debug::NoLocking=1)
	apt-get "${apt_local[@]}" update -qq
	# shellcheck disable=SC2046
	apt-get "${apt_local[@]}" -o Dir::State::status="$work/apt/status" -s install --no-install-recommends \
		$(cat "$DIST/debs/wanted.txt") > "$work/apt/simulated.txt"
	echo "bundle-check: debs/ alone installs $(cat "$DIST/debs/wanted.txt") on an empty machine" \
		"($(grep -c '^Inst ' "$work/apt/simulated.txt") packages)"
fi

offline=()
if [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null; then
	offline=(unshare -n)
	echo "bundle-check: install and smoke tests without network (unshare -n: loopback only)"
fi
# install.sh as root also runs apt against debs/ alone (here the packages are usually there already: a no-op)
"${offline[@]}" env -u PIP_FIND_LINKS -u PIP_EXTRA_INDEX_URL -u PIP_INDEX_URL PIP_NO_INDEX=1 \
	PIP_CONFIG_FILE=/dev/null bash -c '
		set -e
		if command -v ip >/dev/null; then ip link set lo up 2>/dev/null || true; fi
		t=$(date +%s)
		"$1/install.sh" --dev "$2/app"
		echo "bundle-check: installed in $(($(date +%s) - t)) s"
		cd "$2/app"
		.venv/bin/python -m pip check
		.venv/bin/python -m pytest -q -p no:cacheprovider -m smoke tests/test_smoke.py
	' _ "$DIST" "$work"
echo "bundle-check: passed in $(($(date +%s) - t0)) s"
