"""Dashboard accounts (analis, admin) in a YAML file beside the warehouse, managed with
`python -m etl user add|remove|passwd|unlock|list`.

The file (KLA_DATA_DIR/users.yaml, or KLA_USERS_FILE) has streamlit-authenticator's credential layout;
passwords are bcrypt hashes, never plaintext. failed_login_attempts counts wrong passwords; at
MAX_ATTEMPTS the account is locked until an admin runs `passwd` or `unlock`.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import bcrypt
import yaml
from filelock import FileLock

from etl import warehouse

ROLES = ("analis", "admin")
MAX_ATTEMPTS = 5
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


def add(username: str, password: str, role: str, name: str | None = None) -> None:
    if not NAME_RE.match(username):
        raise UserError("Nama pengguna hanya huruf kecil, angka, titik, garis bawah atau tanda hubung (3-32 karakter), "
                        f"misalnya \"ani.dp3a\"; yang diberikan: \"{username}\".")
    if role not in ROLES:
        raise UserError(f"Peran \"{role}\" tidak dikenal; pilih {' atau '.join(ROLES)}.")
    hashed = hash_password(password)
    with _lock():
        data = load()
        if username in data["usernames"]:
            raise UserError(f"Pengguna \"{username}\" sudah ada; ganti kata sandinya dengan `user passwd`.")
        data["usernames"][username] = {
            "email": f"{username}@lokal", "first_name": name or username, "last_name": "", "password": hashed,
            "roles": [role], "failed_login_attempts": 0, "logged_in": False,
        }
        _save(data)


def remove(username: str) -> None:
    with _lock():
        data = load()
        if data["usernames"].pop(username, None) is None:
            raise UserError(f"Pengguna \"{username}\" tidak ada.")
        _save(data)


def passwd(username: str, password: str) -> None:
    hashed = hash_password(password)
    with _lock():
        data = load()
        if username not in data["usernames"]:
            raise UserError(f"Pengguna \"{username}\" tidak ada.")
        data["usernames"][username].update(password=hashed, failed_login_attempts=0)
        _save(data)


def unlock(username: str) -> None:
    with _lock():
        data = load()
        if username not in data["usernames"]:
            raise UserError(f"Pengguna \"{username}\" tidak ada.")
        data["usernames"][username]["failed_login_attempts"] = 0
        _save(data)


def record_attempts(counts: dict[str, int]) -> None:
    """Persist the failed-attempt counters of a login run (only for accounts that still exist)."""
    with _lock():
        data = load()
        changed = False
        for name, n in counts.items():
            user = data["usernames"].get(name)
            if user is not None and user.get("failed_login_attempts", 0) != n:
                user["failed_login_attempts"] = n
                changed = True
        if changed:
            _save(data)


def listing() -> list[dict]:
    return [{"pengguna": n, "nama": u.get("first_name", ""), "peran": (u.get("roles") or ["?"])[0],
             "gagal": u.get("failed_login_attempts", 0),
             "terkunci": u.get("failed_login_attempts", 0) >= MAX_ATTEMPTS}
            for n, u in sorted(load()["usernames"].items())]


def role_of(username: str) -> str | None:
    user = load()["usernames"].get(username)
    return (user.get("roles") or [None])[0] if user else None
