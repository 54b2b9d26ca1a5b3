"""Download buttons for tables (CSV and XLSX, formula-looking cells neutralised) and the chart config
that gives every plotly chart its offline "download as PNG" button. Downloads are in the audit trail."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from etl import audit
from kla import auth, export
from kla.i18n import t


def chart_config(name: str) -> dict:
    """plotly's own camera button saves a PNG in the browser (no server, no internet)."""
    return {"displaylogo": False, "toImageButtonOptions": {"format": "png", "filename": name, "scale": 2}}


def _record(what: str) -> None:
    v = auth.viewer()
    audit.record("unduh", v.user, v.role, f"{what} ({'publik' if v.public else 'tepat'})")


def table_buttons(df: pd.DataFrame, name: str, key: str, index: bool = False) -> None:
    """Two small buttons: CSV (`;`, decimal comma, for Excel in Indonesian) and XLSX.

    The files are made when a button is clicked (a callable as data), not on every rerun: writing an xlsx
    took longer than the rest of a page's script.
    """
    df = df.copy()  # the callable runs after this script run; the caller may change its frame meanwhile
    row = st.container(horizontal=True)  # buttons side by side at their own width, also in narrow columns
    row.download_button(
        t("dl.csv"),
        lambda: export.csv_bytes(df, index=index),
        file_name=f"{name}.csv",
        mime="text/csv",
        key=f"{key}_csv",
        icon=":material/download:",
        on_click=_record,
        args=(f"{name}.csv",),
    )
    row.download_button(
        t("dl.xlsx"),
        lambda: export.xlsx_bytes(df, index=index),
        file_name=f"{name}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{key}_xlsx",
        icon=":material/download:",
        on_click=_record,
        args=(f"{name}.xlsx",),
    )
