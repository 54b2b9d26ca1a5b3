"""Edits made on a page go through the same path as a file load (loader.load -> publish).

The edited rows are written to a small CSV, checked like any OPD file, and published as a new
warehouse version with a meta_load row naming the page and the user. Errors come back in the
LoadResult's report; nothing is written then.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from pathlib import Path

from etl import loader

TASK_HEADERS = {"id": "ID", "tanggal_rapat": "Tanggal Rapat", "tugas": "Tugas", "nomor": "No Indikator",
                "opd": "OPD", "tenggat": "Tenggat", "status": "Status", "catatan": "Catatan"}


def _cell(value) -> str:
    if value is None or value != value:
        return ""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def save_tasks(rows: list[dict], *, user: str, source: str, kabkota: str | None = "default") -> loader.LoadResult:
    """Insert or update follow-up tasks of a kab/kota (a row with an `id` updates that task)."""
    with tempfile.TemporaryDirectory(prefix="kla-edit-") as tmp:
        path = Path(tmp) / "tindak_lanjut.csv"
        with open(path, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(TASK_HEADERS.values())
            for row in rows:
                writer.writerow([_cell(row.get(k)) for k in TASK_HEADERS])
        return loader.load("tindak_lanjut", [path], user=user, display_names=[source], scope=kabkota)
