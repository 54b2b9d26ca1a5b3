"""jadwal_kla: the dates of the KLA evaluation stages per year (issue 22), e.g. the verification date the
readiness view counts down to. Loaded from a file (Tahun, Tahap, Tanggal, Catatan) or set on the Kesiapan page
(etl/bukti_edits.set_date); both go through loader.load. A load replaces the date of the stages it names per year
and kab/kota.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from etl import rules
from etl.problems import Report
from etl.progress import progress
from etl.sources import FileInput, LoadContext
from etl.sources.common import earlier, kabkota, read_tables, registered, row_year, where

NAME = "jadwal_kla"
TITLE = "Jadwal tahapan evaluasi KLA"
TABLES = ("fact_jadwal_kla",)
COLUMNS = ["tahun", "kode_wilayah", "tahap", "tanggal", "catatan"]


def parse(files: list[FileInput], ctx: LoadContext, report: Report) -> dict[str, pd.DataFrame]:
    tables = read_tables(files, NAME, report)
    rows, seen = [], {}
    for table in tables:
        orders = rules.date_orders(table, NAME, report)
        for rec in progress(table.records, table.file):
            ok, got = rules.read_row(table, rec, NAME, ctx, report, orders)
            tahun = row_year(table, rec, None, ctx, report, "evaluasi")
            ok = ok and tahun is not None
            wilayah = kabkota(table, rec, ctx, report)
            ok = ok and wilayah is not None
            if not ok:
                report.rows_rejected += 1
                continue
            tahap = got["tahap"]
            first = earlier(seen, (tahun, wilayah, tahap), table, rec)
            if first:
                report.error(
                    f"Tahap {tahap} tahun {tahun} sudah ada di {first}: satu tanggal per tahap.",
                    **where(table, rec, "tahap"),
                )
                report.rows_rejected += 1
                continue
            rows.append(
                {
                    "tahun": tahun,
                    "kode_wilayah": wilayah,
                    "tahap": tahap,
                    "tanggal": got["tanggal"],
                    "catatan": got["catatan"],
                }
            )
    if not tables:
        return {}
    return {"fact_jadwal_kla": pd.DataFrame(rows, columns=COLUMNS)}


def apply(con: duckdb.DuckDBPyConnection, frames: dict[str, pd.DataFrame], load_id: str) -> int:
    new = frames["fact_jadwal_kla"].assign(load_id=load_id)
    with registered(con, _new_jadwal=new):
        con.execute(
            "DELETE FROM fact_jadwal_kla f USING _new_jadwal n WHERE f.tahun = n.tahun "
            "AND f.kode_wilayah = n.kode_wilayah AND f.tahap = n.tahap"
        )
        con.execute(
            "INSERT INTO fact_jadwal_kla BY NAME SELECT CAST(tahun AS INTEGER) AS tahun, kode_wilayah, tahap, "
            "CAST(tanggal AS DATE) AS tanggal, catatan, load_id FROM _new_jadwal"
        )
    return len(new)
