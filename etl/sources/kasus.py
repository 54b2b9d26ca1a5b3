"""kasus: violence-against-children case register (SIMFONI-PPA style, one row per case).

Privacy: columns with names, NIK, addresses, phone numbers are dropped at read (readers.py); the
register number is stored only as a salted SHA-256; dates only as the month.
"""

from __future__ import annotations

import hashlib

import duckdb
import pandas as pd

from etl import reference, values
from etl.problems import Report
from etl.progress import progress
from etl.sources import FileInput, LoadContext
from etl.sources.common import allowed, is_blank, read_tables, registered, resolve_region, text, where

NAME = "kasus"
TITLE = "Register kasus kekerasan terhadap anak"
TABLES = ("fact_kasus", "fact_kasus_bentuk")

AGE_BINS = ((0, 5, "0-5"), (6, 12, "6-12"), (13, 17, "13-17"))


def age_group(age: int) -> str:
    for lo, hi, label in AGE_BINS:
        if lo <= age <= hi:
            return label
    raise ValueError(age)


def case_id(register: str, salt: bytes) -> str:
    key = " ".join(register.upper().split())
    return hashlib.sha256(salt + b"|" + key.encode("utf-8")).hexdigest()[:32]


def _category(table, rec, col, list_name, report, *, multi=False, unknown="Lainnya"):
    """Controlled values of an optional descriptive column; unknown values are kept as `unknown` with a warning."""
    raw = rec.get(col)
    if is_blank(raw):
        return None
    parts = values.split_multi(raw) if multi else [text(raw)]
    out = []
    for part in parts:
        value = reference.match_category(list_name, part)
        if value is None:
            report.warning(
                f"Nilai \"{part}\" tidak ada dalam daftar dan dicatat sebagai \"{unknown}\". "
                f"Yang diharapkan: {allowed(list_name)}.",
                **where(table, rec, col),
            )
            value = unknown
        if value not in out:
            out.append(value)
    return "; ".join(out)


def parse(files: list[FileInput], ctx: LoadContext, report: Report) -> dict[str, pd.DataFrame]:
    tables = read_tables(files, NAME, report, label_columns=("no_register", "kecamatan"))
    cases, forms = [], []
    seen: dict[str, tuple[str, int]] = {}
    for table in tables:
        for rec in progress(table.records, f"{table.file}"):
            ok = True
            register = text(rec.get("no_register"))
            if register is None:
                report.error("Nomor register kosong; setiap kasus perlu nomor register yang unik.",
                             **where(table, rec, "no_register", value=None))
                ok = False
            dates = {}
            for col, label in (("tanggal_kejadian", "kejadian"), ("tanggal_pelaporan", "pelaporan")):
                try:
                    d = values.parse_date(rec.get(col))
                except ValueError as exc:
                    report.error(f"Tanggal {label} tidak dapat dibaca: {exc}. "
                                 "Yang diharapkan tanggal seperti 05/03/2024 atau 5 Maret 2024.",
                                 **where(table, rec, col))
                    ok = False
                    continue
                if d is None:
                    report.error(f"Tanggal {label} kosong.", **where(table, rec, col, value=None))
                    ok = False
                elif d > ctx.today:
                    report.error(f"Tanggal {label} ada di masa depan (hari ini {ctx.today:%d-%m-%Y}).",
                                 **where(table, rec, col))
                    ok = False
                elif d.year < 2000:
                    report.error(f"Tanggal {label} sebelum tahun 2000; periksa penulisan tahun.",
                                 **where(table, rec, col))
                    ok = False
                else:
                    dates[col] = d
            if len(dates) == 2 and dates["tanggal_kejadian"] > dates["tanggal_pelaporan"]:
                report.error(
                    f"Tanggal kejadian ({dates['tanggal_kejadian']:%d-%m-%Y}) sesudah tanggal pelaporan "
                    f"({dates['tanggal_pelaporan']:%d-%m-%Y}); kejadian harus sebelum atau sama dengan pelaporan.",
                    **where(table, rec, "tanggal_kejadian"),
                )
                ok = False
            region = resolve_region(table, rec, ctx, report, kelurahan_required=False)
            ok = ok and region is not None
            sex = reference.match_category("jenis_kelamin", rec.get("jenis_kelamin"))
            if sex is None:
                report.error("Jenis kelamin tidak dikenal; yang diharapkan L (laki-laki) atau P (perempuan).",
                             **where(table, rec, "jenis_kelamin"))
                ok = False
            age = None
            try:
                age = values.parse_int(rec.get("usia"))
                if age is None:
                    report.error("Usia korban kosong; yang diharapkan usia dalam tahun (0-17).",
                                 **where(table, rec, "usia", value=None))
                    ok = False
                elif not 0 <= age <= 17:
                    report.error(
                        "Usia di luar 0-17 tahun: dasbor ini hanya memuat korban anak. "
                        "Pisahkan kasus dewasa dari berkas ini.", **where(table, rec, "usia"))
                    ok = False
            except ValueError as exc:
                what = "bukan bilangan bulat" if "bulat" in str(exc) else "bukan angka"
                report.error(f"Usia {what}; yang diharapkan usia dalam tahun penuh, misalnya 12.",
                             **where(table, rec, "usia"))
                ok = False
            bentuk = []
            if is_blank(rec.get("bentuk_kekerasan")):
                report.error(f"Bentuk kekerasan kosong; isi satu atau lebih dari: {allowed('bentuk_kekerasan')}.",
                             **where(table, rec, "bentuk_kekerasan", value=None))
                ok = False
            else:
                for part in values.split_multi(rec.get("bentuk_kekerasan")):
                    value = reference.match_category("bentuk_kekerasan", part)
                    if value is None:
                        report.error(f"Bentuk kekerasan \"{part}\" tidak dikenal; yang diharapkan satu atau "
                                     f"lebih dari: {allowed('bentuk_kekerasan')}.",
                                     **where(table, rec, "bentuk_kekerasan"))
                        ok = False
                    elif value not in bentuk:
                        bentuk.append(value)
            tempat = _category(table, rec, "tempat_kejadian", "tempat_kejadian", report)
            hubungan = _category(table, rec, "hubungan_pelaku", "hubungan_pelaku", report)
            layanan = _category(table, rec, "layanan", "layanan", report, multi=True)
            disabilitas = _category(table, rec, "disabilitas", "disabilitas", report, unknown="Ya")
            if register is not None:
                kid = case_id(register, ctx.salt)
                if kid in seen:
                    first_file, first_row = seen[kid]
                    report.error(f"Nomor register ganda: sudah dipakai di {first_file} baris {first_row}.",
                                 **where(table, rec, "no_register"))
                    ok = False
                else:
                    seen[kid] = (table.file, rec.get("_row"))
            if not ok:
                report.rows_rejected += 1
                continue
            cases.append({
                "kasus_id": kid,
                "bulan_kejadian": dates["tanggal_kejadian"].replace(day=1),
                "bulan_pelaporan": dates["tanggal_pelaporan"].replace(day=1),
                "kode_kecamatan": region.kecamatan,
                "kode_kelurahan": region.kelurahan,
                "jenis_kelamin": sex,
                "usia": age,
                "kelompok_umur": age_group(age),
                "tempat_kejadian": tempat,
                "hubungan_pelaku": hubungan,
                "layanan": layanan,
                "disabilitas": disabilitas,
            })
            forms.extend({"kasus_id": kid, "bentuk": b} for b in bentuk)
    if not tables:
        return {}
    if not cases and not report.has_errors:
        report.error("Tidak ada baris kasus di bawah baris judul.", file=tables[0].file, sheet=tables[0].sheet,
                     row=tables[0].header_row)
    return {
        "fact_kasus": pd.DataFrame(cases, columns=[
            "kasus_id", "bulan_kejadian", "bulan_pelaporan", "kode_kecamatan", "kode_kelurahan",
            "jenis_kelamin", "usia", "kelompok_umur", "tempat_kejadian", "hubungan_pelaku", "layanan",
            "disabilitas"]),
        "fact_kasus_bentuk": pd.DataFrame(forms, columns=["kasus_id", "bentuk"]),
    }


def apply(con: duckdb.DuckDBPyConnection, frames: dict[str, pd.DataFrame], load_id: str) -> int:
    """Upsert by case id: the same register loaded again replaces its case (no double counting)."""
    cases = frames["fact_kasus"].assign(load_id=load_id)
    with registered(con, _new_kasus=cases, _new_bentuk=frames["fact_kasus_bentuk"]):
        con.execute("DELETE FROM fact_kasus_bentuk WHERE kasus_id IN (SELECT kasus_id FROM _new_kasus)")
        con.execute("DELETE FROM fact_kasus WHERE kasus_id IN (SELECT kasus_id FROM _new_kasus)")
        con.execute(
            "INSERT INTO fact_kasus SELECT kasus_id, CAST(bulan_kejadian AS DATE), CAST(bulan_pelaporan AS DATE), "
            "kode_kecamatan, kode_kelurahan, jenis_kelamin, CAST(usia AS INTEGER), kelompok_umur, tempat_kejadian, "
            "hubungan_pelaku, layanan, disabilitas, load_id FROM _new_kasus"
        )
        con.execute("INSERT INTO fact_kasus_bentuk SELECT kasus_id, bentuk FROM _new_bentuk")
    return len(cases)

