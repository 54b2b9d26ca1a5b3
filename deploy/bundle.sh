#!/usr/bin/env bash
# make bundle [DIST=dist]: everything a Debian 12 server without internet needs, in one folder.
#   wheels/          every wheel of requirements-dev.lock (a superset of requirements.lock) for CPython 3.11,
#                    manylinux x86_64, each checked against the lock's sha256 as it is downloaded
#   debs/            the Debian packages below and every package they need, as resolved for an empty machine,
#                    with a Packages index: a flat local apt repository (install.sh points apt at it alone)
#   dasbor-kla.tar.gz  the application (the files git ships: tracked and not ignored)
#   requirements.lock, requirements-dev.lock, install.sh, SHA256SUMS
# Run again into the same folder: files already there (same name, hash checked) are not downloaded again.
set -euo pipefail
cd "$(dirname "$0")/.."
DIST=${1:-dist}
PY=${PY:-.venv/bin/python}
# What the server needs from Debian: chromium + fonts for the deck (kaleido), caddy in front, python3-venv and make
# for `make run` (a minimal Debian 12 has python3.11 but neither venv nor make).
DEBS=${BUNDLE_DEBS-chromium fonts-dejavu-core caddy python3-venv make}
mkdir -p "$DIST/wheels" "$DIST/debs"
DIST=$(cd "$DIST" && pwd)
started=$(date +%s)

# --- wheels: the target's tags, not this machine's (pip download --platform needs every manylinux tag spelled out)
platforms=()
for minor in $(seq 36 -1 17); do platforms+=(--platform "manylinux_2_${minor}_x86_64"); done
platforms+=(--platform manylinux2014_x86_64 --platform manylinux2010_x86_64 --platform manylinux1_x86_64)
"$PY" -m pip download --quiet --disable-pip-version-check --require-hashes --no-deps --only-binary=:all: \
	"${platforms[@]}" --python-version 3.11 --implementation cp --abi cp311 --abi abi3 --abi none \
	-d "$DIST/wheels" -r requirements-dev.lock 2>&1 | grep -v "^WARNING: Location 'file:" || true
# a wheel left from an earlier lock (a version since changed) goes: the folder holds exactly the lock
"$PY" - "$DIST/wheels" requirements-dev.lock <<'PYTHON'
import hashlib, pathlib, re, sys
locked = set(re.findall(r"sha256:([0-9a-f]{64})", pathlib.Path(sys.argv[2]).read_text()))
for wheel in sorted(pathlib.Path(sys.argv[1]).glob("*")):
    if hashlib.sha256(wheel.read_bytes()).hexdigest() not in locked:
        print(f"bundle: {wheel.name} is not in the lock any more, removed")
        wheel.unlink()
PYTHON
cp requirements.lock requirements-dev.lock "$DIST/"
wheels=$(ls "$DIST/wheels" | wc -l)
locked=$(grep -c '^[A-Za-z0-9]' requirements-dev.lock)
if [ "$wheels" -ne "$locked" ]; then
	echo "bundle: $wheels wheels for $locked locked packages (pip download failed?)" >&2
	exit 1
fi
echo "bundle: $wheels wheels ($(du -sh "$DIST/wheels" | cut -f1)) in $(($(date +%s) - started)) s"

# --- Debian packages: what apt would install on a machine with nothing installed (empty dpkg status), so a
# minimal server finds every dependency here; apt on the server then takes only what it lacks.
if [ -n "$DEBS" ]; then
	t=$(date +%s)
	if ! ls /var/lib/apt/lists/*_Packages >/dev/null 2>&1; then apt-get update -qq; fi
	empty=$(mktemp)
	# shellcheck disable=SC2086
	apt-get -s -o Dir::State::status="$empty" install --no-install-recommends $DEBS \
		| awk '/^Inst /{print $2 "=" substr($3, 2)}' > "$DIST/debs/list.txt"
	rm -f "$empty"
	echo "$DEBS" > "$DIST/debs/wanted.txt"
	(
		cd "$DIST/debs"
		need=()
		while IFS='=' read -r pkg ver; do
			file="${pkg}_${ver//:/%3a}_"
			if ! ls "$file"*.deb >/dev/null 2>&1; then
				cached=$(ls /var/cache/apt/archives/"$file"*.deb 2>/dev/null | head -1 || true)
				if [ -n "$cached" ]; then cp "$cached" .; else need+=("$pkg=$ver"); fi
			fi
		done < list.txt
		if [ "${#need[@]}" -gt 0 ]; then apt-get download -qq -o APT::Sandbox::User=root "${need[@]}"; fi
		# Packages index for `deb [trusted=yes] file:DIR ./` (dpkg-deb is part of every Debian; no dpkg-dev needed)
		: > Packages
		for f in *.deb; do
			{
				dpkg-deb -f "$f"
				echo "Filename: ./$f"
				echo "Size: $(stat -c %s "$f")"
				echo "SHA256: $(sha256sum "$f" | cut -d' ' -f1)"
				echo
			} >> Packages
		done
	)
	echo "bundle: $(wc -l < "$DIST/debs/list.txt") Debian packages ($(du -sh "$DIST/debs" | cut -f1)) in $(($(date +%s) - t)) s"
fi

# --- the application and the installer
git ls-files -z --cached --others --exclude-standard | grep -zv '^dist/' \
	| tar --null -T - -czf "$DIST/dasbor-kla.tar.gz"
cp deploy/install.sh "$DIST/install.sh"
chmod +x "$DIST/install.sh"
(cd "$DIST" && find . -type f ! -name SHA256SUMS -print0 | sort -z | xargs -0 sha256sum > SHA256SUMS)
echo "bundle: $DIST ($(du -sh "$DIST" | cut -f1)) in $(($(date +%s) - started)) s"
