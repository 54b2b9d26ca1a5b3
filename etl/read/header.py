"""Finding the header row by its content below title rows, joining two-row merged headers, and mapping
each header to a dataset's canonical column."""

from __future__ import annotations

import re

from etl.read.model import RawSheet, TableSpec
from etl.reference import norm_text

HEADER_SCAN_ROWS = 40
# the halves of a bilingual header ("Laki-laki/Male", "Kecamatan\nDistrict"): a slash or a line break, but not the
# slash of "s/d" ("0 s/d 4", sampai dengan)
HALVES_RE = re.compile(r"\s*(?:\n|\r|(?<![sS])/|/(?![dD]\b))\s*")
NUMBERING_CELL_RE = re.compile(r"^\(?\d{1,3}\)?$")


def _whole(value: object) -> bool:
    """A number cell holding a whole number (0, 5.0): an age typed as a number in a header."""
    return isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer()


def _text(value: object) -> str:
    """A header cell as text: a whole number as its integer text (the age 5 typed as a number is "5", not
    "5.0", which would read as the band 5-0), anything else as written."""
    if value is None:
        return ""
    if _whole(value):
        return str(int(value))
    return str(value)


def _key(value: object) -> str:
    return norm_text(_text(value)) if value is not None else ""


def _halves(text: str) -> list[str]:
    """The parts of a header written in two languages or over two lines; [] when there is only one."""
    parts = [p for p in HALVES_RE.split(text) if p.strip()]
    return parts if len(parts) > 1 else []


def _meaning(got: tuple[str, str], spec: TableSpec) -> object:
    """What a classified header means, to compare the halves of a bilingual header: the canonical column, or
    for a data column what extra_header says it is (a str such as "jk L"; a bare True compares by key)."""
    if got[0] == "canon":
        return got
    meaning = spec.extra_header(got[1]) if spec.extra_header else True
    return ("extra", got[1] if meaning is True else meaning)


def header_key(value: object, spec: TableSpec) -> str:
    """The key of one header cell: its whole text when that is known to the spec; else, for a bilingual header
    ("Kelompok Umur/Age Group", "Male\nLaki-laki", "District/Kecamatan"), the half that is known, when every
    known half means the same ("Laki-laki/Male"). Halves that mean different things ("Laki-laki/Perempuan") are
    not a bilingual header: the whole text is kept (and stays unknown)."""
    key = _key(value)
    if not key or classify(key, spec) or not isinstance(value, str):
        return key
    known = []
    for part in _halves(value):
        part_key = _key(part)
        got = classify(part_key, spec)
        if got:
            known.append((part_key, _meaning(got, spec)))
    if known and all(m == known[0][1] for _, m in known):
        return known[0][0]
    return key


def _cell_keys(value: object, spec: TableSpec) -> list[str]:
    """The keys a header cell may stand for when joined with the cell below it: its own key, then its halves."""
    out = [k] if (k := header_key(value, spec)) else []
    for part in _halves(value) if isinstance(value, str) else []:
        if (k := _key(part)) and k not in out:
            out.append(k)
    return out


def _joined_key(top: object, below: object, spec: TableSpec) -> str:
    """The key of a column under a two-row header: "0-4" over "L" is "0 4 l", "Jumlah/Total" over
    "Laki-laki/Male" is "jumlah laki laki" (the first pair of halves the spec knows), and a caption over data
    columns ("Umur (Tahun)" over 0, 1, 2 ..., "Jenis Kelamin" over L, P) gives way to the data column below it."""
    tk, bk = header_key(top, spec), header_key(below, spec)
    if not tk or not bk or tk == bk:
        return tk or bk
    for t in _cell_keys(top, spec):
        for b in _cell_keys(below, spec):
            if classify(f"{t} {b}", spec, prefix=False):  # "jumlah total laki laki" is not "jumlah" + more
                return f"{t} {b}"
    t_got, b_got = classify(tk, spec), classify(bk, spec)
    if b_got and b_got[0] == "extra" and (t_got is None or t_got[0] == "canon"):
        return bk
    return f"{tk} {bk}"


def classify(key: str, spec: TableSpec, prefix: bool = True) -> tuple[str, str] | None:
    """('canon', name) for an alias, ('extra', key) for extra_header data columns, else None. With `prefix`, a
    header that starts with an alias ("Kecamatan Kejadian") is that column too."""
    if not key:
        return None
    for col in spec.columns:
        if key in col.aliases:
            return "canon", col.name
    if spec.extra_header and spec.extra_header(key):
        return "extra", key
    if not prefix:
        return None
    best = None
    for col in spec.columns:
        for alias in col.aliases:
            if key.startswith(alias + " ") and (best is None or len(alias) > best[1]):
                best = (col.name, len(alias))
    return ("canon", best[0]) if best else None


def _score(row: list, spec: TableSpec) -> tuple[int, bool]:
    """(known header cells, the row holds an anchor column). Text cells and whole numbers (ages typed as
    numbers) count; a row of data never holds an anchor (Kecamatan, Kelurahan ...), so it is never a header."""
    canon, extra = set(), 0
    for cell in row:
        got = classify(header_key(cell, spec), spec) if isinstance(cell, str) or _whole(cell) else None
        if got and got[0] == "canon":
            canon.add(got[1])
        elif got:
            extra += 1
    anchors = set(spec.anchors) or {c.name for c in spec.columns if c.required}
    return len(canon) + extra, bool(canon & anchors)


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


def _is_subheader(row: list, spec: TableSpec, top: list | None = None) -> bool:
    """Row h+1 continues the header: its cells (text, or ages typed as numbers) are headers the spec knows.
    The column-numbering row ((1), (2), (3) ... or 1, 2, 3 under every column, the first one included) is not,
    although its numbers read like ages."""
    cells = [c for c in row if c is not None]
    if len(cells) < 2 or not all(isinstance(c, str) or _whole(c) for c in cells):
        return False
    if top is not None and _numbering(row, top):
        return False
    if any(not isinstance(c, str) for c in cells):
        # ages typed as numbers: a data row of small counts reads like ages too, so every cell must be a known
        # header, and none may stand under a column of its own (a JUMLAH row's label under "Kecamatan")
        top = top or [None] * len(row)
        for c, value in enumerate(row):
            if value is None:
                continue
            if not classify(header_key(value, spec), spec):
                return False
            t = top[c] if c < len(top) else None
            own = t is not None and not (c > 0 and top[c - 1] == t) and not (c + 1 < len(top) and top[c + 1] == t)
            if own and (got := classify(header_key(t, spec), spec)) and got[0] == "canon":
                return False
        return True
    hits = sum(1 for c in cells if classify(header_key(c, spec), spec))
    return hits / len(cells) >= 0.8


def _numbering(row: list, top: list) -> bool:
    """The column-numbering row under a header: consecutive numbers, one under the header's first column."""
    cells = [c for c in row if c is not None]
    if not all(_whole(c) or (isinstance(c, str) and NUMBERING_CELL_RE.match(c.strip())) for c in cells):
        return False
    nums = [int(float(str(c).strip("() "))) for c in cells]
    if nums != list(range(nums[0], nums[0] + len(nums))):
        return False
    first = next((c for c, v in enumerate(top) if v is not None), None)
    return first is not None and first < len(row) and row[first] is not None


MAX_HEADER_ROWS = 3  # "Kelompok Umur" over "0-4" over "L": BPS tables stack up to three header rows


def _padded(sheet: RawSheet, r: int, width: int) -> list:
    return list(sheet.rows[r]) + [None] * (width - len(sheet.rows[r]))


def _header(sheet: RawSheet, h: int, spec: TableSpec) -> tuple[list[str], list[str], int]:
    """(keys, labels, last header row index) for the header starting at row h: one row, or up to
    MAX_HEADER_ROWS stacked rows ("Kelompok Umur" over "0-4" over "L"), each joined with the rows above it."""
    width = max(len(r) for r in sheet.rows[h : h + MAX_HEADER_ROWS])
    top = _spread_merges(sheet, h, width)
    keys = [header_key(c, spec) for c in top]
    labels = [_text(c) for c in top]
    last = h
    while last + 1 < len(sheet.rows) and last + 1 - h < MAX_HEADER_ROWS:
        below = _padded(sheet, last + 1, width)
        # the rows above as they are joined so far (their keys), for the sub-header and numbering checks
        above = top if last == h else [k or None for k in keys]
        if not _is_subheader(below, spec, above):
            break
        if sheet.merged:  # a band merged over its sub-columns: its text over each of them, as in the top row
            below = _spread_merges(sheet, last + 1, width)
        else:  # CSV or unmerged: a band's text stands over its first sub-column only
            fill_key, fill_label, fill_top = None, None, None
            for c in range(width):
                if keys[c]:
                    fill_key, fill_label, fill_top = keys[c], labels[c], top[c] if last == h else keys[c]
                elif below[c] is not None and fill_key is not None:
                    keys[c], labels[c] = fill_key, fill_label
                    if last == h:
                        top[c] = fill_top
        joined_keys, joined_labels = [], []
        for c, b in enumerate(below):
            t = top[c] if last == h else (keys[c] or None)
            t_text, b_text = labels[c], _text(b)
            joined_keys.append(_joined_key(t, b, spec))
            if t_text and b_text and _key(t_text) != _key(b_text):
                joined_labels.append(f"{t_text} / {b_text}")
            else:
                joined_labels.append(t_text or b_text)
        keys, labels, last = joined_keys, joined_labels, last + 1
    return keys, labels, last


def header_fit(sheets: list[RawSheet], spec: TableSpec) -> tuple[int, bool]:
    """(best header score, all required columns present) of these sheets for a dataset's spec. Hidden sheets
    count only when no sheet is visible: find_tables never reads them, so the dataset guess and the "this file is
    for another dataset" hint must not be led by a helper sheet of dropdown lists."""
    best = (0, False)
    visible = [s for s in sheets if not s.hidden]
    for sheet in visible or sheets:
        for row in sheet.rows[:HEADER_SCAN_ROWS]:
            keys = [header_key(c, spec) for c in row if isinstance(c, str)]
            found = {got[1] for k in keys if (got := classify(k, spec)) and got[0] == "canon"}
            required = {c.name for c in spec.columns if c.required and c.unless not in found}
            fit = (len(found), required <= found)
            if fit > best:
                best = fit
    return best
