"""The deploy files stay true (issue 24), without a container engine.

- The hashed locks cover every pin of requirements*.txt with the same version, every package has sha256 hashes,
  the two locks agree, this venv holds what the lock says, and `make lock` rerun on the same inputs writes the
  same files.
- deploy/compose.yaml parses and has what a deployment needs: the one-shot `etl upgrade` the replicas wait for,
  health checks on /_stcore/health, the data volume, N replicas reached only through Caddy.
- deploy/Dockerfile: Debian base, chromium and fonts, the lock with hashes, Streamlit on 0.0.0.0 in the container.
- The systemd units pass `systemd-analyze verify`; deploy/Caddyfile passes `caddy validate` (the city's
  certificate, Caddy's local CA, the plain-server and compose shapes) and deploy/nginx.conf passes `nginx -t`
  (Debian's caddy and nginx: `make proxy-tools`, which `make test` runs).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO

DEPLOY = REPO / "deploy"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_pins(path: Path) -> dict[str, str]:
    """name -> version of a requirements file, following `-r` includes."""
    pins: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("-r "):
            pins.update(requirement_pins(path.parent / line[3:].strip()))
        elif line:
            m = PIN.match(line)
            assert m, f"{path.name}: not pinned as NAME==VERSION: {line!r}"
            pins[canonical(m.group(1))] = m.group(2)
    return pins


def lock_entries(path: Path) -> dict[str, tuple[str, frozenset[str]]]:
    """name -> (version, sha256 hashes) of a lock file written by `make lock`."""
    entries: dict[str, tuple[str, frozenset[str]]] = {}
    name = None
    for line in path.read_text(encoding="utf-8").splitlines():
        m = PIN.match(line)
        if m:
            name = canonical(m.group(1))
            assert name not in entries, f"{path.name}: {name} twice"
            entries[name] = (m.group(2), frozenset())
        for digest in re.findall(r"--hash=sha256:([0-9a-f]{64})", line):
            version, hashes = entries[name]
            entries[name] = (version, hashes | {digest})
    return entries


LOCKS = [("requirements.txt", "requirements.lock"), ("requirements-dev.txt", "requirements-dev.lock")]


@pytest.mark.parametrize(("requirements", "lock"), LOCKS)
def test_lock_covers_every_requirement_with_hashes(requirements, lock):
    pins = requirement_pins(REPO / requirements)
    entries = lock_entries(REPO / lock)
    stale = {n: (v, entries.get(n, ("missing",))[0]) for n, v in pins.items() if entries.get(n, (None,))[0] != v}
    assert not stale, f"{lock} is stale (name: requirements, lock); run `make lock`: {stale}"
    unhashed = sorted(n for n, (_v, hashes) in entries.items() if not hashes)
    assert not unhashed, f"{lock}: packages without a sha256 hash: {unhashed}"
    assert len(entries) > len(pins)  # the transitive dependencies are locked too, not only the direct pins


def test_runtime_lock_is_the_dev_lock_s_subset():
    runtime = lock_entries(REPO / "requirements.lock")
    dev = lock_entries(REPO / "requirements-dev.lock")
    differ = {n: (v, dev.get(n, ("missing",))[0]) for n, (v, _h) in runtime.items() if dev.get(n) != runtime[n]}
    assert not differ, f"requirements.lock and requirements-dev.lock disagree (runtime, dev): {differ}"


def test_this_venv_holds_the_locked_versions():
    """`make install-dev` installed from the lock: every locked package is here at the locked version."""
    if Path(sys.prefix).resolve() != (REPO / ".venv").resolve():
        pytest.skip("not the repository's .venv")
    wrong = {}
    for name, (version, _hashes) in lock_entries(REPO / "requirements-dev.lock").items():
        try:
            have = metadata.version(name)
        except metadata.PackageNotFoundError:
            have = "missing"
        if have != version:
            wrong[name] = (version, have)
    assert not wrong, f"installed packages differ from requirements-dev.lock (lock, installed): {wrong}"


def test_make_lock_reproduces_the_locks(tmp_path):
    """`make lock` on a copy: the same inputs give byte-identical lock files (and a stale lock would change)."""
    uv = REPO / ".venv" / "bin" / "uv"
    if not uv.exists():
        pytest.skip("uv is not installed in .venv (make install-dev)")
    for name in ("Makefile", "requirements.txt", "requirements-dev.txt", "requirements.lock", "requirements-dev.lock"):
        shutil.copy(REPO / name, tmp_path / name)
    env = {**os.environ, "UV_OFFLINE": "1"}  # from uv's cache first: every locked file was resolved before
    args = ["make", "--no-print-directory", "-s", "lock", f"VENV={REPO / '.venv'}"]
    proc = subprocess.run(args, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:  # a cold cache: ask the index
        env.pop("UV_OFFLINE")
        proc = subprocess.run(args, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for name in ("requirements.lock", "requirements-dev.lock"):
        assert (tmp_path / name).read_text() == (REPO / name).read_text(), f"`make lock` changes {name}: rerun it"


# --- containers --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))


def test_compose_upgrade_runs_once_before_the_replicas(compose):
    services = compose["services"]
    assert set(services) == {"upgrade", "app", "caddy"}
    upgrade = services["upgrade"]
    assert upgrade["command"][-2:] == ["etl", "upgrade"]
    assert upgrade["restart"] == "no"
    assert services["app"]["depends_on"]["upgrade"]["condition"] == "service_completed_successfully"
    assert services["caddy"]["depends_on"]["app"]["condition"] == "service_healthy"


def test_compose_replicas_share_the_data_volume_behind_caddy(compose):
    services, volumes = compose["services"], compose["volumes"]
    for name in ("upgrade", "app"):
        assert "kla-data:/data" in services[name]["volumes"], name
        assert services[name]["environment"]["KLA_DATA_DIR"] == "/data"
        assert "ports" not in services[name], f"{name} must be reached through Caddy only"
        assert services[name]["networks"] == ["backend"]
    assert "kla-data" in volumes
    assert compose["networks"]["backend"]["internal"] is True
    assert str(services["app"]["deploy"]["replicas"]) == "${KLA_REPLICAS:-2}"
    health = services["app"]["healthcheck"]
    assert "http://127.0.0.1:8501/_stcore/health" in " ".join(health["test"])
    caddy = services["caddy"]
    assert sorted(caddy["ports"]) == ["443:443", "80:80"]
    assert caddy["environment"]["KLA_PROXY_TO"] == "replicas_compose"
    assert "./Caddyfile:/etc/caddy/Caddyfile:ro" in caddy["volumes"]
    assert set(caddy["networks"]) == {"backend", "frontend"}


def test_dockerfile_debian_chromium_locked_and_bound_inside(compose):
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    bases = re.findall(r"^FROM (\S+)", text, re.M)
    assert bases[-1] == "python:3.11-slim-bookworm"
    install = re.search(r"apt-get install[^\n]*\n([^\n]*)", text).group(0)
    for package in ("chromium", "fonts-dejavu-core", "caddy"):
        assert package in install
    assert re.search(r"pip install --no-cache-dir --require-hashes .*-r requirements\.lock", text)
    cmd = json.loads(re.search(r"^CMD (\[.*\])$", text, re.M).group(1))
    assert cmd[cmd.index("--server.address") + 1] == "0.0.0.0"
    assert "/_stcore/health" in re.search(r"HEALTHCHECK[^\n]*\n[^\n]*", text).group(0)
    assert re.search(r"^USER kla$", text, re.M)
    for source in re.findall(r"^COPY (\S+) ", text, re.M):
        assert (REPO / source).exists(), source
    assert compose["x-app"]["build"]["dockerfile"] == "deploy/Dockerfile"


# --- plain Debian server -----------------------------------------------------------------------------------------


def installed_units(tmp_path: Path) -> list[Path]:
    """The units as installed: the app in this checkout instead of /opt/dasbor-kla, kla@.service as kla@8502."""
    units = []
    for unit in (DEPLOY / "systemd" / n for n in ("kla-upgrade.service", "kla.service", "kla@.service")):
        name = unit.name.replace("@.", "@8502.")
        (tmp_path / name).write_text(unit.read_text().replace("/opt/dasbor-kla", str(REPO)))
        units.append(tmp_path / name)
    return units


def test_systemd_units_verify(tmp_path):
    units = installed_units(tmp_path)
    assert [u.name for u in units] == ["kla-upgrade.service", "kla.service", "kla@8502.service"]
    text = (tmp_path / "kla@8502.service").read_text()
    assert "--server.address 127.0.0.1 --server.port %i" in text
    assert "Requires=kla-upgrade.service" in text
    assert "Environment=KLA_DATA_DIR=/var/lib/dasbor-kla" in text
    if not shutil.which("systemd-analyze"):
        pytest.skip("systemd-analyze is not installed")
    proc = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *map(str, units)], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Unknown" not in proc.stderr and "unknown" not in proc.stderr, proc.stderr


def test_systemd_verify_catches_a_broken_unit(tmp_path):
    """The check above can fail: a unit whose program is missing does not verify."""
    if not shutil.which("systemd-analyze"):
        pytest.skip("systemd-analyze is not installed")
    unit = tmp_path / "kla.service"
    unit.write_text((DEPLOY / "systemd" / "kla.service").read_text())  # /opt/dasbor-kla does not exist here
    proc = subprocess.run(["systemd-analyze", "verify", "--man=no", str(unit)], capture_output=True, text=True)
    assert proc.returncode != 0 and "/opt/dasbor-kla/.venv/bin/python" in proc.stderr


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed stand-in for the city's certificate (openssl)."""
    if not shutil.which("openssl"):
        pytest.skip("openssl is not installed")
    folder = tmp_path_factory.mktemp("cert")
    crt, key = folder / "dasbor.crt", folder / "dasbor.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
         "/CN=dasbor-kla.kendarikota.go.id", "-keyout", str(key), "-out", str(crt)],
        check=True, capture_output=True,
    )  # fmt: skip
    return crt, key


def caddy(tmp_path: Path, command: str, **env: str) -> subprocess.CompletedProcess:
    if not shutil.which("caddy"):
        pytest.skip("caddy is not installed (make proxy-tools)")
    full_env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path), **env}
    return subprocess.run(
        ["caddy", command, "--config", str(DEPLOY / "Caddyfile"), "--adapter", "caddyfile"],
        env=full_env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def reverse_proxy(config: dict) -> dict:
    site = config["apps"]["http"]["servers"]["srv0"]
    handlers = [h for route in site["routes"] for sub in route["handle"] for r in sub["routes"] for h in r["handle"]]
    return next(h for h in handlers if h["handler"] == "reverse_proxy")


def test_caddyfile_plain_server_city_certificate(tmp_path, certificate):
    crt, key = certificate
    proc = caddy(tmp_path, "adapt")
    assert proc.returncode == 0, proc.stderr
    config = json.loads(proc.stdout)
    assert config["admin"]["disabled"] is True
    proxy = reverse_proxy(config)
    assert [u["dial"] for u in proxy["upstreams"]] == ["127.0.0.1:8501", "127.0.0.1:8502"]
    assert proxy["load_balancing"]["selection_policy"] == {"policy": "cookie", "name": "kla_replika"}
    assert proxy["health_checks"]["active"]["uri"] == "/_stcore/health"
    files = config["apps"]["tls"]["certificates"]["load_files"]
    assert files[0]["certificate"] == "/etc/ssl/kota/dasbor.crt"
    # with the certificate on disk, Caddy loads it and the whole config provisions
    proc = caddy(tmp_path, "validate", KLA_TLS=f"{crt} {key}")
    assert proc.returncode == 0, proc.stderr
    assert "Valid configuration" in proc.stdout + proc.stderr
    # and a missing certificate is an error, not a silent fallback to ACME over the internet
    proc = caddy(tmp_path, "validate", KLA_TLS=f"{tmp_path}/none.crt {tmp_path}/none.key")
    assert proc.returncode != 0


def test_caddyfile_compose_and_local_ca(tmp_path):
    proc = caddy(tmp_path, "adapt", KLA_PROXY_TO="replicas_compose", KLA_TLS="internal", KLA_SITE="kla.test")
    assert proc.returncode == 0, proc.stderr
    config = json.loads(proc.stdout)
    proxy = reverse_proxy(config)
    assert proxy["dynamic_upstreams"] == {"source": "a", "name": "app", "port": "8501", "refresh": 5_000_000_000}
    assert proxy["load_balancing"]["selection_policy"]["policy"] == "cookie"
    policies = config["apps"]["tls"]["automation"]["policies"]
    assert policies == [{"subjects": ["kla.test"], "issuers": [{"module": "internal"}]}]
    proc = caddy(tmp_path, "validate", KLA_PROXY_TO="replicas_compose", KLA_TLS="internal", KLA_SITE="kla.test")
    assert proc.returncode == 0, proc.stderr


def test_nginx_config(tmp_path, certificate):
    if not shutil.which("nginx"):
        pytest.skip("nginx is not installed (make proxy-tools)")
    crt, _key = certificate
    site = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    assert re.findall(r"^\s*server (127\.0\.0\.1:\d+)", site, re.M) == ["127.0.0.1:8501", "127.0.0.1:8502"]
    assert "hash $kla_replika consistent;" in site
    assert "proxy_set_header Upgrade $http_upgrade;" in site

    def nginx_t(text: str) -> subprocess.CompletedProcess:
        (tmp_path / "site.conf").write_text(text)
        (tmp_path / "nginx.conf").write_text(
            f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
            f"http {{\n    include {tmp_path}/site.conf;\n}}\n"
        )
        return subprocess.run(
            ["nginx", "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
            capture_output=True, text=True, timeout=30,
        )  # fmt: skip

    proc = nginx_t(site.replace("/etc/ssl/kota/", f"{crt.parent}/"))
    assert proc.returncode == 0, proc.stderr
    assert "test is successful" in proc.stderr
    proc = nginx_t(site.replace("/etc/ssl/kota/", f"{crt.parent}/").replace("consistent;", "consistent"))
    assert proc.returncode != 0  # nginx -t does catch a broken file


def free_ports(n: int) -> list[int]:
    import socket

    socks = [socket.socket() for _ in range(n)]
    for sock in socks:
        sock.bind(("127.0.0.1", 0))
    ports = [sock.getsockname()[1] for sock in socks]
    for sock in socks:
        sock.close()
    return ports


def test_nginx_sticky_cookie_keeps_a_browser_on_one_replica(tmp_path, certificate):
    """deploy/nginx.conf for real, on loopback: two backends answering with their own name; the first answer sets
    kla_replika, every request carrying it reaches the same backend, and different browsers reach both."""
    import ssl
    import time
    import urllib.request

    if not shutil.which("nginx"):
        pytest.skip("nginx is not installed (make proxy-tools)")
    crt, _key = certificate
    https, *backends = free_ports(3)
    site = (DEPLOY / "nginx.conf").read_text(encoding="utf-8").replace("/etc/ssl/kota/", f"{crt.parent}/")
    site = site.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https} ssl http2;").replace("listen 80;", "")
    site = re.sub(r"\n\s*listen \[::\]:\d+[^;]*;", "", site)
    for default, port in zip((8501, 8502), backends, strict=True):
        site = site.replace(f"server 127.0.0.1:{default} ", f"server 127.0.0.1:{port} ")
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\nhttp {{\n"
        f"    access_log off;\n    client_body_temp_path {tmp_path}/body;\n    proxy_temp_path {tmp_path}/proxy;\n"
        f"    include {tmp_path}/site.conf;\n}}\n"
    )
    procs = []
    try:
        for port in backends:
            root = tmp_path / f"b{port}"
            root.mkdir()
            (root / "wer").write_text(str(port))
            procs.append(
                subprocess.Popen(
                    [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "-d", str(root)],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )  # fmt: skip
            )
        deadline = time.time() + 30
        for port in backends:  # up before nginx: a refused first try would mark a backend down for 30 s
            while True:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/wer", timeout=2).close()
                    break
                except OSError:
                    assert time.time() < deadline, f"backend {port} did not start"
                    time.sleep(0.2)
        procs.append(
            subprocess.Popen(["nginx", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-g", "daemon off;"])
        )
        context = ssl._create_unverified_context()  # the self-signed stand-in certificate

        def get(cookie: str | None = None) -> tuple[str, str]:
            request = urllib.request.Request(f"https://127.0.0.1:{https}/wer", headers={"Host": "dasbor-kla.test"})
            if cookie:
                request.add_header("Cookie", f"kla_replika={cookie}")
            with urllib.request.urlopen(request, context=context, timeout=5) as r:
                return r.read().decode(), r.headers.get("Set-Cookie", "")

        deadline = time.time() + 20
        while True:  # nginx itself starting
            try:
                first, set_cookie = get()
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.2)
        cookie = re.match(r"kla_replika=([^;]+);", set_cookie).group(1)
        assert "Secure" in set_cookie and "HttpOnly" in set_cookie
        assert {get(cookie)[0] for _ in range(12)} == {first}
        assert {get(f"browser-{i}")[0] for i in range(24)} == {str(p) for p in backends}
    finally:
        for proc in reversed(procs):
            proc.terminate()
            proc.wait(10)


def test_bundle_scripts_parse():
    for script in ("bundle.sh", "install.sh", "bundle-check.sh"):
        proc = subprocess.run(["bash", "-n", str(DEPLOY / script)], capture_output=True, text=True)
        assert proc.returncode == 0, f"{script}: {proc.stderr}"
    proc = subprocess.run([str(DEPLOY / "install.sh"), "--help"], capture_output=True, text=True)
    assert proc.returncode == 0 and "--no-debs" in proc.stdout
    proc = subprocess.run([str(DEPLOY / "install.sh"), "--bogus"], capture_output=True, text=True)
    assert proc.returncode == 2
