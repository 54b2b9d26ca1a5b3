"""Spreadsheets the product writes never run what a cell says: no formula, no link (issue 17).

A header or value from an uploaded file (`=HYPERLINK("http://…","klik")`, `@SUM(…)`, `+cmd|…`) lands in the
problem report, the downloads and the templates. In an .xlsx file every text is written as a text cell
(openpyxl would store a string starting with "=" as a formula) with Excel's quote prefix, so the cell shows
exactly what was typed and stays text when someone edits it. A CSV file has no cell types: text that a
spreadsheet would read as a formula gets a leading apostrophe (numbers, and text that is a plain number,
stay as they are).

One place for both: the problem report (etl/problems.py), the Excel templates (etl/templates.py), the sample
inputs (etl/sample.py) and the table downloads (kla/export.py, kla/downloads.py).
"""

from __future__ import annotations

import io
import re

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d[\d.,]*%?")  # "-3", "+12", "-1.234,5": no formula can hide in them


def csv_cell(value: object) -> object:
    """A CSV cell a spreadsheet shows as text: text starting with = + - @ tab or CR gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy with every text cell and column name through csv_cell (numeric columns are untouched)."""
    out = df.copy()
    out.columns = [csv_cell(str(c)) for c in out.columns]
    for i in range(out.shape[1]):
        col = out.iloc[:, i]
        if col.dtype == object or pd.api.types.is_string_dtype(col) or isinstance(col.dtype, pd.CategoricalDtype):
            out.isetitem(i, col.astype(object).map(csv_cell))
    return out


def as_text(wb) -> None:
    """Every cell of an openpyxl workbook that would be stored as a formula becomes a text cell (same text).

    openpyxl makes any string starting with "=" a formula; nothing the product writes is meant to be one (the
    templates' dropdown lists are data validations, not cells).
    """
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f" and isinstance(cell.value, str):
                    cell.data_type = "s"
                    cell.quotePrefix = True
                elif cell.data_type == "s" and isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
                    cell.quotePrefix = True  # typed into Excel again, "+62 811" or "@x" would become a formula


def workbook_bytes(wb) -> bytes:
    """An openpyxl workbook as .xlsx bytes, every cell text or number (as_text)."""
    as_text(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def save_workbook(wb, path) -> None:
    """workbook_bytes, written to a file."""
    as_text(wb)
    wb.save(path)


def frame_xlsx(df: pd.DataFrame, sheet: str = "Data") -> bytes:
    """A frame as one .xlsx sheet (header and cells as written, never a formula)."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        df.to_excel(writer, sheet_name=sheet[:31], index=False)
        as_text(writer.book)
    return buf.getvalue()
