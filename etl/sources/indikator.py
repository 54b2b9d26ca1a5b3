"""indikator: the KLA evaluation per year, stage and indicator (nilai, target, lead OPD, evidence status).

The 24-indicator catalog is reference data (data/reference/indikator.csv); its maximum points are known only
where the task force filled them in (KemenPPPA publishes none). The stage (evaluasi mandiri, verifikasi
administrasi, verifikasi lapangan, final) comes from a Tahap column, else from the sheet name or title
("EVALUASI MANDIRI ... 2024"); a file that names none is taken as the city's self-assessment, with a warning.
"""

from __future__ import annotations

import re

import duckdb
import pandas as pd

from etl import reference, values
from etl.problems import Report
from etl.progress import progress
from etl.reference import norm_text
from etl.sources import FileInput, LoadContext
from etl.sources.common import (
    allowed,
    earlier,
    hint,
    is_blank,
    kabkota,
    read_tables,
    registered,
    row_year,
    table_year,
    text,
    where,
    why,
)

NAME = "indikator"
TITLE = "Nilai indikator KLA"
TABLES = ("fact_nilai_indikator",)

NUMBER_RE = re.compile(r"^\s*(?:indikator\s*)?(\d{1,2})\s*\.?\s*$", re.I)
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


def _stage(table, rec: dict, default: str | None, report: Report) -> tuple[bool, str | None]:
    """(ok, stage) of a row: its Tahap cell, else the table's stage, else None (the caller's default)."""
    raw = rec.get("tahap")
    if is_blank(raw):
        return True, default
    stage = reference.match_category("tahap_kla", raw)
    if stage is None:
        report.error(
            f"Tahap evaluasi tidak dikenal.{hint('tahap_kla', raw)} Yang diharapkan salah satu dari: "
            f"{allowed('tahap_kla')}.",
            **where(table, rec, "tahap"),
        )
        return False, None
    return True, stage


def parse(files: list[FileInput], ctx: LoadContext, report: Report) -> dict[str, pd.DataFrame]:  # noqa: C901 (one branch per column rule: the declared-rules reader of issue 20 replaces it)
    tables = read_tables(files, NAME, report, label_columns=("nomor", "nama_indikator", "kelompok"))
    catalog = {row["nomor"]: row for row in reference.indicator_catalog()}
    rows, seen, unnamed = [], {}, []
    for table in tables:
        sheet_year = table_year(table)
        sheet_stage = table_stage(table)
        for rec in progress(table.records, f"{table.file}"):
            tahun = row_year(table, rec, sheet_year, ctx, report, "evaluasi", ' (misalnya "Evaluasi 2024")')
            wilayah = kabkota(table, rec, ctx, report)
            stage_ok, tahap = _stage(table, rec, sheet_stage, report)
            if stage_ok and tahap is None:
                tahap = DEFAULT_STAGE
                if table.file not in unnamed:
                    unnamed.append(table.file)
            ok = tahun is not None and wilayah is not None and stage_ok
            raw_no = rec.get("nomor")
            m = NUMBER_RE.match(text(raw_no) or "")
            nomor = int(m.group(1)) if m else None
            if nomor not in catalog:
                report.error(
                    "Nomor indikator tidak dikenal; yang diharapkan angka 1 sampai 24 sesuai katalog indikator KLA.",
                    **where(table, rec, "nomor"),
                )
                ok = False
            maks = catalog[nomor]["nilai_maks"] if nomor in catalog else None
            nums = {}
            for col, label in (("nilai", "Nilai"), ("target", "Target")):
                try:
                    v = values.parse_number(rec.get(col), table.decimal, table.thousands)
                except ValueError as exc:
                    report.error(f"{label} bukan angka{why(exc)}.", **where(table, rec, col))
                    ok = False
                    continue
                if v is None and col == "nilai":
                    report.error(
                        "Nilai kosong; isi 0 bila indikator belum dinilai.", **where(table, rec, col, value=None)
                    )
                    ok = False
                elif v is not None and v < 0:
                    report.error(f"{label} tidak boleh negatif.", **where(table, rec, col))
                    ok = False
                elif v is not None and maks is not None and v > maks:
                    report.error(
                        f"{label} melebihi nilai maksimum indikator {nomor} ({maks:g} poin menurut "
                        "katalog data/reference/indikator.csv).",
                        **where(table, rec, col),
                    )
                    ok = False
                nums[col] = v
            status = None
            if not is_blank(rec.get("status_bukti")):
                status = reference.match_category("status_bukti", rec.get("status_bukti"))
                if status is None:
                    report.error(
                        f"Status bukti tidak dikenal.{hint('status_bukti', rec.get('status_bukti'))} Yang "
                        f"diharapkan salah satu dari: {allowed('status_bukti')}.",
                        **where(table, rec, "status_bukti"),
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
                    "nilai": nums.get("nilai"),
                    "target": nums.get("target"),
                    "opd_pengampu": text(rec.get("opd_pengampu")) or catalog[nomor]["opd_pengampu"],
                    "status_bukti": status,
                    "catatan": text(rec.get("catatan")),
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
