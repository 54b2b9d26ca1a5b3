"""The shapes a read passes along: raw sheets (cells as the file holds them), what a dataset looks for
(TableSpec), and the table found (Table)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from etl.reference import ColumnSpec


@dataclass
class CsvCells:
    """Every row of a CSV file as a DuckDB view (large files): `name` has i (the 0-based row index, as in
    RawSheet.rows) and c1..c{width}, each cell exactly as _cell() gives it (stripped, empty = NULL)."""

    con: object
    name: str
    width: int
    tables: tuple[str, ...] = ()  # the DuckDB tables behind the view


@dataclass
class RawSheet:
    file: str
    sheet: str | None
    rows: list[list]
    merged: list = field(default_factory=list)
    decimal: str = ","
    thousands: str | None = "."
    cells: CsvCells | None = None  # set: `rows` is only the head of the file, every row is in `cells`
    hidden: bool = False  # a hidden (or very hidden) workbook sheet: dropdown lists, helper cells; never read as data


@dataclass
class TableSpec:
    dataset: str
    columns: tuple[ColumnSpec, ...]
    # data columns beyond the canonical ones (age bands): truthy for such a header; a str says what it means, so
    # the two halves of a bilingual header ("Laki-laki/Male") can be compared
    extra_header: Callable[[str], object] | None = None
    label_columns: tuple[str, ...] = ()
    totals: bool = True  # JUMLAH/TOTAL rows exist (not in a list of regions, where "Kota Kendari" is a region)
    anchors: tuple[str, ...] = ()  # canonical columns that mark a header row (empty: the required columns)
    # label rows carry down (penduduk): a group row ("KECAMATAN MANDONGA", no numbers) above its detail rows, a label
    # cell merged down, an outer label (kecamatan) written only in the first row of its block
    groups: bool = False


@dataclass
class Table:
    file: str
    sheet: str | None
    header_row: int
    title: str
    columns: list[str]
    labels: dict[str, str]
    records: list[dict]
    totals: list[dict]
    decimal: str
    thousands: str | None
    body: str | None = None  # set (columnar read): DuckDB table of the records, `records` stays empty
    con: object = None  # the DuckDB connection holding `body`
    n_records: int = 0
    temp: tuple[str, ...] = ()  # DuckDB tables behind `body`, dropped by release()
    # columns about someone other than the victim, dropped ("Usia Pelaku"): (header as written, who: "pelaku")
    other_person: list[tuple[str, str]] = field(default_factory=list)

    # What readers ask of a table's rows, for either place the rows live (Python records of a workbook, whose cells
    # keep their types; a DuckDB table of a large CSV, whose cells are all text): the one place the two differ.
    def distinct(self, key: str, where_sql: str | None = None) -> list:
        """The distinct non-blank values of a column, in order of first appearance; for DuckDB rows `where_sql` (a
        SQL condition on the column, "{c}") keeps only the values Python will look at."""
        if self.body is None:
            return list(dict.fromkeys(v for r in self.records if (v := r.get(key)) is not None))
        cond = f" AND ({where_sql.replace('{c}', chr(34) + key + chr(34))})" if where_sql else ""
        sql = f'SELECT "{key}" FROM {self.body} WHERE "{key}" IS NOT NULL{cond} GROUP BY 1 ORDER BY min(_row)'
        return [v for (v,) in self.con.execute(sql).fetchall()]

    def candidates(self, where_sql: str) -> list[dict]:
        """The rows that may match a test the caller then applies in Python: for DuckDB rows, those `where_sql` (a
        SQL condition on the columns) selects, so Python looks at few; for Python records, all of them."""
        if self.body is None:
            return self.records
        cols = ", ".join(f'"{k}"' for k in self.columns)
        if not cols:
            return []
        rows = self.con.execute(f"SELECT _row, {cols} FROM {self.body} WHERE {where_sql} ORDER BY _row").fetchall()
        return [{"_row": r[0], **dict(zip(self.columns, r[1:]))} for r in rows]

    def rows_with(self, wanted: dict[str, set]) -> list[dict]:
        """The rows (with _row) whose cell in some column `key` is one of wanted[key], in row order."""
        wanted = {k: v for k, v in wanted.items() if v}
        if self.body is None:
            return [r for r in self.records if any(r.get(k) in vs for k, vs in wanted.items())]
        cols = ", ".join(f'"{k}"' for k in self.columns)
        if not wanted or not cols:
            return []
        cond = " OR ".join(f'"{k}" IN (SELECT unnest(?::VARCHAR[]))' for k in wanted)
        rows = self.con.execute(
            f"SELECT _row, {cols} FROM {self.body} WHERE {cond} ORDER BY _row", [list(v) for v in wanted.values()]
        ).fetchall()
        return [{"_row": r[0], **dict(zip(self.columns, r[1:]))} for r in rows]

    def blocks(self) -> set[int]:
        """The blocks (detail rows above each JUMLAH row, and after the last) that have rows."""
        if self.body is None:
            return {r["_block"] for r in self.records}
        return {b for (b,) in self.con.execute(f"SELECT DISTINCT _block FROM {self.body}").fetchall()}

    def block_values(self, key: str, wanted: dict) -> list[tuple[int, object]]:
        """(block, wanted[value]) of every row whose `key` cell is one of `wanted`'s keys, in row order."""
        if self.body is None:
            return [(r["_block"], wanted[v]) for r in self.records if (v := r.get(key)) is not None and v in wanted]
        if not wanted:
            return []
        return self.con.execute(
            f"SELECT b._block, l.n FROM {self.body} b JOIN (SELECT unnest(?::VARCHAR[]) AS v, unnest(?::DOUBLE[]) AS n)"
            f' l ON b."{key}" = l.v ORDER BY b._row',
            [list(wanted), list(wanted.values())],
        ).fetchall()


def release(table: Table) -> None:
    """Free the DuckDB copy of a columnar table's rows once nothing reads them any more."""
    for name in table.temp:
        table.con.execute(f"DROP TABLE IF EXISTS {name}")
    table.temp = ()
