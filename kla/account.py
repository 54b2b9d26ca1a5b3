"""The two HTTP endpoints of logging in and out, served beside the Streamlit app (st.App routes in app.py).

Why endpoints and not a Streamlit form: a Streamlit script talks to the browser over a websocket and cannot set
a cookie the page's JavaScript cannot read. These endpoints answer a plain HTML form POST, so the session cookie
is HttpOnly (and Secure behind HTTPS), and the browser then loads the app afresh: the new websocket carries
the new cookie, with no stale snapshot of the old one.

- POST /akun/masuk  user, password, csrf, next, lang  → 303 to `next` with the cookie, or back to the Masuk
  page with a reason code (?galat=...). The CSRF token is signed with the server key and expires; the request
  must come from this origin. Failed attempts count per account (etl/users.verify, under the file lock) and
  per client (etl/sessions.client_wait).
- POST /akun/keluar csrf, lang → the server-side session is deleted, the cookie cleared, 303 to the Masuk page.

Every outcome goes to the audit trail (etl/audit.py).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import time
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

from etl import audit, sessions, users, warehouse

COOKIE = "kla_sesi"
MAX_BODY = 16 * 1024  # a login form is a few hundred bytes
CSRF_AGE_S = 4 * 3600  # a Masuk page left open this long asks to reload
NEXT_RE = re.compile(r"^/[A-Za-z0-9_\-/]{0,80}$")
MASUK = "/masuk"


def secret_key() -> bytes:
    """The server's signing key: KLA_COOKIE_KEY, or a random key kept (0600) beside the warehouse."""
    env = os.environ.get("KLA_COOKIE_KEY")
    if env:
        return env.encode()
    p = Path(warehouse.data_dir()) / "cookie.key"
    if not p.exists():
        p.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(secrets.token_hex(32))
    return p.read_text(encoding="ascii").strip().encode()


def _sign(text: str) -> str:
    return hmac.new(secret_key(), text.encode(), hashlib.sha256).hexdigest()[:32]


def login_csrf(now: float | None = None) -> str:
    stamp = str(int(now if now is not None else time.time()))
    return f"{stamp}.{_sign('masuk|' + stamp)}"


def _login_csrf_ok(token: str) -> bool:
    stamp, _, sig = token.partition(".")
    if not stamp.isdigit() or not hmac.compare_digest(sig, _sign("masuk|" + stamp)):
        return False
    return 0 <= time.time() - int(stamp) <= CSRF_AGE_S


def logout_csrf(token: str) -> str:
    """The logout form's token: bound to the session, so another site cannot log a viewer out."""
    return _sign("keluar|" + sessions.digest(token))


def safe_next(value: str | None) -> str:
    return value if value and NEXT_RE.match(value) and not value.startswith("//") else MASUK


def client_of(request) -> str:
    return request.client.host if request.client else "?"


def same_origin(request) -> bool:
    """A form POST from this app's own page: Origin (or Referer) names the host the request was sent to."""
    if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin") or request.headers.get("referer")
    if not origin or origin == "null":
        return False
    return urlsplit(origin).netloc == request.headers.get("host", "")


async def _form(request) -> dict[str, str] | None:
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            return None
    try:
        fields = parse_qs(body.decode("utf-8"), max_num_fields=10)
    except (UnicodeDecodeError, ValueError):
        return None
    return {k: v[0] for k, v in fields.items()}


def _back(reason: str, lang: str, **extra) -> RedirectResponse:  # noqa: F821
    from starlette.responses import RedirectResponse

    query = {"galat": reason, **({"lang": lang} if lang == "en" else {}), **extra}
    return _no_store(RedirectResponse(f"{MASUK}?{urlencode(query)}", status_code=303))


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


def _secure(request) -> bool:
    return request.url.scheme == "https" or os.environ.get("KLA_COOKIE_SECURE") == "1"


async def masuk(request):
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import RedirectResponse

    form = await _form(request)
    lang = (form or {}).get("lang", "id")
    if form is None:
        return _back("formulir", lang)
    if not same_origin(request) or not _login_csrf_ok(form.get("csrf", "")):
        audit.record(
            "gagal_masuk",
            form.get("user") or None,
            None,
            f"formulir dari luar atau kedaluwarsa; klien {client_of(request)}",
        )
        return _back("kedaluwarsa", lang)
    client = client_of(request)
    wait = await run_in_threadpool(sessions.client_wait, client)
    if wait:
        audit.record("gagal_masuk", form.get("user") or None, None, f"klien {client} dibatasi {wait} detik")
        return _back("klien", lang, detik=wait)
    name = (form.get("user") or "").strip()[:64]
    outcome, n = await run_in_threadpool(users.verify, name, form.get("password") or "")
    if outcome == "ok":
        account = users.account(name)
        token = await run_in_threadpool(sessions.create, name, client, request.headers.get("user-agent", ""))
        audit.record("masuk", name, account["peran"] if account else None, f"klien {client}")
        response = RedirectResponse(safe_next(form.get("next")), status_code=303)
        response.set_cookie(COOKIE, token, httponly=True, secure=_secure(request), samesite="lax", path="/")
        return _no_store(response)
    if outcome == "tunggu":
        return _back("tunggu", lang, detik=n)
    await run_in_threadpool(sessions.client_failed, client)
    if outcome == "terkunci":
        audit.record("terkunci", name, None, f"{n} kali salah; klien {client}")
        return _back("terkunci", lang)
    audit.record("gagal_masuk", name if outcome == "salah" else "(nama tidak dikenal)", None, f"klien {client}")
    return _back("salah", lang)


async def keluar(request):
    from starlette.responses import RedirectResponse

    form = await _form(request) or {}
    lang = form.get("lang", "id")
    token = request.cookies.get(COOKIE)
    session = sessions.lookup(token)
    if token and (not same_origin(request) or not hmac.compare_digest(form.get("csrf", ""), logout_csrf(token))):
        return _back("kedaluwarsa", lang)
    if session is not None:
        sessions.revoke(token)
        account = users.account(session.user)
        audit.record("keluar", session.user, account["peran"] if account else None, f"klien {client_of(request)}")
    query = urlencode({"keluar": "1", **({"lang": lang} if lang == "en" else {})})
    response = RedirectResponse(f"{MASUK}?{query}", status_code=303)
    response.delete_cookie(COOKIE, path="/", httponly=True, secure=_secure(request), samesite="lax")
    return _no_store(response)


def routes() -> list:
    from starlette.routing import Route

    return [Route("/akun/masuk", masuk, methods=["POST"]), Route("/akun/keluar", keluar, methods=["POST"])]
