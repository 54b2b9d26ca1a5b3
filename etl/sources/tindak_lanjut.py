"""tindak_lanjut: the Gugus Tugas's meeting follow-ups (task, indicator, OPD, due date, status).

Loaded from a file (`python -m etl load tindak_lanjut FILE`) or edited on the Progres Klaster page;
both go through loader.load, so an edit is a new warehouse version like any load. A task keeps its
id: the `ID` column when the file has one (files exported by the dashboard do), otherwise a hash of
meeting date, task text and OPD, so loading the same meeting file twice changes nothing.
"""

from __future__ import annotations

import hashlib

import duckdb
import pandas as pd

from etl import rules
from etl.names import name_key
from etl.problems import Report
from etl.progress import progress
from etl.sources import FileInput, LoadContext
from etl.sources.common import earlier, kabkota, read_tables, registered, where

NAME = "tindak_lanjut"
TITLE = "Tindak lanjut rapat Gugus Tugas"
TABLES = ("fact_tindak_lanjut",)
COLUMNS = ["tindak_lanjut_id", "kode_wilayah", "tanggal_rapat", "tugas", "nomor", "opd", "tenggat", "status", "catatan"]


FIRST_DEPLOYMENT = "74.71"  # not a default region: Kota Kendari's task ids were made before ids named a kab/kota


def task_id(tanggal_rapat, tugas: str, opd: str, wilayah: str) -> str:
    # Kendari's ids (the first deployment) stay as they were; other kab/kota have their code in the key
    where = "" if wilayah == FIRST_DEPLOYMENT else f"{wilayah}|"
    return hashlib.sha1(f"{where}{tanggal_rapat.isoformat()}|{name_key(tugas)}|{name_key(opd)}".encode()).hexdigest()[
        :12
    ]


def parse(files: list[FileInput], ctx: LoadContext, report: Report) -> dict[str, pd.DataFrame]:
    tables = read_tables(files, NAME, report)
    rows, seen = [], {}
    for table in tables:
        orders = rules.date_orders(table, NAME, report)
        for rec in progress(table.records, table.file):
            ok, got = rules.read_row(table, rec, NAME, ctx, report, orders)
            rapat, tenggat, tugas, opd = got["tanggal_rapat"], got["tenggat"], got["tugas"], got["opd"]
            if rapat and tenggat and tenggat < rapat:
                report.error(
                    f"Tenggat ({tenggat:%d/%m/%Y}) lebih awal dari tanggal rapat ({rapat:%d/%m/%Y}).",
                    **where(table, rec, "tenggat"),
                )
                ok = False
            wilayah = kabkota(table, rec, ctx, report)
            ok = ok and wilayah is not None
            if not ok:
                report.rows_rejected += 1
                continue
            given = got["id"]
            tid = given or task_id(rapat, tugas, opd, wilayah)
            first = earlier(seen, tid, table, rec)
            if first:
                report.error(
                    f"Tugas yang sama sudah ada di {first} (tanggal rapat, tugas dan OPD sama, atau ID sama).",
                    **where(table, rec, "id" if given else "tugas"),
                )
                report.rows_rejected += 1
                continue
            rows.append(
                {
                    "tindak_lanjut_id": tid,
                    "kode_wilayah": wilayah,
                    "tanggal_rapat": rapat,
                    "tugas": tugas,
                    "nomor": got["nomor"],
                    "opd": opd,
                    "tenggat": tenggat,
                    "status": got["status"],
                    "catatan": got["catatan"],
                }
            )
    if not tables:
        return {}
    return {"fact_tindak_lanjut": pd.DataFrame(rows, columns=COLUMNS)}


def apply(con: duckdb.DuckDBPyConnection, frames: dict[str, pd.DataFrame], load_id: str) -> int:
    """Insert new tasks, update the ones whose id is already there (an edit keeps the id)."""
    new = frames["fact_tindak_lanjut"].assign(load_id=load_id)
    with registered(con, _new_tl=new):
        con.execute("DELETE FROM fact_tindak_lanjut f USING _new_tl n WHERE f.tindak_lanjut_id = n.tindak_lanjut_id")
        con.execute(
            "INSERT INTO fact_tindak_lanjut BY NAME SELECT tindak_lanjut_id, kode_wilayah, "
            "CAST(tanggal_rapat AS DATE) AS tanggal_rapat, tugas, CAST(nomor AS INTEGER) AS nomor, opd, "
            "CAST(tenggat AS DATE) AS tenggat, status, catatan, load_id FROM _new_tl"
        )
    return len(new)
