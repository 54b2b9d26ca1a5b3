"""The Admin page as data: the audit trail, the accounts and the live sessions as tables with translated
headers. Reading the audit file, the users file and the sessions store stays on the page (with its admin
check); this module only shapes what it read."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from kla.fmt import fmt_datetime
from kla.i18n import t

AUDIT_COLUMNS = ["waktu", "pengguna", "peran", "aksi", "rincian"]
ACCOUNT_COLUMNS = ["pengguna", "nama", "peran", "wilayah", "gagal", "terkunci"]
SESSION_COLUMNS = ["pengguna", "masuk", "terakhir", "klien", "peramban"]


def _headers(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    return frame.rename(columns={c: t(f"admin.col_{c}", lang=lang) for c in frame.columns})


def audit_actions(events: list[dict]) -> list[str]:
    """The kinds of action in the audit events (audit.read), sorted: the filter's choices."""
    return sorted(pd.DataFrame(events, columns=AUDIT_COLUMNS)["aksi"].unique()) if events else []


def audit_table(events: list[dict], chosen: list[str], lang: str) -> pd.DataFrame:
    """The audit events (newest first), only the chosen actions when any are chosen."""
    frame = pd.DataFrame(events, columns=AUDIT_COLUMNS)
    if chosen:
        frame = frame[frame["aksi"].isin(chosen)]
    # the log keeps ISO times (sortable, exact); the reader sees them in their language
    frame = frame.assign(waktu=[_when(w, lang) for w in frame["waktu"]])
    return _headers(frame, lang)


def _when(value, lang: str) -> str:
    """An audit time (ISO text) as Babel writes it: '1 Desember 2026 16.13'; anything else as it is."""
    try:
        return fmt_datetime(dt.datetime.fromisoformat(str(value)), lang)
    except ValueError:
        return str(value)


def accounts_table(accounts: list[dict], lang: str) -> pd.DataFrame:
    """The accounts (users.listing): name, role, region, failed sign-ins, locked."""
    return _headers(pd.DataFrame(accounts, columns=ACCOUNT_COLUMNS), lang)


def locked_accounts(accounts: list[dict]) -> list[str]:
    """The accounts locked after too many failed sign-ins (the unlock picker's choices)."""
    frame = pd.DataFrame(accounts, columns=ACCOUNT_COLUMNS)
    return frame.loc[frame["terkunci"].astype(bool), "pengguna"].tolist()


def sessions_table(live, lang: str) -> pd.DataFrame:
    """The live sessions (sessions.listing): who, signed in and last seen (local time), client, browser (cut)."""
    rows = [
        {
            "pengguna": x.user,
            "masuk": fmt_datetime(dt.datetime.fromtimestamp(x.created), lang),
            "terakhir": fmt_datetime(dt.datetime.fromtimestamp(x.seen), lang),
            "klien": x.client,
            "peramban": x.agent[:60],
        }
        for x in live
    ]
    return _headers(pd.DataFrame(rows, columns=SESSION_COLUMNS), lang)


def session_users(live) -> list[str]:
    """The accounts with a live session, sorted (the revoke picker's choices)."""
    return sorted({x.user for x in live})
