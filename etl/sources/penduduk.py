"""penduduk: children aged 0-17 per kelurahan or kecamatan, per year, by sex and age.

Layouts: long (one row per area, sex, age band with a Jumlah column) or wide (age bands as columns,
usually with L/P sub-columns under merged band headers, sometimes with row totals). The year comes
from a Tahun column, else the sheet name, else the title rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import duckdb
import pandas as pd
from babel.numbers import format_decimal

from etl import values
from etl.problems import Report
from etl.progress import progress
from etl.reference import norm_text
from etl.sources import FileInput, LoadContext
from etl.sources.common import is_blank, read_tables, registered, resolve_region, table_year, where

NAME = "penduduk"
TITLE = "Jumlah anak (0-17 tahun)"
TABLES = ("fact_penduduk",)

_AGE = r"(?:(?:kelompok )?(?:umur|usia) )?(\d{1,2})(?: (\d{1,2}))?(?: (?:tahun|thn|th))?"
_SEX = r"(l|p|lk|pr|laki laki|laki|perempuan|total|jumlah|jml|t)"
SEX_CODE = {
    "l": "L",
    "lk": "L",
    "laki": "L",
    "laki laki": "L",
    "p": "P",
    "pr": "P",
    "perempuan": "P",
    "total": "T",
    "jumlah": "T",
    "jml": "T",
    "t": "T",
}
BAND_RE = re.compile(rf"^{_AGE}$")
BAND_SEX_RE = re.compile(rf"^{_AGE} {_SEX}$")
SEX_RE = re.compile(rf"^{_SEX}$")
ROWTOTAL_RE = re.compile(rf"^(?:jumlah|total|jml)(?: {_SEX})?$")


def extra_header(key: str) -> bool:
    """Headers of a wide table: age bands ('0 4'), sexes ('l'), both ('0 4 l'), row totals ('jumlah l')."""
    return bool(BAND_RE.match(key) or BAND_SEX_RE.match(key) or SEX_RE.match(key) or ROWTOTAL_RE.match(key))


@dataclass(frozen=True)
class WideColumn:
    key: str
    umur_min: int | None  # None for a row-total column
    umur_max: int | None
    sex: str  # L | P | T


def wide_column(key: str) -> WideColumn | None:
    m = BAND_SEX_RE.match(key)
    if m:
        lo, hi = int(m.group(1)), int(m.group(2) or m.group(1))
        return WideColumn(key, lo, hi, SEX_CODE[m.group(3)])
    m = BAND_RE.match(key)
    if m:
        lo, hi = int(m.group(1)), int(m.group(2) or m.group(1))
        return WideColumn(key, lo, hi, "T")
    m = ROWTOTAL_RE.match(key)
    if m:
        return WideColumn(key, None, None, SEX_CODE[m.group(1)] if m.group(1) else "T")
    return None


def parse_band(value: object) -> tuple[int, int]:
    key = norm_text(value)
    m = BAND_RE.match(key)
    if not m:
        raise ValueError("bukan kelompok umur")
    lo, hi = int(m.group(1)), int(m.group(2) or m.group(1))
    return lo, hi


def fmt(n: float) -> str:
    return format_decimal(n, locale="id_ID")


def parse(files: list[FileInput], ctx: LoadContext, report: Report) -> dict[str, pd.DataFrame]:
    tables = read_tables(files, NAME, report, extra_header=extra_header, label_columns=("kecamatan", "kelurahan"))
    rows: list[dict] = []
    for table in tables:
        wide = [
            c
            for k in table.columns
            if k
            not in {
                "tahun",
                "kecamatan",
                "kelurahan",
                "kode_kecamatan",
                "kode_kelurahan",
                "jenis_kelamin",
                "umur",
                "jumlah",
            }
            and (c := wide_column(k))
        ]
        if "jumlah" in table.columns and wide:
            wide.append(WideColumn("jumlah", None, None, "T"))
        bands = [c for c in wide if c.umur_min is not None]
        long_format = not bands
        if long_format and ("jumlah" not in table.columns or "umur" not in table.columns):
            missing = [
                label for col, label in (("umur", "Kelompok Umur"), ("jumlah", "Jumlah")) if col not in table.columns
            ]
            report.error(
                "Tabel tidak dikenali: tidak ada kolom kelompok umur (misalnya 0-4, 5-9, 10-14, 15-17 dengan "
                f"sub-kolom L/P) dan tidak ada kolom {' dan '.join(missing)} untuk format panjang.",
                file=table.file,
                sheet=table.sheet,
                row=table.header_row,
            )
            continue
        if not _check_bands(table, bands, report):
            continue
        sheet_year = table_year(table)
        for rec in progress(table.records, f"{table.file}"):
            tahun = _year(table, rec, sheet_year, report)
            region = resolve_region(table, rec, ctx, report, kelurahan_required=False)
            if tahun is None or region is None:
                report.rows_rejected += 1
                continue
            base = {
                "tahun": tahun,
                "kode_kecamatan": region.kecamatan,
                "kode_wilayah": region.kelurahan or region.kecamatan,
                "level": "kelurahan" if region.kelurahan else "kecamatan",
                "_where": where(table, rec, None),
            }
            if long_format:
                row = _long_row(table, rec, base, report)
                if row is None:
                    report.rows_rejected += 1
                elif row != "skip":
                    rows.append(row)
            else:
                got = _wide_rows(table, rec, base, wide, report)
                if got is None:
                    report.rows_rejected += 1
                else:
                    rows.extend(got)
    if not tables:
        return {}
    rows = _resolve_totals(rows, report)
    if rows is None:
        return {}
    _check_unique(rows, report)
    estimated = sorted({r["tahun"] for r in rows if r.get("estimasi")})
    if estimated:
        report.warning(
            f"Kelompok umur 15-19 tahun ({', '.join(map(str, estimated))}): anak 15-17 tahun diperkirakan "
            "3/5 dari kelompok itu dan ditandai sebagai perkiraan di dasbor. Kelompok 20 tahun ke atas "
            "tidak dimuat.",
            file=tables[0].file,
        )
    frame = pd.DataFrame(
        rows,
        columns=[
            "tahun",
            "kode_wilayah",
            "level",
            "kode_kecamatan",
            "jenis_kelamin",
            "umur_min",
            "umur_max",
            "jumlah_anak",
            "estimasi",
        ],
    )
    frame["estimasi"] = frame["estimasi"].fillna(False).astype(bool)
    return {"fact_penduduk": frame}


def _year(table, rec, sheet_year, report) -> int | None:
    if "tahun" in table.columns and not is_blank(rec.get("tahun")):
        try:
            tahun = values.parse_int(rec.get("tahun"), table.decimal, None)
        except ValueError as exc:
            report.error(f"Tahun bukan angka ({exc}).", **where(table, rec, "tahun"))
            return None
    else:
        tahun = sheet_year
    if tahun is None:
        report.error(
            "Tahun data tidak diketahui: isi kolom Tahun, atau tulis tahunnya di nama sheet atau judul "
            'tabel (misalnya "KOTA KENDARI TAHUN 2024").',
            **where(table, rec, None),
        )
        return None
    if not 2000 <= tahun <= 2100:
        report.error("Tahun di luar rentang 2000-2100.", **where(table, rec, "tahun"))
        return None
    return tahun


ESTIMATE_SHARE = 3 / 5  # 15-17 out of a 15-19 band (three of its five single years)


def band_kind(lo: int, hi: int) -> str:
    """child (within 0-17), estimate (the 15-19 band of BPS tables), adult (from 18 up: not loaded) or bad."""
    if lo > hi:
        return "bad"
    if hi <= 17:
        return "child"
    if (lo, hi) == (15, 19):
        return "estimate"
    if lo >= 18:
        return "adult"
    return "bad"


def estimate_15_17(n: int) -> int:
    return int(n * ESTIMATE_SHARE + 0.5)


def _check_bands(table, bands: list[WideColumn], report) -> bool:
    ok = True
    for c in bands:
        if band_kind(c.umur_min, c.umur_max) == "bad":
            report.error(
                f"Kelompok umur {c.umur_min}-{c.umur_max} melewati batas 17 tahun. Dasbor ini memuat anak 0-17: "
                "pisahkan kelompok 15-17 (atau umur tunggal 15, 16, 17) dari kelompok dewasa; kelompok 15-19 "
                "(seperti tabel BPS) diterima dan 15-17 diperkirakan 3/5 darinya.",
                file=table.file,
                sheet=table.sheet,
                row=table.header_row,
                column=table.labels.get(c.key, c.key),
            )
            ok = False
    by_sex: dict[str, list[WideColumn]] = {}
    for c in bands:
        if band_kind(c.umur_min, c.umur_max) == "child":
            by_sex.setdefault(c.sex, []).append(c)
    for _sex, cols in by_sex.items():
        cols = sorted(cols, key=lambda c: c.umur_min)
        for a, b in zip(cols, cols[1:]):
            if b.umur_min <= a.umur_max:
                report.error(
                    f"Kelompok umur bertumpuk: {a.umur_min}-{a.umur_max} dan {b.umur_min}-{b.umur_max}; "
                    "setiap umur hanya boleh ada di satu kolom.",
                    file=table.file,
                    sheet=table.sheet,
                    row=table.header_row,
                    column=table.labels.get(b.key, b.key),
                )
                ok = False
    return ok


def _count(table, rec, key, report) -> int | None | bool:
    """A child count: int, None for an empty cell, False after reporting an error."""
    raw = rec.get(key)
    try:
        n = values.parse_number(raw, table.decimal, table.thousands)
    except ValueError as exc:
        report.error(
            f"Jumlah anak bukan angka ({exc}); yang diharapkan bilangan bulat 0 atau lebih.", **where(table, rec, key)
        )
        return False
    if n is None:
        return None
    if n < 0 or not float(n).is_integer():
        report.error("Jumlah anak harus bilangan bulat 0 atau lebih.", **where(table, rec, key))
        return False
    return int(n)


def _long_row(table, rec, base, report) -> dict | None:
    ok, kind = True, "child"
    try:
        lo, hi = parse_band(rec.get("umur"))
        kind = band_kind(lo, hi)
        if kind == "adult":
            return "skip"
        if kind == "bad":
            report.error(
                f"Kelompok umur {lo}-{hi} melewati batas 17 tahun; yang diharapkan kelompok di dalam "
                "0-17 (atau 15-19 seperti tabel BPS).",
                **where(table, rec, "umur"),
            )
            ok = False
    except ValueError:
        report.error(
            "Umur tidak dapat dibaca; yang diharapkan umur tunggal (misalnya 7) atau kelompok "
            "(0-4, 5-9, 10-14, 15-17).",
            **where(table, rec, "umur"),
        )
        ok = False
    sex = "T"
    if "jenis_kelamin" in table.columns and not is_blank(rec.get("jenis_kelamin")):
        sex = SEX_CODE.get(norm_text(rec.get("jenis_kelamin")))
        if sex is None:
            report.error(
                "Jenis kelamin tidak dikenal; yang diharapkan L, P, atau Total.", **where(table, rec, "jenis_kelamin")
            )
            ok = False
    n = _count(table, rec, "jumlah", report)
    if n is None:
        report.error("Jumlah kosong.", **where(table, rec, "jumlah", value=None))
        ok = False
    if not ok or n is False:
        return None
    if kind == "estimate":
        return {
            **base,
            "jenis_kelamin": sex,
            "umur_min": 15,
            "umur_max": 17,
            "jumlah_anak": estimate_15_17(n),
            "estimasi": True,
            "_where": where(table, rec, "jumlah"),
        }
    return {
        **base,
        "jenis_kelamin": sex,
        "umur_min": lo,
        "umur_max": hi,
        "jumlah_anak": n,
        "estimasi": False,
        "_where": where(table, rec, "jumlah"),
    }


def _wide_rows(table, rec, base, wide: list[WideColumn], report) -> list[dict] | None:
    out, totals, ok = [], {}, True
    for c in wide:
        n = _count(table, rec, c.key, report)
        if n is False:
            ok = False
            continue
        n = n or 0
        if c.umur_min is None:
            totals[c.sex] = (n, c.key)
        else:
            out.append(
                {
                    **base,
                    "jenis_kelamin": c.sex,
                    "umur_min": c.umur_min,
                    "umur_max": c.umur_max,
                    "jumlah_anak": n,
                    "estimasi": False,
                    "_where": where(table, rec, c.key),
                }
            )
    if not ok:
        return None
    for sex, (written, key) in totals.items():
        split = any(r["jenis_kelamin"] != "T" for r in out)
        if sex == "T":  # a grand row total: the L and P cells when the row is split by sex, else the T cells
            parts = [r["jumlah_anak"] for r in out if (r["jenis_kelamin"] != "T") == split]
        else:
            parts = [r["jumlah_anak"] for r in out if r["jenis_kelamin"] == sex]
        if parts and sum(parts) != written:
            report.warning(
                f"Kolom jumlah baris ini ({fmt(written)}) tidak sama dengan penjumlahan kelompok umurnya "
                f"({fmt(sum(parts))}); yang dimuat adalah angka per kelompok umur.",
                kind="Kolom jumlah baris ini tidak sama dengan penjumlahan kelompok umurnya; yang dimuat adalah "
                "angka per kelompok umur.",
                **where(table, rec, key),
            )
    kept = []
    for r in out:
        kind = band_kind(r["umur_min"], r["umur_max"])
        if kind == "child":
            kept.append(r)
        elif kind == "estimate":
            single = any(
                k["umur_min"] >= 15
                and k["jenis_kelamin"] == r["jenis_kelamin"]
                and band_kind(k["umur_min"], k["umur_max"]) == "child"
                for k in out
            )
            if not single:  # single-year or 15-17 columns win over the estimate
                kept.append(
                    {
                        **r,
                        "umur_min": 15,
                        "umur_max": 17,
                        "jumlah_anak": estimate_15_17(r["jumlah_anak"]),
                        "estimasi": True,
                    }
                )
    return kept


def _resolve_totals(rows: list[dict], report) -> list[dict] | None:
    """Where a band has L, P and T, check L+P=T and keep L and P (T alone is kept as not split by sex)."""
    groups: dict[tuple, dict[str, dict]] = {}
    for r in rows:
        key = (r["tahun"], r["kode_wilayah"], r["umur_min"], r["umur_max"])
        groups.setdefault(key, {})
        if r["jenis_kelamin"] in groups[key]:
            first = groups[key][r["jenis_kelamin"]]["_where"]
            report.error(
                f"Data ganda: tahun {r['tahun']}, wilayah ini, umur {r['umur_min']}-{r['umur_max']}, "
                f"jenis kelamin {r['jenis_kelamin']} sudah ada di {first['file']} baris {first['row']}.",
                **r["_where"],
            )
            continue
        groups[key][r["jenis_kelamin"]] = r
    out = []
    for sexes in groups.values():
        if "T" in sexes and "L" in sexes and "P" in sexes:
            lp = sexes["L"]["jumlah_anak"] + sexes["P"]["jumlah_anak"]
            if lp != sexes["T"]["jumlah_anak"]:
                report.warning(
                    f"L + P ({fmt(lp)}) tidak sama dengan Total ({fmt(sexes['T']['jumlah_anak'])}); yang dimuat "
                    "adalah angka L dan P.",
                    kind="L + P tidak sama dengan Total; yang dimuat adalah angka L dan P.",
                    **sexes["T"]["_where"],
                )
            del sexes["T"]
        elif "T" in sexes and ("L" in sexes or "P" in sexes):
            report.error("Hanya salah satu dari L/P yang ada bersama Total; isi keduanya.", **sexes["T"]["_where"])
            return None
        out.extend(sexes.values())
    return out


def _check_unique(rows: list[dict], report) -> None:
    """One level per (year, kecamatan): kelurahan rows and a kecamatan row together would double count."""
    levels: dict[tuple, dict] = {}
    for r in rows:
        key = (r["tahun"], r["kode_kecamatan"])
        seen = levels.setdefault(key, r)
        if seen["level"] != r["level"]:
            report.error(
                f"Tahun {r['tahun']}: kecamatan ini berisi baris per kelurahan dan juga baris kecamatan; "
                "pakai salah satu saja agar tidak terhitung dua kali.",
                **r["_where"],
            )
            levels[key] = r


def apply(con: duckdb.DuckDBPyConnection, frames: dict[str, pd.DataFrame], load_id: str) -> int:
    """Replace each (year, kecamatan) the file covers, so kelurahan and kecamatan rows never mix."""
    new = frames["fact_penduduk"].assign(load_id=load_id)
    with registered(con, _new_pend=new):
        con.execute(
            "DELETE FROM fact_penduduk f USING (SELECT DISTINCT tahun, kode_kecamatan FROM _new_pend) n "
            "WHERE f.tahun = n.tahun AND f.kode_kecamatan = n.kode_kecamatan"
        )
        con.execute(
            "INSERT INTO fact_penduduk (tahun, kode_wilayah, level, kode_kecamatan, jenis_kelamin, umur_min, umur_max, "
            "jumlah_anak, load_id, estimasi) SELECT CAST(tahun AS INTEGER), kode_wilayah, level, kode_kecamatan, "
            "jenis_kelamin, CAST(umur_min AS INTEGER), CAST(umur_max AS INTEGER), CAST(jumlah_anak AS BIGINT), "
            "load_id, CAST(estimasi AS BOOLEAN) FROM _new_pend"
        )
    return len(new)
