"""Dashboard accounts (analis, admin) in a YAML file beside the warehouse, managed with
`python -m etl user add|remove|passwd|role|unlock|list`.

The file (KLA_DATA_DIR/users.yaml, or KLA_USERS_FILE) keeps the credential layout of the streamlit-authenticator
release it started with; passwords are bcrypt hashes, never plaintext. failed_login_attempts counts wrong
passwords, incremented under the file lock so that parallel guesses all count; after each wrong password the
account waits longer before the next try (BACKOFF_S), and at MAX_ATTEMPTS it is locked until an admin runs
`passwd` or `unlock`. A password change, a lock, a role change and a removal end the account's sessions
(etl/sessions.py).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import bcrypt
import yaml
from filelock import FileLock

from etl import sessions, warehouse

ROLES = ("analis", "admin")
MAX_ATTEMPTS = 5
BACKOFF_S = (0, 1, 2, 4, 8)  # wait after 0, 1, 2, 3, 4 wrong passwords in a row
MIN_PASSWORD = 10
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{2,31}$")


class UserError(Exception):
    """A refused user command (the message says why, in Bahasa Indonesia)."""


def path() -> Path:
    return Path(os.environ.get("KLA_USERS_FILE") or warehouse.data_dir() / "users.yaml")


def _lock() -> FileLock:
    return FileLock(str(path()) + ".lock", timeout=30)


def load() -> dict:
    p = path()
    if not p.exists():
        return {"usernames": {}}
    with open(p, encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    data.setdefault("usernames", {})
    return data


def _save(data: dict) -> None:
    p = path()
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_name(p.name + f".tmp-{os.getpid()}")
    with open(tmp, "w", encoding="utf-8") as fh:
        yaml.safe_dump(data, fh, allow_unicode=True, sort_keys=True)
    os.chmod(tmp, 0o600)
    os.replace(tmp, p)


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"Kata sandi terlalu pendek: minimal {MIN_PASSWORD} karakter.")
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt()).decode()


def add(username: str, password: str, role: str, name: str | None = None, wilayah: str | None = None) -> None:
    """A new account. `wilayah`: the region it works for (kab/kota or province code; None = every region)."""
    if not NAME_RE.match(username):
        raise UserError(
            "Nama pengguna hanya huruf kecil, angka, titik, garis bawah atau tanda hubung (3-32 karakter), "
            f'misalnya "ani.dp3a"; yang diberikan: "{username}".'
        )
    if role not in ROLES:
        raise UserError(f'Peran "{role}" tidak dikenal; pilih {" atau ".join(ROLES)}.')
    hashed = hash_password(password)
    with _lock():
        data = load()
        if username in data["usernames"]:
            raise UserError(f'Pengguna "{username}" sudah ada; ganti kata sandinya dengan `user passwd`.')
        data["usernames"][username] = {
            "email": f"{username}@lokal",
            "first_name": name or username,
            "last_name": "",
            "password": hashed,
            "roles": [role],
            "failed_login_attempts": 0,
            "logged_in": False,
            "wilayah": wilayah,
        }
        _save(data)


def remove(username: str) -> None:
    with _lock():
        data = load()
        if data["usernames"].pop(username, None) is None:
            raise UserError(f'Pengguna "{username}" tidak ada.')
        _save(data)
    sessions.revoke_user(username)


def passwd(username: str, password: str) -> None:
    hashed = hash_password(password)
    with _lock():
        data = load()
        if username not in data["usernames"]:
            raise UserError(f'Pengguna "{username}" tidak ada.')
        data["usernames"][username].update(password=hashed, failed_login_attempts=0)
        _save(data)
    sessions.revoke_user(username)


def set_role(username: str, role: str) -> None:
    if role not in ROLES:
        raise UserError(f'Peran "{role}" tidak dikenal; pilih {" atau ".join(ROLES)}.')
    with _lock():
        data = load()
        if username not in data["usernames"]:
            raise UserError(f'Pengguna "{username}" tidak ada.')
        data["usernames"][username]["roles"] = [role]
        _save(data)
    sessions.revoke_user(username)


def set_region(username: str, wilayah: str | None) -> None:
    with _lock():
        data = load()
        if username not in data["usernames"]:
            raise UserError(f'Pengguna "{username}" tidak ada.')
        data["usernames"][username]["wilayah"] = wilayah
        _save(data)
    sessions.revoke_user(username)


def unlock(username: str) -> None:
    with _lock():
        data = load()
        if username not in data["usernames"]:
            raise UserError(f'Pengguna "{username}" tidak ada.')
        data["usernames"][username]["failed_login_attempts"] = 0
        _save(data)


_DUMMY = bcrypt.hashpw(b"tidak-ada-akun", bcrypt.gensalt()).decode()


def verify(username: str, password: str) -> tuple[str, int]:
    """Check a login: ("ok", 0), ("salah", attempts), ("tunggu", seconds), ("terkunci", attempts), ("tidak_ada", 0).

    The bcrypt comparison runs outside the lock (it is slow on purpose); the counter is read and written under
    it, so N parallel wrong passwords count N. A locked or waiting account is refused before its password is
    compared, and that refusal does not count.
    """
    import time

    with _lock():
        user = load()["usernames"].get(username)
        if user is not None:
            n = int(user.get("failed_login_attempts", 0))
            if n >= MAX_ATTEMPTS:
                return "terkunci", n
            wait = float(user.get("last_failure", 0)) + BACKOFF_S[min(n, len(BACKOFF_S) - 1)] - time.time()
            if wait > 0:
                return "tunggu", int(wait) + 1
    hashed = user.get("password", "") if user else _DUMMY  # an unknown name costs the same time as a known one
    try:
        ok = bcrypt.checkpw(password.encode("utf-8"), hashed.encode("ascii"))
    except ValueError:
        ok = False
    if user is None:
        return "tidak_ada", 0
    with _lock():
        data = load()
        user = data["usernames"].get(username)
        if user is None:
            return "tidak_ada", 0
        if ok:
            if user.get("failed_login_attempts", 0):
                user["failed_login_attempts"] = 0
                _save(data)
            return "ok", 0
        n = int(user.get("failed_login_attempts", 0)) + 1
        user["failed_login_attempts"] = n
        user["last_failure"] = time.time()
        _save(data)
    if n >= MAX_ATTEMPTS:
        sessions.revoke_user(username)
        return "terkunci", n
    return "salah", n


def account(username: str) -> dict | None:
    """The account's public fields (name, role, region), or None when it does not exist."""
    user = load()["usernames"].get(username)
    if user is None:
        return None
    return {
        "nama": user.get("first_name") or username,
        "peran": (user.get("roles") or [None])[0],
        "wilayah": user.get("wilayah"),
        "terkunci": int(user.get("failed_login_attempts", 0)) >= MAX_ATTEMPTS,
    }


def listing() -> list[dict]:
    return [
        {
            "pengguna": n,
            "nama": u.get("first_name", ""),
            "peran": (u.get("roles") or ["?"])[0],
            "gagal": u.get("failed_login_attempts", 0),
            "wilayah": u.get("wilayah"),
            "terkunci": u.get("failed_login_attempts", 0) >= MAX_ATTEMPTS,
        }
        for n, u in sorted(load()["usernames"].items())
    ]
