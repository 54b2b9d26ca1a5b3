"""usulan_anak: children's proposals in the Musrenbang and what became of them (issue 23).

One row per proposal: RKPD cycle (the year the plan is for), Musrenbang level and area, the forum that proposed
it, the proposal as written, theme and klaster, target OPD, status (diajukan, diakomodir in the RKPD,
direalisasikan, ditolak with a reason) and an evidence link. Malang and Surabaya's SITALAS report the share taken
up and realised per cycle; those shares are counted from these rows.

The proposal text is written by children and may name someone: it is for analysts only. An analyst may review it
for publication (etl/partisipasi_edits.review_text, or a "Teks Publik" column in a file an analyst loads): the
reviewed text is kept in teks_publik, with who reviewed it and when, and only that text may be shown publicly.
A file without that column keeps the review of a proposal whose text is unchanged, and drops it when the text
changed (the reviewed words no longer describe the proposal).

A proposal keeps its id: the ID column when the file has one (the dashboard's own exports and edits), otherwise
a hash of cycle, level, area and proposal text, so loading the same file twice changes nothing.

What one cell must be (a level, theme and status word, a web link) is declared in
data/reference/aturan_kolom/usulan_anak.csv; the code checks what spans cells: cycle, area and level, theme or
klaster, a reason for a refusal, duplicates.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from functools import cache

import duckdb
import pandas as pd

from etl import reference, rules
from etl.names import name_key
from etl.problems import Report
from etl.read import Table
from etl.sources import FileInput, LoadContext
from etl.sources.common import earlier, is_blank, read_tables, registered, row_year, table_year, where
from etl.sources.forum_anak import forum_of_area, row_area

NAME = "usulan_anak"
TITLE = "Usulan anak dalam Musrenbang"
TABLES = ("fact_usulan_anak",)
COLUMNS = [
    "usulan_id",
    "siklus",
    "tingkat",
    "kode_wilayah",
    "forum_id",
    "usulan",
    "tema",
    "klaster",
    "opd_tujuan",
    "status",
    "alasan",
    "tautan_bukti",
    "teks_publik",
    "ditinjau_oleh",
    "ditinjau_pada",
    "tinjauan_dari_berkas",  # the file had a Teks Publik column: its cell is the review (not stored)
]
# the area a Musrenbang level sits at: a Musrenbang Anak at kota level, or per kecamatan (Parepare)
AREA_LEVELS = {
    "kelurahan": ("kelurahan",),
    "kecamatan": ("kecamatan",),
    "kota": ("kabkota",),
    "musrenbang_anak": ("kabkota", "kecamatan"),
}
LEVEL_LABEL = {"kelurahan": "kelurahan", "kecamatan": "kecamatan", "kota": "kota", "musrenbang_anak": "Musrenbang Anak"}
NO_FORUM = {"tidak", "bukan", "tidak ada", "bukan forum", "bukan forum anak"}


@cache
def klaster_of_theme() -> dict[str, str]:
    """Theme (tema_usulan of kategori_data.csv) -> the klaster it belongs to (data/reference/tema_usulan.csv)."""
    return {row["tema"]: row["klaster"] for row in reference.read_csv_rows("tema_usulan.csv")}


def usulan_id(siklus: int, tingkat: str, kode: str, usulan: str) -> str:
    return hashlib.sha1(f"usulan_anak|{siklus}|{tingkat}|{kode}|{name_key(usulan)}".encode()).hexdigest()[:12]


def _klaster(table: Table, rec: dict, got: dict, report: Report) -> tuple[bool, str | None]:
    """(ok, klaster): the klaster cell when given (read by its rule: a klaster, never Total), else the theme's
    klaster; a row needs a theme or a klaster."""
    if not is_blank(rec.get("klaster") if "klaster" in table.columns else None):
        return True, got["klaster"]  # None: refused by its rule, already reported
    if is_blank(rec.get("tema") if "tema" in table.columns else None):
        report.error(
            "Tema dan klaster usulan kosong; isi salah satunya (tema: lihat daftar pilihan di templat).",
            **where(table, rec, "tema" if "tema" in table.columns else "klaster", value=None),
        )
        return False, None
    return True, klaster_of_theme().get(got["tema"]) if got["tema"] else None


def parse(files: list[FileInput], ctx: LoadContext, report: Report) -> dict[str, pd.DataFrame]:
    tables = read_tables(files, NAME, report, label_columns=("tingkat",))
    rows, seen = [], {}
    now = dt.datetime.now().replace(microsecond=0)
    for table in tables:
        sheet_year = table_year(table)
        for rec in table.records:
            row = _row(table, rec, sheet_year, ctx, report, now)
            if row is None:
                report.rows_rejected += 1
                continue
            first = earlier(seen, row["usulan_id"], table, rec)
            if first:
                given = "id" in table.columns and not is_blank(rec.get("id"))
                report.error(
                    f"Usulan yang sama sudah ada di {first} (ID sama, atau tahun RKPD, tingkat, wilayah dan "
                    "teks usulan sama).",
                    **where(table, rec, "id" if given else "usulan"),
                )
                report.rows_rejected += 1
                continue
            rows.append(row)
    if not tables:
        return {}
    return {"fact_usulan_anak": pd.DataFrame(rows, columns=COLUMNS)}


def _row(table: Table, rec: dict, sheet_year, ctx: LoadContext, report: Report, now: dt.datetime) -> dict | None:
    ok, got = rules.read_row(table, rec, NAME, ctx, report)
    siklus = row_year(table, rec, sheet_year, ctx, report, "RKPD", ' (misalnya "Usulan Musrenbang RKPD 2025")')
    ok = ok and siklus is not None
    tingkat = got["tingkat"]
    kode = row_area(table, rec, ctx, report, LEVEL_LABEL[tingkat], AREA_LEVELS[tingkat]) if tingkat else None
    ok = ok and kode is not None
    good, klaster = _klaster(table, rec, got, report)
    ok = ok and good
    if got["status"] == "ditolak" and got["alasan"] is None:
        report.error(
            "Usulan ditolak tanpa alasan; isi kolom Alasan (misalnya kewenangan provinsi, anggaran tidak cukup).",
            **where(table, rec, "alasan" if "alasan" in table.columns else "status", value=None),
        )
        ok = False
    if not ok:
        return None
    from_forum = got["forum"] is not None and reference.norm_text(got["forum"]) not in NO_FORUM
    teks_publik = got["teks_publik"]
    return {
        "usulan_id": got["id"] or usulan_id(siklus, tingkat, kode, got["usulan"]),
        "siklus": siklus,
        "tingkat": tingkat,
        "kode_wilayah": kode,
        "forum_id": forum_of_area(kode) if from_forum else None,
        "usulan": got["usulan"],
        "tema": got["tema"],
        "klaster": klaster,
        "opd_tujuan": got["opd_tujuan"],
        "status": got["status"],
        "alasan": got["alasan"],
        "tautan_bukti": got["tautan_bukti"],
        "teks_publik": teks_publik,
        "ditinjau_oleh": ctx.user if teks_publik else None,
        "ditinjau_pada": now if teks_publik else None,
        "tinjauan_dari_berkas": "teks_publik" in table.columns,
    }


def apply(con: duckdb.DuckDBPyConnection, frames: dict[str, pd.DataFrame], load_id: str) -> int:
    """Insert new proposals, replace those whose id is there. A row from a file without a Teks Publik column
    keeps the existing review when its proposal text is the same (and loses it when the text changed)."""
    new = frames["fact_usulan_anak"].assign(load_id=load_id)
    with registered(con, _new_ua=new):
        con.execute(
            """
            CREATE OR REPLACE TEMP TABLE _ua_rows AS
            SELECT CAST(n.usulan_id AS VARCHAR) AS usulan_id, CAST(n.siklus AS INTEGER) AS siklus,
                   CAST(n.tingkat AS VARCHAR) AS tingkat, CAST(n.kode_wilayah AS VARCHAR) AS kode_wilayah,
                   CAST(n.forum_id AS VARCHAR) AS forum_id, CAST(n.usulan AS VARCHAR) AS usulan,
                   CAST(n.tema AS VARCHAR) AS tema, CAST(n.klaster AS VARCHAR) AS klaster,
                   CAST(n.opd_tujuan AS VARCHAR) AS opd_tujuan, CAST(n.status AS VARCHAR) AS status,
                   CAST(n.alasan AS VARCHAR) AS alasan, CAST(n.tautan_bukti AS VARCHAR) AS tautan_bukti,
                   CASE WHEN CAST(n.tinjauan_dari_berkas AS BOOLEAN) THEN CAST(n.teks_publik AS VARCHAR)
                        WHEN o.usulan = n.usulan THEN o.teks_publik END AS teks_publik,
                   CASE WHEN CAST(n.tinjauan_dari_berkas AS BOOLEAN) THEN CAST(n.ditinjau_oleh AS VARCHAR)
                        WHEN o.usulan = n.usulan THEN o.ditinjau_oleh END AS ditinjau_oleh,
                   CASE WHEN CAST(n.tinjauan_dari_berkas AS BOOLEAN) THEN CAST(n.ditinjau_pada AS TIMESTAMP)
                        WHEN o.usulan = n.usulan THEN o.ditinjau_pada END AS ditinjau_pada,
                   n.load_id
            FROM _new_ua n LEFT JOIN fact_usulan_anak o ON o.usulan_id = n.usulan_id
            """
        )
        con.execute("DELETE FROM fact_usulan_anak f USING _ua_rows n WHERE f.usulan_id = n.usulan_id")
        con.execute("INSERT INTO fact_usulan_anak BY NAME SELECT * FROM _ua_rows")
        con.execute("DROP TABLE _ua_rows")
    return len(new)
