"""Large CSV files: DuckDB reads the cells; rows are classified column by column with the same rules as
etl/read/rows.py."""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import os
import re
import tempfile
from pathlib import Path

from etl import values
from etl.read.header import HEADER_SCAN_ROWS
from etl.read.model import CsvCells, RawSheet, TableSpec
from etl.read.rows import TOTAL_WORDS, _row_kind
from etl.read.sniff import _cell, _decode, _sniff_delimiter

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

    total_words = TOTAL_WORDS  # the first words of rows.TOTAL_LABELS: every JUMLAH row _row_kind can find
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
