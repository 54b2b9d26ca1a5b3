"""Read-only access to the current warehouse version.

DuckDB connections are not thread-safe and Streamlit sessions are threads: one read-only
connection is cached per version file, and every query runs on its own cursor. The version file's
path is the cache key of every query, so a new load (a new file) invalidates all caches.
"""

from __future__ import annotations

import duckdb
import pandas as pd
import streamlit as st

from etl import warehouse



def current_key() -> str | None:
    """The current version file's path (the data key), None when no warehouse exists.

    Raises etl.warehouse.WarehouseError when CURRENT is damaged.
    """
    version = warehouse.current_version()
    return str(warehouse.version_path(version)) if version else None


def version_of(key: str) -> str:
    return warehouse.VERSION_RE.match(key.rsplit("/", 1)[-1]).group(1)


@st.cache_resource(max_entries=4, on_release=lambda con: con.close(), show_spinner=False)
def _connection(key: str) -> duckdb.DuckDBPyConnection:
    return warehouse.open_file(key)


def query(key: str, sql: str, params: list | tuple = ()) -> pd.DataFrame:
    """Run parameterised SQL on the version `key` (a fresh cursor per call) and return a DataFrame."""
    con = _connection(key)
    with con.cursor() as cur:
        return cur.execute(sql, list(params)).df()
