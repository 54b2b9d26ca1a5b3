"""Generic readers: any OPD spreadsheet or CSV into header-identified tables.

read_sheets() turns a file into raw sheets (the file's content decides its type, not its name).
find_tables() finds the header row by content below title rows, joins two-row merged headers,
maps headers to a dataset's canonical columns, drops personal-data and unknown columns, skips
notes/blank/numbering rows, and checks JUMLAH/TOTAL rows against their detail rows before
dropping them. Row numbers are the ones the user sees in Excel (1-based, title rows included).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from babel.numbers import format_decimal

from etl import reference, values
from etl.problems import InputError, Report
from etl.reference import ColumnSpec, norm_text

HEADER_SCAN_ROWS = 40
TOTAL_RE = re.compile(r"^(jumlah|total|jml|sub ?total|grand total|kota kendari)\b")
NOTE_RE = re.compile(r"^\s*(sumber|keterangan|catatan|ket\s*[.:]|note|\*\))", re.I)
NUMBERING_RE = re.compile(r"^\(?\d{1,2}\)?$")
ROW_NUMBER_KEYS = {"no", "no urut", "nomor urut", "nomor", "urut"}  # running numbers: ignored without a warning


@dataclass
class RawSheet:
    file: str
    sheet: str | None
    rows: list[list]
    merged: list = field(default_factory=list)
    decimal: str = ","
    thousands: str | None = "."


@dataclass
class TableSpec:
    dataset: str
    columns: tuple[ColumnSpec, ...]
    extra_header: Callable[[str], bool] | None = None
    label_columns: tuple[str, ...] = ()


@dataclass
class Table:
    file: str
    sheet: str | None
    header_row: int
    title: str
    columns: list[str]
    labels: dict[str, str]
    records: list[dict]
    totals: list[dict]
    decimal: str
    thousands: str | None


# ---------------------------------------------------------------------------------------------
# reading files


def sniff_kind(head: bytes) -> str:
    """xlsx | ods | xls | encrypted | zip | csv, or a word for a file that is none of these."""
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    if head.startswith(b"MZ"):
        return "program Windows (.exe)"
    if head.startswith(b"%PDF"):
        return "PDF"
    if head.startswith(b"\x89PNG") or head.startswith(b"\xff\xd8\xff") or head.startswith(b"GIF8"):
        return "gambar"
    if head.startswith(b"\x7fELF"):
        return "program"
    if head.startswith(b"SQLite format 3"):
        return "basis data SQLite"
    if b"\x00" in head[:4096]:
        return "berkas biner"
    return "csv"


EXPECTED = "Yang diharapkan berkas Excel (.xlsx, .xls, .ods) atau CSV."


def read_sheets(path: str | Path, display_name: str | None = None) -> list[RawSheet]:
    path = Path(path)
    name = display_name or path.name
    data = path.read_bytes()
    if not data.strip():
        raise InputError(f"Berkas {name} kosong (tidak berisi data). {EXPECTED}", file=name)
    kind = sniff_kind(data[:8192])
    if kind == "ole":
        if "EncryptedPackage".encode("utf-16-le") in data or "EncryptionInfo".encode("utf-16-le") in data:
            raise InputError(
                f"Berkas {name} dilindungi kata sandi. Buka di Excel, hapus kata sandinya "
                "(File > Info > Protect Workbook), simpan, lalu unggah lagi.", file=name)
        return _read_workbook(path, name)
    if kind == "zip":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = set(zf.namelist())
                bad = zf.testzip()
        except (zipfile.BadZipFile, OSError, EOFError):
            raise InputError(f"Berkas {name} rusak atau bukan berkas Excel (arsip zip tidak dapat dibuka). "
                             f"{EXPECTED}", file=name) from None
        if bad is not None:
            raise InputError(f"Berkas {name} rusak (bagian {bad} tidak utuh). Simpan ulang dari Excel.", file=name)
        if "xl/workbook.xml" in names or "mimetype" in names and "content.xml" in names:
            return _read_workbook(path, name)
        raise InputError(f"Berkas {name} adalah arsip zip, bukan buku kerja Excel. {EXPECTED}", file=name)
    if kind != "csv":
        raise InputError(f"Berkas {name} adalah {kind}, bukan tabel data. {EXPECTED}", file=name)
    return [_read_csv(data, name)]


def _read_workbook(path: Path, name: str) -> list[RawSheet]:
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_path(str(path))
        sheets = []
        for sheet_name in wb.sheet_names:
            sheet = wb.get_sheet_by_name(sheet_name)
            rows = [[_cell(c) for c in row] for row in sheet.to_python(skip_empty_area=False)]
            merged = list(sheet.merged_cell_ranges or [])
            sheets.append(RawSheet(file=name, sheet=sheet_name, rows=rows, merged=merged))
    except InputError:
        raise
    except Exception as exc:  # calamine raises its own error types for damaged workbooks
        raise InputError(f"Berkas {name} tidak dapat dibaca sebagai buku kerja Excel ({type(exc).__name__}: "
                         f"{str(exc)[:120]}). Buka dan simpan ulang di Excel.", file=name) from None
    return sheets


def _cell(value: object) -> object:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _read_csv(data: bytes, name: str) -> RawSheet:
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    lines = [ln for ln in text.splitlines() if ln.strip()][:50]
    delimiter = _sniff_delimiter(lines)
    rows = [[_cell(c) for c in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
    decimal, thousands = values.detect_number_style((c for r in rows for c in r), delimiter)
    return RawSheet(file=name, sheet=None, rows=rows, merged=[], decimal=decimal, thousands=thousands)


def _sniff_delimiter(lines: list[str]) -> str:
    best, best_score = ",", -1.0
    for d in (";", ",", "\t", "|"):
        counts = [len(next(csv.reader([ln], delimiter=d))) for ln in lines]
        wide = [c for c in counts if c > 1]
        if not wide:
            continue
        mode = max(set(wide), key=wide.count)
        score = wide.count(mode) + mode / 100
        if score > best_score:
            best, best_score = d, score
    return best


# ---------------------------------------------------------------------------------------------
# finding tables


def _key(value: object) -> str:
    return norm_text(value) if value is not None else ""


def classify(key: str, spec: TableSpec) -> tuple[str, str] | None:
    """('canon', name) for an alias, ('extra', key) for extra_header data columns, else None."""
    if not key:
        return None
    for col in spec.columns:
        if key in col.aliases:
            return "canon", col.name
    if spec.extra_header and spec.extra_header(key):
        return "extra", key
    best = None
    for col in spec.columns:
        for alias in col.aliases:
            if key.startswith(alias + " ") and (best is None or len(alias) > best[1]):
                best = (col.name, len(alias))
    return ("canon", best[0]) if best else None


def _score(row: list, spec: TableSpec) -> tuple[int, bool]:
    canon, extra = set(), 0
    for cell in row:
        got = classify(_key(cell), spec) if isinstance(cell, str) else None
        if got and got[0] == "canon":
            canon.add(got[1])
        elif got:
            extra += 1
    required = {c.name for c in spec.columns if c.required}
    return len(canon) + extra, bool(canon & required)


def _header_row(sheet: RawSheet, spec: TableSpec) -> int | None:
    best, best_score = None, 1
    for i, row in enumerate(sheet.rows[:HEADER_SCAN_ROWS]):
        score, has_required = _score(row, spec)
        if has_required and score > best_score:
            best, best_score = i, score
    return best


def _spread_merges(sheet: RawSheet, r: int, width: int) -> list:
    """Header row r with every merged cell's text copied over its whole range."""
    row = list(sheet.rows[r]) + [None] * (width - len(sheet.rows[r]))
    for (r0, c0), (r1, c1) in sheet.merged:
        if r0 <= r <= r1:
            origin = sheet.rows[r0][c0] if c0 < len(sheet.rows[r0]) else None
            for c in range(c0, min(c1 + 1, width)):
                row[c] = origin
    return row


def _is_subheader(row: list, spec: TableSpec) -> bool:
    cells = [c for c in row if c is not None]
    if len(cells) < 2 or not all(isinstance(c, str) for c in cells):
        return False
    hits = sum(1 for c in cells if classify(_key(c), spec))
    return hits / len(cells) >= 0.8


def _header(sheet: RawSheet, h: int, spec: TableSpec) -> tuple[list[str], list[str], int]:
    """(keys, labels, last header row index) for the header starting at row h."""
    width = max(len(r) for r in sheet.rows[h: h + 2])
    top = _spread_merges(sheet, h, width)
    below = sheet.rows[h + 1] + [None] * (width - len(sheet.rows[h + 1])) if h + 1 < len(sheet.rows) else None
    if below is None or not _is_subheader(below, spec):
        keys = [_key(c) for c in top]
        labels = ["" if c is None else str(c) for c in top]
        return keys, labels, h
    if not sheet.merged:  # CSV or unmerged: a band's text stands over its first sub-column only
        last = None
        for c in range(width):
            if top[c] is not None:
                last = top[c]
            elif below[c] is not None and last is not None:
                top[c] = last
    keys, labels = [], []
    for t, b in zip(top, below):
        t_text = "" if t is None else str(t)
        b_text = "" if b is None else str(b)
        if t_text and b_text and _key(t_text) != _key(b_text):
            keys.append(_key(f"{t_text} {b_text}"))
            labels.append(f"{t_text} / {b_text}")
        else:
            keys.append(_key(t_text or b_text))
            labels.append(t_text or b_text)
    return keys, labels, h + 1


def find_tables(sheets: list[RawSheet], spec: TableSpec, report: Report) -> list[Table]:
    tables, headers_found = [], 0
    for sheet in sheets:
        h = _header_row(sheet, spec)
        if h is None:
            continue
        headers_found += 1
        table = _build_table(sheet, h, spec, report)
        if table is not None:
            tables.append(table)
    if not headers_found and sheets:
        required = [c for c in spec.columns if c.required]
        expected = ", ".join(f"\"{c.aliases[0].title()}\"" for c in required)
        sheet_names = ", ".join(f"\"{s.sheet}\"" for s in sheets if s.sheet) or "-"
        report.error(
            f"Tabel data {spec.dataset} tidak ditemukan: tidak ada baris judul kolom yang dikenali "
            f"(sheet yang diperiksa: {sheet_names}). Yang diharapkan baris judul dengan kolom {expected}. "
            "Periksa apakah berkas ini memang untuk dataset ini.",
            file=sheets[0].file)
    return tables


def header_fit(sheets: list[RawSheet], spec: TableSpec) -> tuple[int, bool]:
    """(best header score, all required columns present) of these sheets for a dataset's spec."""
    best = (0, False)
    for sheet in sheets:
        for row in sheet.rows[:HEADER_SCAN_ROWS]:
            keys = [_key(c) for c in row if isinstance(c, str)]
            found = {got[1] for k in keys if (got := classify(k, spec)) and got[0] == "canon"}
            required = {c.name for c in spec.columns if c.required and c.unless not in found}
            fit = (len(found), required <= found)
            if fit > best:
                best = fit
    return best


def _build_table(sheet: RawSheet, h: int, spec: TableSpec, report: Report) -> Table | None:
    keys, labels, last = _header(sheet, h, spec)
    where = {"file": sheet.file, "sheet": sheet.sheet, "row": last + 1}
    kept: dict[int, str] = {}
    names: dict[str, str] = {}
    owner: dict[str, int] = {}
    duplicate = False
    data_rows = sheet.rows[last + 1:]
    for c, key in enumerate(keys):
        label = labels[c]
        got = classify(key, spec)
        if got is None:
            if key in ROW_NUMBER_KEYS:
                continue
            if not key:
                if any(c < len(r) and r[c] is not None for r in data_rows):
                    report.warning("Kolom tanpa judul diabaikan.", **where, column=f"kolom ke-{c + 1}")
                continue
            kind = reference.pii_kind(label)
            if kind:
                report.warning(f"Kolom \"{label}\" berisi data pribadi ({kind}) dan dibuang; data ini tidak "
                               "pernah disimpan.", **where, column=label)
            else:
                report.warning("Kolom tidak dikenal diabaikan.", **where, column=label)
            if label not in report.dropped_columns:
                report.dropped_columns.append(label)
            continue
        name = got[1]
        if name in owner:
            report.error(f"Kolom ganda: \"{labels[owner[name]]}\" dan \"{label}\" sama-sama dibaca sebagai "
                         f"{name}. Hapus atau ganti nama salah satunya.", **where, column=label)
            duplicate = True
            continue
        owner[name] = c
        kept[c] = name
        names[name] = label
    missing = [col for col in spec.columns if col.required and col.name not in owner and col.unless not in owner]
    for col in missing:
        known = ", ".join(a.title() for a in col.aliases[:4])
        report.error(f"Kolom wajib \"{col.aliases[0].title()}\" tidak ditemukan di baris judul (baris {h + 1}). "
                     f"Nama kolom yang dikenali: {known}.", **where)
    if missing or duplicate:
        return None
    title = " | ".join(str(c) for r in sheet.rows[:h] for c in r if c is not None)
    records, totals = _records(sheet, last, keys, kept, spec)
    table = Table(file=sheet.file, sheet=sheet.sheet, header_row=last + 1, title=title,
                  columns=list(kept.values()), labels=names, records=records, totals=totals,
                  decimal=sheet.decimal, thousands=sheet.thousands)
    _check_totals(table, spec, report)
    report.rows_read += len(records)
    return table


def _records(sheet: RawSheet, last: int, keys: list[str], kept: dict[int, str], spec: TableSpec):
    records, totals = [], []
    label_idx = [c for c, n in kept.items() if n in spec.label_columns]
    header_set = {k for k in keys if k}
    for i in range(last + 1, len(sheet.rows)):
        row = sheet.rows[i]
        cells = [c for c in row if c is not None]
        if not cells:
            continue
        first = cells[0]
        if isinstance(first, str) and NOTE_RE.match(first):
            continue
        if i == last + 1 and all(NUMBERING_RE.match(str(c).strip()) or isinstance(c, float) for c in cells) \
                and _consecutive(cells):
            continue
        if isinstance(first, str) and _key(first) in header_set:
            row_keys = [_key(c) for c in cells]
            if sum(k in header_set for k in row_keys) >= max(2, 0.8 * len(row_keys)):
                continue  # a header repeated after a page break
        rec = {name: (row[c] if c < len(row) else None) for c, name in kept.items()}
        rec["_row"] = i + 1
        label_texts = [row[c] for c in label_idx if c < len(row) and isinstance(row[c], str)]
        if not label_texts:
            label_texts = [c for c in cells if isinstance(c, str)][:1]
        if any(TOTAL_RE.match(_key(t)) for t in label_texts):
            totals.append(rec)
        else:
            rec["_block"] = len(totals)
            records.append(rec)
    return records, totals


def _consecutive(cells: list) -> bool:
    try:
        nums = [int(str(c).strip("() ").split(".")[0]) for c in cells]
    except ValueError:
        return False
    return nums == list(range(nums[0], nums[0] + len(nums)))


def _fmt(x: float) -> str:
    return format_decimal(round(x, 6), locale="id_ID")


def _num(table: Table, value: object) -> float | None:
    try:
        return values.parse_number(value, table.decimal, table.thousands)
    except ValueError:
        return None


def _check_totals(table: Table, spec: TableSpec, report: Report) -> None:
    if not table.totals:
        return
    checked = mismatched = 0
    numeric = [k for k in table.columns if k not in spec.label_columns]
    for block, total in enumerate(table.totals):
        block_rows = [r for r in table.records if r["_block"] == block]
        above = [r for r in table.records if r["_block"] <= block]
        written_any, empty_cols = False, []
        for key in numeric:
            detail = [n for r in above if (n := _num(table, r.get(key))) is not None]
            if not detail:
                continue
            written = _num(table, total.get(key))
            if written is None:
                empty_cols.append(key)
                continue
            written_any = True
            block_sum = sum(n for r in block_rows if (n := _num(table, r.get(key))) is not None)
            all_sum = sum(detail)
            checked += 1
            if abs(written - block_sum) > 0.5 and abs(written - all_sum) > 0.5:
                mismatched += 1
                got = block_sum if block_rows else all_sum
                report.warning(
                    f"Baris JUMLAH tidak cocok dengan penjumlahan baris rincian: tertulis {_fmt(written)}, hasil "
                    f"penjumlahan {_fmt(got)} (selisih {_fmt(abs(written - got))}). Periksa baris yang hilang "
                    "atau kolom yang bergeser.",
                    file=table.file, sheet=table.sheet, row=total["_row"], column=table.labels.get(key, key),
                    value=total.get(key))
        if not written_any and empty_cols:
            report.warning(
                "Sel JUMLAH kosong; mungkin berisi rumus yang belum dihitung (buka dan simpan ulang di Excel). "
                "Baris ini tidak dapat dicocokkan.",
                file=table.file, sheet=table.sheet, row=total["_row"], column=table.labels.get(empty_cols[0]))
    where = f"{table.file}" + (f" / {table.sheet}" if table.sheet else "")
    report.notes.append(f"Rekonsiliasi JUMLAH {where}: {len(table.totals)} baris JUMLAH, {checked} sel diperiksa, "
                        f"{mismatched} tidak cocok.")
