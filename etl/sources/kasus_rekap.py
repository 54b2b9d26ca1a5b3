"""kasus_rekap: published or office recap counts of violence against children (not a case register).

Wide (periods as columns: 2021 | 2022 | Jan-Jun 2024, categories as rows, a JUMLAH row) or long
(Tahun/Periode, Kategori, Jumlah). The header of the category column says what is broken down:
bentuk kekerasan, kelompok umur, jenis kelamin or tempat kejadian. Every figure keeps its source
(`sumber`), unit (`satuan`: kasus, korban or bentuk) and period; two sources are never merged.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

import duckdb
import pandas as pd

from etl import reference, rules, values
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

NAME = "kasus_rekap"
TITLE = "Rekap kasus kekerasan terhadap anak (UPTD PPA / SIMFONI / publikasi)"
TABLES = ("fact_kasus_rekap",)
COLUMNS = [
    "tahun",
    "periode",
    "periode_awal",
    "periode_akhir",
    "kode_wilayah",
    "dimensi",
    "kategori",
    "jumlah",
    "satuan",
    "sumber",
    "catatan",
]
DIMENSIONS = (
    ("bentuk", "bentuk", "bentuk_kekerasan"),
    ("jenis kekerasan", "bentuk", "bentuk_kekerasan"),
    ("umur", "kelompok_umur", "kelompok_umur"),
    ("usia", "kelompok_umur", "kelompok_umur"),
    ("kelamin", "jenis_kelamin", "jenis_kelamin"),
    ("tempat", "tempat_kejadian", "tempat_kejadian"),
)
# what a table's unit (satuan_rekap) counts, as satuan_nilai.csv says it of a unit word ("35 orang": victims)
UNIT_COUNTS = {"korban": "orang", "kasus": "kasus", "bentuk": "bentuk"}
# a month word of a period: a name or abbreviation of data/reference/bulan.csv, with any ending ("jan", "januari")
MONTH = "(" + "|".join(rf"{re.escape(w)}\w*" for w in sorted(reference.month_numbers(), key=len, reverse=True)) + ")"
PERIOD_RES = (
    (re.compile(rf"^{MONTH} (?:sd |s d |sampai |hingga |- )?{MONTH} (\d{{4}})$"), "range"),
    (re.compile(r"^(?:semester|smt) (i{1,2}|1|2) (\d{4})$"), "semester"),
    (re.compile(rf"^{MONTH} (\d{{4}})$"), "month"),
    (re.compile(r"^(?:tahun )?(\d{4})$"), "year"),
)


def _month(word: str) -> int:
    """The month of a period word ("jan", "januari", "agt"): data/reference/bulan.csv, by its first letters."""
    months = reference.month_numbers()
    if word in months:
        return months[word]
    for name, number in months.items():
        if len(name) >= 3 and word.startswith(name[:3]):
            return number
    raise ValueError(word)


def parse_period(raw: object) -> tuple[int, dt.date, dt.date, str] | None:
    """'2022' -> whole year; 'Jan-Jun 2024', 'Semester I 2024', 'Maret 2024' -> that span. None if not a period."""
    label = str(raw).strip()
    key = norm_text(label) or ""
    for regex, kind in PERIOD_RES:
        m = regex.match(key)
        if not m:
            continue
        if kind == "year":
            y = int(m.group(1))
            return y, dt.date(y, 1, 1), dt.date(y, 12, 31), label
        if kind == "semester":
            y, first = int(m.group(2)), m.group(1) in ("i", "1")
            return y, dt.date(y, 1 if first else 7, 1), dt.date(y, 6 if first else 12, 30 if first else 31), label
        if kind == "month":
            y, mo = int(m.group(2)), _month(m.group(1))
            return y, dt.date(y, mo, 1), dt.date(y, mo, calendar.monthrange(y, mo)[1]), label
        y, a, b = int(m.group(3)), _month(m.group(1)), _month(m.group(2))
        return y, dt.date(y, a, 1), dt.date(y, b, calendar.monthrange(y, b)[1]), label
    return None


def extra_header(key: str) -> bool:
    return parse_period(key) is not None


def _dimension(label: str) -> tuple[str, str] | None:
    key = norm_text(label) or ""
    for word, dim, lst in DIMENSIONS:
        if word in key:
            return dim, lst
    return None


def parse(files: list[FileInput], ctx: LoadContext, report: Report) -> dict[str, pd.DataFrame]:  # noqa: C901 (wide and long layouts, the category list named by its header, periods, areas)
    tables = read_tables(files, NAME, report, extra_header=extra_header, label_columns=("kategori",))
    rows, seen = [], {}
    for table in tables:
        label = table.labels.get("kategori", "")
        dim = _dimension(label)
        if dim is None:
            report.error(
                f'Judul kolom rincian "{label}" tidak menyebut apa yang dirinci; yang diharapkan '
                '"Bentuk Kekerasan", "Kelompok Umur", "Jenis Kelamin" atau "Tempat Kejadian".',
                file=table.file,
                sheet=table.sheet,
                row=table.header_row,
                column=label,
            )
            continue
        dimensi, list_name = dim
        title_source, title_unit = from_title(table.title, "sumber"), from_title(table.title, "satuan")
        table_unit = reference.match_category("satuan_rekap", title_unit) if title_unit else None
        periods = [(k, parse_period(table.labels.get(k, k))) for k in table.columns if extra_header(k)]
        wide = bool(periods)
        sheet_year = table_year(table)
        for rec in [*table.records, *({**t, "_total": True} for t in table.totals)]:
            ok, got = rules.read_row(table, rec, NAME, ctx, report)
            is_total = rec.get("_total", False)
            sumber = source(
                table,
                rec,
                title_source,
                report,
                'Isi kolom Sumber, atau tulis "Sumber: ..." di judul tabel (misalnya "Sumber: UPTD PPA Kota Kendari").',
            )
            ok = ok and bool(sumber)
            unit_blank = is_blank(rec.get("satuan"))  # a unit cell is read by its rule, else the title's unit
            satuan = table_unit if unit_blank else got["satuan"]
            if satuan is None and unit_blank:
                report.error(
                    f"Satuan tidak diketahui{' (judul tabel: ' + title_unit + ')' if title_unit else ''}."
                    f"{hint('satuan_rekap', title_unit)} Yang diharapkan {allowed('satuan_rekap')}. Isi kolom "
                    'Satuan atau tulis "Satuan: kasus" di judul tabel.',
                    **where(table, rec, "satuan" if "satuan" in table.columns else None, value=title_unit),
                )
            ok = ok and satuan is not None
            # the category's list is the one its column's header names (bentuk kekerasan, kelompok umur, ...)
            kategori = "Jumlah" if is_total else reference.match_category(list_name, rec.get("kategori"))
            if kategori is None:
                report.error(
                    f"{label} tidak dikenal.{hint(list_name, rec.get('kategori'))} Yang diharapkan salah satu "
                    f"dari: {allowed(list_name)}.",
                    **where(table, rec, "kategori"),
                )
                ok = False
            kode = ctx.scope  # the load's kab/kota (its --wilayah, else the configured one)
            if "kecamatan" in table.columns and not is_blank(rec.get("kecamatan")):
                kec = ctx.regions.kecamatan(rec.get("kecamatan"))
                if kec.kode is None:
                    report.error(kec.message, **where(table, rec, "kecamatan"))
                    ok = False
                kode = kec.kode
            elif kode is None:
                report.error(
                    'Rekap tanpa kolom Kecamatan dimuat untuk seluruh Indonesia (--wilayah ""): wilayahnya tidak '
                    "diketahui. Muat dengan --wilayah KODE kabupaten/kota, misalnya --wilayah 74.71.",
                    **where(table, rec, None),
                )
                ok = False
            cells = []
            if wide:
                cells = [(k, p, rec.get(k)) for k, p in periods]
            else:
                p = None
                if "periode" in table.columns and not is_blank(rec.get("periode")):
                    p = parse_period(rec.get("periode"))
                    if p is None:
                        report.error(
                            "Periode tidak dikenali; tulis misalnya 2024, Jan-Jun 2024, Semester I 2024 "
                            "atau Maret 2024.",
                            **where(table, rec, "periode"),
                        )
                        ok = False
                else:
                    y = got["tahun"] or sheet_year
                    p = parse_period(str(y)) if y else None
                    if p is None and ok:
                        report.error(
                            "Tahun atau periode tidak diketahui: isi kolom Tahun atau Periode, atau tulis "
                            "tahunnya di judul tabel.",
                            **where(table, rec, "tahun" if "tahun" in table.columns else None),
                        )
                        ok = False
                cells = [("jumlah", p, rec.get("jumlah"))] if p else []
            for col, period, raw in cells:
                if is_blank(raw):
                    continue
                try:  # "35 orang" in a table of victims: the unit words of satuan_nilai.csv that count them
                    n = values.parse_count(raw, counts=UNIT_COUNTS.get(satuan) if satuan else None)
                except ValueError as exc:
                    if str(exc) in ("bukan angka", "harus bilangan bulat", "format angka tidak jelas"):
                        report.error(f"Jumlah bukan bilangan bulat ({exc}).", **where(table, rec, col))
                    else:
                        report.error(
                            f"Jumlah tidak dapat dibaca: {exc}. Satuan tabel ini {satuan or 'tidak diketahui'}: "
                            "tulis angkanya saja, misalnya 12.",
                            **where(table, rec, col),
                        )
                    ok = False
                    continue
                if n is None or n < 0:
                    report.error("Jumlah harus bilangan bulat 0 atau lebih.", **where(table, rec, col))
                    ok = False
                    continue
                if not ok:
                    continue
                y, start, end, plabel = period
                dimension = "total" if is_total else dimensi
                first = earlier(seen, (sumber, kode, start, end, dimension, kategori), table, rec)
                if first:
                    report.error(
                        f"Angka yang sama ({kategori}, {plabel}, {sumber}) sudah ada di {first}.",
                        **where(table, rec, col),
                    )
                    continue
                rows.append(
                    {
                        "tahun": y,
                        "periode": plabel,
                        "periode_awal": start,
                        "periode_akhir": end,
                        "kode_wilayah": kode,
                        "dimensi": dimension,
                        "kategori": kategori,
                        "jumlah": n,
                        "satuan": satuan,
                        "sumber": sumber,
                        "catatan": got["catatan"],
                    }
                )
            if not ok:
                report.rows_rejected += 1
    if not tables:
        return {}
    frame = pd.DataFrame(rows, columns=COLUMNS)
    # a total per period: the published JUMLAH row, otherwise the sum of the categories (said in a note)
    if len(frame):
        keys = ["sumber", "kode_wilayah", "periode_awal", "periode_akhir", "satuan"]
        have = set(map(tuple, frame.loc[frame["dimensi"] == "total", keys].astype(str).to_numpy()))
        sums = (
            frame[frame["dimensi"] != "total"]
            .groupby([*keys, "tahun", "periode", "dimensi"], as_index=False)["jumlah"]
            .sum()
        )
        sums = sums.drop_duplicates(subset=keys)
        add = sums[[tuple(r) not in have for r in sums[keys].astype(str).to_numpy()]]
        if len(add):
            frame = pd.concat(
                [frame, add.assign(dimensi="total", kategori="Jumlah", catatan="jumlah rincian")[COLUMNS]],
                ignore_index=True,
            )
            report.notes.append("Periode tanpa baris JUMLAH: jumlahnya dihitung dari rinciannya.")
    return {"fact_kasus_rekap": frame}


def apply(con: duckdb.DuckDBPyConnection, frames: dict[str, pd.DataFrame], load_id: str) -> int:
    """Replace what the same source said about the same area, period and breakdown."""
    new = frames["fact_kasus_rekap"].assign(load_id=load_id)
    with registered(con, _new_rk=new):
        con.execute("""DELETE FROM fact_kasus_rekap f USING (SELECT DISTINCT sumber, kode_wilayah, periode_awal,
                       periode_akhir, dimensi FROM _new_rk) n
                       WHERE f.sumber = n.sumber AND f.kode_wilayah = n.kode_wilayah
                       AND f.periode_awal = CAST(n.periode_awal AS DATE)
                       AND f.periode_akhir = CAST(n.periode_akhir AS DATE)
                       AND f.dimensi = n.dimensi""")
        con.execute("""INSERT INTO fact_kasus_rekap SELECT CAST(tahun AS INTEGER), periode, CAST(periode_awal AS DATE),
                       CAST(periode_akhir AS DATE), kode_wilayah, dimensi, kategori, CAST(jumlah AS INTEGER), satuan,
                       sumber, catatan, load_id FROM _new_rk""")
    return len(new)
