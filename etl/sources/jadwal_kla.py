"""jadwal_kla: the dates of the KLA evaluation stages per year (issue 22), e.g. the verification date the
readiness view counts down to. Loaded from a file (Tahun, Tahap, Tanggal, Catatan) or set on the Kesiapan page
(etl/bukti_edits.set_date); both go through loader.load. A load replaces the date of the stages it names per year
and kab/kota.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from etl import reference, values
from etl.problems import Report
from etl.progress import progress
from etl.sources import FileInput, LoadContext
from etl.sources.common import (
    date_orders,
    earlier,
    hint,
    kabkota,
    read_tables,
    registered,
    row_year,
    text,
    where,
)

NAME = "jadwal_kla"
TITLE = "Jadwal tahapan evaluasi KLA"
TABLES = ("fact_jadwal_kla",)
COLUMNS = ["tahun", "kode_wilayah", "tahap", "tanggal", "catatan"]
STAGES = ("evaluasi_mandiri", "verifikasi_administrasi", "verifikasi_lapangan", "final")  # a date belongs to one


def parse(files: list[FileInput], ctx: LoadContext, report: Report) -> dict[str, pd.DataFrame]:
    tables = read_tables(files, NAME, report)
    rows, seen = [], {}
    for table in tables:
        orders = date_orders(table, ("tanggal",), report)
        for rec in progress(table.records, table.file):
            tahun = row_year(table, rec, None, ctx, report, "evaluasi")
            ok = tahun is not None
            tahap = reference.match_category("tahap_kla", rec.get("tahap"))
            if tahap not in STAGES:
                report.error(
                    f"Tahap tidak dikenal.{hint('tahap_kla', rec.get('tahap'), among=STAGES)} Yang diharapkan salah "
                    f"satu dari: {', '.join(STAGES)}.",
                    **where(table, rec, "tahap"),
                )
                ok = False
            tanggal = None
            if orders["tanggal"] is None:
                ok = False
            else:
                try:
                    got = values.read_date(rec.get("tanggal"), orders["tanggal"])
                except ValueError as exc:
                    report.error(
                        f"Tanggal tidak dapat dibaca ({exc}); yang diharapkan tanggal, misalnya 10/06/2025.",
                        **where(table, rec, "tanggal"),
                    )
                    got, ok = None, False
                if got is not None and got.month_only:
                    report.error(
                        "Tanggal hanya menyebut bulan; tulis tanggal lengkapnya, misalnya 10/06/2025.",
                        **where(table, rec, "tanggal"),
                    )
                    ok = False
                elif got is not None:
                    tanggal = got.date
                elif ok:
                    report.error("Tanggal kosong; isi tanggalnya.", **where(table, rec, "tanggal", value=None))
                    ok = False
            wilayah = kabkota(table, rec, ctx, report)
            ok = ok and wilayah is not None
            if not ok:
                report.rows_rejected += 1
                continue
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
                    "tanggal": tanggal,
                    "catatan": text(rec.get("catatan")),
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
