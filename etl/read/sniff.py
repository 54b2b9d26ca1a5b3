"""What a file is, by its content (never its name), how a CSV's text is laid out, and a cell as read."""

from __future__ import annotations

import csv

from etl import precheck


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


def _decode(data: bytes) -> tuple[str, str]:
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes every byte")


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


class CellTooLong(ValueError):
    """A cell of more than precheck.MAX_CELL_CHARS characters (Excel's limit)."""


def _cell(value: object) -> object:
    if isinstance(value, str):
        if len(value) > precheck.MAX_CELL_CHARS:
            raise CellTooLong
        value = value.strip()
        return value or None
    return value
