"""Who is looking: publik (no login), analis, admin. Checked on the server on every script run.

Login: st.login (OIDC) when the city configures an identity provider in .streamlit/secrets.toml
([auth] section; roles by e-mail in [kla.roles]); otherwise the accounts file managed by
`python -m etl user ...` (etl/users.py). The Masuk page shows a plain HTML form that posts to /akun/masuk
(kla/account.py); that endpoint checks the password, creates a server-side session (etl/sessions.py) and sets
an HttpOnly cookie holding its token. Here every run looks the token up: a session that was revoked (logout,
password change, lock, role change, removed account) is public on its very next run.
"""

from __future__ import annotations

import html
import os
from dataclasses import dataclass

import streamlit as st

from etl import audit, sessions, users
from kla import account, palette

RANK = {"publik": 0, "analis": 1, "admin": 2}
COOKIE = account.COOKIE
# AppTest cannot send cookies. With KLA_TEST_SESSIONS=1 (set by tests/conftest.py only) the token the test got
# from the same login function may sit in session state instead; a browser can never write that key.
TEST_TOKEN = "_kla_test_token"


@dataclass(frozen=True)
class Viewer:
    user: str | None
    name: str | None
    role: str
    wilayah: str | None = None  # the region the account works for (None: every region)

    @property
    def public(self) -> bool:
        return self.role == "publik"

    def can(self, role: str) -> bool:
        return RANK[self.role] >= RANK[role]

    def covers(self, region: str | None) -> bool:
        """Whether `region` (a Kemendagri code; None = Indonesia) lies in the account's region."""
        if not self.wilayah:
            return True
        return bool(region) and (region == self.wilayah or region.startswith(self.wilayah + "."))

    def exact(self, region: str | None) -> bool:
        """Exact figures for `region`: analysts and admins, in their own region. Elsewhere: the public view."""
        return self.can("analis") and self.covers(region)


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets.toml at all
        return False


def _oidc_roles() -> dict[str, str]:
    try:
        table = st.secrets["kla"]["roles"]
    except Exception:
        return {}
    return {str(email).lower(): role for role in ("analis", "admin") for email in table.get(role, [])}


def token() -> str | None:
    """The session token the browser sent (the HttpOnly cookie)."""
    if os.environ.get("KLA_TEST_SESSIONS") == "1" and st.session_state.get(TEST_TOKEN):
        return st.session_state[TEST_TOKEN]
    value = st.context.cookies.get(COOKIE)
    return value if isinstance(value, str) else None


def viewer() -> Viewer:
    """The current viewer, with the role read from the users file on every run (a removed account loses
    access at once)."""
    if _oidc_configured():
        if getattr(st.user, "is_logged_in", False):
            email = str(st.user.get("email", "")).lower()
            return Viewer(email, st.user.get("name") or email, _oidc_roles().get(email, "publik"))
        return Viewer(None, None, "publik")
    tok = token()
    session = sessions.lookup(tok)
    acct = users.account(session.user) if session else None
    if acct is None or acct["terkunci"] or acct["peran"] not in RANK:
        return Viewer(None, None, "publik")
    if st.session_state.get("_kla_sesi") != session.token_hash:  # a new browser session resumed by its cookie
        st.session_state["_kla_sesi"] = session.token_hash
        audit.record("sesi", session.user, acct["peran"], f"lanjut dari cookie; klien {session.client}")
    return Viewer(session.user, acct["nama"], acct["peran"], acct["wilayah"])


def require(role: str, message: str, region: str | None | bool = False) -> Viewer:
    """Stop the page here unless the viewer has at least `role` (the server-side refusal), and, when `region`
    is given, unless the account's region covers it (an analyst of one kab/kota loads and edits only there)."""
    v = viewer()
    if not v.can(role):
        st.error(message, icon=":material/lock:")
        st.stop()
    if region is not False and not v.covers(region):
        from kla.fmt import md_text
        from kla.i18n import t

        st.error(t("auth.refused_region", wilayah=md_text(v.wilayah)), icon=":material/lock:")
        st.stop()
    return v


FORM = """
<style>
.kla-akun {{ max-width: 26rem; display: flex; flex-direction: column; gap: .35rem; }}
.kla-akun label {{ font-size: .95rem; margin-top: .4rem; }}
.kla-akun input {{ font: inherit; padding: .5rem .6rem; border: 1px solid {border}; border-radius: .4rem; }}
.kla-akun button {{ font: inherit; margin-top: .8rem; padding: .5rem 1rem; border: 0; border-radius: .4rem;
  background: {primary}; color: {background}; cursor: pointer; align-self: flex-start; }}
.kla-akun button.kla-kedua {{ background: {background}; color: {primary}; border: 1px solid {primary}; }}
</style>
<form class="kla-akun" method="post" action="{action}">
{fields}<button type="submit" class="{cls}">{submit}</button>
</form>
"""
FORM_COLORS = dict(primary=palette.PRIMARY, background=palette.BACKGROUND, border=palette.BORDER)
ERRORS = ("salah", "terkunci", "tunggu", "klien", "kedaluwarsa", "formulir")


def _form(action: str, fields: str, submit: str, secondary: bool = False) -> None:
    """A fixed HTML template (every inserted value escaped): the one place the login uses raw HTML."""
    st.markdown(
        FORM.format(
            action=action,
            fields=fields,
            submit=html.escape(submit),
            cls="kla-kedua" if secondary else "",
            **FORM_COLORS,
        ),
        unsafe_allow_html=True,
    )


def _hidden(name: str, value: str) -> str:
    return f'<input type="hidden" name="{name}" value="{html.escape(value, quote=True)}">\n'


def login_error(texts) -> None:
    """The reason the login endpoint sent the browser back with (?galat=..., a fixed code)."""
    reason = st.query_params.get("galat")
    if reason in ERRORS:
        seconds = st.query_params.get("detik", "")
        st.error(texts(f"auth.err_{reason}", seconds=seconds if seconds.isdigit() else "?"), icon=":material/error:")


def login_form(texts, lang: str, next_path: str = account.MASUK) -> None:
    """The login form: OIDC button, or the HTML form posting to /akun/masuk."""
    if _oidc_configured():
        if st.button(texts("auth.oidc"), type="primary", key="kla_oidc_login"):
            st.login()
        return
    login_error(texts)
    fields = (
        _hidden("csrf", account.login_csrf())
        + _hidden("next", account.safe_next(next_path))
        + _hidden("lang", lang)
        + f'<label for="kla-user">{html.escape(texts("auth.user"))}</label>'
        f'<input id="kla-user" name="user" autocomplete="username" required maxlength="64">\n'
        + f'<label for="kla-password">{html.escape(texts("auth.password"))}</label>'
        f'<input id="kla-password" name="password" type="password" autocomplete="current-password" '
        f'required maxlength="256">\n'
    )
    st.markdown(f"**{texts('auth.form')}**")
    _form("/akun/masuk", fields, texts("auth.submit"))


def logout(label: str, lang: str) -> None:
    """The Keluar button: a form posting to /akun/keluar with a token bound to this session."""
    v = viewer()
    if _oidc_configured():
        if st.button(label, key="kla_logout"):
            audit.record("keluar", v.user, v.role)
            st.logout()
        return
    tok = token()
    if tok:
        _form("/akun/keluar", _hidden("csrf", account.logout_csrf(tok)) + _hidden("lang", lang), label, secondary=True)
