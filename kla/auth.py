"""Who is looking: publik (no login), analis, admin. Checked on the server for every protected action.

Login: st.login (OIDC) when the city configures an identity provider in .streamlit/secrets.toml
([auth] section; roles by e-mail in [kla.roles]); otherwise streamlit-authenticator with the bcrypt users
file managed by `python -m etl user ...` (etl/users.py). Failed attempts are counted in that file; at
users.MAX_ATTEMPTS the account is locked until an admin unlocks it. Every login, failure, lockout and
logout goes to the audit trail (etl/audit.py).
"""

from __future__ import annotations

import os
import secrets as pysecrets
from dataclasses import dataclass

import streamlit as st

from etl import audit, users, warehouse

RANK = {"publik": 0, "analis": 1, "admin": 2}
COOKIE = "kla_masuk"


@dataclass(frozen=True)
class Viewer:
    user: str | None
    name: str | None
    role: str

    @property
    def public(self) -> bool:
        return self.role == "publik"

    def can(self, role: str) -> bool:
        return RANK[self.role] >= RANK[role]


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


def _cookie_key() -> str:
    """Signing key of the login cookie: KLA_COOKIE_KEY, or a random key kept beside the warehouse."""
    env = os.environ.get("KLA_COOKIE_KEY")
    if env:
        return env
    p = warehouse.data_dir() / "cookie.key"
    if not p.exists():
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(pysecrets.token_hex(32), encoding="ascii")
        os.chmod(p, 0o600)
    return p.read_text(encoding="ascii").strip()


def authenticator():
    import streamlit_authenticator as stauth

    return stauth.Authenticate(users.load(), COOKIE, _cookie_key(), cookie_expiry_days=0.5, auto_hash=False,
                               login_sleep_time=0)


def restore_from_cookie() -> None:
    """A page reload starts a new session: log it back in from a valid signed cookie (no form shown)."""
    if _oidc_configured() or st.session_state.get("authentication_status"):
        return
    if COOKIE not in st.context.cookies:
        return
    try:
        authenticator().login(location="unrendered", key="kla_login_cookie")
    except Exception:  # an invalid or stale cookie simply means: not logged in
        pass


def viewer() -> Viewer:
    """The current viewer, with the role read from the users file on every run (a removed account loses
    access at once)."""
    if _oidc_configured():
        if getattr(st.user, "is_logged_in", False):
            email = str(st.user.get("email", "")).lower()
            return Viewer(email, st.user.get("name") or email, _oidc_roles().get(email, "publik"))
        return Viewer(None, None, "publik")
    if st.session_state.get("authentication_status"):
        name = st.session_state.get("username")
        role = users.role_of(name) if name else None
        if role in RANK:
            return Viewer(name, st.session_state.get("name") or name, role)
    return Viewer(None, None, "publik")


def require(role: str, message: str) -> Viewer:
    """Stop the page here unless the viewer has at least `role` (the server-side refusal)."""
    v = viewer()
    if not v.can(role):
        st.error(message, icon=":material/lock:")
        st.stop()
    return v


def login_form(labels: dict[str, str], messages: dict[str, str]) -> None:
    """The login form (file-based accounts), with lockout and audit."""
    if _oidc_configured():
        if st.button(labels["oidc"], type="primary", key="kla_oidc_login"):
            st.login()
        return
    auth = authenticator()
    creds = auth.authentication_controller.authentication_model.credentials
    before = {n: u.get("failed_login_attempts", 0) for n, u in creds["usernames"].items()}
    entered = None
    try:
        auth.login(location="main", max_login_attempts=users.MAX_ATTEMPTS, key="kla_login",
                   fields={"Form name": labels["form"], "Username": labels["user"], "Password": labels["password"],
                           "Login": labels["submit"]})
    except Exception as exc:  # streamlit-authenticator's LoginError: locked or too many sessions
        entered = st.session_state.get("kla_login_user")
        st.error(messages["locked"], icon=":material/lock:")
        audit.record("terkunci", entered, None, str(exc))
        return
    after = {n: u.get("failed_login_attempts", 0) for n, u in creds["usernames"].items()}
    changed = {n: c for n, c in after.items() if c != before.get(n)}
    if changed:
        users.record_attempts(changed)
    status = st.session_state.get("authentication_status")
    if status:
        v = viewer()
        audit.record("masuk", v.user, v.role)
        # no st.rerun() here: the cookie component rendered in this run must reach the browser to store
        # the login for page reloads; the caller shows the signed-in state in the same run
        return
    elif status is False:
        failed = [n for n, c in changed.items() if c > before.get(n, 0)]
        audit.record("gagal_masuk", failed[0] if failed else "(nama tidak dikenal)", None)
        if failed and after[failed[0]] >= users.MAX_ATTEMPTS:
            audit.record("terkunci", failed[0], None, f"{users.MAX_ATTEMPTS} kali salah")
            st.error(messages["locked"], icon=":material/lock:")
        else:
            st.error(messages["wrong"], icon=":material/error:")


def logout(label: str, done: str) -> None:
    v = viewer()
    if _oidc_configured():
        if st.button(label, key="kla_logout"):
            audit.record("keluar", v.user, v.role)
            st.logout()
        return
    if st.button(label, key="kla_logout"):
        authenticator().logout(location="unrendered")  # also renders the component that deletes the cookie
        for k in ("authentication_status", "username", "name", "roles", "email"):
            st.session_state.pop(k, None)
        audit.record("keluar", v.user, v.role)
        st.success(done)  # no st.rerun(): the cookie deletion must reach the browser first
