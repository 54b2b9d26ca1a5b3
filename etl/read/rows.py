"""What each row below the header is: a record, a JUMLAH row (kept apart and checked), or a row to skip
(blank, a note, the column-numbering row, a header repeated after a page break). With TableSpec.groups, a group
row ("KECAMATAN MANDONGA", no numbers) is no record either: its name, and label cells merged down or written only
in the first row of their block, carry down to the detail rows."""

from __future__ import annotations

import re

from etl.read.header import _key
from etl.read.model import RawSheet, TableSpec

# How a JUMLAH row's label begins (normalised text): JUMLAH, SUB JUMLAH, SUBTOTAL, Sub Total, Jumlah Kecamatan,
# Jumlah Kec. Mandonga, TOTAL KECAMATAN, Grand Total. The columnar path (csvfast) picks its candidate rows by the
# first words of these, so both readers see the same JUMLAH rows.
TOTAL_LABELS = (
    "jumlah",
    "total",
    "jml",
    "sub total",
    "subtotal",
    "sub jumlah",
    "subjumlah",
    "sub jml",
    "grand total",
    "kota kendari",
)
TOTAL_WORDS = tuple(sorted({label.split()[0] for label in TOTAL_LABELS}))
TOTAL_RE = re.compile(rf"^({'|'.join(re.escape(label) for label in TOTAL_LABELS)})\b")
# the numbering cell of a group row ("I", "II.", "A", "1)"): not its name
GROUP_NUMBER_RE = re.compile(r"^\(?(?:[ivxlc]{1,5}|[a-z]|\d{1,3})[.)]?$", re.I)
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
    carry = _Carry(sheet, last, kept, spec) if spec.groups else None
    for i in range(last + 1, len(sheet.rows)):
        row = sheet.rows[i] if carry is None else carry.merged(i, sheet.rows[i])
        kind = _row_kind(i, row, last, header_set, label_idx, spec.totals)
        if kind is None:
            continue
        if carry is not None and kind == "record" and carry.group_row(i, row):
            continue
        rec = {name: (row[c] if c < len(row) else None) for c, name in kept.items()}
        rec["_row"] = i + 1
        if kind == "total":
            totals.append(rec)
            if carry is not None:
                carry.close()
        else:
            rec["_block"] = len(totals)
            if carry is not None:
                carry.fill(rec)
            records.append(rec)
    return records, totals


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class _Carry:
    """Labels that carry down to the detail rows below them (TableSpec.groups), in three layouts offices use:

    - a group row: only a name ("KECAMATAN MANDONGA", "Kec. Kadia", "II  Mandonga"), no number in any data
      column. It is not a record; the records below it get `_group` (the name) and `_group_row` (its Excel row)
      until the next group row or JUMLAH row. What the name is (a kecamatan) the dataset decides and checks.
    - a label cell merged down over its rows: its text is read in every row of the merge.
    - an outer label (kecamatan) written only in the first row of its block: a row that names the inner label
      (kelurahan) and leaves the outer one blank gets the one above it, `_filled` names the row it came from.
      A JUMLAH row or a group row ends the block.

    Only when the table has the innermost label column (the last of spec.label_columns, kelurahan): a row of
    names without numbers in a table of kecamatan is a row without data, not a group."""

    def __init__(self, sheet: RawSheet, last: int, kept: dict[int, str], spec: TableSpec):
        order = [n for n in spec.label_columns if n in kept.values()]
        self.active = bool(order) and order[-1] == spec.label_columns[-1] and len(kept) > len(order)
        self.labels = {c for c, n in kept.items() if n in spec.label_columns}
        self.data = [c for c, n in kept.items() if n not in spec.label_columns]
        self.inner = spec.label_columns[-1]
        self.outer = [n for n in order if n != self.inner]
        self.spread: dict[int, dict[int, object]] = {}
        for (r0, c0), (r1, c1) in sheet.merged if self.active else ():
            if r0 <= last or r1 == r0 or r0 >= len(sheet.rows):
                continue
            origin = sheet.rows[r0][c0] if c0 < len(sheet.rows[r0]) else None
            for c in range(c0, c1 + 1):
                if c in self.labels:
                    for r in range(r0 + 1, r1 + 1):
                        self.spread.setdefault(r, {})[c] = origin
        self.group: tuple[str, int] | None = None
        self.above: dict[str, tuple[object, int]] = {}

    def merged(self, i: int, row: list) -> list:
        """Row i with the text of label cells merged down over it."""
        spread = self.spread.get(i)
        if not spread:
            return row
        row = list(row) + [None] * (max(spread) + 1 - len(row))
        for c, value in spread.items():
            if _blank(row[c]):
                row[c] = value
        return row

    def group_row(self, i: int, row: list) -> bool:
        """Row i is a group row: remember its name for the rows below it."""
        if not self.active or any(c < len(row) and not _blank(row[c]) for c in self.data):
            return False
        texts = [v.strip() for v in row if isinstance(v, str) and v.strip() and not GROUP_NUMBER_RE.match(v.strip())]
        others = [v for v in row if v is not None and not isinstance(v, str)]
        if len(texts) != 1 or any(not isinstance(v, int | float) for v in others):
            return False
        self.group = (texts[0], i + 1)
        self.above = {}
        return True

    def close(self) -> None:
        """A JUMLAH row ends the group and the block."""
        self.group = None
        self.above = {}

    def fill(self, rec: dict) -> None:
        if not self.active:
            return
        if self.group is not None:
            rec["_group"], rec["_group_row"] = self.group
        named = not _blank(rec.get(self.inner))
        for name in self.outer:
            if not _blank(rec.get(name)):
                self.above[name] = (rec[name], rec["_row"])
            elif named and name in self.above:
                rec[name], origin = self.above[name]
                rec.setdefault("_filled", {})[name] = origin


def _consecutive(cells: list) -> bool:
    try:
        nums = [int(str(c).strip("() ").split(".")[0]) for c in cells]
    except ValueError:
        return False
    return nums == list(range(nums[0], nums[0] + len(nums)))
