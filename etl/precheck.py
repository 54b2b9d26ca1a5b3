"""Checks of a file's structure before a reader opens it: the attacks a small file can carry.

A spreadsheet reader trusts the file it is given. One cell at XFD1048576 makes python-calamine allocate the whole
1,048,576 x 16,384 grid (512 GiB: the process aborts); a zip member of 1 GiB of zeros fits in 1 MB; a shared
string of 600 MB is read whole. These checks read only the zip directory and stream the sheet XML in 1 MB pieces,
so the common attacks get a precise message (in Bahasa Indonesia, naming the file) without the heavy reader ever
starting. What they do not foresee is stopped by the memory and time limits of the reading process (etl/sandbox.py).

- zip (xlsx, ods, zipped shapefile): at most MAX_ZIP_MEMBERS members, MAX_UNZIPPED_BYTES unzipped in all, and no
  member over RATIO_MIN_BYTES that grows more than MAX_RATIO times (Apache POI's zip-bomb rule). The sizes are those
  the zip declares: Python's zipfile never unzips more than that; a reader that does meets the memory limit.
- xlsx sheets: rows x columns up to the farthest cell holding a value (what the reader allocates) at most
  MAX_SHEET_CELLS; no text run in the sheet or shared-string XML longer than MAX_TEXT_BYTES.
- cells: at most MAX_CELL_CHARS characters, Excel's own limit (CSV fields before reading; every cell after).
ods and xls files get only the zip checks (ods) and the limits of the reading process; an xls sheet cannot exceed
65,536 x 256 cells anyway.
"""

from __future__ import annotations

import html
import re
import zipfile

from etl.problems import InputError

MAX_CELL_CHARS = 32_767  # Excel's limit per cell
MAX_TEXT_BYTES = 4 * MAX_CELL_CHARS  # a text this long in UTF-8 has more than MAX_CELL_CHARS characters
MAX_SHEET_CELLS = 10_000_000  # rows x columns of a sheet (a 100,000-row register of 30 columns: 3 million)
MAX_ZIP_MEMBERS = 10_000
MAX_UNZIPPED_BYTES = 1 << 30  # all members together, unzipped
MAX_RATIO = 100  # unzipped / zipped size of one member ...
RATIO_MIN_BYTES = 1 << 20  # ... of more than 1 MB unzipped
CHUNK = 1 << 20

# a cell that holds something (not <c .../> nor <c ...></c>): its column letters and row number
_VALUE_CELL = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?c\s[^>]*?\br="([A-Z]{1,3})([0-9]{1,7})"[^>]*(?<!/)>(?!</)')
_XML_RUN = re.compile(b"<[^<]{%d}" % (MAX_TEXT_BYTES + 1))
# a cell whose formula has no saved result (<f> and no <v>, or an empty one): a reader sees it as empty
_FORMULA_NO_VALUE = re.compile(
    rb'<(?:[A-Za-z_][\w.-]*:)?c\s[^>]*?\br="([A-Z]{1,3})([0-9]{1,7})"[^>]*(?<!/)>\s*'
    rb"<(?:[A-Za-z_][\w.-]*:)?f\b[^>]*(?:/>|>[^<]*</(?:[A-Za-z_][\w.-]*:)?f>)\s*"
    rb"(?:<(?:[A-Za-z_][\w.-]*:)?v\s*/>|<(?:[A-Za-z_][\w.-]*:)?v>\s*</(?:[A-Za-z_][\w.-]*:)?v>)?\s*"
    rb"</(?:[A-Za-z_][\w.-]*:)?c>"
)
_CELL_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?c>")
MAX_LISTED = 5
# a CSV field: bytes between two of the delimiters the reader may pick (; , tab |) or line breaks
_CSV_STOP = bytes(range(256)).maketrans(b";,\t|\r", b"\n\n\n\n\n")
_CSV_LONG = re.compile(b"\n[^\n]{%d}" % (MAX_CELL_CHARS + 1))
_CSV_TOO_LONG = re.compile(b"\n[^\n]{%d}" % (MAX_TEXT_BYTES + 1))
_SHEET = re.compile(rb"<(?:\w+:)?sheet\b[^>]*>")


def number(n: int) -> str:
    """12.345.678 (Indonesian thousands separator)."""
    return f"{n:,}".replace(",", ".")


def size_text(n_bytes: float) -> str:
    """1,5 GB, 300 MB, 12 KB: Indonesian decimal comma."""
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n_bytes >= scale:
            value = n_bytes / scale
            text = f"{value:.1f}".rstrip("0").rstrip(".") if value < 10 else f"{value:.0f}"
            return f"{text.replace('.', ',')} {unit}"
    return f"{int(n_bytes)} byte"


def column_letters(n: int) -> str:
    letters = ""
    while n:
        n, r = divmod(n - 1, 26)
        letters = chr(65 + r) + letters
    return letters


def _column_number(letters: bytes) -> int:
    n = 0
    for b in letters:
        n = n * 26 + b - 64
    return n


def long_cell_error(name: str, where: str = "") -> InputError:
    return InputError(
        f"Berkas {name}{where} berisi sel dengan lebih dari {number(MAX_CELL_CHARS)} karakter (batas "
        "Excel per sel). Yang diharapkan isi sel yang wajar: pendekkan atau hapus teks itu, simpan, lalu "
        "unggah lagi.",
        file=name,
    )


# ---------------------------------------------------------------------------------------------
# zip archives


def archive(zf: zipfile.ZipFile, name: str) -> None:
    """Member count, total unzipped size and each member's compression ratio, from the zip directory."""
    infos = zf.infolist()
    if len(infos) > MAX_ZIP_MEMBERS:
        raise InputError(
            f"Berkas {name} adalah arsip berisi {number(len(infos))} bagian; batasnya "
            f"{number(MAX_ZIP_MEMBERS)}. Yang diharapkan buku kerja Excel biasa atau zip berisi satu "
            "Shapefile (.shp, .shx, .dbf, .prj).",
            file=name,
        )
    for i in infos:
        if i.file_size > RATIO_MIN_BYTES and i.file_size > MAX_RATIO * max(i.compress_size, 1):
            raise InputError(
                f'Berkas {name}: bagian "{i.filename[-80:]}" di dalam arsip mengembang dari '
                f"{size_text(i.compress_size)} menjadi {size_text(i.file_size)} saat dibuka "
                f"({number(i.file_size // max(i.compress_size, 1))} kali); batasnya {MAX_RATIO} kali. "
                "Berkas seperti ini (bom zip) tidak dibaca. Yang diharapkan buku kerja atau arsip yang "
                "disimpan biasa: simpan ulang dari Excel atau buat ulang zip-nya.",
                file=name,
            )
    total = sum(i.file_size for i in infos)
    if total > MAX_UNZIPPED_BYTES:
        raise InputError(
            f"Berkas {name} berisi {size_text(total)} setelah dibuka (unzip); batasnya "
            f"{size_text(MAX_UNZIPPED_BYTES)}. Pecah data menjadi beberapa berkas yang lebih kecil.",
            file=name,
        )


# ---------------------------------------------------------------------------------------------
# xlsx sheets


def _parts(zf: zipfile.ZipFile) -> tuple[dict[str, str], set[str]]:
    """(worksheet part -> the sheet's name, shared-string parts): from workbook.xml and its relationships (where the
    reader finds them), plus the usual names."""

    def small(part: str) -> str:
        try:
            if zf.getinfo(part).file_size > 16 * CHUNK:
                return ""
            return zf.read(part).decode("utf-8", "replace")
        except KeyError:
            return ""

    targets, shared = {}, {"xl/sharedStrings.xml"}
    for rel in re.findall(r"<(?:\w+:)?Relationship\b[^>]*>", small("xl/_rels/workbook.xml.rels")):
        rid, target = re.search(r'\bId="([^"]*)"', rel), re.search(r'\bTarget="([^"]*)"', rel)
        if rid and target:
            t = target.group(1).lstrip("/")
            targets[rid.group(1)] = t if t.startswith("xl/") else "xl/" + t
            if "sharedStrings" in rel:
                shared.add(targets[rid.group(1)])
    sheet_names = {
        i.filename: i.filename.rsplit("/", 1)[-1]
        for i in zf.infolist()
        if i.filename.startswith("xl/worksheets/") and i.filename.endswith(".xml")
    }
    for tag in _SHEET.findall(small("xl/workbook.xml").encode()):
        sheet, rid = re.search(rb'\bname="([^"]*)"', tag), re.search(rb'\b\w+:id="([^"]*)"', tag)
        if sheet and rid and rid.group(1).decode() in targets:
            sheet_names[targets[rid.group(1).decode()]] = html.unescape(sheet.group(1).decode("utf-8", "replace"))
    return sheet_names, shared


def sheets(zf: zipfile.ZipFile, name: str) -> None:
    """Every worksheet's extent and the length of every text in the sheets and the shared strings."""
    sheet_names, shared = _parts(zf)
    present = set(zf.namelist())
    for part in sorted(shared & present):
        _scan_xml(zf, zf.getinfo(part), name, "")
    for part, sheet in sheet_names.items():
        if part not in present:
            continue
        rows, cols = _scan_xml(zf, zf.getinfo(part), name, f' (sheet "{sheet}")')
        unsaved = _unsaved_formulas(zf, zf.getinfo(part))
        if unsaved:
            shown = ", ".join(f"{c}{r}" for c, r in unsaved[:MAX_LISTED]) + (" dan lainnya" if len(unsaved) > 5 else "")
            raise InputError(
                f'Sheet "{sheet}" di berkas {name}: {number(len(unsaved))} sel berisi rumus tanpa hasil yang '
                f"tersimpan (sel {shown}). Hasil rumus itu tidak ada di berkas, jadi angkanya tidak bisa dibaca "
                "(dibaca sebagai sel kosong, yaitu 0). Biasanya berkas dibuat oleh program lain, bukan disimpan dari "
                "Excel. Buka berkas di Excel atau LibreOffice, simpan ulang (hasil rumus lalu tersimpan), atau salin "
                "lalu tempel sebagai nilai (Paste Special > Values), kemudian unggah lagi.",
                file=name,
            )
        if rows * cols > MAX_SHEET_CELLS:
            raise InputError(
                f'Sheet "{sheet}" di berkas {name} terisi sampai sel {column_letters(cols)}{rows}: '
                f"{number(rows)} baris x {number(cols)} kolom = {number(rows * cols)} sel; batasnya "
                f"{number(MAX_SHEET_CELLS)} sel. Biasanya ada isi di sel yang jauh dari tabel: hapus baris dan kolom "
                "di luar tabel (Ctrl+End menunjukkan sel terakhir yang terisi), simpan, lalu unggah lagi. Data yang "
                "memang sebesar ini dimuat sebagai CSV.",
                file=name,
            )


def _scan_xml(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, where: str) -> tuple[int, int]:
    """(farthest row, farthest column) of the cells holding a value, reading the part in 1 MB pieces; an error for
    a text run longer than MAX_TEXT_BYTES. Each piece is cut at its last '<', so no tag is split."""
    max_row = max_col = 0
    tail = b""
    with zf.open(info) as fh:
        while True:
            chunk = fh.read(CHUNK)
            buf = tail + chunk
            first = buf.find(b"<")
            if (first == -1 and len(buf) > MAX_TEXT_BYTES) or first > MAX_TEXT_BYTES or _XML_RUN.search(buf):
                raise long_cell_error(name, where)
            cut = buf.rfind(b"<") if chunk else len(buf)
            if cut > 0:
                cells = _VALUE_CELL.findall(buf, 0, cut)
                if cells:
                    max_col = max(max_col, max(map(_column_number, {c for c, _ in cells})))
                    max_row = max(max_row, max(map(int, {r for _, r in cells})))
            tail = buf[max(cut, 0) :]
            if not chunk:
                return max_row, max_col


def _unsaved_formulas(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> list[tuple[str, int]]:
    """(column letters, row) of the cells holding a formula without a saved result, in 1 MB pieces cut after the
    last complete cell (_scan_xml has already bounded every text run)."""
    found: list[tuple[str, int]] = []
    tail = b""
    with zf.open(info) as fh:
        while True:
            chunk = fh.read(CHUNK)
            buf = tail + chunk
            ends = [m.end() for m in _CELL_END.finditer(buf)]
            cut = ends[-1] if ends and chunk else len(buf)
            if b"<f" in buf[:cut] or b":f" in buf[:cut]:
                found += [(c.decode(), int(r)) for c, r in _FORMULA_NO_VALUE.findall(buf, 0, cut)]
            tail = buf[cut:]
            if not chunk:
                return found


# ---------------------------------------------------------------------------------------------
# CSV


def csv_fields(data: bytes, name: str) -> bool:
    """Whether a field of this CSV text may hold more than MAX_CELL_CHARS characters (it has more than that many
    bytes); an error when it certainly does (more than MAX_TEXT_BYTES bytes). Quoted fields that contain delimiters
    count as several: the cell check after reading is exact."""
    long_field, carry = False, 0
    for start in range(0, len(data), 16 * CHUNK):
        marked = b"\n" + data[start : start + 16 * CHUNK].translate(_CSV_STOP)
        first = marked.find(b"\n", 1)
        head = (first if first != -1 else len(marked)) - 1
        long = _CSV_LONG.search(marked)  # (every run _CSV_TOO_LONG finds starts at or after this one)
        if carry + head > MAX_TEXT_BYTES or long and _CSV_TOO_LONG.search(marked, long.start()):
            raise long_cell_error(name)
        long_field = long_field or carry + head > MAX_CELL_CHARS or long is not None
        last = marked.rfind(b"\n")
        carry = carry + len(marked) - 1 if last == 0 else len(marked) - last - 1
    return long_field
