"""Server-side login sessions and the per-client login throttle, in one SQLite file beside the warehouse.

A login creates a random token; the browser keeps it in an HttpOnly cookie (kla/account.py sets it) and the
server keeps only its SHA-256 here. Every script run looks the token up (kla/auth.viewer), so a session ends
on the server the moment its row is gone: logout deletes it; a password change, a lock, a removed account and
a role change delete every session of that account (etl/users.py). A captured cookie is then worth nothing.

SQLite (standard library) because several Streamlit processes may serve the same data folder: its locking
makes each update atomic across processes, and the file is tiny.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from etl import warehouse

LIFETIME_S = 12 * 3600  # absolute: a session older than this ends, however active
IDLE_S = 2 * 3600  # idle: a session unused this long ends (a PC left signed in at the office)
TOUCH_S = 60  # `seen` is written at most once a minute per session
CLIENT_WINDOW_S = 300  # per-client throttle: at most CLIENT_MAX failed logins per 5 minutes
CLIENT_MAX = 20

SCHEMA = """
CREATE TABLE IF NOT EXISTS sesi (
    token_hash TEXT PRIMARY KEY, pengguna TEXT NOT NULL, dibuat REAL NOT NULL, dilihat REAL NOT NULL,
    klien TEXT NOT NULL DEFAULT '', peramban TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS sesi_pengguna ON sesi(pengguna);
CREATE TABLE IF NOT EXISTS gagal_klien (klien TEXT NOT NULL, waktu REAL NOT NULL);
CREATE INDEX IF NOT EXISTS gagal_klien_i ON gagal_klien(klien, waktu);
"""


@dataclass(frozen=True)
class Session:
    user: str
    created: float
    seen: float
    client: str
    agent: str
    token_hash: str


def path() -> Path:
    return Path(os.environ.get("KLA_SESSIONS_FILE") or warehouse.data_dir() / "sesi.sqlite")


def _connect() -> sqlite3.Connection:
    p = path()
    p.parent.mkdir(parents=True, exist_ok=True)
    fresh = not p.exists()
    con = sqlite3.connect(p, timeout=30, isolation_level=None)  # autocommit; BEGIN IMMEDIATE where needed
    if fresh:
        os.chmod(p, 0o600)
    con.executescript(SCHEMA)
    return con


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def create(user: str, client: str = "", agent: str = "") -> str:
    """A new session for `user`; returns the token (only the browser keeps it)."""
    token = secrets.token_urlsafe(32)
    now = time.time()
    with closing(_connect()) as con:
        con.execute("DELETE FROM sesi WHERE dibuat < ? OR dilihat < ?", [now - LIFETIME_S, now - IDLE_S])
        con.execute(
            "INSERT INTO sesi VALUES (?, ?, ?, ?, ?, ?)", [digest(token), user, now, now, client[:64], agent[:200]]
        )
    return token


def lookup(token: str | None) -> Session | None:
    """The live session of a token, or None (unknown, revoked, expired)."""
    if not isinstance(token, str) or not token or len(token) > 200:
        return None
    h = digest(token)
    now = time.time()
    with closing(_connect()) as con:
        row = con.execute(
            "SELECT pengguna, dibuat, dilihat, klien, peramban FROM sesi WHERE token_hash = ?", [h]
        ).fetchone()
        if row is None:
            return None
        if row[1] < now - LIFETIME_S or row[2] < now - IDLE_S:
            con.execute("DELETE FROM sesi WHERE token_hash = ?", [h])
            return None
        if now - row[2] > TOUCH_S:
            con.execute("UPDATE sesi SET dilihat = ? WHERE token_hash = ?", [now, h])
    return Session(row[0], row[1], row[2], row[3], row[4], h)


def revoke(token: str | None) -> bool:
    if not token:
        return False
    with closing(_connect()) as con:
        return con.execute("DELETE FROM sesi WHERE token_hash = ?", [digest(token)]).rowcount > 0


def revoke_user(user: str) -> int:
    """End every session of an account; returns how many ended."""
    if not path().exists():
        return 0
    with closing(_connect()) as con:
        return con.execute("DELETE FROM sesi WHERE pengguna = ?", [user]).rowcount


def listing() -> list[Session]:
    if not path().exists():
        return []
    now = time.time()
    with closing(_connect()) as con:
        rows = con.execute(
            "SELECT pengguna, dibuat, dilihat, klien, peramban, token_hash FROM sesi "
            "WHERE dibuat >= ? AND dilihat >= ? ORDER BY dilihat DESC",
            [now - LIFETIME_S, now - IDLE_S],
        ).fetchall()
    return [Session(*r) for r in rows]


def client_wait(client: str) -> int:
    """Seconds this client must wait before its next login attempt (0: it may try now)."""
    now = time.time()
    with closing(_connect()) as con:
        con.execute("DELETE FROM gagal_klien WHERE waktu < ?", [now - CLIENT_WINDOW_S])
        rows = con.execute(
            "SELECT waktu FROM gagal_klien WHERE klien = ? ORDER BY waktu DESC LIMIT ?", [client, CLIENT_MAX]
        ).fetchall()
    if len(rows) < CLIENT_MAX:
        return 0
    return max(1, int(rows[-1][0] + CLIENT_WINDOW_S - now) + 1)


def client_failed(client: str) -> None:
    with closing(_connect()) as con:
        con.execute("INSERT INTO gagal_klien VALUES (?, ?)", [client, time.time()])
