"""JUMLAH rows checked against the detail rows above them."""

from __future__ import annotations

from babel.numbers import format_decimal

from etl import values
from etl.problems import Report
from etl.read.model import Table, TableSpec


def _fmt(x: float) -> str:
    return format_decimal(round(x, 6), locale="id_ID")


def _num(table: Table, value: object) -> float | None:
    try:
        return values.parse_number(value, table.decimal, table.thousands)
    except ValueError:
        return None


def _block_numbers(table: Table, key: str) -> list[list[float]]:
    """Per block (the detail rows above each JUMLAH row, and those after the last one), the numbers in
    column `key`, in row order."""
    per: list[list[float]] = [[] for _ in range(len(table.totals) + 1)]
    if table.body is None:
        for r in table.records:
            n = _num(table, r.get(key))
            if n is not None:
                per[r["_block"]].append(n)
        return per
    con, col = table.con, f'"{key}"'
    sql = f"SELECT DISTINCT {col} FROM {table.body} WHERE {col} IS NOT NULL"
    distinct = [v for (v,) in con.execute(sql).fetchall()]
    nums = {v: n for v in distinct if (n := _num(table, v)) is not None}
    if nums:
        rows = con.execute(
            f"SELECT b._block, l.n FROM {table.body} b JOIN (SELECT unnest(?::VARCHAR[]) AS v, "
            f"unnest(?::DOUBLE[]) AS n) l ON b.{col} = l.v ORDER BY b._row",
            [list(nums), list(nums.values())],
        ).fetchall()
        for block, n in rows:
            per[block].append(n)
    return per


def _blocks_with_rows(table: Table) -> set[int]:
    if table.body is None:
        return {r["_block"] for r in table.records}
    return {b for (b,) in table.con.execute(f"SELECT DISTINCT _block FROM {table.body}").fetchall()}


def _check_totals(table: Table, spec: TableSpec, report: Report) -> None:
    if not table.totals:
        return
    checked = mismatched = 0
    numeric = [k for k in table.columns if k not in spec.label_columns]
    numbers = {key: _block_numbers(table, key) for key in numeric}
    with_rows = _blocks_with_rows(table)
    for block, total in enumerate(table.totals):
        written_any, empty_cols = False, []
        for key in numeric:
            per = numbers[key]
            detail = [n for b in range(block + 1) for n in per[b]]
            if not detail:
                continue
            written = _num(table, total.get(key))
            if written is None:
                empty_cols.append(key)
                continue
            written_any = True
            block_sum = sum(per[block])
            all_sum = sum(detail)
            checked += 1
            if abs(written - block_sum) > 0.5 and abs(written - all_sum) > 0.5:
                mismatched += 1
                got = block_sum if block in with_rows else all_sum
                report.warning(
                    f"Baris JUMLAH tidak cocok dengan penjumlahan baris rincian: tertulis {_fmt(written)}, hasil "
                    f"penjumlahan {_fmt(got)} (selisih {_fmt(abs(written - got))}). Periksa baris yang hilang "
                    "atau kolom yang bergeser.",
                    kind="Baris JUMLAH tidak cocok dengan penjumlahan baris rincian. Periksa baris yang hilang atau "
                    "kolom yang bergeser.",
                    file=table.file,
                    sheet=table.sheet,
                    row=total["_row"],
                    column=table.labels.get(key, key),
                    value=total.get(key),
                )
        if not written_any and empty_cols:
            report.warning(
                "Sel JUMLAH kosong; mungkin berisi rumus yang belum dihitung (buka dan simpan ulang di Excel). "
                "Baris ini tidak dapat dicocokkan.",
                file=table.file,
                sheet=table.sheet,
                row=total["_row"],
                column=table.labels.get(empty_cols[0]),
            )
    where = f"{table.file}" + (f" / {table.sheet}" if table.sheet else "")
    report.notes.append(
        f"Rekonsiliasi JUMLAH {where}: {len(table.totals)} baris JUMLAH, {checked} sel diperiksa, "
        f"{mismatched} tidak cocok."
    )
