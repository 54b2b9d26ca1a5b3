"""kla_hasil: KLA evaluation results per year and stage, one row per published figure.

A figure is a score (nilai, points) and/or a category (kategori) of one kab/kota for one evaluation year and
stage (tahap: evaluasi mandiri, verifikasi administrasi, verifikasi lapangan, final, or tidak_disebut when the
source does not say which stage), for the total or one cluster (kelompok). Every figure keeps who said it
(sumber, required), when (tanggal_sumber) and where (tautan).

Rules (issue 19):
- the category comes only from the final result: a kategori on any other stage is refused, and no category
  is ever derived from a score (a self-assessed 934 is not "KLA");
- two sources that disagree about the same year and stage are kept side by side (the report names them);
  the same year, stage, group and source twice in one load is an error naming both rows;
- a load replaces what the same source said about the same kab/kota and year (tahun, kode_wilayah, sumber).

The stage and group words offices write are in data/reference/kategori_data.csv (tahap_kla, kelompok_kla);
categories in kategori_kla.csv.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from etl import reference, rules, values
from etl.problems import Report
from etl.reference import norm_text
from etl.sources import FileInput, LoadContext
from etl.sources.common import (
    earlier,
    from_title,
    hint,
    is_blank,
    kabkota,
    read_tables,
    registered,
    row_year,
    source,
    table_year,
    text,
    where,
)

NAME = "kla_hasil"
TITLE = "Hasil evaluasi KLA per tahun dan tahap (nilai dan kategori, dengan sumbernya)"
TABLES = ("fact_kla_hasil",)
COLUMNS = [
    "tahun",
    "tahap",
    "kode_wilayah",
    "kelompok",
    "nilai",
    "kategori",
    "sumber",
    "tanggal_sumber",
    "tautan",
    "catatan",
]
FINAL = "final"
UNSTATED = "tidak_disebut"
TOTAL = "Total"
# how a stage is named in messages (the stored value is the code of kategori_data.csv, tahap_kla)
STAGE_LABEL = {
    "evaluasi_mandiri": "Evaluasi Mandiri (EM)",
    "verifikasi_administrasi": "Verifikasi Administrasi (VA)",
    "verifikasi_lapangan": "Verifikasi Lapangan (VLH/VKL)",
    FINAL: "Final (penetapan)",
    UNSTATED: "tidak disebut",
}
STAGE_ORDER = {code: i for i, code in enumerate(STAGE_LABEL)}


def stage_label(code: str) -> str:
    return STAGE_LABEL.get(code, code)


def _band_of(score: float) -> str | None:
    reached = [b for b in reference.category_bands() if b["skor_min"] <= score]
    return max(reached, key=lambda b: b["skor_min"])["kategori"] if reached else None


def _category_refused(tahap: str) -> str:
    if tahap == UNSTATED:
        return (
            "Kategori hanya berasal dari hasil akhir (tahap Final). Bila sumber ini menyebut kategori hasil "
            "penetapan, tulis tahap Final; bila tahapnya memang tidak disebut, kosongkan kolom Kategori dan "
            "simpan angkanya saja."
        )
    if tahap == "evaluasi_mandiri":
        return (
            "Evaluasi mandiri tidak pernah menetapkan kategori: nilainya hanya perkiraan dari evaluasi mandiri. "
            "Kosongkan kolom Kategori (dan isi nilainya), atau tulis tahap Final bila sumber ini hasil penetapan "
            "KemenPPPA."
        )
    return (
        f"Tahap {stage_label(tahap)} tidak menetapkan kategori. Kategori hanya diisi untuk tahap Final "
        "(hasil penetapan KemenPPPA): kosongkan kolom Kategori (dan isi nilainya), atau tulis tahap Final bila "
        "sumber ini hasil penetapan."
    )


def _stage(table, rec: dict, report: Report) -> str | None:
    """The Tahap cell as a stage code; a blank or unknown word is reported, listing the stages as offices name them
    (the hint too: a declared `kategori` rule would suggest the stored code, "verifikasi_lapangan")."""
    tahap = reference.match_category("tahap_kla", rec.get("tahap"))
    if tahap is None:
        report.error(
            (
                "Tahap kosong. "
                if is_blank(rec.get("tahap"))
                else f"Tahap tidak dikenal.{hint('tahap_kla', rec.get('tahap'), label=stage_label)} "
            )
            + "Yang diharapkan salah satu dari: Evaluasi Mandiri (EM), Verifikasi Administrasi (VA), "
            "Verifikasi Lapangan (VLH/VKL), Final (penetapan/hasil akhir), atau Tidak disebut bila "
            "sumbernya tidak menyebut tahapnya.",
            **where(table, rec, "tahap"),
        )
    return tahap


def parse(files: list[FileInput], ctx: LoadContext, report: Report) -> dict[str, pd.DataFrame]:
    tables = read_tables(files, NAME, report, totals=False)  # "Total" is a group here, not a JUMLAH row
    rows, seen = [], {}
    for table in tables:
        sheet_year = table_year(table)
        title_source = from_title(table.title, "sumber")
        orders = rules.date_orders(table, NAME, report)
        for rec in table.records:
            tahun = row_year(table, rec, sheet_year, ctx, report, "evaluasi", ' (misalnya "Hasil KLA 2024")')
            wilayah = kabkota(table, rec, ctx, report)
            tahap = _stage(table, rec, report)
            ok, got = rules.read_row(table, rec, NAME, ctx, report, orders)
            ok = ok and tahun is not None and wilayah is not None and tahap is not None
            nilai, kategori, kelompok = got["nilai"], got["kategori"], got["kelompok"] or TOTAL

            if kategori is not None and tahap not in (None, FINAL):
                report.error(_category_refused(tahap), **where(table, rec, "kategori"))
                ok = False
            elif kategori is not None and kelompok != TOTAL:
                report.error(
                    f"Kategori berlaku untuk nilai total, bukan untuk {kelompok}: kosongkan Kategori di baris "
                    "klaster, atau tulis kategori di baris kelompok Total.",
                    **where(table, rec, "kategori"),
                )
                ok = False
            # neither figure: both cells empty ("-" counts as empty), not one of them refused above
            if text(rec.get("nilai")) in {None, *values.BLANKS} and is_blank(rec.get("kategori")):
                report.error(
                    "Isi Nilai atau Kategori (atau keduanya); baris tanpa angka maupun kategori tidak dimuat.",
                    **where(table, rec, "nilai" if "nilai" in table.columns else None, value=None),
                )
                ok = False

            sumber = source(
                table,
                rec,
                title_source,
                report,
                'Isi kolom Sumber (misalnya "Surat hasil evaluasi KLA KemenPPPA" atau nama media dan pejabat yang '
                'menyebutnya), atau tulis "Sumber: ..." di judul tabel.',
            )
            ok = ok and bool(sumber)

            if ok and nilai is not None and kategori is not None:
                band = _band_of(nilai)
                if band != kategori:
                    report.warning(
                        f"Nilai {nilai:g} termasuk rentang {band or 'di bawah Pratama'} (kategori_kla.csv), "
                        f"tetapi kategori yang tertulis {kategori}; keduanya disimpan seperti tertulis.",
                        kind="Nilai dan kategori tidak cocok; keduanya disimpan seperti tertulis.",
                        **where(table, rec, "kategori"),
                    )
            if ok:
                first = earlier(seen, (wilayah, tahun, tahap, kelompok, norm_text(sumber)), table, rec)
                if first:
                    report.error(
                        f"Angka {kelompok} tahun {tahun} tahap {stage_label(tahap)} dari sumber yang sama "
                        f"({sumber}) sudah ada di {first}. Satu sumber hanya satu angka per tahun, tahap dan "
                        "kelompok; angka dari sumber lain boleh berdampingan (tulis sumbernya).",
                        **where(table, rec, "sumber" if "sumber" in table.columns else "tahap"),
                    )
                    ok = False
            if not ok:
                report.rows_rejected += 1
                continue
            rows.append(
                {
                    "tahun": tahun,
                    "tahap": tahap,
                    "kode_wilayah": wilayah,
                    "kelompok": kelompok,
                    "nilai": nilai,
                    "kategori": kategori,
                    "sumber": sumber,
                    "tanggal_sumber": got["tanggal_sumber"],
                    "tautan": got["tautan"],
                    "catatan": got["catatan"],
                }
            )
    if not tables:
        return {}
    frame = pd.DataFrame(rows, columns=COLUMNS)
    report.notes.extend(conflict_notes(frame, ctx))
    return {"fact_kla_hasil": frame}


def conflict_notes(frame: pd.DataFrame, ctx: LoadContext | None = None) -> list[str]:
    """One note per (kab/kota, year, stage, group) whose sources disagree: all are kept, side by side."""
    notes = []
    if not len(frame):
        return notes
    for (kode, tahun, tahap, kelompok), group in frame.groupby(
        ["kode_wilayah", "tahun", "tahap", "kelompok"], sort=True
    ):
        said = {(_figure(r), r["sumber"]) for _, r in group.iterrows()}
        if len({fig for fig, _ in said}) < 2:
            continue
        area = f" ({ctx.regions.name(kode)})" if ctx is not None and kode != ctx.scope else ""
        parts = "; ".join(f"{fig} menurut {src}" for fig, src in sorted(said))
        notes.append(
            f"Sumber berbeda untuk tahun {tahun}{area}, tahap {stage_label(tahap)}, {kelompok}: {parts}. "
            "Semuanya disimpan berdampingan dengan sumbernya; tidak ada yang dipilih."
        )
    return notes


def _figure(row) -> str:
    parts = []
    if isinstance(row["kategori"], str):
        parts.append(row["kategori"])
    if row["nilai"] is not None and row["nilai"] == row["nilai"]:
        parts.append(f"{row['nilai']:g} poin")
    return " ".join(parts)


def category_history(frame: pd.DataFrame) -> pd.DataFrame:
    """The category per year from final results only, one row per (kab/kota, year, source).

    `frame` has the columns of fact_kla_hasil (a query result or parse()'s frame). A year with several
    sources keeps all of them, each with its own row; `bertentangan` is True on every row of a year whose
    sources name different categories (a conflict to show, never to resolve). Scores of other stages never
    give a category. Sorted by kab/kota, year, then source date and source.
    """
    cols = ["kode_wilayah", "tahun", "kategori", "nilai", "sumber", "tanggal_sumber", "tautan", "catatan"]
    out_cols = [*cols, "jumlah_sumber", "bertentangan"]
    final = frame[(frame["tahap"] == FINAL) & (frame["kelompok"] == TOTAL) & frame["kategori"].notna()]
    if not len(final):
        return pd.DataFrame(columns=out_cols)
    final = final[cols].copy()
    per_year = final.groupby(["kode_wilayah", "tahun"])["kategori"]
    final["jumlah_sumber"] = final.groupby(["kode_wilayah", "tahun"])["sumber"].transform("nunique")
    final["bertentangan"] = per_year.transform("nunique") > 1
    final["_date"] = pd.to_datetime(final["tanggal_sumber"], errors="coerce")
    final = final.sort_values(["kode_wilayah", "tahun", "_date", "sumber"], na_position="last")
    return final.drop(columns="_date").reset_index(drop=True)[out_cols]


def apply(con: duckdb.DuckDBPyConnection, frames: dict[str, pd.DataFrame], load_id: str) -> int:
    """Replace what the same source said about the same kab/kota and year."""
    new = frames["fact_kla_hasil"].assign(load_id=load_id)
    with registered(con, _new_kh=new):
        con.execute("""DELETE FROM fact_kla_hasil f USING (SELECT DISTINCT tahun, kode_wilayah, sumber FROM _new_kh) n
                       WHERE f.tahun = n.tahun AND f.kode_wilayah = n.kode_wilayah AND f.sumber = n.sumber""")
        con.execute("""INSERT INTO fact_kla_hasil BY NAME SELECT CAST(tahun AS INTEGER) AS tahun, tahap, kode_wilayah,
                       kelompok, CAST(nilai AS DOUBLE) AS nilai, kategori, sumber,
                       CAST(tanggal_sumber AS DATE) AS tanggal_sumber, tautan, catatan, load_id FROM _new_kh""")
    return len(new)
