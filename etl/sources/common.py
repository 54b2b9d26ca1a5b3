"""Helpers shared by the table datasets (penduduk, kasus, rbra, indikator)."""

from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable

from etl import reference, values
from etl.problems import InputError, Report
from etl.readers import Table, TableSpec, find_tables, read_sheets
from etl.sources import FileInput, LoadContext

NIK_RE = re.compile(r"(?<!\d)\d{16}(?!\d)")
YEAR_RE = re.compile(r"(?<!\d)(19[89]\d|20[0-9]\d)(?!\d)")


def read_tables(
    files: list[FileInput],
    dataset: str,
    report: Report,
    extra_header: Callable[[str], bool] | None = None,
    label_columns: tuple[str, ...] = (),
) -> list[Table]:
    """Every table of every file that carries this dataset's headers; problems go to the report."""
    spec = TableSpec(dataset=dataset, columns=reference.columns(dataset), extra_header=extra_header,
                     label_columns=label_columns)
    tables: list[Table] = []
    for f in files:
        try:
            sheets = read_sheets(f.path, display_name=f.display_name)
        except InputError as exc:
            report.problems.append(exc.as_problem())
            continue
        found = find_tables(sheets, spec, report)
        for table in found:
            guard_nik(table, report)
        tables.extend(found)
    return tables


def guard_nik(table: Table, report: Report) -> None:
    """A kept text column with a 16-digit number looks like a NIK: the file is rejected."""
    for rec in table.records:
        for key in table.columns:
            value = rec.get(key)
            if isinstance(value, str) and NIK_RE.search(value.replace(" ", "")):
                report.error(
                    "Nilai ini tampak seperti NIK (16 digit). Data pribadi anak tidak boleh dimuat: "
                    "hapus nomor ini dari kolom tersebut, lalu muat ulang.",
                    **where(table, rec, key, value="(16 digit disembunyikan)"),
                )


def where(table: Table, rec: dict, key: str | None, value: object = "__cell__") -> dict:
    """Location of a cell for a Problem: file, sheet, Excel row, column header, value."""
    return {
        "file": table.file,
        "sheet": table.sheet,
        "row": rec.get("_row"),
        "column": table.labels.get(key, key) if key else None,
        "value": rec.get(key) if value == "__cell__" else value,
    }


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def text(value: object) -> str | None:
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def table_year(table: Table, report: Report | None = None) -> int | None:
    """A year named by the sheet name or by the title rows (e.g. 'KOTA KENDARI TAHUN 2024')."""
    for source in (table.sheet or "", table.title or ""):
        years = set(YEAR_RE.findall(source))
        if len(years) == 1:
            return int(years.pop())
    # several years in the title (BPS: "..., 2024 | Sumber: ... Dalam Angka 2025"): the first title line
    # that names exactly one year is the table's own caption
    for line in (table.title or "").split(" | "):
        years = set(YEAR_RE.findall(line))
        if len(years) == 1:
            return int(years.pop())
    return None


def row_year(table: Table, rec: dict, sheet_year: int | None, ctx: LoadContext, report: Report,
             what: str, example: str = "") -> int | None:
    """A row's year: its Tahun cell, else the sheet's or title's year; None after reporting why.

    `what` names the year in the message ("evaluasi", "penilaian"); years outside 2006..next year are refused.
    """
    tahun = sheet_year
    if "tahun" in table.columns and not is_blank(rec.get("tahun")):
        try:
            tahun = values.parse_int(rec.get("tahun"))
        except ValueError as exc:
            report.error(f"Tahun bukan angka ({exc}).", **where(table, rec, "tahun"))
            return None
    if tahun is None:
        report.error(f"Tahun {what} tidak diketahui: isi kolom Tahun, atau tulis tahunnya di nama sheet atau judul "
                     f"tabel{example}.", **where(table, rec, None))
        return None
    if not 2006 <= tahun <= ctx.today.year + 1:
        report.error(f"Tahun {tahun} di luar rentang 2006-{ctx.today.year + 1}.",
                     **where(table, rec, "tahun" if "tahun" in table.columns else None))
        return None
    return tahun


def earlier(seen: dict, key, table: Table, rec: dict) -> str | None:
    """Where `key` first appeared in this load ("file baris N"); None, after recording this row, if it is new."""
    if key in seen:
        return seen[key]
    seen[key] = f"{table.file} baris {rec.get('_row')}"
    return None


# Row columns that decide a row's area: names (resolved within the load's kab/kota) or Kemendagri codes.
REGION_KEYS = ("kecamatan", "kelurahan", "kode_kecamatan", "kode_kelurahan")


@dataclass
class RegionCodes:
    kecamatan: str
    kelurahan: str | None


def resolve_region(
    table: Table, rec: dict, ctx: LoadContext, report: Report, *, kelurahan_required: bool
) -> RegionCodes | None:
    """Kecamatan (and kelurahan) names of a row to Kemendagri codes; errors go to the report."""
    kec_raw = rec.get("kecamatan")
    kec = ctx.regions.kecamatan(kec_raw)
    if kec.kode is None:
        report.error(kec.message, **where(table, rec, "kecamatan"))
        return None
    has_kel_col = "kelurahan" in table.columns
    kel_raw = rec.get("kelurahan") if has_kel_col else None
    if is_blank(kel_raw):
        if kelurahan_required:
            report.error("Nama kelurahan kosong; isi kelurahan tempat data ini berada.",
                         **where(table, rec, "kelurahan" if has_kel_col else "kecamatan"))
            return None
        return RegionCodes(kec.kode, None)
    kel = ctx.regions.kelurahan(kel_raw, kec.kode)
    if kel.kode is None:
        report.error(kel.message, **where(table, rec, "kelurahan"))
        return None
    return RegionCodes(kec.kode, kel.kode)


def allowed(list_name: str) -> str:
    return ", ".join(reference.category_values(list_name))


@contextmanager
def registered(con, **frames):
    """Make pandas frames visible to SQL by name for the duration of the block (apply() helpers)."""
    for name, frame in frames.items():
        con.register(name, frame)
    try:
        yield
    finally:
        for name in frames:
            con.unregister(name)
