"""Audit trail: who did what and when (logins, failed logins, loads, page edits, rollbacks, exports).

An append-only JSON-lines file beside the warehouse (KLA_DATA_DIR/audit.jsonl), outside the versioned
warehouse so that a rollback never erases the record of what happened. Appends are serialised with a
file lock; a line is one event. The file and its lock are created 0600 (owner only).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from filelock import FileLock

from etl import warehouse

ACTIONS = ("masuk", "gagal_masuk", "keluar", "terkunci", "muat", "ubah", "kembalikan", "perbaiki", "unduh", "pengguna")


def path() -> Path:
    return warehouse.data_dir() / "audit.jsonl"


def record(action: str, user: str | None, role: str | None = None, detail: str = "") -> None:
    """Append one event. Never raises into the caller's action: a failed audit write is reported on stderr."""
    event = {
        "waktu": dt.datetime.now().isoformat(timespec="seconds"),
        "pengguna": user or "(anonim)",
        "peran": role or "",
        "aksi": action,
        "rincian": detail,
    }
    p = path()
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        with FileLock(str(p) + ".lock", timeout=30, mode=warehouse.FILE_MODE):
            fd = os.open(p, os.O_WRONLY | os.O_APPEND | os.O_CREAT, warehouse.FILE_MODE)  # owner only
            with os.fdopen(fd, "a", encoding="utf-8") as fh:
                fh.write(json.dumps(event, ensure_ascii=False) + "\n")
    except OSError as exc:  # the action itself has happened; say loudly that its record did not
        import sys

        print(f"PERINGATAN: jejak audit tidak dapat ditulis ke {p}: {exc}", file=sys.stderr)


def read(limit: int | None = None) -> list[dict]:
    """Events, newest first."""
    p = path()
    if not p.exists():
        return []
    with open(p, encoding="utf-8") as fh:
        events = [json.loads(line) for line in fh if line.strip()]
    events.reverse()
    return events[:limit] if limit else events
