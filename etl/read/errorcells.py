"""Excel error cells (#REF!, #N/A, #VALUE!, #DIV/0!, #NAME?, #NUM!, #NULL!): found in the file, reported per cell.

A formula whose result is an error keeps that error as its saved value. python-calamine (0.9) gives such a cell as
an empty string, in xlsx, xls and ods alike: read as it comes, a count would load as blank or 0. So the reader looks
the error cells up in the file itself and writes the error's text into the raw rows at their place (sheets.py):

- xlsx: cells with t="e" in the sheet XML (streamed in 1 MB pieces, like etl/precheck.py);
- xls: BOOLERR records that hold an error and FORMULA records whose cached result is one (BIFF5/BIFF8, in the OLE
  container's Workbook stream);
- ods: cells with calcext:value-type="error" (LibreOffice), content.xml parsed only when it holds one.

A CSV holds the error's text as it was exported ("#REF!" from Google Sheets or Excel). Either way, report_cells()
makes every such cell in a column the dataset reads an error naming the cell; later problems at that cell ("bukan
angka") are left out (Report.unreadable), so the analyst reads one message: what the cell holds and what to do.
"""

from __future__ import annotations

import re
import struct
import zipfile

from etl.precheck import CHUNK, _column_number, _parts, column_letters
from etl.problems import Report
from etl.read.model import Table

# Excel's error values (and those of Excel 365, Google Sheets and LibreOffice), as a cell shows them
ERROR_TEXT = re.compile(
    r"#(?:NULL!|DIV/0!|VALUE!|REF!|NAME\?|NUM!|N/A|GETTING_DATA|SPILL!|CALC!|FIELD!|BLOCKED!|CONNECT!|BUSY!"
    r"|UNKNOWN!|ERROR!|PYTHON!|EXTERNAL!)|Err:\d{3}",
    re.IGNORECASE,
)
UNKNOWN_ERROR = "#GALAT"  # an error cell whose text the file does not give
XLS_ERRORS = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?", 0x24: "#NUM!"}
XLS_ERRORS |= {0x2A: "#N/A", 0x2B: "#GETTING_DATA"}
MAX_PAD_ROWS = 65_536  # an error cell this far below the cells read lies outside any table

Found = dict[str | None, list[tuple[int, int, str]]]  # sheet name -> (0-based row, 0-based column, error text)


def error_text(value: object) -> str | None:
    """The error a cell holds ("#REF!"), None for any other value."""
    if isinstance(value, str) and ERROR_TEXT.fullmatch(value.strip()):
        return value.strip().upper() if value.strip().startswith("#") else value.strip()
    return None


def patch(rows: list[list], found: list[tuple[int, int, str]]) -> None:
    """Write each error's text into the raw rows at its place (where the workbook reader left an empty cell)."""
    for r, c, text in found:
        if r >= len(rows) + MAX_PAD_ROWS:
            continue
        while len(rows) <= r:
            rows.append([])
        row = rows[r]
        if len(row) <= c:
            row.extend([None] * (c + 1 - len(row)))
        row[c] = text


# --- xlsx -----------------------------------------------------------------------------------------------------------
_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c\s([^>]*?)(?<!/)>(.*?)</(?:[A-Za-z_][\w.-]*:)?c>", re.S)
_CELL_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?c>")
_ERROR_TYPE = re.compile(rb'\bt="e"')
_REF = re.compile(rb'\br="([A-Z]{1,3})([0-9]{1,7})"')
_VALUE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?v>([^<]*)</(?:[A-Za-z_][\w.-]*:)?v>")


def xlsx(zf: zipfile.ZipFile) -> Found:
    """The error cells of every worksheet of an xlsx, by sheet name."""
    found: Found = {}
    present = set(zf.namelist())
    for part, sheet in _parts(zf)[0].items():
        if part in present:
            cells = _xlsx_sheet(zf, part)
            if cells:
                found[sheet] = cells
    return found


def _xlsx_sheet(zf: zipfile.ZipFile, part: str) -> list[tuple[int, int, str]]:
    out: list[tuple[int, int, str]] = []
    tail = b""
    with zf.open(part) as fh:
        while True:
            chunk = fh.read(CHUNK)
            buf = tail + chunk
            ends = [m.end() for m in _CELL_END.finditer(buf)]
            cut = ends[-1] if ends and chunk else len(buf)
            if b't="e"' in buf[:cut]:
                for attrs, inner in _CELL.findall(buf, 0, cut):
                    ref = _REF.search(attrs)
                    if _ERROR_TYPE.search(attrs) and ref:
                        value = _VALUE.search(inner)
                        text = value.group(1).decode("utf-8", "replace").strip() if value else ""
                        out.append((int(ref.group(2)) - 1, _column_number(ref.group(1)) - 1, text or UNKNOWN_ERROR))
            tail = buf[cut:]
            if not chunk:
                return out


# --- xls (BIFF in an OLE compound file) ------------------------------------------------------------------------------
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_LAST_SECTOR = 0xFFFFFFFA  # sector numbers from here on mark the end of a chain, a FAT sector, a free one


def xls(data: bytes) -> Found:
    """The error cells of every sheet of an xls workbook, by sheet name ({} when the file is not one we can walk:
    the workbook reader has read it, so it is only the error lookup that is left out)."""
    try:
        stream = _ole_stream(data, ("Workbook", "Book"))
        return _biff_errors(stream) if stream else {}
    except (struct.error, IndexError, ValueError, UnicodeDecodeError):
        return {}


def _ole_stream(data: bytes, names: tuple[str, ...]) -> bytes | None:
    """One stream of an OLE compound file (the container of .xls), by name."""
    if data[:8] != _OLE_MAGIC or len(data) < 512:
        return None
    size = 1 << struct.unpack_from("<H", data, 0x1E)[0]
    mini_size = 1 << struct.unpack_from("<H", data, 0x20)[0]
    n_fat, dir_start = struct.unpack_from("<II", data, 0x2C)
    cutoff, minifat_start, n_minifat, difat_sector, n_difat = struct.unpack_from("<IIIII", data, 0x38)
    n_sectors = len(data) // size
    difat = list(struct.unpack_from("<109I", data, 0x4C))
    for _ in range(min(n_difat, n_sectors)):
        if difat_sector >= _LAST_SECTOR:
            break
        entries = struct.unpack_from(f"<{size // 4}I", data, (difat_sector + 1) * size)
        difat.extend(entries[:-1])
        difat_sector = entries[-1]
    fat: list[int] = []
    for sector in difat[:n_fat]:
        if sector < _LAST_SECTOR:
            fat.extend(struct.unpack_from(f"<{size // 4}I", data, (sector + 1) * size))

    def chain(start: int, table: list[int]) -> list[int]:
        out, seen = [], set()
        while start < _LAST_SECTOR and start not in seen and start < len(table):
            seen.add(start)
            out.append(start)
            start = table[start]
        return out

    def read(start: int) -> bytes:
        return b"".join(data[(s + 1) * size : (s + 2) * size] for s in chain(start, fat))

    directory = read(dir_start)
    entries = [directory[i : i + 128] for i in range(0, len(directory) - 127, 128)]
    if not entries:
        return None
    root_start = struct.unpack_from("<I", entries[0], 0x74)[0]
    for entry in entries:
        length = struct.unpack_from("<H", entry, 0x40)[0]
        name = entry[: max(length - 2, 0)].decode("utf-16-le", "replace")
        if entry[0x42] != 2 or name not in names:
            continue
        start, stream_size = struct.unpack_from("<II", entry, 0x74)
        if stream_size >= cutoff:
            return read(start)[:stream_size]
        mini = read(root_start)
        minifat_raw = read(minifat_start) if n_minifat else b""
        minifat = list(struct.unpack_from(f"<{len(minifat_raw) // 4}I", minifat_raw))
        return b"".join(mini[s * mini_size : (s + 1) * mini_size] for s in chain(start, minifat))[:stream_size]
    return None


def _biff_errors(stream: bytes) -> Found:
    """BOOLERR records holding an error and FORMULA records whose cached result is an error, per sheet (BOUNDSHEET
    says at which stream offset each sheet's records begin)."""
    found: Found = {}
    sheets_at: dict[int, str] = {}
    sheet, biff8, pos = None, True, 0
    first = True
    while pos + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, pos)
        body = stream[pos + 4 : pos + 4 + length]
        if kind == 0x0809:  # BOF: the globals first, then one per sheet
            if first:
                biff8 = len(body) >= 2 and struct.unpack_from("<H", body)[0] == 0x0600
                first = False
            sheet = sheets_at.get(pos)
        elif kind == 0x0085 and len(body) >= 8:  # BOUNDSHEET: where a sheet begins, and its name
            cch = body[6]
            if biff8:
                wide = body[7] & 1
                name = body[8 : 8 + cch * (2 if wide else 1)].decode("utf-16-le" if wide else "latin-1")
            else:
                name = body[7 : 7 + cch].decode("cp1252", "replace")
            sheets_at[struct.unpack_from("<I", body)[0]] = name
        elif sheet is not None and kind == 0x0205 and len(body) >= 8 and body[7] == 1:  # BOOLERR, an error
            r, c = struct.unpack_from("<HH", body)
            found.setdefault(sheet, []).append((r, c, XLS_ERRORS.get(body[6], UNKNOWN_ERROR)))
        elif sheet is not None and kind == 0x0006 and len(body) >= 14 and body[12:14] == b"\xff\xff" and body[6] == 2:
            r, c = struct.unpack_from("<HH", body)  # FORMULA whose cached result is an error
            found.setdefault(sheet, []).append((r, c, XLS_ERRORS.get(body[8], UNKNOWN_ERROR)))
        elif kind == 0x000A:  # EOF of the globals or of a sheet
            sheet = None
        pos += 4 + length
    return found


# --- ods ------------------------------------------------------------------------------------------------------------
_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_CALCEXT = "{urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0}"
MAX_REPEAT = 1_000  # cells of one repeated error cell listed


def ods(zf: zipfile.ZipFile) -> Found:
    """The error cells of every sheet of an OpenDocument spreadsheet, by sheet name."""
    if "content.xml" not in zf.namelist() or not _has_error_cell(zf):
        return {}
    try:
        return _ods_cells(zf)
    except Exception:  # noqa: BLE001 - XML the parser refuses (entities, damage): the workbook reader says what is wrong
        return {}


def _ods_cells(zf: zipfile.ZipFile) -> Found:
    from defusedxml.ElementTree import iterparse

    found: Found = {}
    sheet, row, col = None, 0, 0
    with zf.open("content.xml") as fh:
        for event, el in iterparse(fh, events=("start", "end")):
            tag = el.tag
            if event == "start":
                if tag == _TABLE + "table":
                    sheet, row = el.get(_TABLE + "name"), 0
                elif tag == _TABLE + "table-row":
                    col = 0
                continue
            if tag in (_TABLE + "table-cell", _TABLE + "covered-table-cell"):
                repeat = int(el.get(_TABLE + "number-columns-repeated", "1"))
                if "error" in (el.get(_CALCEXT + "value-type"), el.get(_OFFICE + "value-type")):
                    text = "".join(el.itertext()).strip() or UNKNOWN_ERROR
                    found.setdefault(sheet, []).extend((row, col + k, text) for k in range(min(repeat, MAX_REPEAT)))
                col += repeat
                el.clear()
            elif tag == _TABLE + "table-row":
                row += int(el.get(_TABLE + "number-rows-repeated", "1"))
                el.clear()
    return found


def _has_error_cell(zf: zipfile.ZipFile) -> bool:
    needle = b'value-type="error"'
    tail = b""
    with zf.open("content.xml") as fh:
        while chunk := fh.read(CHUNK):
            if needle in tail + chunk:
                return True
            tail = chunk[-len(needle) :]
    return False


# --- the cells of a table -------------------------------------------------------------------------------------------
def report_cells(table: Table, report: Report, positions: dict[str, int]) -> None:
    """Every error cell in a column the dataset reads (data rows and JUMLAH rows) as an error naming the cell; the
    cell joins Report.unreadable, so no other problem is reported for it."""
    hits = " OR ".join(f"(\"{k}\" LIKE '#%' OR \"{k}\" LIKE 'Err:%')" for k in table.columns) or "FALSE"
    for rec in [*table.candidates(hits), *table.totals]:
        for key in table.columns:
            text = error_text(rec.get(key))
            if text is None:
                continue
            column = table.labels.get(key, key)
            cell = f" {column_letters(positions[key] + 1)}{rec['_row']}" if table.sheet is not None else ""
            report.error(
                f"Sel{cell} berisi galat Excel {text}; perbaiki rumusnya lalu simpan ulang (atau ketik nilainya), "
                "kemudian muat lagi. Sel bergalat tidak pernah dibaca sebagai 0 atau sel kosong.",
                kind="Sel berisi galat Excel; perbaiki rumusnya lalu simpan ulang, kemudian muat lagi.",
                file=table.file,
                sheet=table.sheet,
                row=rec["_row"],
                column=column,
                value=text,
            )
            report.unreadable.add((table.file, table.sheet, rec["_row"], column))
