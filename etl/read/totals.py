"""JUMLAH rows checked against the detail rows above them.

A JUMLAH cell that differs from the sum of its detail rows by more than rounding is an error naming the cell: a row
is missing, a column has shifted, or a figure was typed wrong, and the detail rows would load numbers the file's own
total contradicts. The analyst who knows the JUMLAH is right as written (an official table whose detail is not
complete) accepts the difference: `--terima-selisih`, or "Terima selisih JUMLAH" on the Data page
(Report.accept_totals). The difference is then a warning and the load history records who accepted it.

Rounding: whole numbers must add up exactly (half a unit of tolerance for floating point). Values written with
decimals (a share in percent, a count in thousands) are each rounded by up to half their last digit, so n of them
may differ from a JUMLAH rounded on its own by up to (n + 1) x that half digit; the tolerance is the larger of the two.

Only columns that are counted are added up: a year, an age, a coordinate, a code or an indicator number repeated on
the JUMLAH row is not a total (NOT_SUMMED).
"""

from __future__ import annotations

import shlex

from babel.numbers import format_decimal

from etl import values
from etl.precheck import column_letters
from etl.problems import Report
from etl.read.model import Table, TableSpec

TOLERANCE = 0.5  # whole numbers: a written total must equal the sum (floating point aside)
MAX_DECIMALS = 6  # a computed value (100/3) counts as precise: its rounding is not the file's
# canonical columns that are never a count, whatever the dataset: the JUMLAH row may repeat them as they are
NOT_SUMMED = ("tahun", "usia", "umur", "latitude", "longitude", "lat", "lon", "nomor", "id")
NOT_SUMMED_PREFIX = ("kode",)
ACCEPT_HINT = (
    'Bila angka JUMLAH memang benar seperti tertulis, terima selisihnya: centang "Terima selisih JUMLAH" di halaman '
    "Data, atau muat dengan: {command}"
)


def _fmt(x: float) -> str:
    return format_decimal(round(x, 6), locale="id_ID")


def _num(table: Table, value: object) -> float | None:
    """A cell's number for the JUMLAH check, also when written with its count unit ("120 jiwa"), else None."""
    try:
        return values.parse_number(value, table.decimal, table.thousands)
    except ValueError:
        pass
    try:
        n = values.parse_count(value, table.decimal, table.thousands)
    except ValueError:
        return None
    return None if n is None else float(n)


def _decimals(x: float) -> int:
    """Digits after the decimal point of a value as written (33,3 -> 1; 12 -> 0), at most MAX_DECIMALS."""
    if float(x).is_integer():
        return 0
    text = repr(float(x))
    if "e" in text or "E" in text:
        return MAX_DECIMALS
    return min(len(text.split(".")[1]), MAX_DECIMALS)


def tolerance(n_values: int, decimals: int) -> float:
    """How far a sum of n values written with `decimals` digits may lie from a total rounded on its own."""
    if decimals <= 0:
        return TOLERANCE
    return max(TOLERANCE, (n_values + 1) * 0.5 * 10.0**-decimals)


def summed(key: str, spec: TableSpec) -> bool:
    """Whether a column is added up on JUMLAH rows: not a label, not a year, age, coordinate, code or number."""
    return key not in spec.label_columns and key not in NOT_SUMMED and not key.startswith(NOT_SUMMED_PREFIX)


def _block_numbers(table: Table, key: str) -> tuple[list[list[float]], int]:
    """Per block (the detail rows above each JUMLAH row, and those after the last one), the numbers in
    column `key`, in row order; and the most decimals any of them is written with."""
    per: list[list[float]] = [[] for _ in range(len(table.totals) + 1)]
    nums = {v: n for v in table.distinct(key) if (n := _num(table, v)) is not None}
    for block, n in table.block_values(key, nums):
        per[block].append(n)
    return per, max((_decimals(n) for n in nums.values()), default=0)


def _blocks_with_rows(table: Table) -> set[int]:
    return table.blocks()


def _accept_command(spec: TableSpec, table: Table) -> str:
    return f"python -m etl load {spec.dataset} {shlex.quote(table.file)} --terima-selisih"


def _check_totals(table: Table, spec: TableSpec, report: Report, positions: dict[str, int] | None = None) -> None:
    """Every JUMLAH row against its detail rows (a sub-total against its block, a grand total against every row).
    `positions`: column -> its 0-based index in the sheet, to name the cell (C7) in a workbook."""
    if not table.totals:
        return
    checked = mismatched = 0
    unread = {c for (f, s, _, c) in report.unreadable if (f, s) == (table.file, table.sheet)}
    numeric = [k for k in table.columns if summed(k, spec) and table.labels.get(k, k) not in unread]
    numbers = {key: _block_numbers(table, key) for key in numeric}
    with_rows = _blocks_with_rows(table)
    for block, total in enumerate(table.totals):
        written_any, empty_cols = False, []
        for key in numeric:
            per, decimals = numbers[key]
            detail = [n for b in range(block + 1) for n in per[b]]
            if not detail:
                continue
            written = _num(table, total.get(key))
            if written is None:
                empty_cols.append(key)
                continue
            written_any = True
            digits = max(decimals, _decimals(written))
            block_sum = sum(per[block])
            all_sum = sum(detail)
            checked += 1
            off_block = abs(written - block_sum) > tolerance(len(per[block]), digits)  # a sub-total ...
            off_all = abs(written - all_sum) > tolerance(len(detail), digits)  # ... or a grand total
            if off_block and off_all:
                mismatched += 1
                got = block_sum if block in with_rows else all_sum
                _mismatch(table, spec, report, total, key, written, got, positions)
        if not written_any and empty_cols:
            report.warning(
                "Sel JUMLAH kosong; mungkin berisi rumus yang belum dihitung (buka dan simpan ulang di Excel). "
                "Baris ini tidak dapat dicocokkan.",
                file=table.file,
                sheet=table.sheet,
                row=total["_row"],
                column=table.labels.get(empty_cols[0]),
            )
    report.total_mismatches += mismatched
    where = f"{table.file}" + (f" / {table.sheet}" if table.sheet else "")
    accepted = " (selisih diterima)" if mismatched and report.accept_totals else ""
    report.notes.append(
        f"Rekonsiliasi JUMLAH {where}: {len(table.totals)} baris JUMLAH, {checked} sel diperiksa, "
        f"{mismatched} tidak cocok{accepted}."
    )


def _mismatch(
    table: Table,
    spec: TableSpec,
    report: Report,
    total: dict,
    key: str,
    written: float,
    got: float,
    positions: dict[str, int] | None,
) -> None:
    """The problem for one JUMLAH cell that does not add up: an error saying what to do, or, when the analyst
    accepted such differences, a warning saying it was accepted."""
    cell = ""
    if table.sheet is not None and positions and key in positions:
        cell = f" (sel {column_letters(positions[key] + 1)}{total['_row']})"
    found = (
        f"Baris JUMLAH{cell} tidak cocok dengan penjumlahan baris rincian: tertulis {_fmt(written)}, hasil "
        f"penjumlahan {_fmt(got)} (selisih {_fmt(abs(written - got))})."
    )
    where = {
        "file": table.file,
        "sheet": table.sheet,
        "row": total["_row"],
        "column": table.labels.get(key, key),
        "value": total.get(key),
    }
    if report.accept_totals:
        report.warning(
            f"{found} Selisih ini diterima (--terima-selisih): baris rincian dimuat seperti tertulis, baris JUMLAH "
            "tidak dimuat.",
            kind="Baris JUMLAH tidak cocok dengan penjumlahan baris rincian; selisih diterima (--terima-selisih).",
            **where,
        )
        return
    hint = ACCEPT_HINT.format(command=_accept_command(spec, table))
    report.error(
        f"{found} Periksa baris yang hilang, kolom yang bergeser atau angka yang salah ketik, perbaiki berkasnya, "
        f"lalu muat ulang. {hint}",
        kind="Baris JUMLAH tidak cocok dengan penjumlahan baris rincian. Periksa baris yang hilang atau kolom yang "
        "bergeser, lalu muat ulang; atau terima selisihnya (--terima-selisih).",
        **where,
    )
