"""Two Streamlit processes behind Debian's caddy, as a room that needs more than one process is served (issue 24).

Real components only: `caddy run` with tests/proxy/Caddyfile (TLS from Caddy's own local CA, sticky sessions by
Caddy's `lb_policy cookie`, websockets proxied), two `streamlit run app.py` on 127.0.0.1 at different ports
serving the SAME KLA_DATA_DIR (the sample warehouse built by the real ETL), and Debian chromium (Playwright)
talking only to the proxy.

Which process answered is read from outside the app: the test's proxy config adds a response header naming the
upstream (X-Kla-Backend, from Caddy's {http.reverse_proxy.upstream.hostport}; the app is unchanged), and Caddy's
sticky cookie is the HMAC-SHA256 of the upstream's address under the config's secret. Caddy 2.6 does not add
that header to a websocket's 101 answer, so the websocket's process is shown by Streamlit itself: it accepts a
file upload only on the process that holds the session's websocket (the same upload sent straight to the other
process is refused with Streamlit's "sticky sessions" message). A browser context is pinned to a chosen
process by presetting the cookie, as a returning visitor's browser would send it.

Checked: TLS verifies against Caddy's root certificate; a session sticks to one process (its page, assets,
websocket and later page loads); an analyst logs in through the proxy (CSRF-checked form POST, HttpOnly
Secure cookie behind TLS), downloads a template and uploads it on the Data page (Streamlit's XSRF-checked
upload endpoint, which only the process holding the session accepts) and commits it; the new version is
shown by both processes; a `python -m etl load` from outside is shown by both; the login made on one process
is valid on the other, and a logout on the other ends it on the first.
"""

from __future__ import annotations

import contextlib
import secrets
import shutil
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest

from bench.chromium import CHROMIUM_ARGS
from bench.replicas import LB_COOKIE, caddy, lb_cookie
from tests.conftest import ANALIS, REPO, add_accounts, run_etl
from tests.e2e_support import chromium_path, screenshot, sign_in, streamlit_server, wait_for_app

CADDYFILE = REPO / "tests" / "proxy" / "Caddyfile"
BACKEND_HEADER = "x-kla-backend"
RBRA_LABEL = "Ruang Bermain Ramah Anak"

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.slow,  # two Streamlit processes behind caddy and nginx: make test-slow (CI runs it)
    pytest.mark.skipif(chromium_path() is None, reason="Debian chromium is not installed (make test installs it)"),
    pytest.mark.skipif(shutil.which("caddy") is None, reason="Debian's caddy is not installed (make proxy-tools)"),
]


@dataclass
class Proxied:
    url: str  # the proxy, the only address the browsers use
    root_cert: Path
    secret: str
    backends: list[str]  # "127.0.0.1:PORT" of each Streamlit process
    data: Path
    browser: object
    tmp: Path

    def context(self, backend: str | None = None):
        """A fresh browser (no cookies), or one whose sticky cookie names `backend`."""
        ctx = self.browser.new_context(ignore_https_errors=True, viewport={"width": 1440, "height": 1300})
        if backend is not None:
            ctx.add_cookies([{"name": LB_COOKIE, "value": lb_cookie(self.secret, backend), "url": self.url}])
        return ctx


class Seen:
    """What answered a page: the process named in every HTTP response (the proxy's header), the websockets
    (Streamlit's /_stcore/stream, all through the proxy's address) and the uploads (status, process)."""

    def __init__(self, page, proxy: str) -> None:
        self.http: list[str | None] = []
        self.ws: list[str] = []
        self.uploads: list[tuple[int, str | None]] = []
        self.upload_requests: list[tuple[str, dict]] = []  # (path, headers) of Streamlit's upload PUTs
        page.on("response", self._response)
        page.on("request", self._request)
        page.on("websocket", lambda ws: self.ws.append(ws.url))
        self.stream = proxy.replace("https://", "wss://", 1) + "/_stcore/stream"

    def _request(self, request) -> None:
        if "/_stcore/upload_file/" in request.url and request.method == "PUT":
            self.upload_requests.append((request.url.split("/_stcore/", 1)[1], dict(request.headers)))

    def _response(self, response) -> None:
        if response.url.startswith(("blob:", "data:")):  # made in the page itself, not fetched
            return
        self.http.append(response.headers.get(BACKEND_HEADER))
        if "/_stcore/upload_file/" in response.url:
            self.uploads.append((response.status, response.headers.get(BACKEND_HEADER)))

    def backends(self) -> set[str | None]:
        assert self.ws and set(self.ws) == {self.stream}, self.ws  # every websocket went through the proxy
        return set(self.http)


@pytest.fixture(scope="module")
def proxied(sample_data_dir, tmp_path_factory):
    """Caddy (TLS, sticky) in front of two Streamlit processes sharing one warehouse, and one chromium."""
    from playwright.sync_api import sync_playwright

    tmp = tmp_path_factory.mktemp("proxy")
    data = tmp / "data"
    shutil.copytree(sample_data_dir, data)
    add_accounts(data)
    with contextlib.ExitStack() as stack:
        urls = [stack.enter_context(streamlit_server(data)) for _ in range(2)]
        backends = [u.removeprefix("http://") for u in urls]
        proxy = stack.enter_context(caddy(CADDYFILE, backends))  # sticky cookie kla_replika, LB_COOKIE
        p = stack.enter_context(sync_playwright())
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        stack.callback(browser.close)
        yield Proxied(proxy.url, proxy.root_cert, proxy.secret, backends, data, browser, tmp)


def metric(page, label: str) -> int:
    card = page.locator("[data-testid='stMetric']").filter(has_text=label).first
    return int(card.locator("[data-testid='stMetricValue']").inner_text().strip())


def version_shown(page) -> str:
    """The data version in the sidebar caption ("Versi data v0012 · dimuat ...")."""
    caption = page.get_by_text("Versi data v").first.inner_text()
    return caption.split("Versi data ", 1)[1].split()[0]


def rbra_file(template: Path, out: Path, name: str) -> Path:
    wb = openpyxl.load_workbook(template)
    ws = wb["Data"]
    values = {"Nama": name, "Kecamatan": "Mandonga", "Kelurahan": "Korumba", "Status": "Proses", "Tahun": 2020}
    for cell in ws[1]:
        if cell.value in values:
            ws.cell(row=2, column=cell.column, value=values[cell.value])
    wb.save(out)
    return out


def test_tls_from_caddys_local_ca(proxied):
    """The proxy speaks HTTPS with a certificate for 127.0.0.1 that verifies against Caddy's local root, and
    both processes are up behind it (its active health checks of /_stcore/health)."""
    ctx = ssl.create_default_context(cafile=str(proxied.root_cert))
    with urllib.request.urlopen(proxied.url + "/_stcore/health", timeout=10, context=ctx) as r:
        assert r.read().decode().strip() == "ok"
        assert r.headers[BACKEND_HEADER] in proxied.backends
    with pytest.raises(urllib.error.URLError, match="CERTIFICATE_VERIFY_FAILED"):  # no client trusts it by default
        urllib.request.urlopen(proxied.url + "/_stcore/health", timeout=10, context=ssl.create_default_context())
    for backend in proxied.backends:  # each process alone, by its sticky cookie
        req = urllib.request.Request(
            proxied.url + "/_stcore/health", headers={"Cookie": f"{LB_COOKIE}={lb_cookie(proxied.secret, backend)}"}
        )
        with urllib.request.urlopen(req, timeout=10, context=ctx) as r:
            assert r.headers[BACKEND_HEADER] == backend


def test_a_session_sticks_to_one_process(proxied):
    context = proxied.context()  # a first visit: no cookie, Caddy picks a process and names it in the cookie
    page = context.new_page()
    seen = Seen(page, proxied.url)
    page.goto(proxied.url + "/")
    wait_for_app(page)
    page.locator("[data-testid='stSidebarNav'] a", has_text="Progres Klaster").click()
    page.wait_for_url("**/progres")
    wait_for_app(page)
    page.goto(proxied.url + "/")  # a later load by URL: a new Streamlit session, the same process
    wait_for_app(page)
    cookie = {c["name"]: c["value"] for c in context.cookies()}[LB_COOKIE]
    chosen = next(b for b in proxied.backends if lb_cookie(proxied.secret, b) == cookie)
    assert len(seen.ws) == 2, seen.ws  # two page loads: two websockets, both through the proxy
    assert seen.backends() == {chosen}, seen.backends()
    assert page.locator("[data-testid='stException']").count() == 0

    other = next(b for b in proxied.backends if b != chosen)
    context2 = proxied.context(other)  # a returning browser whose cookie names the other process
    page2 = context2.new_page()
    seen2 = Seen(page2, proxied.url)
    page2.goto(proxied.url + "/")
    wait_for_app(page2)
    assert seen2.ws and seen2.backends() == {other}, seen2.backends()
    screenshot(page2, "proxy_ringkasan")
    context.close()
    context2.close()


def test_login_upload_and_loads_are_seen_by_both_processes(proxied):
    one, two = proxied.backends
    ctx_a, ctx_b = proxied.context(one), proxied.context(two)
    a, b = ctx_a.new_page(), ctx_b.new_page()
    seen_a, seen_b = Seen(a, proxied.url), Seen(b, proxied.url)
    b.goto(proxied.url + "/")
    wait_for_app(b)
    rbra_before, version_before = metric(b, RBRA_LABEL), version_shown(b)

    # an analyst logs in through the proxy on process one: the form POST passes the CSRF and origin checks
    sign_in(a, proxied.url, ANALIS)
    session = {c["name"]: c for c in ctx_a.cookies()}["kla_sesi"]
    assert session["httpOnly"] and session["secure"]  # Secure: the app sees X-Forwarded-Proto https from Caddy

    # the Data page: a template download (a media file held by the process of the session), an upload
    # (Streamlit's XSRF-checked endpoint, refused by any process but the session's), a commit
    a.goto(proxied.url + "/data")
    wait_for_app(a)
    a.get_by_role("tab", name="Templat").click()
    with a.expect_download() as dl:
        a.get_by_role("button", name="rbra — Ruang Bermain Ramah Anak (RBRA)").click()
    template = proxied.tmp / dl.value.suggested_filename
    dl.value.save_as(template)
    upload = rbra_file(template, proxied.tmp / "rbra_lewat_proksi.xlsx", "Taman Uji Proksi")
    a.get_by_role("tab", name="Unggah").click()
    a.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(upload))
    wait_for_app(a)
    a.get_by_text("Yang akan berubah bila disimpan").wait_for(timeout=60_000)
    a.get_by_role("button", name="Simpan sebagai versi data baru").click()
    a.get_by_text("Tersimpan:").wait_for(timeout=60_000)
    assert a.locator("[data-testid='stException']").count() == 0
    assert [(status < 300, backend) for status, backend in seen_a.uploads] == [(True, one)], seen_a.uploads
    assert refused_elsewhere(seen_a.upload_requests[0], ctx_a.cookies(), two, upload)
    committed = _current(proxied.data)
    assert committed != version_before
    screenshot(a, "proxy_data_tersimpan")

    b.goto(proxied.url + "/")  # the other process shows the analyst's load (the analyst's own: below)
    wait_for_app(b)
    assert metric(b, RBRA_LABEL) == rbra_before + 1
    assert version_shown(b) == committed

    # a load from outside (the command line on the server): both processes show it too
    run_etl(proxied.data, "load", "rbra", str(rbra_file(template, proxied.tmp / "rbra_cli.xlsx", "Taman Uji CLI")))
    loaded = _current(proxied.data)
    assert loaded != committed
    for page in (a, b):
        page.goto(proxied.url + "/")
        wait_for_app(page)
        assert metric(page, RBRA_LABEL) == rbra_before + 2
        assert version_shown(page) == loaded

    # the login made on process one is valid on process two (sessions live in the shared data folder) ...
    ctx_b.add_cookies([{k: session[k] for k in ("name", "value", "domain", "path", "httpOnly", "secure")}])
    b.goto(proxied.url + "/masuk")
    wait_for_app(b)
    b.get_by_text("Anda masuk sebagai").wait_for(timeout=30_000)
    # ... and a logout there (CSRF-checked POST through the proxy) ends it on process one as well
    b.get_by_role("button", name="Keluar").click()
    b.get_by_text("Anda sudah keluar").wait_for(timeout=30_000)
    a.goto(proxied.url + "/masuk")
    wait_for_app(a)
    assert a.get_by_label("Nama pengguna").count() == 1  # the login form again: a public viewer
    assert a.get_by_text("Anda masuk sebagai").count() == 0

    assert seen_a.backends() == {one}, seen_a.backends()
    assert seen_b.backends() == {two}, seen_b.backends()
    assert len(seen_a.ws) >= 4 and len(seen_b.ws) >= 4
    ctx_a.close()
    ctx_b.close()


def refused_elsewhere(request: tuple[str, dict], cookies: list[dict], backend: str, path: Path) -> str:
    """The browser's upload sent straight to another process (same path, XSRF header and cookies): Streamlit
    there refuses it, its session lives on the first process only. That is why the proxy must be sticky."""
    import http.client

    rest, headers = request
    boundary = secrets.token_hex(8)
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{path.name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + path.read_bytes()
        + f"\r\n--{boundary}--\r\n".encode()
    )
    conn = http.client.HTTPConnection(backend, timeout=30)
    conn.request(
        "PUT",
        "/_stcore/" + rest,
        body=body,
        headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "X-Xsrftoken": headers.get("x-xsrftoken", ""),
            "Cookie": "; ".join(f"{c['name']}={c['value']}" for c in cookies),
        },
    )
    r = conn.getresponse()
    detail = r.read().decode(errors="replace")
    conn.close()
    assert r.status == 400 and "sticky sessions" in detail, (r.status, detail)
    return detail


def _current(data: Path) -> str:
    return (data / "warehouse" / "CURRENT").read_text().strip()
