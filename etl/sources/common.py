"""Helpers shared by the table datasets (penduduk, kasus, rbra, indikator)."""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

from etl import names, pii, reference, values
from etl.problems import InputError, Report
from etl.read import Table, TableSpec, find_tables, read_sheets
from etl.sources import FileInput, LoadContext

YEAR_RE = re.compile(r"(?<!\d)(19[89]\d|20[0-9]\d)(?!\d)")
PUBLICATION_RE = re.compile(r"dalam\s+angka|in\s+figures", re.I)  # BPS "... Dalam Angka 2024": a publication


def read_tables(
    files: list[FileInput],
    dataset: str,
    report: Report,
    extra_header: Callable[[str], bool] | None = None,
    label_columns: tuple[str, ...] = (),
    totals: bool = True,
    spec: TableSpec | None = None,
) -> list[Table]:
    """Every table of every file that carries this dataset's headers; problems go to the report.

    `spec`, when given, replaces the one built from the other arguments (penduduk: header rows found by anchor
    columns, no column required by the reader because the kecamatan may come from the title)."""
    spec = spec or TableSpec(
        dataset=dataset,
        columns=reference.columns(dataset),
        extra_header=extra_header,
        label_columns=label_columns,
        totals=totals,
    )
    tables: list[Table] = []
    for f in files:
        try:
            sheets = read_sheets(f.path, display_name=f.display_name)
        except InputError as exc:
            report.problems.append(exc.as_problem())
            continue
        if not any(c.required for c in spec.columns) and not _any_header(sheets, spec, report):
            continue
        found = find_tables(sheets, spec, report)
        for table in found:
            guard_personal(table, report)
        tables.extend(found)
    return tables


def _any_header(sheets, spec: TableSpec, report: Report) -> bool:
    """For a spec without required columns (found by its anchors): a sheet has a header row, else one error that
    names the anchor columns expected (find_tables would list the required columns, and there are none)."""
    from etl.read.header import _header_row

    if not sheets or any(_header_row(sheet, spec) is not None for sheet in sheets):
        return True
    by_name = {c.name: c for c in spec.columns}
    expected = " atau ".join(f'"{by_name[a].aliases[0].title()}"' for a in spec.anchors if a in by_name)
    sheet_names = ", ".join(f'"{s.sheet}"' for s in sheets if s.sheet) or "-"
    report.error(
        f"Tabel data {spec.dataset} tidak ditemukan: tidak ada baris judul kolom yang dikenali (sheet yang "
        f"diperiksa: {sheet_names}). Yang diharapkan baris judul dengan kolom {expected}. Periksa apakah berkas "
        "ini memang untuk dataset ini.",
        file=sheets[0].file,
    )
    return False


PERSONAL = {
    pii.NIK: "Nilai ini tampak seperti NIK atau nomor KK (16 digit)",
    pii.PHONE: "Nilai ini tampak seperti nomor telepon",
    pii.EMAIL: "Nilai ini tampak seperti alamat e-mail",
}


def personal_message(kind: str, where_: str = "sel ini") -> str:
    thing = "alamat tersebut" if kind == pii.EMAIL else "nomor tersebut"
    return (
        f"{PERSONAL[kind]}. Data pribadi tidak boleh dimuat ke dasbor: hapus {thing} dari {where_}, simpan, "
        'lalu muat ulang. Yang diharapkan: isi tanpa identitas orang (misalnya "korban", nama OPD atau '
        "kode wilayah)."
    )


def guard_personal(table: Table, report: Report) -> None:
    """A NIK or KK number, a phone number or an e-mail address in any kept cell (rows, JUMLAH rows, the title
    above the header) rejects the file; the report shows the value masked. Each distinct value of a column is looked
    at once (for a columnar table DuckDB first keeps the values that may hold one, pii.SQL_CANDIDATE); the rows
    holding a hit are then reported cell by cell, in row order."""
    maybe = pii.SQL_CANDIDATE.format(c="{c}")
    found = {key: {v for v in table.distinct(key, maybe) if pii.find(v)} for key in table.columns}
    for rec in [*table.rows_with(found), *table.totals]:
        for key in table.columns:
            hit = pii.find(rec.get(key))
            if hit:
                report.error(personal_message(hit.kind), **where(table, rec, key, value=hit.masked))
    hit = pii.find(table.title)
    if hit:
        report.error(
            personal_message(hit.kind, f"judul tabel (baris di atas baris {table.header_row})"),
            file=table.file,
            sheet=table.sheet,
            value=hit.masked,
        )


def from_title(title: str | None, word: str) -> str | None:
    """What a table's title says after "<word>:" ("Sumber: UPTD PPA Kota Kendari", "Satuan: kasus")."""
    m = re.search(rf"{word}\s*:\s*([^|]+)", title or "", re.I)
    return m.group(1).strip() if m else None


def source(table: Table, rec: dict, title_source: str | None, report: Report, how: str) -> str | None:
    """A figure's source: its Sumber cell, else "Sumber: ..." in the table's title; None after reporting that a
    figure without a source is not loaded (`how` says how to name one for this dataset)."""
    sumber = text(rec.get("sumber")) or title_source
    if not sumber:
        report.error(
            f"Sumber angka tidak disebut. {how} Angka tanpa sumber tidak dimuat.",
            **where(table, rec, "sumber" if "sumber" in table.columns else None),
        )
    return sumber


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
    # that names exactly one year is the table's own caption; a publication's name ("KECAMATAN MANDONGA DALAM
    # ANGKA 2024", the year it appeared) only when no other line names one
    lines = (table.title or "").split(" | ")
    for line in [ln for ln in lines if not PUBLICATION_RE.search(ln)] + lines:
        years = set(YEAR_RE.findall(line))
        if len(years) == 1:
            return int(years.pop())
    return None


def row_year(
    table: Table, rec: dict, sheet_year: int | None, ctx: LoadContext, report: Report, what: str, example: str = ""
) -> int | None:
    """A row's year: its Tahun cell, else the sheet's or title's year; None after reporting why.

    `what` names the year in the message ("evaluasi", "penilaian"); years outside 2006..next year are refused.
    """
    tahun = sheet_year
    if "tahun" in table.columns and not is_blank(rec.get("tahun")):
        try:
            tahun = values.parse_int(rec.get("tahun"))
        except ValueError as exc:
            report.error(f"Tahun bukan angka{why(exc)}.", **where(table, rec, "tahun"))
            return None
    if tahun is None:
        report.error(
            f"Tahun {what} tidak diketahui: isi kolom Tahun, atau tulis tahunnya di nama sheet atau judul "
            f"tabel{example}.",
            **where(table, rec, None),
        )
        return None
    if not 2006 <= tahun <= ctx.today.year + 1:
        report.error(
            f"Tahun {tahun} di luar rentang 2006-{ctx.today.year + 1}.",
            **where(table, rec, "tahun" if "tahun" in table.columns else None),
        )
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
# "di Kecamatan Mandonga, 2023", "KECAMATAN KENDARI BARAT DALAM ANGKA", "Kec. Kadia": the words after the word
# kecamatan, up to a comma, a digit or a bracket
TITLE_KECAMATAN_RE = re.compile(r"\b(?:kecamatan|kec\.?)\s+([^\W\d_][^\W\d_\s'-]*(?:[\s'-]+[^\W\d_]+)*)", re.I)


@dataclass
class TableKecamatan:
    """The kecamatan a table names outside its rows: `kode` and where (`source`: "judul", "nama sheet"), or
    `problem` (Indonesian) when the title and the sheet name name different kecamatan."""

    kode: str | None
    source: str | None = None
    problem: str | None = None


def table_kecamatan(table: Table, regions: names.Regions) -> TableKecamatan:
    """The kecamatan a table's title ("Jumlah Penduduk Menurut Kelompok Umur di Kecamatan Mandonga, 2023") or sheet
    name ("Mandonga", "Kec. Kadia 2023") names, for a table without a kecamatan column (a BPS "Kecamatan Dalam
    Angka" table, a Dukcapil sheet per kecamatan). Only exact names of the load's kab/kota (or aliases) count,
    never a near spelling: the kecamatan decides which kelurahan a name is."""
    found: dict[str, str] = {}
    for line in (table.title or "").split(" | "):
        for m in TITLE_KECAMATAN_RE.finditer(line):
            words = m.group(1).split()
            for n in range(min(len(words), 4), 0, -1):
                kode = regions.kecamatan(" ".join(words[:n])).kode
                if kode:
                    found.setdefault(kode, "judul")
                    break
    sheet = YEAR_RE.sub(" ", table.sheet or "").strip(" -_.,()")
    if sheet:
        kode = regions.kecamatan(sheet).kode
        if kode:
            found.setdefault(kode, "nama sheet")
    if len(found) > 1:
        listed = " dan ".join(f"Kecamatan {regions.name(k)} ({src})" for k, src in found.items())
        return TableKecamatan(None, problem=f"Judul tabel dan nama sheet menyebut kecamatan yang berbeda: {listed}.")
    if found:
        kode, source = next(iter(found.items()))
        return TableKecamatan(kode, source)
    return TableKecamatan(None)


@dataclass
class RegionCodes:
    kecamatan: str
    kelurahan: str | None


def resolve_region(
    table: Table,
    rec: dict,
    ctx: LoadContext,
    report: Report,
    *,
    kelurahan_required: bool,
    kecamatan: str | None = None,
) -> RegionCodes | None:
    """A row's area as Kemendagri codes, from code columns or from names; errors go to the report.

    Codes (Kode Kecamatan / Kode Kelurahan) are the national key and work for any loaded kab/kota;
    names are looked up in the kab/kota the load is for (ctx.regions.scope). `kecamatan`, a kecamatan code the
    table names outside the row's own cells (its title, sheet name or group row), is the row's kecamatan when the
    row has no kecamatan name or code; the kelurahan is then looked up in that kecamatan only.
    """
    regions = ctx.regions
    kel_code = _code(table, rec, "kode_kelurahan", names.KELURAHAN_LEVELS, "kelurahan/desa", regions, report)
    kec_code = _code(table, rec, "kode_kecamatan", ("kecamatan",), "kecamatan", regions, report)
    if kel_code is False or kec_code is False:
        return None
    if kel_code:
        parent = regions.by_code[kel_code].kode_induk
        if kec_code and kec_code != parent:
            report.error(
                f"Kode kelurahan {kel_code} ({regions.name(kel_code)}) berada di Kecamatan "
                f"{regions.name(parent)} ({parent}), bukan di kode kecamatan {kec_code}.",
                **where(table, rec, "kode_kelurahan"),
            )
            return None
        kec_code = parent
    if kec_code:
        if not _same_name(table, rec, "kecamatan", kec_code, regions, report):
            return None
        if kel_code:
            return (
                RegionCodes(kec_code, kel_code)
                if _same_name(table, rec, "kelurahan", kel_code, regions, report)
                else None
            )
        kec = names.Match(kec_code)
    elif kecamatan and is_blank(rec.get("kecamatan")):
        kec = names.Match(kecamatan)
    else:
        if "kecamatan" not in table.columns:
            report.error("Kolom Kecamatan atau Kode Kecamatan tidak ada; isi salah satunya.", **where(table, rec, None))
            return None
        kec = regions.kecamatan(rec.get("kecamatan"))
        if kec.kode is None:
            report.error(kec.message, **where(table, rec, "kecamatan"))
            return None
    has_kel_col = "kelurahan" in table.columns
    kel_raw = rec.get("kelurahan") if has_kel_col else None
    if is_blank(kel_raw):
        if kelurahan_required:
            report.error(
                "Nama kelurahan kosong; isi kelurahan tempat data ini berada.",
                **where(table, rec, "kelurahan" if has_kel_col else "kecamatan"),
            )
            return None
        return RegionCodes(kec.kode, None)
    kel = regions.kelurahan(kel_raw, kec.kode)
    if kel.kode is None:
        report.error(kel.message, **where(table, rec, "kelurahan"))
        return None
    return RegionCodes(kec.kode, kel.kode)


def _code(table, rec, col, levels, label, regions, report):
    """The row's code in `col` (None when blank or absent, False after an error)."""
    raw = rec.get(col)
    if is_blank(raw):
        return None
    kode = names.normalise_code(raw)
    region = regions.by_code.get(kode) if kode else None
    if region is None or region.level not in levels:
        example = "74.71.01" if label == "kecamatan" else "74.71.01.1005"
        known = "" if region is None and kode else f" (kode {kode} adalah {region.level})" if region else ""
        report.error(
            f"Kode {label} tidak dikenal{known}. Yang diharapkan kode Kemendagri {label} yang sudah ada di "
            f"referensi wilayah, misalnya {example}; wilayah lain dimuat dulu dengan "
            "python -m etl load wilayah BERKAS.",
            **where(table, rec, col),
        )
        return False
    return kode


def _same_name(table, rec, col, kode, regions, report) -> bool:
    """When a row has both a code and a name, they must be the same area."""
    raw = rec.get(col)
    if is_blank(raw):
        return True
    key = names.name_key(raw)
    level = "kecamatan" if col == "kecamatan" else "kelurahan"
    if kode in regions._index[level].get(key, ()):
        return True
    report.error(
        f'Nama {level} "{text(raw)}" tidak cocok dengan kodenya: {kode} adalah '
        f"{level.title()} {regions.name(kode)}. Perbaiki nama atau kodenya.",
        **where(table, rec, col),
    )
    return False


def why(exc: Exception) -> str:
    """The reason of a value error in brackets, or nothing when it only repeats "bukan angka"."""
    return "" if str(exc) == "bukan angka" else f" ({exc})"


def allowed(list_name: str) -> str:
    return ", ".join(reference.category_values(list_name))


def hint(list_name: str, raw: object, among=None, label=None) -> str:
    """' Mungkin maksudnya "X"?' for an unknown word of a category list (the nearest known word, as the region
    hints write it), or "" when nothing is near. `among` limits it to the values the dataset accepts; `label`
    turns a stored code into the words the message lists (kla_hasil's stage labels)."""
    value = reference.suggest_category(list_name, raw, among)
    if value is None:
        return ""
    return f' Mungkin maksudnya "{label(value) if label else value}"?'


def date_orders(table: Table, cols: tuple[str, ...], report: Report, cells: dict | None = None) -> dict:
    """The day/month order of each date column of a table (values.column_date_orders: decided per column from all
    its cells), DAY_FIRST or MONTH_FIRST; None for a column whose cells conflict, reported once here naming a cell
    of each kind (its rows are then refused without a message per row).

    `cells` gives {column: [(Excel row, value), ...]} in file order when the records are not in table.records
    (kasus's columnar path passes each distinct value with its first row)."""
    present = [c for c in cols if c in table.columns]
    if cells is None:
        cells = {c: [(rec.get("_row"), rec.get(c)) for rec in table.records] for c in present}
    out = {c: values.DAY_FIRST for c in cols}
    for col, order in values.column_date_orders({c: cells[c] for c in present}).items():
        out[col] = order.order
        if order.conflict:
            (day_row, day_value), (month_row, month_value) = order.day_first, order.month_first
            label = table.labels.get(col, col)
            how = (
                "Tulis semua tanggal di kolom ini dengan urutan yang sama, hari/bulan/tahun (misalnya 23/02/2024) "
                "atau bulan/hari/tahun seperti ekspor Google Formulir, lalu muat ulang."
            )
            report.error(
                f"Urutan hari dan bulan di kolom {label} tidak seragam: baris {day_row} ({day_value}) hanya "
                f"terbaca sebagai hari/bulan, baris {month_row} ({month_value}) hanya terbaca sebagai bulan/hari. "
                + how,
                kind=f"Urutan hari dan bulan di kolom {label} tidak seragam (hari/bulan dan bulan/hari). " + how,
                file=table.file,
                sheet=table.sheet,
                row=min(day_row, month_row),
                column=label,
                value=day_value if day_row <= month_row else month_value,
            )
    return out


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


def kabkota(table: Table, rec: dict, ctx: LoadContext, report: Report) -> str | None:
    """The kab/kota a row belongs to: its Kode Kab/Kota column, else the load's kab/kota (--wilayah)."""
    raw = rec.get("kode_wilayah")
    if is_blank(raw):
        scope = ctx.scope
        if scope and names.code_level(scope) == "kabkota":
            return scope
        report.error(
            "Kode kabupaten/kota kosong. Isi kolom Kode Kab/Kota (misalnya 74.71), atau muat dengan "
            "--wilayah KODE untuk satu kabupaten/kota.",
            **where(table, rec, "kode_wilayah", value=None),
        )
        return None
    kode = names.normalise_code(raw)
    region = ctx.regions.by_code.get(kode) if kode else None
    if region is None or region.level not in names.KABKOTA_LEVELS:
        report.error(
            "Kode kabupaten/kota tidak dikenal; yang diharapkan kode Kemendagri kabupaten/kota yang ada di "
            "referensi wilayah, misalnya 74.71 (Kota Kendari). Wilayah lain dimuat dulu dengan "
            "python -m etl load wilayah BERKAS.",
            **where(table, rec, "kode_wilayah"),
        )
        return None
    return kode
