"""Generic readers: any OPD spreadsheet or CSV into header-identified tables.

sheets.read_sheets() turns a file into raw sheets (the file's content decides its type, not its name:
sniff.py). tables.find_tables() finds the header row by content below title rows and joins two-row
merged headers (header.py), maps headers to a dataset's canonical columns, drops personal-data and
unknown columns, skips notes/blank/numbering rows (rows.py), and checks JUMLAH/TOTAL rows against their
detail rows (totals.py). Large CSV files are read by DuckDB with the same rules (csvfast.py). Row numbers
are the ones the user sees in Excel (1-based, title rows included).
"""

from etl.read.header import HEADER_SCAN_ROWS, classify, header_fit
from etl.read.model import CsvCells, RawSheet, Table, TableSpec, release
from etl.read.sheets import read_sheets
from etl.read.sniff import EXPECTED, sniff_kind
from etl.read.tables import find_tables

__all__ = [
    "EXPECTED",
    "HEADER_SCAN_ROWS",
    "CsvCells",
    "RawSheet",
    "Table",
    "TableSpec",
    "classify",
    "find_tables",
    "header_fit",
    "read_sheets",
    "release",
    "sniff_kind",
]
