"""forum_anak: the Forum Anak registry (issue 23): one row per forum (kota, kecamatan, kelurahan) and year.

Counts of members only, by sex and by age group, never names: a column such as "Nama Anggota" or "Nama Ketua" is
personal data and dropped at read (reference.pii_kind, data/reference/kolom_pii.csv); "Ketua" alone is an unknown
column and dropped too; a member cell that is not a number ("Andi, Budi") refuses the file. The members by sex and
by age group must add up to the same number, and to Jumlah Anggota when the file gives it.

The area comes from the Kecamatan/Kelurahan cells (or their Kemendagri codes) and must be the forum's level: a
kota forum names neither, a kecamatan forum names its kecamatan only, a kelurahan forum both. A forum keeps its
id (a hash of level and area code: one forum per area), so loading next year's register adds a year and loading
the same file twice changes nothing.

What one cell must be (a level word, counts of 0 or more, Ya/Tidak, dates not in the future) is declared in
data/reference/aturan_kolom/forum_anak.csv; the code checks what spans cells: year, area and level, member sums,
duplicates.
"""

from __future__ import annotations

import hashlib

import duckdb
import pandas as pd

from etl import rules
from etl.problems import Report
from etl.read import Table
from etl.sources import FileInput, LoadContext
from etl.sources.common import (
    earlier,
    is_blank,
    kabkota,
    read_tables,
    registered,
    resolve_region,
    row_year,
    table_year,
    where,
)

NAME = "forum_anak"
TITLE = "Forum Anak (kota, kecamatan, kelurahan)"
TABLES = ("fact_forum_anak",)
COLUMNS = [
    "forum_id",
    "tahun",
    "tingkat",
    "kode_wilayah",
    "nama_forum",
    "sk_nomor",
    "sk_tanggal",
    "anggota_l",
    "anggota_p",
    "anggota_6_12",
    "anggota_13_17",
    "anggota_18",
    "pelatihan_kha",
    "aktif",
    "kegiatan_terakhir",
    "pembina",
    "catatan",
]
AGE_COLUMNS = (("anggota_6_12", "6-12 tahun"), ("anggota_13_17", "13-17 tahun"), ("anggota_18", "18 tahun"))
SEX_COLUMNS = (("anggota_l", "laki-laki"), ("anggota_p", "perempuan"))
# the level of a forum (tingkat_forum) and of the area code it needs (names.code_level)
AREA_LEVEL = {"kota": "kabkota", "kecamatan": "kecamatan", "kelurahan": "kelurahan"}
FORUM_OF_AREA = {v: k for k, v in AREA_LEVEL.items()}
AREA_WORDS = {
    "kabkota": "Kecamatan dan Kelurahan kosong (wilayahnya kabupaten/kota)",
    "kecamatan": "Kecamatan diisi, Kelurahan kosong",
    "kelurahan": "Kecamatan dan Kelurahan diisi",
}
AREA_PREFIX = {"kabkota": "", "kecamatan": "Kecamatan ", "kelurahan": "Kelurahan "}


def forum_id(tingkat: str, kode: str) -> str:
    """One forum per level and area (Kemendagri code)."""
    return hashlib.sha1(f"forum_anak|{tingkat}|{kode}".encode()).hexdigest()[:12]


def forum_of_area(kode: str) -> str:
    """The id of the forum of an area (its level from the code: 74.71 kota, 74.71.01 kecamatan, ...)."""
    from etl.names import code_level

    return forum_id(FORUM_OF_AREA[code_level(kode)], kode)


def row_area(
    table: Table, rec: dict, ctx: LoadContext, report: Report, tingkat_label: str, levels: tuple[str, ...]
) -> str | None:
    """The Kemendagri code of a row's area, which must be at one of `levels` (kabkota, kecamatan, kelurahan): the
    Kecamatan/Kelurahan cells (names or codes) name it, none of them for the kab/kota. None after reporting why."""
    wilayah = kabkota(table, rec, ctx, report)
    if wilayah is None:
        return None
    has_kec = any(not is_blank(rec.get(c)) for c in ("kecamatan", "kode_kecamatan"))
    has_kel = any(not is_blank(rec.get(c)) for c in ("kelurahan", "kode_kelurahan"))
    got = "kelurahan" if has_kel else "kecamatan" if has_kec else "kabkota"
    if got not in levels:
        expected = " atau ".join(AREA_WORDS[level] for level in levels)
        said = {
            "kabkota": "Kecamatan dan Kelurahan kosong",
            "kecamatan": "Kelurahan kosong",
            "kelurahan": "Kelurahan diisi",
        }[got]
        col = "kelurahan" if got == "kelurahan" or "kelurahan" in levels else "kecamatan"
        if col not in table.columns:
            col = next((c for c in ("kode_kelurahan", "kode_kecamatan", "kecamatan") if c in table.columns), None)
        report.error(
            f"Tingkat {tingkat_label} tidak cocok dengan wilayah baris ini ({said}). Yang diharapkan untuk tingkat "
            f"{tingkat_label}: {expected}. Perbaiki tingkat atau wilayahnya.",
            **where(table, rec, col),
        )
        return None
    if got == "kabkota":
        return wilayah
    codes = resolve_region(table, rec, ctx, report, kelurahan_required=got == "kelurahan")
    if codes is None:
        return None
    kode = codes.kelurahan or codes.kecamatan
    if not kode.startswith(wilayah + "."):
        report.error(
            f"Wilayah {ctx.regions.name(kode)} ({kode}) tidak berada di kabupaten/kota {ctx.regions.name(wilayah)} "
            f"({wilayah}) baris ini.",
            **where(table, rec, "kode_wilayah" if "kode_wilayah" in table.columns else "kecamatan"),
        )
        return None
    return kode


def area_name(ctx: LoadContext, kode: str) -> str:
    from etl.names import code_level

    return AREA_PREFIX[code_level(kode)] + ctx.regions.name(kode)


def _members(table: Table, rec: dict, got: dict, report: Report) -> bool:
    """Whether the member counts of a row agree: by sex, by age group (when one is given the others count as 0)
    and Jumlah Anggota. Checked only when every count cell was read (a bad or blank one is reported by its rule)."""
    counts = [col for col, _ in (*SEX_COLUMNS, *AGE_COLUMNS)] + ["jumlah_anggota"]
    unread = any(got[col] is None and not is_blank(rec.get(col)) for col in counts)
    if unread or got["anggota_l"] is None or got["anggota_p"] is None:
        return True
    ok = True
    by_sex = got["anggota_l"] + got["anggota_p"]
    sex_text = f"laki-laki {got['anggota_l']} + perempuan {got['anggota_p']}"
    ages = [(label, got[col]) for col, label in AGE_COLUMNS]
    if any(n is not None for _, n in ages):
        by_age = sum(n or 0 for _, n in ages)
        if by_age != by_sex:
            age_text = " + ".join(f"{label} {n or 0}" for label, n in ages)
            report.error(
                f"Jumlah anggota tidak cocok: menurut jenis kelamin {by_sex} ({sex_text}), menurut kelompok umur "
                f"{by_age} ({age_text}). Periksa angka anggota pada baris ini.",
                **where(table, rec, None, value=f"{by_sex} / {by_age}"),
            )
            ok = False
    total = got["jumlah_anggota"]
    if total is not None and total != by_sex:
        report.error(
            f"Jumlah anggota {total} tidak sama dengan laki-laki + perempuan ({sex_text} = {by_sex}).",
            **where(table, rec, "jumlah_anggota"),
        )
        ok = False
    return ok


def parse(files: list[FileInput], ctx: LoadContext, report: Report) -> dict[str, pd.DataFrame]:
    tables = read_tables(files, NAME, report, label_columns=("tingkat",))
    rows, seen = [], {}
    for table in tables:
        sheet_year = table_year(table)
        orders = rules.date_orders(table, NAME, report)
        for rec in table.records:
            row = _row(table, rec, sheet_year, orders, ctx, report)
            if row is None:
                report.rows_rejected += 1
                continue
            first = earlier(seen, (row["forum_id"], row["tahun"]), table, rec)
            if first:
                report.error(
                    f"Forum yang sama ({row['nama_forum']}, tahun {row['tahun']}) sudah ada di {first}; satu baris "
                    "per forum dan tahun.",
                    **where(table, rec, "tingkat"),
                )
                report.rows_rejected += 1
                continue
            rows.append(row)
    if not tables:
        return {}
    return {"fact_forum_anak": pd.DataFrame(rows, columns=COLUMNS)}


def _row(table: Table, rec: dict, sheet_year, orders: dict, ctx: LoadContext, report: Report) -> dict | None:
    ok, got = rules.read_row(table, rec, NAME, ctx, report, orders)
    tahun = row_year(table, rec, sheet_year, ctx, report, "data forum")
    ok = ok and tahun is not None
    tingkat = got["tingkat"]
    kode = row_area(table, rec, ctx, report, tingkat, (AREA_LEVEL[tingkat],)) if tingkat else None
    ok = ok and kode is not None
    ok = _members(table, rec, got, report) and ok
    if not ok:
        return None
    return {
        "forum_id": forum_id(tingkat, kode),
        "tahun": tahun,
        "tingkat": tingkat,
        "kode_wilayah": kode,
        "nama_forum": got["nama_forum"] or f"Forum Anak {area_name(ctx, kode)}",
        "sk_nomor": got["sk_nomor"],
        "sk_tanggal": got["sk_tanggal"],
        **{col: got[col] for col, _ in (*SEX_COLUMNS, *AGE_COLUMNS)},
        "pelatihan_kha": got["pelatihan_kha"],
        "aktif": got["aktif"],
        "kegiatan_terakhir": got["kegiatan_terakhir"],
        "pembina": got["pembina"],
        "catatan": got["catatan"],
    }


def apply(con: duckdb.DuckDBPyConnection, frames: dict[str, pd.DataFrame], load_id: str) -> int:
    """Replace the (forum, year) rows the file names; other forums and years stay."""
    new = frames["fact_forum_anak"].assign(load_id=load_id)
    with registered(con, _new_fa=new):
        con.execute("DELETE FROM fact_forum_anak f USING _new_fa n WHERE f.forum_id = n.forum_id AND f.tahun = n.tahun")
        con.execute(
            "INSERT INTO fact_forum_anak BY NAME SELECT forum_id, CAST(tahun AS INTEGER) AS tahun, tingkat, "
            "kode_wilayah, nama_forum, sk_nomor, CAST(sk_tanggal AS DATE) AS sk_tanggal, "
            "CAST(anggota_l AS INTEGER) AS anggota_l, CAST(anggota_p AS INTEGER) AS anggota_p, "
            "CAST(anggota_6_12 AS INTEGER) AS anggota_6_12, CAST(anggota_13_17 AS INTEGER) AS anggota_13_17, "
            "CAST(anggota_18 AS INTEGER) AS anggota_18, CAST(pelatihan_kha AS BOOLEAN) AS pelatihan_kha, "
            "CAST(aktif AS BOOLEAN) AS aktif, CAST(kegiatan_terakhir AS DATE) AS kegiatan_terakhir, pembina, "
            "catatan, load_id FROM _new_fa"
        )
    return len(new)
