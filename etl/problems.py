"""Problems found in an input file, and the report that collects them.

Every problem says where it is (file, sheet, the row number as the user sees it in Excel or in a
text editor for CSV, the column header as written in the file), the value found, and what was
expected, in Bahasa Indonesia. Errors stop a load (nothing is written); warnings are loaded anyway.

Two texts per problem. For the screen and the --report spreadsheet (to_text, rows): the message and the
cell's value, masked where it looks personal (a NIK shows as 7471…0001). For storage (to_record, what
meta_load keeps): where the problem is and its kind, never a cell's content: a message that quotes a cell
passes `kind=`, the same message without the cell.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from etl import pii, sheets

ERROR = "error"
WARNING = "warning"

LEVEL_LABEL = {ERROR: "GALAT", WARNING: "PERINGATAN"}


@dataclass
class Problem:
    level: str
    message: str
    file: str = ""
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: object = None
    kind: str | None = None  # the message without any cell's content, for storage (None: the message has none)

    def location(self) -> str:
        parts = []
        if self.file:
            parts.append(f"berkas {self.file}")
        if self.sheet:
            parts.append(f'sheet "{self.sheet}"')
        if self.row is not None:
            parts.append(f"baris {self.row}")
        if self.column:
            parts.append(f'kolom "{self.column}"')
        return ", ".join(parts)

    def value_text(self) -> str:
        """The value as the report shows it, masked where it looks personal (before it is shortened)."""
        return show_value(pii.mask_value(self.value))

    def _head(self) -> str:
        where = self.location()
        return f"{LEVEL_LABEL[self.level]} {where}: " if where else f"{LEVEL_LABEL[self.level]}: "

    def to_text(self) -> str:
        """For the screen and the --report spreadsheet: the message and the value (masked)."""
        value = f" (nilai: {self.value_text()})" if self.value is not None else ""
        return pii.mask_text(f"{self._head()}{self.message}{value}")

    def to_record(self) -> str:
        """For storage: where and what kind of problem, never the cell's content."""
        return pii.mask_text(f"{self._head()}{self.kind or self.message}")


def show_value(value: object) -> str:
    """A cell value as the user would recognise it in the report."""
    if value is None:
        return "(kosong)"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.date, dt.datetime)):
        return value.strftime("%d-%m-%Y")
    text = str(value)
    if text.strip() == "":
        return "(kosong)"
    return f'"{text}"' if len(text) <= 80 else f'"{text[:77]}..."'


@dataclass
class Report:
    """All problems of one check or load, plus the figures the load history keeps."""

    problems: list[Problem] = field(default_factory=list)
    dropped_columns: list[str] = field(default_factory=list)
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    notes: list[str] = field(default_factory=list)
    # what the reader understood of each file, one sentence each, shown before loading (etl check, Data page):
    # "tabel BPS, kelompok umur 5 tahunan, tahun 2023 dari judul, 11 kecamatan, 2 kolom jenis kelamin"
    layout: list[str] = field(default_factory=list)
    # the reader's own sentence per table (etl/read/tables.py: header row, data and JUMLAH rows, columns read and
    # left out), shown when the dataset wrote none in `layout` (understood())
    read_layout: list[str] = field(default_factory=list)
    # the analyst accepts JUMLAH rows that differ from their detail rows (--terima-selisih, the Data page's
    # checkbox; LoadContext.accept_totals): such a difference is a warning instead of an error
    accept_totals: bool = False
    total_mismatches: int = 0  # JUMLAH cells that differ from their detail rows (errors, or warnings when accepted)
    # cells reported as unreadable (an Excel error such as #REF!): (file, sheet, row, column). A later problem at
    # the same cell ("bukan angka", "kosong") is not added: the analyst gets one message per cell, the right one.
    unreadable: set[tuple] = field(default_factory=set)

    def add(self, level: str, message: str, **where) -> Problem:
        problem = Problem(level=level, message=message, **where)
        if (problem.file, problem.sheet, problem.row, problem.column) not in self.unreadable:
            self.problems.append(problem)
        return problem

    def understood(self) -> list[str]:
        """What was read, one sentence per table: the dataset's own sentences when it wrote any, else the reader's."""
        return self.layout or self.read_layout

    def error(self, message: str, **where) -> Problem:
        return self.add(ERROR, message, **where)

    def warning(self, message: str, **where) -> Problem:
        return self.add(WARNING, message, **where)

    def extend(self, other: Report) -> None:
        self.problems.extend(other.problems)
        self.dropped_columns.extend(c for c in other.dropped_columns if c not in self.dropped_columns)
        self.rows_read += other.rows_read
        self.rows_loaded += other.rows_loaded
        self.rows_rejected += other.rows_rejected
        self.notes.extend(other.notes)
        self.layout.extend(other.layout)
        self.read_layout.extend(other.read_layout)
        self.total_mismatches += other.total_mismatches
        self.unreadable |= other.unreadable

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == WARNING]

    @property
    def has_errors(self) -> bool:
        return any(p.level == ERROR for p in self.problems)

    def sorted_problems(self) -> list[Problem]:
        order = {ERROR: 0, WARNING: 1}
        return sorted(
            self.problems,
            key=lambda p: (order[p.level], p.file, p.sheet or "", p.row if p.row is not None else -1),
        )

    def summary(self) -> str:
        n_err, n_warn = len(self.errors), len(self.warnings)
        if n_err:
            return (
                f"{n_err} galat dan {n_warn} peringatan ditemukan. Tidak ada data yang disimpan; "
                "perbaiki berkas lalu muat ulang."
            )
        if n_warn:
            return f"Tidak ada galat; {n_warn} peringatan (data tetap dapat dimuat)."
        return "Tidak ada galat maupun peringatan."

    def to_text(self) -> str:
        lines = [p.to_text() for p in self.sorted_problems()]
        if self.dropped_columns:
            lines.append("Kolom yang dibuang dan tidak disimpan: " + ", ".join(f'"{c}"' for c in self.dropped_columns))
        lines.extend(self.notes)
        lines.append(self.summary())
        return pii.mask_text("\n".join(lines))

    def warning_record(self) -> str:
        """The warnings as the warehouse keeps them (meta_load.warning_text): positions and kinds only."""
        return "\n".join(p.to_record() for p in self.sorted_problems() if p.level == WARNING)

    def rows(self) -> list[dict]:
        return [
            {
                "jenis": "Galat" if p.level == ERROR else "Peringatan",
                "berkas": pii.mask_text(p.file),
                "sheet": pii.mask_text(p.sheet or ""),
                "baris": p.row,
                "kolom": pii.mask_text(p.column or ""),
                "nilai": "" if p.value is None else p.value_text(),
                "pesan": pii.mask_text(p.message),
            }
            for p in self.sorted_problems()
        ]

    def to_xlsx(self, path: str | Path) -> Path:
        """Write the problem list as a spreadsheet the data owner can work through."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(self.xlsx_bytes())
        return path

    def xlsx_bytes(self) -> bytes:
        """The problem list as an .xlsx file, in memory (values masked where they look personal).

        Headers, values and names come from the uploaded file: every cell is written as text (etl.sheets), a
        dropped header `=HYPERLINK(...)` shows as that text, never as a formula.
        """
        from openpyxl import Workbook
        from openpyxl.styles import Font, PatternFill

        wb = Workbook()
        ws = wb.active
        ws.title = "Masalah"
        headers = ["Jenis", "Berkas", "Sheet", "Baris", "Kolom", "Nilai", "Pesan"]
        ws.append(headers)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        red = PatternFill("solid", fgColor="F8D7DA")
        yellow = PatternFill("solid", fgColor="FFF3CD")
        for row in self.rows():
            ws.append(list(row.values()))
            fill = red if row["jenis"] == "Galat" else yellow
            ws.cell(row=ws.max_row, column=1).fill = fill
        for col, width in zip("ABCDEFG", (12, 28, 18, 8, 24, 28, 90)):
            ws.column_dimensions[col].width = width
        ws.freeze_panes = "A2"
        info = wb.create_sheet("Ringkasan")
        info.append(["Ringkasan", self.summary()])
        info.append(["Baris dibaca", self.rows_read])
        info.append(["Kolom dibuang", pii.mask_text(", ".join(self.dropped_columns))])
        for line in self.understood():
            info.append(["Yang terbaca", pii.mask_text(line)])
        for note in self.notes:
            info.append(["Catatan", pii.mask_text(note)])
        return sheets.workbook_bytes(wb)


class InputError(Exception):
    """A file that cannot be read at all (corrupt, encrypted, wrong type). Message in Indonesian."""

    def __init__(self, message: str, file: str = ""):
        super().__init__(message)
        self.message = message
        self.file = file

    def as_problem(self) -> Problem:
        return Problem(level=ERROR, message=self.message, file=self.file)
