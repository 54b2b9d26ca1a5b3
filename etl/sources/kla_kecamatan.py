"""kla_kecamatan: the city's own rating of each kecamatan (score and/or category) per year.

A score without a category gets the category of its band (data/reference/kategori_kla.csv); a category
alone is kept as given (in 2023 Kendari rated its kecamatan Pratama, Madya or Nindya).
"""

from __future__ import annotations

import duckdb
import pandas as pd

from etl import reference, rules
from etl.problems import Report
from etl.sources import FileInput, LoadContext
from etl.sources.common import earlier, read_tables, registered, resolve_region, row_year, table_year, where

NAME = "kla_kecamatan"
TITLE = "Penilaian KLA per kecamatan"
TABLES = ("fact_kla_kecamatan",)
COLUMNS = ["tahun", "kode_kecamatan", "nilai", "kategori", "catatan"]


def band_of(score: float) -> str | None:
    reached = [b for b in reference.category_bands() if b["skor_min"] <= score]
    return max(reached, key=lambda b: b["skor_min"])["kategori"] if reached else None


def parse(files: list[FileInput], ctx: LoadContext, report: Report) -> dict[str, pd.DataFrame]:
    tables = read_tables(files, NAME, report)
    rows, seen = [], {}
    for table in tables:
        sheet_year = table_year(table)
        for rec in table.records:
            ok, got = rules.read_row(table, rec, NAME, ctx, report)
            tahun = row_year(table, rec, sheet_year, ctx, report, "penilaian")
            kec = resolve_region(table, rec, ctx, report, kelurahan_required=False)
            ok = ok and tahun is not None and kec is not None
            nilai, kategori = got["nilai"], got["kategori"]
            if ok and nilai is None and kategori is None:
                report.error("Isi nilai atau kategori (atau keduanya).", **where(table, rec, "kecamatan"))
                ok = False
            if ok and nilai is not None:
                band = band_of(nilai)
                if kategori is None:
                    kategori = band
                elif band != kategori:
                    report.warning(
                        f"Nilai {nilai:g} termasuk kategori {band or 'di bawah Pratama'}, tetapi tertulis "
                        f"{kategori}; kategori yang tertulis disimpan.",
                        kind="Nilai dan kategori tidak cocok; kategori yang tertulis disimpan.",
                        **where(table, rec, "kategori"),
                    )
            if ok:
                first = earlier(seen, (tahun, kec.kecamatan), table, rec)
                if first:
                    report.error(f"Kecamatan ini tahun {tahun} sudah ada di {first}.", **where(table, rec, "kecamatan"))
                    ok = False
            if not ok:
                report.rows_rejected += 1
                continue
            rows.append(
                {
                    "tahun": tahun,
                    "kode_kecamatan": kec.kecamatan,
                    "nilai": nilai,
                    "kategori": kategori,
                    "catatan": got["catatan"],
                }
            )
    if not tables:
        return {}
    return {"fact_kla_kecamatan": pd.DataFrame(rows, columns=COLUMNS)}


def apply(con: duckdb.DuckDBPyConnection, frames: dict[str, pd.DataFrame], load_id: str) -> int:
    """Replace the (tahun, kecamatan) pairs the file carries."""
    new = frames["fact_kla_kecamatan"].assign(load_id=load_id)
    with registered(con, _new_kk=new):
        con.execute(
            "DELETE FROM fact_kla_kecamatan f USING _new_kk n "
            "WHERE f.tahun = n.tahun AND f.kode_kecamatan = n.kode_kecamatan"
        )
        con.execute(
            "INSERT INTO fact_kla_kecamatan SELECT CAST(tahun AS INTEGER), kode_kecamatan, "
            "CAST(nilai AS DOUBLE), kategori, catatan, load_id FROM _new_kk"
        )
    return len(new)
