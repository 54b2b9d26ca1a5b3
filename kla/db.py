"""Read-only access to the current warehouse version.

DuckDB connections are not thread-safe and Streamlit sessions are threads: one read-only
connection is cached per version file, and every query runs on its own cursor. The version file's
path is the cache key of every query, so a new load (a new file) invalidates all caches.

A version is read in full once per file (size and mtime) before the app uses it (warehouse.health): a
truncated or damaged current version gets the explanation page at the first view, not an error inside
a page. failure_message() turns an error a page meets later into that page too.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from etl import warehouse
from etl.warehouse import WarehouseError


def current_key() -> str | None:
    """The current version file's path (the data key), None when no warehouse exists.

    Raises etl.warehouse.WarehouseError when CURRENT is damaged or the version it names does not read in full.
    """
    version = warehouse.current_version()
    if not version:
        return None
    key = str(warehouse.version_path(version))
    try:
        stat = os.stat(key)
    except OSError as exc:
        raise WarehouseError(_broken(version, f"berkas {Path(key).name} tidak dapat dibuka ({exc.strerror})")) from None
    _verified(key, stat.st_size, stat.st_mtime_ns)
    return key


def _broken(version: str, damage: str) -> str:
    return (
        f"Versi {version} yang sedang dipakai rusak: {damage}. Jalankan `python -m etl repair` untuk kembali ke "
        "versi terakhir yang utuh."
    )


@st.cache_resource(max_entries=16, show_spinner=False)
def _verified(key: str, size: int, mtime_ns: int) -> bool:
    """A full read of the version file (once per file state). Raises when damaged: a failure is not cached, so the
    check runs again on the next view (and the explanation page stays until `etl repair` or a rollback)."""
    damage = warehouse.file_health(Path(key))
    if damage:
        raise WarehouseError(_broken(version_of(key), damage))
    return True


def failure_message(exc: BaseException, key: str | None = None) -> str | None:
    """The explanation for an error the frame or a page raised, when the warehouse is at fault; None when it is
    not (a bug, which the caller re-raises).

    For app.py around main(): a WarehouseError; or a DuckDB error while CURRENT is damaged now or the current
    version (and `key`, a version a caller knows it read) no longer reads in full: read again, not taken from the
    cache. A missing file other than the current one is no damage (a pruned old version): not reported.
    """
    if isinstance(exc, WarehouseError):
        return str(exc)
    if not isinstance(exc, duckdb.Error):
        return None
    try:
        current = current_key()
    except WarehouseError as broken:
        return str(broken)
    for k in dict.fromkeys([key, current]):
        if not k or (k != current and not Path(k).exists()):
            continue
        damage = warehouse.file_health(Path(k))
        if damage:
            _verified.clear()  # the next view checks again and gets the explanation page straight away
            return _broken(version_of(k), damage)
    return None


def version_of(key: str) -> str:
    return warehouse.VERSION_RE.match(key.rsplit("/", 1)[-1]).group(1)


@st.cache_resource(max_entries=4, on_release=lambda con: con.close(), show_spinner=False)
def _connection(key: str) -> duckdb.DuckDBPyConnection:
    return warehouse.open_file(key)


def cursor(key: str) -> duckdb.DuckDBPyConnection:
    """A fresh read-only cursor on the version `key` (for etl functions that take a connection)."""
    return _connection(key).cursor()


def query(key: str, sql: str, params: list | tuple = ()) -> pd.DataFrame:
    """Run parameterised SQL on the version `key` (a fresh cursor per call) and return a DataFrame."""
    con = _connection(key)
    with con.cursor() as cur:
        return cur.execute(sql, list(params)).df()
