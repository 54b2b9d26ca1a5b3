"""Finding the header row by its content below title rows, joining two-row merged headers, and mapping
each header to a dataset's canonical column."""

from __future__ import annotations

from etl.read.model import RawSheet, TableSpec
from etl.reference import norm_text

HEADER_SCAN_ROWS = 40


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
