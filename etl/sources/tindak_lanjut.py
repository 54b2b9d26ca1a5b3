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

from etl import reference, values
from etl.names import name_key
from etl.problems import Report
from etl.progress import progress
from etl.sources import FileInput, LoadContext
from etl.sources.common import (
    allowed,
    date_orders,
    earlier,
    hint,
    is_blank,
    kabkota,
    read_tables,
    registered,
    text,
    where,
)
from etl.sources.indikator import NUMBER_RE

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


def _dates(table, rec: dict, orders: dict, report: Report) -> tuple[dict, bool]:
    """({column: date}, ok) of a row's meeting date and deadline, in the order of their columns (orders)."""
    ok = True
    dates = {}
    for col, label in (("tanggal_rapat", "Tanggal rapat"), ("tenggat", "Tenggat")):
        if orders[col] is None:  # the column mixes day/month and month/day: reported once
            ok = False
            continue
        try:
            got = values.read_date(rec.get(col), orders[col])
        except ValueError as exc:
            report.error(
                f"{label} tidak dapat dibaca ({exc}); yang diharapkan tanggal, misalnya 15/03/2025.",
                **where(table, rec, col),
            )
            ok = False
            continue
        if got is not None and got.month_only:  # a meeting and a deadline are days: never the 1st made up
            report.error(
                f"{label} hanya menyebut bulan; tulis tanggal lengkapnya, misalnya 15/03/2025.",
                **where(table, rec, col),
            )
            ok = False
            continue
        dates[col] = got.date if got else None
        if dates[col] is None:
            report.error(f"{label} kosong; isi tanggalnya.", **where(table, rec, col, value=None))
            ok = False
    return dates, ok


def parse(files: list[FileInput], ctx: LoadContext, report: Report) -> dict[str, pd.DataFrame]:
    tables = read_tables(files, NAME, report)
    catalog = {row["nomor"] for row in reference.indicator_catalog()}
    rows, seen = [], {}
    for table in tables:
        orders = date_orders(table, ("tanggal_rapat", "tenggat"), report)
        for rec in progress(table.records, table.file):
            dates, ok = _dates(table, rec, orders, report)
            if ok and dates["tenggat"] < dates["tanggal_rapat"]:
                report.error(
                    f"Tenggat ({dates['tenggat']:%d/%m/%Y}) lebih awal dari tanggal rapat "
                    f"({dates['tanggal_rapat']:%d/%m/%Y}).",
                    **where(table, rec, "tenggat"),
                )
                ok = False
            tugas, opd = text(rec.get("tugas")), text(rec.get("opd"))
            if tugas is None:
                report.error("Uraian tugas kosong.", **where(table, rec, "tugas", value=None))
                ok = False
            if opd is None:
                report.error("OPD penanggung jawab kosong.", **where(table, rec, "opd", value=None))
                ok = False
            nomor = None
            if "nomor" in table.columns and not is_blank(rec.get("nomor")):
                m = NUMBER_RE.match(text(rec.get("nomor")) or "")
                nomor = int(m.group(1)) if m else None
                if nomor not in catalog:
                    report.error(
                        "Nomor indikator tidak dikenal; yang diharapkan angka 1 sampai 24, atau kosong bila "
                        "tugas tidak terkait satu indikator.",
                        **where(table, rec, "nomor"),
                    )
                    ok = False
            status = reference.match_category("status_tugas", rec.get("status"))
            if status is None:
                report.error(
                    f"Status tidak dikenal.{hint('status_tugas', rec.get('status'))} Yang diharapkan salah satu "
                    f"dari: {allowed('status_tugas')}.",
                    **where(table, rec, "status"),
                )
                ok = False
            wilayah = kabkota(table, rec, ctx, report)
            ok = ok and wilayah is not None
            if not ok:
                report.rows_rejected += 1
                continue
            given = text(rec.get("id")) if "id" in table.columns else None
            tid = given or task_id(dates["tanggal_rapat"], tugas, opd, wilayah)
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
                    "tanggal_rapat": dates["tanggal_rapat"],
                    "tugas": tugas,
                    "nomor": nomor,
                    "opd": opd,
                    "tenggat": dates["tenggat"],
                    "status": status,
                    "catatan": text(rec.get("catatan")),
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
