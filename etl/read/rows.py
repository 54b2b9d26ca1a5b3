"""What each row below the header is: a record, a JUMLAH row (kept apart and checked), or a row to skip
(blank, a note, the column-numbering row, a header repeated after a page break)."""

from __future__ import annotations

import re

from etl.read.header import _key
from etl.read.model import RawSheet, TableSpec

TOTAL_RE = re.compile(r"^(jumlah|total|jml|sub ?total|grand total|kota kendari)\b")
NOTE_RE = re.compile(r"^\s*(sumber|keterangan|catatan|ket\s*[.:]|note|\*\))", re.I)
NUMBERING_RE = re.compile(r"^\(?\d{1,2}\)?$")


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
