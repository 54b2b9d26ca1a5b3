"""A file into raw sheets: workbooks through calamine, CSV through csv.reader, or (large CSV, a DuckDB
connection given) through DuckDB (etl/read/csvfast.py). Every hostile-file check runs before the reader."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

from etl import precheck, sandbox, values
from etl.problems import InputError
from etl.read import csvfast, errorcells
from etl.read.model import RawSheet
from etl.read.sniff import EXPECTED, CellTooLong, _cell, _decode, _sniff_delimiter, sniff_kind

COLUMNAR_MIN_BYTES = 0  # CSV files from this size on are read by DuckDB when read_sheets gets a connection


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
        return _read_workbook(path, name, errorcells.xls(data))
    if kind == "zip":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = set(zf.namelist())
                precheck.archive(zf, name)  # zip bombs: before anything is unzipped
                bad = zf.testzip()
                if bad is None and "xl/workbook.xml" in names:
                    precheck.sheets(zf, name)  # a cell at XFD1048576, a 600 MB string: before the reader
                # error cells (#REF!): the workbook reader gives them as empty cells
                if bad is None:
                    errors = errorcells.xlsx(zf) if "xl/workbook.xml" in names else errorcells.ods(zf)
        except (zipfile.BadZipFile, OSError, EOFError):
            raise InputError(
                f"Berkas {name} rusak atau bukan berkas Excel (arsip zip tidak dapat dibuka). {EXPECTED}", file=name
            ) from None
        if bad is not None:
            raise InputError(f"Berkas {name} rusak (bagian {bad} tidak utuh). Simpan ulang dari Excel.", file=name)
        if "xl/workbook.xml" in names or "mimetype" in names and "content.xml" in names:
            return _read_workbook(path, name, errors)
        raise InputError(f"Berkas {name} adalah arsip zip, bukan buku kerja Excel. {EXPECTED}", file=name)
    if kind != "csv":
        raise InputError(f"Berkas {name} adalah {kind}, bukan tabel data. {EXPECTED}", file=name)
    long_field = precheck.csv_fields(data, name)  # a field of more than 32,767 characters: the exact check below
    try:
        if con is not None and len(data) >= COLUMNAR_MIN_BYTES and not long_field:
            sheet = csvfast._read_csv_columnar(data, name, path, con)
            if sheet is not None:
                return [sheet]
        return [_read_csv(data, name)]
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):  # a quoted field of more than 131,072 characters
            raise precheck.long_cell_error(name) from None
        raise


def _read_workbook(path: Path, name: str, errors: errorcells.Found | None = None) -> list[RawSheet]:
    """The sheets of a workbook; `errors` (errorcells: sheet -> error cells) written into the rows at their place."""
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_path(str(path))
        hidden = _hidden_sheets(wb)
        sheets = []
        for sheet_name in wb.sheet_names:
            sheet = wb.get_sheet_by_name(sheet_name)
            raw = sheet.to_python(skip_empty_area=False)
            try:
                rows = [[_cell(c) for c in row] for row in raw]
            except CellTooLong:
                raise _long_cell(name, sheet_name, raw) from None
            del raw
            errorcells.patch(rows, (errors or {}).get(sheet_name, []))
            merged = list(sheet.merged_cell_ranges or [])
            sheets.append(RawSheet(file=name, sheet=sheet_name, rows=rows, merged=merged, hidden=sheet_name in hidden))
    except InputError:
        raise
    except Exception as exc:  # calamine raises its own error types for damaged workbooks
        raise InputError(
            f"Berkas {name} tidak dapat dibaca sebagai buku kerja Excel ({type(exc).__name__}: "
            f"{str(exc)[:120]}). Buka dan simpan ulang di Excel.",
            file=name,
        ) from None
    return sheets


def _hidden_sheets(wb) -> set[str]:
    """Names of the hidden and very hidden sheets of a workbook (a helper sheet of dropdown lists, "Daftar"):
    find_tables skips them with a note."""
    from python_calamine import SheetVisibleEnum

    return {m.name for m in wb.sheets_metadata if m.visible != SheetVisibleEnum.Visible}


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
