"""Generic readers: any OPD spreadsheet or CSV into header-identified tables.

read_sheets() turns a file into raw sheets (the file's content decides its type, not its name).
find_tables() finds the header row by content below title rows, joins two-row merged headers,
maps headers to a dataset's canonical columns, drops personal-data and unknown columns, skips
notes/blank/numbering rows, and checks JUMLAH/TOTAL rows against their detail rows before
dropping them. Row numbers are the ones the user sees in Excel (1-based, title rows included).
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import os
import re
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from babel.numbers import format_decimal

from etl import precheck, reference, sandbox, values
from etl.problems import InputError, Report
from etl.reference import ColumnSpec, norm_text

HEADER_SCAN_ROWS = 40
TOTAL_RE = re.compile(r"^(jumlah|total|jml|sub ?total|grand total|kota kendari)\b")
NOTE_RE = re.compile(r"^\s*(sumber|keterangan|catatan|ket\s*[.:]|note|\*\))", re.I)
NUMBERING_RE = re.compile(r"^\(?\d{1,2}\)?$")
ROW_NUMBER_KEYS = {"no", "no urut", "nomor urut", "nomor", "urut"}  # running numbers: ignored without a warning


@dataclass
class CsvCells:
    """Every row of a CSV file as a DuckDB view (large files): `name` has i (the 0-based row index, as in
    RawSheet.rows) and c1..c{width}, each cell exactly as _cell() gives it (stripped, empty = NULL)."""

    con: object
    name: str
    width: int
    tables: tuple[str, ...] = ()  # the DuckDB tables behind the view


@dataclass
class RawSheet:
    file: str
    sheet: str | None
    rows: list[list]
    merged: list = field(default_factory=list)
    decimal: str = ","
    thousands: str | None = "."
    cells: CsvCells | None = None  # set: `rows` is only the head of the file, every row is in `cells`


@dataclass
class TableSpec:
    dataset: str
    columns: tuple[ColumnSpec, ...]
    extra_header: Callable[[str], bool] | None = None
    label_columns: tuple[str, ...] = ()
    totals: bool = True  # JUMLAH/TOTAL rows exist (not in a list of regions, where "Kota Kendari" is a region)


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
    body: str | None = None  # set (columnar read): DuckDB table of the records, `records` stays empty
    con: object = None  # the DuckDB connection holding `body`
    n_records: int = 0
    temp: tuple[str, ...] = ()  # DuckDB tables behind `body`, dropped by release()


def release(table: Table) -> None:
    """Free the DuckDB copy of a columnar table's rows once nothing reads them any more."""
    for name in table.temp:
        table.con.execute(f"DROP TABLE IF EXISTS {name}")
    table.temp = ()


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


def read_sheets(path: str | Path, display_name: str | None = None, con=None) -> list[RawSheet]:
    """The raw sheets of a file. With a DuckDB connection `con`, a CSV file's rows are read by DuckDB into
    `con` (RawSheet.cells) when the file allows it exactly; find_tables then builds a columnar Table."""
    path = Path(path)
    name = display_name or path.name
    sandbox.reading(name)
    data = path.read_bytes()
    if not data or data.isspace():  # (no copy of a large file)
        raise InputError(f"Berkas {name} kosong (tidak berisi data). {EXPECTED}", file=name)
    kind = sniff_kind(data[:8192])
    if kind == "ole":
        if "EncryptedPackage".encode("utf-16-le") in data or "EncryptionInfo".encode("utf-16-le") in data:
            raise InputError(
                f"Berkas {name} dilindungi kata sandi. Buka di Excel, hapus kata sandinya "
                "(File > Info > Protect Workbook), simpan, lalu unggah lagi.",
                file=name,
            )
        return _read_workbook(path, name)
    if kind == "zip":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = set(zf.namelist())
                precheck.archive(zf, name)  # zip bombs: before anything is unzipped
                bad = zf.testzip()
                if bad is None and "xl/workbook.xml" in names:
                    precheck.sheets(zf, name)  # a cell at XFD1048576, a 600 MB string: before the reader
        except (zipfile.BadZipFile, OSError, EOFError):
            raise InputError(
                f"Berkas {name} rusak atau bukan berkas Excel (arsip zip tidak dapat dibuka). {EXPECTED}", file=name
            ) from None
        if bad is not None:
            raise InputError(f"Berkas {name} rusak (bagian {bad} tidak utuh). Simpan ulang dari Excel.", file=name)
        if "xl/workbook.xml" in names or "mimetype" in names and "content.xml" in names:
            return _read_workbook(path, name)
        raise InputError(f"Berkas {name} adalah arsip zip, bukan buku kerja Excel. {EXPECTED}", file=name)
    if kind != "csv":
        raise InputError(f"Berkas {name} adalah {kind}, bukan tabel data. {EXPECTED}", file=name)
    long_field = precheck.csv_fields(data, name)  # a field of more than 32,767 characters: the exact check below
    try:
        if con is not None and len(data) >= COLUMNAR_MIN_BYTES and not long_field:
            sheet = _read_csv_columnar(data, name, path, con)
            if sheet is not None:
                return [sheet]
        return [_read_csv(data, name)]
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):  # a quoted field of more than 131,072 characters
            raise precheck.long_cell_error(name) from None
        raise


def _read_workbook(path: Path, name: str) -> list[RawSheet]:
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_path(str(path))
        sheets = []
        for sheet_name in wb.sheet_names:
            sheet = wb.get_sheet_by_name(sheet_name)
            raw = sheet.to_python(skip_empty_area=False)
            try:
                rows = [[_cell(c) for c in row] for row in raw]
            except CellTooLong:
                raise _long_cell(name, sheet_name, raw) from None
            del raw
            merged = list(sheet.merged_cell_ranges or [])
            sheets.append(RawSheet(file=name, sheet=sheet_name, rows=rows, merged=merged))
    except InputError:
        raise
    except Exception as exc:  # calamine raises its own error types for damaged workbooks
        raise InputError(
            f"Berkas {name} tidak dapat dibaca sebagai buku kerja Excel ({type(exc).__name__}: "
            f"{str(exc)[:120]}). Buka dan simpan ulang di Excel.",
            file=name,
        ) from None
    return sheets


class CellTooLong(ValueError):
    """A cell of more than precheck.MAX_CELL_CHARS characters (Excel's limit)."""


def _cell(value: object) -> object:
    if isinstance(value, str):
        if len(value) > precheck.MAX_CELL_CHARS:
            raise CellTooLong
        value = value.strip()
        return value or None
    return value


def _long_cell(name: str, sheet: str | None, rows) -> InputError:
    """The error for the first cell that is too long, with its position as Excel shows it."""
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, str) and len(value) > precheck.MAX_CELL_CHARS:
                where = (
                    f' (sheet "{sheet}", sel {precheck.column_letters(c + 1)}{r + 1})'
                    if sheet
                    else f" (baris {r + 1}, kolom ke-{c + 1})"
                )
                return precheck.long_cell_error(name, where)
    return precheck.long_cell_error(name)


def _decode(data: bytes) -> tuple[str, str]:
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes every byte")


def _read_csv(data: bytes, name: str) -> RawSheet:
    text, _ = _decode(data)
    lines = [ln for ln in text.splitlines() if ln.strip()][:50]
    delimiter = _sniff_delimiter(lines)
    try:
        rows = [[_cell(c) for c in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
    except CellTooLong:
        raise _long_cell(name, None, csv.reader(io.StringIO(text), delimiter=delimiter)) from None
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
    width = max(len(r) for r in sheet.rows[h : h + 2])
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
        expected = ", ".join(f'"{c.aliases[0].title()}"' for c in required)
        sheet_names = ", ".join(f'"{s.sheet}"' for s in sheets if s.sheet) or "-"
        report.error(
            f"Tabel data {spec.dataset} tidak ditemukan: tidak ada baris judul kolom yang dikenali "
            f"(sheet yang diperiksa: {sheet_names}). Yang diharapkan baris judul dengan kolom {expected}. "
            "Periksa apakah berkas ini memang untuk dataset ini.",
            file=sheets[0].file,
        )
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
    for c, key in enumerate(keys):
        label = labels[c]
        # personal data first: "Tempat/Tgl Lahir" is never tempat kejadian, "Pelaku (Nama)" never hubungan pelaku
        kind = reference.pii_kind(label, spec.dataset) if key else None
        got = None if kind else classify(key, spec)
        if got is None:
            if key in ROW_NUMBER_KEYS and not kind:
                continue
            if not key:
                if _column_has_data(sheet, last, c):
                    report.warning("Kolom tanpa judul diabaikan.", **where, column=f"kolom ke-{c + 1}")
                continue
            if kind:
                report.warning(
                    f'Kolom "{label}" berisi data pribadi ({kind}) dan dibuang; data ini tidak pernah disimpan.',
                    **where,
                    column=label,
                )
            else:
                report.warning("Kolom tidak dikenal diabaikan.", **where, column=label)
            if label not in report.dropped_columns:
                report.dropped_columns.append(label)
            continue
        name = got[1]
        if name in owner:
            report.error(
                f'Kolom ganda: "{labels[owner[name]]}" dan "{label}" sama-sama dibaca sebagai '
                f"{name}. Hapus atau ganti nama salah satunya.",
                **where,
                column=label,
            )
            duplicate = True
            continue
        owner[name] = c
        kept[c] = name
        names[name] = label
    missing = [col for col in spec.columns if col.required and col.name not in owner and col.unless not in owner]
    for col in missing:
        known = ", ".join(a.title() for a in col.aliases[:4])
        report.error(
            f'Kolom wajib "{col.aliases[0].title()}" tidak ditemukan di baris judul (baris {h + 1}). '
            f"Nama kolom yang dikenali: {known}.",
            **where,
        )
    if missing or duplicate:
        return None
    title = " | ".join(str(c) for r in sheet.rows[:h] for c in r if c is not None)
    if sheet.cells is not None:
        body, n_records, totals = _columnar_records(sheet, last, keys, kept, spec)
        table = Table(
            file=sheet.file,
            sheet=sheet.sheet,
            header_row=last + 1,
            title=title,
            columns=list(kept.values()),
            labels=names,
            records=[],
            totals=totals,
            decimal=sheet.decimal,
            thousands=sheet.thousands,
            body=body,
            con=sheet.cells.con,
            n_records=n_records,
            temp=sheet.cells.tables,
        )
    else:
        records, totals = _records(sheet, last, keys, kept, spec)
        table = Table(
            file=sheet.file,
            sheet=sheet.sheet,
            header_row=last + 1,
            title=title,
            columns=list(kept.values()),
            labels=names,
            records=records,
            totals=totals,
            decimal=sheet.decimal,
            thousands=sheet.thousands,
            n_records=len(records),
        )
    _check_totals(table, spec, report)
    report.rows_read += table.n_records
    return table


def _column_has_data(sheet: RawSheet, last: int, c: int) -> bool:
    """Any cell below the header row in column c (0-based)."""
    if sheet.cells is None:
        return any(c < len(r) and r[c] is not None for r in sheet.rows[last + 1 :])
    if c >= sheet.cells.width:
        return False
    return sheet.cells.con.execute(f"SELECT count(c{c + 1}) > 0 FROM {sheet.cells.name} WHERE i > {last}").fetchone()[0]


def _row_kind(i: int, row: list, last: int, header_set: set, label_idx: list[int], totals: bool = True) -> str | None:
    """What row i below the header (last) is: "record", "total" (a JUMLAH row), or None (blank, a note,
    the column-numbering row, a header repeated after a page break)."""
    cells = [c for c in row if c is not None]
    if not cells:
        return None
    first = cells[0]
    if isinstance(first, str) and NOTE_RE.match(first):
        return None
    if (
        i == last + 1
        and all(NUMBERING_RE.match(str(c).strip()) or isinstance(c, float) for c in cells)
        and _consecutive(cells)
    ):
        return None
    if isinstance(first, str) and _key(first) in header_set:
        row_keys = [_key(c) for c in cells]
        if sum(k in header_set for k in row_keys) >= max(2, 0.8 * len(row_keys)):
            return None  # a header repeated after a page break
    label_texts = [row[c] for c in label_idx if c < len(row) and isinstance(row[c], str)]
    if not label_texts:
        label_texts = [c for c in cells if isinstance(c, str)][:1]
    if totals and any(TOTAL_RE.match(_key(t)) for t in label_texts):
        return "total"
    return "record"


def _records(sheet: RawSheet, last: int, keys: list[str], kept: dict[int, str], spec: TableSpec):
    records, totals = [], []
    label_idx = [c for c, n in kept.items() if n in spec.label_columns]
    header_set = {k for k in keys if k}
    for i in range(last + 1, len(sheet.rows)):
        row = sheet.rows[i]
        kind = _row_kind(i, row, last, header_set, label_idx, spec.totals)
        if kind is None:
            continue
        rec = {name: (row[c] if c < len(row) else None) for c, name in kept.items()}
        rec["_row"] = i + 1
        if kind == "total":
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


def _block_numbers(table: Table, key: str) -> list[list[float]]:
    """Per block (the detail rows above each JUMLAH row, and those after the last one), the numbers in
    column `key`, in row order."""
    per: list[list[float]] = [[] for _ in range(len(table.totals) + 1)]
    if table.body is None:
        for r in table.records:
            n = _num(table, r.get(key))
            if n is not None:
                per[r["_block"]].append(n)
        return per
    con, col = table.con, f'"{key}"'
    sql = f"SELECT DISTINCT {col} FROM {table.body} WHERE {col} IS NOT NULL"
    distinct = [v for (v,) in con.execute(sql).fetchall()]
    nums = {v: n for v in distinct if (n := _num(table, v)) is not None}
    if nums:
        rows = con.execute(
            f"SELECT b._block, l.n FROM {table.body} b JOIN (SELECT unnest(?::VARCHAR[]) AS v, "
            f"unnest(?::DOUBLE[]) AS n) l ON b.{col} = l.v ORDER BY b._row",
            [list(nums), list(nums.values())],
        ).fetchall()
        for block, n in rows:
            per[block].append(n)
    return per


def _blocks_with_rows(table: Table) -> set[int]:
    if table.body is None:
        return {r["_block"] for r in table.records}
    return {b for (b,) in table.con.execute(f"SELECT DISTINCT _block FROM {table.body}").fetchall()}


def _check_totals(table: Table, spec: TableSpec, report: Report) -> None:
    if not table.totals:
        return
    checked = mismatched = 0
    numeric = [k for k in table.columns if k not in spec.label_columns]
    numbers = {key: _block_numbers(table, key) for key in numeric}
    with_rows = _blocks_with_rows(table)
    for block, total in enumerate(table.totals):
        written_any, empty_cols = False, []
        for key in numeric:
            per = numbers[key]
            detail = [n for b in range(block + 1) for n in per[b]]
            if not detail:
                continue
            written = _num(table, total.get(key))
            if written is None:
                empty_cols.append(key)
                continue
            written_any = True
            block_sum = sum(per[block])
            all_sum = sum(detail)
            checked += 1
            if abs(written - block_sum) > 0.5 and abs(written - all_sum) > 0.5:
                mismatched += 1
                got = block_sum if block in with_rows else all_sum
                report.warning(
                    f"Baris JUMLAH tidak cocok dengan penjumlahan baris rincian: tertulis {_fmt(written)}, hasil "
                    f"penjumlahan {_fmt(got)} (selisih {_fmt(abs(written - got))}). Periksa baris yang hilang "
                    "atau kolom yang bergeser.",
                    kind="Baris JUMLAH tidak cocok dengan penjumlahan baris rincian. Periksa baris yang hilang atau "
                    "kolom yang bergeser.",
                    file=table.file,
                    sheet=table.sheet,
                    row=total["_row"],
                    column=table.labels.get(key, key),
                    value=total.get(key),
                )
        if not written_any and empty_cols:
            report.warning(
                "Sel JUMLAH kosong; mungkin berisi rumus yang belum dihitung (buka dan simpan ulang di Excel). "
                "Baris ini tidak dapat dicocokkan.",
                file=table.file,
                sheet=table.sheet,
                row=total["_row"],
                column=table.labels.get(empty_cols[0]),
            )
    where = f"{table.file}" + (f" / {table.sheet}" if table.sheet else "")
    report.notes.append(
        f"Rekonsiliasi JUMLAH {where}: {len(table.totals)} baris JUMLAH, {checked} sel diperiksa, "
        f"{mismatched} tidak cocok."
    )


# ---------------------------------------------------------------------------------------------
# large CSV files: DuckDB reads the cells, rows are classified column by column with the same rules
# as _records (_row_kind decides every row that is not plainly a data row). A file DuckDB cannot read
# exactly as csv.reader does (quoted line breaks, stray quotes, a lone CR, NUL bytes) takes the Python path.

COLUMNAR_MIN_BYTES = 0  # CSV files from this size on are read by DuckDB when read_sheets gets a connection
HEAD_BYTES = 1 << 16  # the head parsed in Python: delimiter, number style, header rows
HEAD_MIN_ROWS = HEADER_SCAN_ROWS + 5
# what str.strip() removes: every c with c.isspace() (tests/test_kasus_fast.py checks the list)
_WS = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_WS_RE2 = "".join(f"\\x{{{ord(c):x}}}" for c in _WS)
_WS_HIGH = ", ".join(str(ord(c)) for c in _WS if ord(c) > 32)
_names = itertools.count()


def _clean_sql(col: str) -> str:
    """SQL for _cell() of a CSV cell: str.strip() (every Unicode space), empty -> NULL. The regex runs only
    for a cell that starts or ends with a space or control character."""
    return (
        f"CASE WHEN ord({col}) > 32 AND ord({col}) NOT IN ({_WS_HIGH}) AND ord(right({col}, 1)) > 32 "
        f"AND ord(right({col}, 1)) NOT IN ({_WS_HIGH}) THEN {col} "
        f"ELSE nullif(regexp_replace({col}, '^[{_WS_RE2}]+|[{_WS_RE2}]+$', '', 'g'), '') END"
    )


_SPACE_BYTES = bytes(b for b in range(128) if chr(b).isspace() and chr(b) not in "\r\n")
_QUOTE_EDGE = re.compile(rb'"(?:[' + re.escape(_SPACE_BYTES) + rb"]|(?<=[" + re.escape(_SPACE_BYTES) + rb']"))')


def _quoted_field_re(delimiter: str) -> re.Pattern:
    """A quoted field csv.reader and DuckDB read alike: it starts a field, ends one, stays on its line."""
    d = re.escape(delimiter.encode())
    return re.compile(rb'"(?<![^' + d + rb'\n]")[^"\r\n]*(?:""[^"\r\n]*)*"(?=[' + d + rb"\r\n]|\Z)")


def _scan(data: bytes, delimiter: str, begin: int, ascii_only: bool) -> bool | None:
    """Whether some cell may start or end with a space (str.strip() would change it); None when a quote
    character does not wrap a whole field on one line (only csv.reader reads such a file exactly).

    A space next to a delimiter, a line break, a quote or the ends of the file counts; quoted cells are
    masked first, so a delimiter inside one ("Fisik; Psikis") does not."""
    quoted = data.find(b'"', begin) != -1
    if quoted:
        view = memoryview(data)[begin:]
        masked, n = _quoted_field_re(delimiter).subn(b'"x"', view)
        view.release()
        if masked.count(b'"') != 2 * n:
            return None
        if _QUOTE_EDGE.search(data, begin):
            return True
    else:
        masked = data
    table = bytearray(range(256))
    for b in _SPACE_BYTES:
        table[b] = 32
    for b in delimiter.encode() + b"\r\n":
        table[b] = 10
    marked = masked.translate(bytes(table))  # one pass: spaces -> " ", delimiters and line breaks -> "\n"
    del masked
    if marked.startswith(b" ", begin) or marked.endswith(b" ") or b" \n" in marked or b"\n " in marked:
        return True
    del marked
    if ascii_only:
        return False
    bounds = [delimiter.encode(), b"\n", b"\r", b'"']
    for c in _WS:
        w = c.encode()
        if ord(c) < 128 or w not in data:
            continue
        if data.startswith(w, begin) or data.endswith(w) or any(w + b in data or b + w in data for b in bounds):
            return True
    return False


_EMPTY_LINE = re.compile(rb"\n\r?(?=\n)")


def _empty_lines(data: bytes, begin: int) -> list[int]:
    """0-based indices of the empty lines (csv.reader gives [] for them; DuckDB skips them); the file's text
    starts at `begin`."""
    first = data.startswith((b"\n", b"\r\n"), begin)
    if not (first or data.find(b"\n\n", begin) != -1 or data.find(b"\n\r\n", begin) != -1):
        return []
    out = [0] if first else []
    line, last = 0, begin
    for m in _EMPTY_LINE.finditer(data, begin):
        line += data.count(b"\n", last, m.start() + 1)
        last = m.start() + 1
        out.append(line)
    return out


def _head(data: bytes, encoding: str) -> tuple[str, list[list]] | None:
    """(delimiter, rows) of the first rows of the file: enough for _sniff_delimiter (50 lines),
    detect_number_style (STYLE_SAMPLE cells) and the header scan, exactly as _read_csv sees them."""
    size = HEAD_BYTES
    while True:
        cut = len(data) if size >= len(data) else data.rfind(b"\n", 0, size) + 1
        whole = cut == len(data)
        if cut or whole:
            text = data[:cut].decode(encoding)
            lines = [ln for ln in text.splitlines() if ln.strip()]
            if whole or len(lines) >= 50:
                delimiter = _sniff_delimiter(lines[:50])
                rows = [[_cell(c) for c in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
                if whole or (len(rows) >= HEAD_MIN_ROWS and sum(map(len, rows)) >= values.STYLE_SAMPLE):
                    return delimiter, rows
        size *= 4


def _read_csv_columnar(data: bytes, name: str, path: Path, con) -> RawSheet | None:
    """A CSV file read by DuckDB into `con`, or None when only csv.reader reads it exactly."""
    import duckdb

    if b"\x00" in data or data.count(b"\r") != data.count(b"\r\n"):
        return None
    bom = data.startswith(codecs.BOM_UTF8)
    if (data[3:] if bom else data).isascii():
        text, encoding = None, "utf-8-sig"
    else:
        text, encoding = _decode(data)
    begin = 3 if bom and encoding == "utf-8-sig" else 0  # the text starts after the byte order mark
    delimiter, rows = _head(data, encoding)
    strip = _scan(data if encoding == "utf-8-sig" else text.encode("utf-8"), delimiter, begin, text is None)
    if strip is None:
        return None
    quoted = data.find(b'"', begin) != -1
    decimal, thousands = values.detect_number_style((c for r in rows for c in r), delimiter)
    width = max(map(len, rows), default=0) + 4
    n = next(_names)
    raw, view = f"_csv{n}_raw", f"_csv{n}"
    columns = ", ".join(f"'c{k}': 'VARCHAR'" for k in range(1, width + 1))
    if strip:
        cleaned = ", ".join(f"{_clean_sql(f'c{k}')} AS c{k}" for k in range(1, width + 1))
    elif quoted:
        cleaned = ", ".join(f"nullif(c{k}, '') AS c{k}" for k in range(1, width + 1))
    else:  # DuckDB reads an empty unquoted cell as NULL
        cleaned = ", ".join(f"c{k}" for k in range(1, width + 1))
    quote = "quote = '\"', escape = '\"'" if quoted else "quote = '', escape = ''"
    src, tmp = str(path), None
    try:
        if encoding != "utf-8-sig":  # DuckDB reads UTF-8: the text as _read_csv decoded it (removed below)
            fd, tmp = tempfile.mkstemp(suffix=".csv")
            with os.fdopen(fd, "wb") as fh:
                fh.write(text.encode("utf-8"))
            src = tmp
        con.execute(
            f"CREATE TEMP TABLE {raw} AS SELECT ordinality - 1 AS o, {cleaned} FROM read_csv(?, "
            f"delim = '{delimiter}', header = false, auto_detect = false, null_padding = true, "
            "parallel = true, "
            f"{quote}, columns = {{{columns}}}) WITH ORDINALITY",
            [src],
        )
    except duckdb.Error:
        con.execute(f"DROP TABLE IF EXISTS {raw}")
        return None
    finally:
        if tmp:
            os.unlink(tmp)
    empty = _empty_lines(data, begin)
    if empty:  # row index = DuckDB's row number + the empty lines above it
        shifts = {}
        for j, e in enumerate(empty):
            shifts[e - j] = j + 1
        con.execute(
            f"CREATE TEMP TABLE {view}_shift AS SELECT unnest(?::BIGINT[]) AS k, unnest(?::BIGINT[]) AS s",
            [list(shifts), list(shifts.values())],
        )
        con.execute(
            f"CREATE TEMP VIEW {view} AS SELECT r.o + coalesce(s.s, 0) AS i, r.* EXCLUDE (o) FROM {raw} r "
            f"ASOF LEFT JOIN {view}_shift s ON r.o >= s.k"
        )
    else:
        con.execute(f"CREATE TEMP VIEW {view} AS SELECT o AS i, * EXCLUDE (o) FROM {raw}")
    n_rows = data.count(b"\n", begin) + (0 if data.endswith(b"\n") or len(data) == begin else 1)
    cells = CsvCells(con=con, name=view, width=width, tables=(raw, f"{view}_shift") if empty else (raw,))
    if not _same_rows(cells, rows, n_rows - len(empty), data, encoding, delimiter, n_rows - 1):
        return None
    return RawSheet(file=name, sheet=None, rows=rows, merged=[], decimal=decimal, thousands=thousands, cells=cells)


def _same_rows(
    cells: CsvCells, head: list[list], expected: int, data: bytes, encoding: str, delimiter: str, last_i: int
) -> bool:
    """DuckDB read what csv.reader reads: as many rows, the same head rows and the same last row."""
    con, width = cells.con, cells.width
    if con.execute(f"SELECT count(*) FROM {cells.name}").fetchone()[0] != expected:
        return False
    got = {
        r[0]: list(r[1:])
        for r in con.execute(f"SELECT * FROM {cells.name} WHERE i < {len(head)} OR i = {last_i}").fetchall()
    }
    want = {i: row + [None] * (width - len(row)) for i, row in enumerate(head) if row}
    start = data.rfind(b"\n", 0, len(data) - 1) + 1
    tail = data[start:].decode(encoding)
    tail_rows = list(csv.reader(io.StringIO(tail), delimiter=delimiter))
    if tail_rows and tail_rows[0]:
        row = [_cell(c) for c in tail_rows[0]]
        if len(row) > width:
            return False
        want[last_i] = row + [None] * (width - len(row))
    return got == want


def _columnar_records(sheet: RawSheet, last: int, keys: list[str], kept: dict[int, str], spec: TableSpec):
    """_records for a CSV read by DuckDB: (DuckDB view of the records, their number, the JUMLAH rows).

    The view has _row (Excel row), _block (JUMLAH rows above it) and one column per kept column. A row that
    is plainly a data row stays in SQL; every other non-blank row (all rows _row_kind might not call a
    record: a superset, checked with cheap tests) goes through _row_kind."""
    cells = sheet.cells
    con, view, width = cells.con, cells.name, cells.width
    label_idx = [c for c, n in kept.items() if n in spec.label_columns]
    header_set = {k for k in keys if k}
    first = f"coalesce({', '.join(f'c{k}' for k in range(1, width + 1))})"

    def starts(x: str, words) -> str:  # x may normalise (norm_text) to a text starting with one of the words
        alternatives = "|".join(sorted({re.escape(w) for w in words}))
        return f"(strlen({x}) <> length({x}) OR regexp_matches({x}, '(?i)^[^a-z0-9]*({alternatives})'))"

    total_words = ("jumlah", "total", "jml", "sub", "grand", "kota")
    labels = [f"c{c + 1}" for c in label_idx]
    if labels:
        total_like = (
            f"CASE WHEN coalesce({', '.join(labels)}) IS NULL THEN {starts('first', total_words)} ELSE "
            + " OR ".join(f"coalesce({starts(x, total_words)}, false)" for x in labels)
            + " END"
        )
    else:
        total_like = starts("first", total_words)
    header_words = {k.split()[0] for k in header_set}
    special = (
        f"first IS NULL OR i = {last + 1} "
        f"OR {starts('first', ('sumber', 'keterangan', 'catatan', 'ket', 'note', '*)'))} "
        + (f"OR {starts('first', header_words)} " if header_words else "")
        + f"OR {total_like}"
    )
    odd = con.execute(
        f"SELECT * EXCLUDE (first) FROM (SELECT *, {first} AS first FROM {view} WHERE i > {last}) "
        f"WHERE {special} ORDER BY i"
    ).fetchall()
    dropped, totals = [], []
    for r in odd:
        i, row = r[0], list(r[1:])
        kind = _row_kind(i, row, last, header_set, label_idx, spec.totals)
        if kind == "record":
            continue
        dropped.append(i)
        if kind == "total":
            rec = {name: row[c] for c, name in kept.items()}
            rec["_row"] = i + 1
            totals.append(rec)
    n = next(_names)
    body = f"_records{n}"
    select = ", ".join(f'c{c + 1} AS "{name}"' for c, name in kept.items())
    where = f"v.i > {last}"
    if dropped:
        con.execute(f"CREATE TEMP TABLE {body}_drop AS SELECT unnest(?::BIGINT[]) AS i", [dropped])
        where += f" AND v.i NOT IN (SELECT i FROM {body}_drop)"
    if totals:
        con.execute(
            f"CREATE TEMP TABLE {body}_tot AS SELECT unnest(?::BIGINT[]) AS i, "
            f"unnest(range(1, {len(totals) + 1})) AS k",
            [[t["_row"] - 1 for t in totals]],
        )
        con.execute(
            f"CREATE TEMP VIEW {body} AS SELECT v.i + 1 AS _row, coalesce(t.k, 0) AS _block, {select} "
            f"FROM {view} v ASOF LEFT JOIN {body}_tot t ON v.i > t.i WHERE {where}"
        )
    else:
        con.execute(
            f"CREATE TEMP VIEW {body} AS SELECT v.i + 1 AS _row, 0 AS _block, {select} FROM {view} v WHERE {where}"
        )
    n_records = con.execute(f"SELECT count(*) FROM {view} v WHERE {where}").fetchone()[0]
    return body, n_records, totals
