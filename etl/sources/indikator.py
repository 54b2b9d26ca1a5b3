"""indikator: the KLA evaluation per year, stage and indicator (nilai, target, lead OPD, evidence status).

The 24-indicator catalog is reference data (data/reference/indikator.csv); its maximum points are known only
where the task force filled them in (KemenPPPA publishes none). The stage (evaluasi mandiri, verifikasi
administrasi, verifikasi lapangan, final) comes from a Tahap column, else from the sheet name or title
("EVALUASI MANDIRI ... 2024"); a file that names none is taken as the city's self-assessment, with a warning.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from etl import reference, rules
from etl.problems import Report
from etl.progress import progress
from etl.reference import norm_text
from etl.sources import FileInput, LoadContext
from etl.sources.common import earlier, is_blank, kabkota, read_tables, registered, row_year, table_year, where

NAME = "indikator"
TITLE = "Nilai indikator KLA"
TABLES = ("fact_nilai_indikator",)

DEFAULT_STAGE = "evaluasi_mandiri"


def table_stage(table) -> str | None:
    """The stage a sheet name or title names ("Evaluasi Mandiri 2024", "HASIL VERIFIKASI ADMINISTRASI"): only the
    aliases of two words or more, so that a short word in a title is never taken for a stage."""
    found = set()
    for source in (table.sheet or "", table.title or ""):
        text = f" {norm_text(source)} "
        for stage, aliases in reference.category_list("tahap_kla"):
            if any(" " in a and f" {a} " in text for a in aliases):
                found.add(stage)
    return found.pop() if len(found) == 1 else None


def parse(files: list[FileInput], ctx: LoadContext, report: Report) -> dict[str, pd.DataFrame]:
    tables = read_tables(files, NAME, report, label_columns=("nomor", "nama_indikator", "kelompok"))
    catalog = {row["nomor"]: row for row in reference.indicator_catalog()}
    rows, seen, unnamed = [], {}, []
    for table in tables:
        sheet_year = table_year(table)
        sheet_stage = table_stage(table)
        for rec in progress(table.records, f"{table.file}"):
            ok, got = rules.read_row(table, rec, NAME, ctx, report)
            tahun = row_year(table, rec, sheet_year, ctx, report, "evaluasi", ' (misalnya "Evaluasi 2024")')
            wilayah = kabkota(table, rec, ctx, report)
            ok = ok and tahun is not None and wilayah is not None
            nomor, tahap = got["nomor"], got["tahap"] or sheet_stage
            if tahap is None and is_blank(rec.get("tahap")):  # no stage anywhere: the city's self-assessment
                tahap = DEFAULT_STAGE
                if table.file not in unnamed:
                    unnamed.append(table.file)
            maks = catalog[nomor]["nilai_maks"] if nomor in catalog else None
            for col, label in (("nilai", "Nilai"), ("target", "Target")):
                if got[col] is not None and maks is not None and got[col] > maks:
                    report.error(
                        f"{label} melebihi nilai maksimum indikator {nomor} ({maks:g} poin menurut "
                        "katalog data/reference/indikator.csv).",
                        **where(table, rec, col),
                    )
                    ok = False
            if ok:
                first = earlier(seen, (wilayah, tahun, tahap, nomor), table, rec)
                if first:
                    report.error(
                        f"Indikator {nomor} tahun {tahun} tahap {tahap.replace('_', ' ')} "
                        f"({ctx.regions.name(wilayah)}) sudah ada di {first}.",
                        **where(table, rec, "nomor"),
                    )
                    ok = False
            if not ok:
                report.rows_rejected += 1
                continue
            rows.append(
                {
                    "kode_wilayah": wilayah,
                    "tahun": tahun,
                    "tahap": tahap,
                    "nomor": nomor,
                    "nilai": got["nilai"],
                    "target": got["target"],
                    "opd_pengampu": got["opd_pengampu"] or catalog[nomor]["opd_pengampu"],
                    "status_bukti": got["status_bukti"],
                    "catatan": got["catatan"],
                }
            )
    if not tables:
        return {}
    for name in unnamed:
        report.warning(
            "Tahap evaluasi tidak disebut (kolom Tahap, nama sheet atau judul); nilai dianggap hasil evaluasi "
            'mandiri kota sendiri, bukan hasil verifikasi. Tulis misalnya "Verifikasi Administrasi" di kolom '
            "Tahap bila nilai ini dari tahap lain.",
            file=name,
        )
    frame = pd.DataFrame(
        rows,
        columns=[
            "kode_wilayah",
            "tahun",
            "tahap",
            "nomor",
            "nilai",
            "target",
            "opd_pengampu",
            "status_bukti",
            "catatan",
        ],
    )
    for (wilayah, tahun, tahap), group in frame.groupby(["kode_wilayah", "tahun", "tahap"]):
        missing = sorted(set(catalog) - set(group["nomor"]))
        if missing:
            where_ = f" ({ctx.regions.name(wilayah)})" if wilayah != ctx.scope else ""
            report.warning(
                f"Tahun {tahun}{where_}, tahap {tahap.replace('_', ' ')}: indikator {', '.join(map(str, missing))} "
                "tidak ada di berkas; nilai total tahap ini hanya menjumlahkan indikator yang ada.",
                file=tables[0].file,
            )
    return {"fact_nilai_indikator": frame}


def apply(con: duckdb.DuckDBPyConnection, frames: dict[str, pd.DataFrame], load_id: str) -> int:
    """Replace the (kab/kota, tahun, tahap, nomor) rows the file carries."""
    new = frames["fact_nilai_indikator"].assign(load_id=load_id)
    with registered(con, _new_ind=new):
        con.execute(
            "DELETE FROM fact_nilai_indikator f USING _new_ind n "
            "WHERE f.kode_wilayah = n.kode_wilayah AND f.tahun = n.tahun AND f.tahap = n.tahap AND f.nomor = n.nomor"
        )
        con.execute(
            "INSERT INTO fact_nilai_indikator BY NAME SELECT kode_wilayah, CAST(tahun AS INTEGER) AS tahun, tahap, "
            "CAST(nomor AS INTEGER) AS nomor, CAST(nilai AS DOUBLE) AS nilai, CAST(target AS DOUBLE) AS target, "
            "opd_pengampu, status_bukti, catatan, load_id FROM _new_ind"
        )
    return len(new)
