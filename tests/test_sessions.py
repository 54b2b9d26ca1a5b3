"""Sessions that end (issue 17): each recipe of the attack, against the real Streamlit server (st.App with the
login endpoints), real HTTP requests and Debian chromium.

- logout ends the session; the captured cookie then opens nothing;
- the cookie is HttpOnly, Secure behind HTTPS, and a stale or forged one crashes nothing;
- a password change, a lock, a role change and a removal each revoke at once;
- cookie logins are audited;
- parallel wrong passwords all count (the account locks), and one client is throttled;
- a login form from another site is refused.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import subprocess
import sys
import threading
import urllib.parse
from pathlib import Path

import pytest

from tests.conftest import ADMIN, ANALIS, REPO, add_accounts, run_etl
from tests.e2e_support import browser_page, chromium_path, sign_in, streamlit_server, wait_for_app

pytestmark = pytest.mark.e2e
needs_chromium = pytest.mark.skipif(chromium_path() is None, reason="Debian chromium is not installed")


@pytest.fixture(scope="module")
def server(tmp_path_factory, sample_data_dir):
    d = tmp_path_factory.mktemp("kla-sesi") / "data"
    shutil.copytree(sample_data_dir, d)
    add_accounts(d)
    with streamlit_server(d) as url:
        yield url, d


def csrf(data_dir: Path) -> str:
    """A valid login-form token, as the Masuk page would embed it (signed with the server's key)."""
    code = "from kla import account; print(account.login_csrf())"
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env={**os.environ, "KLA_DATA_DIR": str(data_dir)},
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


def post(
    url: str,
    path: str,
    fields: dict,
    origin: str | None = "same",
    headers: dict | None = None,
    cookie: str | None = None,
) -> http.client.HTTPResponse:
    parts = urllib.parse.urlsplit(url)
    con = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    h = {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})}
    if origin:
        h["Origin"] = url if origin == "same" else origin
    if cookie:
        h["Cookie"] = f"kla_sesi={cookie}"
    con.request("POST", path, body=urllib.parse.urlencode(fields), headers=h)
    resp = con.getresponse()
    resp.read()
    return resp


def login(url: str, data_dir: Path, account=ANALIS, **kw) -> http.client.HTTPResponse:
    return post(
        url, "/akun/masuk", {"user": account[0], "password": account[1], "csrf": csrf(data_dir), "next": "/masuk"}, **kw
    )


def token_of(resp) -> str | None:
    for name, value in resp.getheaders():
        if name.lower() == "set-cookie" and value.startswith("kla_sesi="):
            return value.split(";")[0].split("=", 1)[1] or None
    return None


def audit_actions(data_dir: Path) -> list[dict]:
    path = data_dir / "audit.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def sees_data_page(page, url: str, token: str | None) -> bool:
    """Open /data in a fresh browser context carrying only this cookie: True when the upload page shows."""
    ctx = page.context.browser.new_context()
    try:
        if token:
            host = urllib.parse.urlsplit(url).hostname
            ctx.add_cookies([{"name": "kla_sesi", "value": token, "domain": host, "path": "/"}])
        p = ctx.new_page()
        p.goto(url + "/data")
        wait_for_app(p)
        p.wait_for_timeout(500)
        return p.get_by_text("hanya untuk analis").count() == 0 and p.get_by_role("tab").count() > 0
    finally:
        ctx.close()


@needs_chromium
def test_logout_ends_the_session_and_the_captured_cookie_opens_nothing(server):
    url, d = server
    with browser_page(1280, 900) as page:
        sign_in(page, url, ADMIN)
        cookie = next(c for c in page.context.cookies() if c["name"] == "kla_sesi")
        assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
        assert page.evaluate("document.cookie").find("kla_sesi") == -1  # the page's scripts cannot read it
        page.goto(url + "/admin")
        wait_for_app(page)
        assert page.get_by_text("hanya untuk admin").count() == 0
        page.goto(url + "/masuk")
        wait_for_app(page)
        page.get_by_role("button", name="Keluar").click()
        page.get_by_text("Anda sudah keluar").wait_for(timeout=60_000)
        wait_for_app(page)
        assert page.locator("[data-testid='stException']").count() == 0
        assert not [c for c in page.context.cookies() if c["name"] == "kla_sesi"]
        page.goto(url + "/admin")  # the same browser after logout: the next person at a shared PC
        wait_for_app(page)
        page.get_by_text("hanya untuk admin").wait_for(timeout=30_000)
        assert not sees_data_page(page, url, cookie["value"])  # the captured cookie after logout
    assert "keluar" in [e["aksi"] for e in audit_actions(d)]


@needs_chromium
def test_stale_and_forged_cookies_mean_public_without_an_error(server):
    url, _ = server
    with browser_page(1280, 900) as page:
        host = urllib.parse.urlsplit(url).hostname
        page.context.add_cookies(
            [
                {"name": "kla_sesi", "value": "x" * 43, "domain": host, "path": "/"},
                {"name": "kla_masuk", "value": "eyJhbGciOiJIUzI1NiJ9.e30.bad", "domain": host, "path": "/"},
            ]
        )
        page.goto(url + "/masuk")
        wait_for_app(page)
        assert page.get_by_label("Nama pengguna").count() == 1
        assert page.locator("[data-testid='stException']").count() == 0


def set_password(d: Path, name: str, password: str) -> None:
    """Create the analyst if needed, then set its password (which also unlocks it)."""
    env = {**os.environ, "KLA_DATA_DIR": str(d)}
    for action in ("add", "passwd"):
        subprocess.run(
            [sys.executable, "-m", "etl", "user", action, name, "--password-stdin"],
            cwd=REPO,
            env=env,
            input=password + "\n",
            text=True,
            capture_output=True,
            check=action == "passwd",
        )


@needs_chromium
def test_password_change_lock_role_change_and_removal_each_revoke(server):
    import time

    from etl.users import BACKOFF_S, MAX_ATTEMPTS

    url, d = server
    with browser_page(1280, 900) as page:
        for how in ("passwd", "role", "wilayah", "lock", "remove"):
            set_password(d, "budi.dp3a", "rahasia-budi-1")
            token = token_of(login(url, d, ("budi.dp3a", "rahasia-budi-1")))
            assert token and sees_data_page(page, url, token), how
            if how == "passwd":
                set_password(d, "budi.dp3a", "rahasia-budi-2")
            elif how == "role":
                run_etl(d, "user", "role", "budi.dp3a", "--role", "admin")
            elif how == "wilayah":
                run_etl(d, "user", "wilayah", "budi.dp3a", "--wilayah", "74.71")
            elif how == "lock":
                for n in range(1, MAX_ATTEMPTS + 1):  # each guess waits out the back-off, so each one counts
                    post(url, "/akun/masuk", {"user": "budi.dp3a", "password": "salah-salah-1", "csrf": csrf(d)})
                    time.sleep(BACKOFF_S[n] + 0.3 if n < len(BACKOFF_S) else 0)
                assert "TERKUNCI" in run_etl(d, "user", "list").stdout
            else:
                run_etl(d, "user", "remove", "budi.dp3a")
            assert not sees_data_page(page, url, token), how


@needs_chromium
def test_cookie_logins_are_audited(server):
    url, d = server
    token = token_of(login(url, d))
    before = sum(e["aksi"] == "sesi" for e in audit_actions(d))
    with browser_page(1280, 900) as page:
        assert sees_data_page(page, url, token)
    events = [e for e in audit_actions(d) if e["aksi"] == "sesi"]
    assert len(events) == before + 1 and events[-1]["pengguna"] == ANALIS[0]


def test_parallel_wrong_passwords_all_count_and_lock(server):
    url, d = server
    set_password(d, "citra.dp3a", "rahasia-citra-1")
    token = csrf(d)
    answers = []

    def guess(i):
        r = post(
            url,
            "/akun/masuk",
            {"user": "citra.dp3a", "password": f"salah-{i}-xxxxx", "csrf": token},
            headers={"X-Forwarded-For": f"10.0.0.{i}"},
        )
        answers.append(r.getheader("location"))

    for round_ in range(3):
        threads = [threading.Thread(target=guess, args=(round_ * 8 + i,)) for i in range(8)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
    listing = run_etl(d, "user", "list").stdout
    line = next(x for x in listing.splitlines() if x.startswith("citra.dp3a "))
    assert line.endswith("TERKUNCI"), listing
    # locked: even the right password is refused now, and gives no session
    r = login(url, d, ("citra.dp3a", "rahasia-citra-1"))
    assert token_of(r) is None and "galat=terkunci" in r.getheader("location")
    users = __import__("yaml").safe_load((d / "users.yaml").read_text())
    assert users["usernames"]["citra.dp3a"]["failed_login_attempts"] >= 5
    assert any("galat=salah" in a or "galat=terkunci" in a for a in answers)


def test_one_client_is_throttled_across_accounts(server):
    url, d = server
    token = csrf(d)
    seen = []
    for i in range(22):  # different, unknown names: no account lock can stop this, the client throttle does
        r = post(
            url,
            "/akun/masuk",
            {"user": f"tamu{i}", "password": "apa-saja-123", "csrf": token},
            headers={"X-Forwarded-For": "10.9.9.9"},
        )
        seen.append(r.getheader("location"))
    assert "galat=salah" in seen[0]
    assert any("galat=klien" in s for s in seen[-3:]), seen[-3:]
    # another client is not affected
    r = login(url, d, ADMIN, headers={"X-Forwarded-For": "10.9.9.10"})
    assert token_of(r)


def test_a_form_from_another_site_is_refused_and_https_sets_secure(server):
    url, d = server
    r = login(url, d, origin="http://evil.example")
    assert r.status == 303 and token_of(r) is None and "galat=kedaluwarsa" in r.getheader("location")
    r = login(url, d, origin=None)
    assert token_of(r) is None
    r = post(url, "/akun/masuk", {"user": ADMIN[0], "password": ADMIN[1], "csrf": "123.abc"})
    assert token_of(r) is None
    r = post(url, "/akun/masuk", {"user": "x", "password": "y" * 40_000, "csrf": csrf(d)})
    assert r.status == 303 and "galat=formulir" in r.getheader("location")
    # behind the TLS proxy (X-Forwarded-Proto from 127.0.0.1, which uvicorn trusts) the cookie is Secure
    r = login(url, d, ADMIN, headers={"X-Forwarded-Proto": "https"}, origin=url.replace("http:", "https:"))
    cookie = next(v for n, v in r.getheaders() if n.lower() == "set-cookie" and v.startswith("kla_sesi="))
    assert "Secure" in cookie and "HttpOnly" in cookie
    # logging out from another site does not work either
    token = token_of(login(url, d))
    post(url, "/akun/keluar", {"csrf": "bukan"}, cookie=token)
    post(url, "/akun/keluar", {"csrf": "x"}, cookie=token, origin="http://evil.example")
    out = subprocess.run(
        [sys.executable, "-c", f"from etl import sessions; print(sessions.lookup({token!r}) is not None)"],
        cwd=REPO,
        env={**os.environ, "KLA_DATA_DIR": str(d)},
        capture_output=True,
        text=True,
    )
    assert out.stdout.strip() == "True"


def test_developer_messages_never_reach_streamlit():
    """clear_cache from an anonymous websocket would empty every cache for every user: the guard drops it."""
    import asyncio

    from streamlit.proto.BackMsg_pb2 import BackMsg

    from kla import guard

    def msg(**kw) -> bytes:
        m = BackMsg()
        for k, v in kw.items():
            setattr(m, k, v)
        return m.SerializeToString()

    incoming = [
        {"type": "websocket.receive", "bytes": msg(clear_cache=True)},
        {"type": "websocket.receive", "bytes": msg(set_run_on_save=True)},
        {"type": "websocket.receive", "bytes": msg(app_heartbeat=True)},
        {"type": "websocket.disconnect"},
    ]
    got = []

    async def receive():
        return incoming.pop(0)

    async def inner(scope, rcv, send):
        while True:
            m = await rcv()
            got.append(guard.message_type(m["bytes"]) if m.get("bytes") else m["type"])
            if m["type"] == "websocket.disconnect":
                return

    asyncio.run(guard.DropDeveloperMessages(inner)({"type": "websocket"}, receive, None))
    assert got == ["app_heartbeat", "websocket.disconnect"]
    source = (REPO / "app.py").read_text(encoding="utf-8")
    assert "Middleware(guard.DropDeveloperMessages)" in source  # and the served app is wrapped by it
