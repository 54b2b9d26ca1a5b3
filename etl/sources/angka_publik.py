"""angka_publik: single published figures that no other dataset holds, one row per figure.

A figure is one number (nilai) about one topic (topik: the number of children aged 0-17, the number of
residents, ...) of one area (kode_wilayah) for one year (tahun), optionally at the date it refers to
(tanggal_data: "Agustus 2021" is read as 2021-08-01, month precision), in a unit (satuan: jiwa, anak, persen).
Every figure keeps who published it (sumber, required), where (tautan) and a note (catatan: its status, such as
SINGLE-SOURCE, and words that are not an exact number, such as "sekitar 117.000").

Rules (issue 19):
- nothing is estimated or derived here: a figure is stored as published, with its source;
- the same topic, year, date, area and source twice in one load is an error naming both rows; two sources that
  disagree about the same topic, year, date and area are kept side by side (the report names them);
- a load replaces what the same source said about the same topic and area (topik, kode_wilayah, sumber).

The topic and unit words offices write are in data/reference/kategori_data.csv (topik_angka_publik,
satuan_angka_publik); what one cell must be is in data/reference/aturan_kolom/angka_publik.csv (years from 1961,
Indonesia's first census after independence: older figures are not what this is for).
"""

from __future__ import annotations

import duckdb
import pandas as pd

from etl import names, reference, rules
from etl.problems import Report
from etl.reference import norm_text
from etl.sources import FileInput, LoadContext
from etl.sources.common import (
    allowed,
    earlier,
    from_title,
    hint,
    is_blank,
    read_tables,
    registered,
    source,
    table_year,
    where,
)

NAME = "angka_publik"
TITLE = "Angka terbitan tunggal (jumlah anak, jumlah penduduk, ...) dengan sumber dan tanggalnya"
TABLES = ("fact_angka_publik",)
COLUMNS = [
    "topik",
    "tahun",
    "tanggal_data",
    "kode_wilayah",
    "nilai",
    "satuan",
    "sumber",
    "tautan",
    "catatan",
]
TOPICS = "topik_angka_publik"
UNITS = "satuan_angka_publik"
PERCENT = "persen"


def topic_labels() -> dict[str, str]:
    """topik code -> what it counts, as data/reference/kategori_data.csv describes it ("jumlah anak usia 0-17")."""
    return {
        row["nilai"]: row["catatan"].strip() or row["nilai"]
        for row in reference.read_csv_rows("kategori_data.csv")
        if row["daftar"] == TOPICS
    }


def _area(table, rec: dict, ctx: LoadContext, report: Report) -> str | None:
    """The area of a row: its Kode Wilayah (any level of the reference: province, kab/kota, kecamatan, kelurahan),
    else the load's region (--wilayah, else the configured one); None after reporting why."""
    raw = rec.get("kode_wilayah")
    if is_blank(raw):
        if ctx.scope:
            return ctx.scope
        report.error(
            'Kode wilayah kosong dan pemuatan ini untuk seluruh Indonesia (--wilayah ""). Isi kolom Kode Wilayah '
            "(misalnya 74.71 untuk Kota Kendari), atau muat dengan --wilayah KODE.",
            **where(table, rec, "kode_wilayah", value=None),
        )
        return None
    kode = names.normalise_code(raw)
    if kode is None or kode not in ctx.regions.by_code:
        report.error(
            "Kode wilayah tidak dikenal; yang diharapkan kode Kemendagri yang ada di referensi wilayah, misalnya "
            "74.71 (Kota Kendari) atau 74.71.01 (Kecamatan Mandonga). Wilayah lain dimuat dulu "
            "dengan python -m etl load wilayah BERKAS.",
            **where(table, rec, "kode_wilayah"),
        )
        return None
    return kode


def _year(table, rec: dict, got: dict, tanggal, date_ok: bool, sheet_year, ctx, report: Report) -> int | None:
    """The year of a row: its Tahun cell (read by its rule), which must agree with Tanggal Data; else the year of
    Tanggal Data, else the sheet's or title's year (in the Tahun rule's range); None after reporting why."""
    tahun = got["tahun"]
    if tahun is not None and tanggal is not None and tahun != tanggal.year:
        report.error(
            f"Tahun {tahun} tidak sama dengan tahun Tanggal Data ({tanggal:%d-%m-%Y}). Perbaiki salah "
            "satunya, atau kosongkan Tahun (diambil dari Tanggal Data).",
            **where(table, rec, "tahun"),
        )
        return None
    if tahun is not None or not is_blank(rec.get("tahun")) or not date_ok:  # read, or refused by its rule
        return tahun
    tahun = tanggal.year if tanggal is not None else sheet_year
    col = "tahun" if "tahun" in table.columns else None
    if tahun is None:
        report.error(
            "Tahun angka tidak diketahui: isi kolom Tahun atau Tanggal Data, atau tulis tahunnya di "
            'nama sheet atau judul tabel (misalnya "Jumlah anak 2021").',
            **where(table, rec, col),
        )
        return None
    rule = rules.rule(NAME, "tahun")
    low, high = rule.bound("min", ctx.today), rule.bound("maks", ctx.today)
    if not low <= tahun <= high:
        report.error(
            f"Tahun {tahun} di luar rentang {low}-{high}.",
            **where(table, rec, col if tanggal is None else "tanggal_data"),
        )
        return None
    return tahun


def _unit(table, rec: dict, got: dict, title_unit: str | None, report: Report) -> str | None:
    """The unit of a row: its Satuan cell (read by its rule), else "Satuan: ..." in the table's title."""
    if got["satuan"] is not None or not is_blank(rec.get("satuan")):
        return got["satuan"]
    satuan = reference.match_category(UNITS, title_unit) if title_unit else None
    if satuan is None:
        report.error(
            f"Satuan {'di judul tabel tidak dikenal (' + title_unit + ')' if title_unit else 'kosong'}."
            f"{hint(UNITS, title_unit)} Yang diharapkan {allowed(UNITS)}. Isi kolom Satuan, atau tulis "
            '"Satuan: jiwa" di judul tabel.',
            **where(table, rec, "satuan" if "satuan" in table.columns else None, value=title_unit),
        )
    return satuan


def _value(table, rec: dict, nilai: float, satuan: str, report: Report) -> bool:
    """A percent lies in 0-100, a count of people is a whole number."""
    if satuan == PERCENT and nilai > 100:
        report.error("Nilai persen harus di antara 0 dan 100.", **where(table, rec, "nilai"))
        return False
    if satuan != PERCENT and not float(nilai).is_integer():
        report.error(
            f"Jumlah {satuan} harus bilangan bulat. Bila angkanya memakai titik ribuan (111.508) tetapi "
            "tersimpan sebagai angka desimal, tulis tanpa pemisah (111508) atau sebagai teks.",
            **where(table, rec, "nilai"),
        )
        return False
    return True


def parse(files: list[FileInput], ctx: LoadContext, report: Report) -> dict[str, pd.DataFrame]:
    tables = read_tables(files, NAME, report, totals=False)  # a JUMLAH row would be a figure of its own here
    rows, seen = [], {}
    for table in tables:
        sheet_year = table_year(table)
        title_source, title_unit = from_title(table.title, "sumber"), from_title(table.title, "satuan")
        orders = rules.date_orders(table, NAME, report)
        for rec in table.records:
            cells = rules.read_cells(table, rec, NAME, ctx, report, orders)  # Tanggal Data: a day, or a month
            got = {c: value for c, (_, value) in cells.items()}
            date_ok, tanggal = cells["tanggal_data"]
            tahun = _year(table, rec, got, tanggal, date_ok, sheet_year, ctx, report)
            wilayah = _area(table, rec, ctx, report)
            satuan = _unit(table, rec, got, title_unit, report)
            nilai = got["nilai"]
            ok = all(good for good, _ in cells.values()) and None not in (tahun, wilayah, satuan)
            if nilai is not None and satuan is not None and not _value(table, rec, nilai, satuan, report):
                ok = False
            sumber = source(
                table,
                rec,
                title_source,
                report,
                "Isi kolom Sumber (instansi yang menerbitkan angkanya dan, bila lewat media, nama medianya: "
                '"Disdukcapil Kota Kendari, lewat Lentera Sultra"), atau tulis "Sumber: ..." di judul tabel.',
            )
            ok = ok and bool(sumber)
            if ok:
                key = (got["topik"], tahun, tanggal, wilayah, norm_text(sumber))
                first = earlier(seen, key, table, rec)
                if first:
                    when = f"{tanggal:%d-%m-%Y}" if tanggal else f"tahun {tahun}"
                    report.error(
                        f"Angka {got['topik']} {when} dari sumber yang sama ({sumber}) sudah ada di {first}. Satu "
                        "sumber hanya satu angka per topik, tahun, tanggal data dan wilayah; angka dari sumber lain "
                        "boleh berdampingan (tulis sumbernya).",
                        **where(table, rec, "sumber" if "sumber" in table.columns else "nilai"),
                    )
                    ok = False
            if not ok:
                report.rows_rejected += 1
                continue
            rows.append(
                {
                    "topik": got["topik"],
                    "tahun": tahun,
                    "tanggal_data": tanggal,
                    "kode_wilayah": wilayah,
                    "nilai": nilai,
                    "satuan": satuan,
                    "sumber": sumber,
                    "tautan": got["tautan"],
                    "catatan": got["catatan"],
                }
            )
    if not tables:
        return {}
    frame = pd.DataFrame(rows, columns=COLUMNS)
    report.notes.extend(conflict_notes(frame, ctx))
    return {"fact_angka_publik": frame}


def conflict_notes(frame: pd.DataFrame, ctx: LoadContext | None = None) -> list[str]:
    """One note per (area, topic, year, date, unit) whose sources publish different numbers: all kept, side by
    side."""
    notes = []
    if not len(frame):
        return notes
    keyed = frame.assign(_tanggal=frame["tanggal_data"].map(lambda d: d.isoformat() if hasattr(d, "isoformat") else ""))
    for (kode, topik, tahun, tanggal, _), group in keyed.groupby(
        ["kode_wilayah", "topik", "tahun", "_tanggal", "satuan"], sort=True
    ):
        said = {(f"{r['nilai']:g} {r['satuan']}", r["sumber"]) for _, r in group.iterrows()}
        if len({fig for fig, _ in said}) < 2:
            continue
        area = f" ({ctx.regions.name(kode)})" if ctx is not None and kode != ctx.scope else ""
        when = f"{tanggal}" if tanggal else f"tahun {tahun}"
        parts = "; ".join(f"{fig} menurut {src}" for fig, src in sorted(said))
        notes.append(
            f"Sumber berbeda untuk {topik} {when}{area}: {parts}. Semuanya disimpan berdampingan dengan sumbernya; "
            "tidak ada yang dipilih."
        )
    return notes


def apply(con: duckdb.DuckDBPyConnection, frames: dict[str, pd.DataFrame], load_id: str) -> int:
    """Replace what the same source said about the same topic and area."""
    new = frames["fact_angka_publik"].assign(load_id=load_id)
    with registered(con, _new_ap=new):
        con.execute("""DELETE FROM fact_angka_publik f
                       USING (SELECT DISTINCT topik, kode_wilayah, sumber FROM _new_ap) n
                       WHERE f.topik = n.topik AND f.kode_wilayah = n.kode_wilayah AND f.sumber = n.sumber""")
        con.execute("""INSERT INTO fact_angka_publik BY NAME SELECT topik, CAST(tahun AS INTEGER) AS tahun,
                       CAST(tanggal_data AS DATE) AS tanggal_data, kode_wilayah, CAST(nilai AS DOUBLE) AS nilai,
                       satuan, sumber, tautan, catatan, load_id FROM _new_ap""")
    return len(new)
