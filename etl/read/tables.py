"""A dataset's tables in raw sheets: header, kept and dropped columns, records and JUMLAH rows."""

from __future__ import annotations

from etl import reference
from etl.problems import Report
from etl.read import csvfast
from etl.read.header import _header, _header_row, classify
from etl.read.model import RawSheet, Table, TableSpec
from etl.read.rows import _records
from etl.read.totals import _check_totals

ROW_NUMBER_KEYS = {"no", "no urut", "nomor urut", "nomor", "urut"}  # running numbers: ignored without a warning


def find_tables(sheets: list[RawSheet], spec: TableSpec, report: Report) -> list[Table]:
    tables, headers_found = [], 0
    for sheet in sheets:
        h = _header_row(sheet, spec)
        if h is None:
            continue
        headers_found += 1
        table = _build_table(sheet, h, spec, report)
        if table is not None:
            tables.append(table)
    if not headers_found and sheets:
        required = [c for c in spec.columns if c.required]
        expected = ", ".join(f'"{c.aliases[0].title()}"' for c in required)
        sheet_names = ", ".join(f'"{s.sheet}"' for s in sheets if s.sheet) or "-"
        report.error(
            f"Tabel data {spec.dataset} tidak ditemukan: tidak ada baris judul kolom yang dikenali "
            f"(sheet yang diperiksa: {sheet_names}). Yang diharapkan baris judul dengan kolom {expected}. "
            "Periksa apakah berkas ini memang untuk dataset ini.",
            file=sheets[0].file,
        )
    return tables


def _build_table(sheet: RawSheet, h: int, spec: TableSpec, report: Report) -> Table | None:
    keys, labels, last = _header(sheet, h, spec)
    where = {"file": sheet.file, "sheet": sheet.sheet, "row": last + 1}
    kept: dict[int, str] = {}
    names: dict[str, str] = {}
    owner: dict[str, int] = {}
    duplicate = False
    for c, key in enumerate(keys):
        label = labels[c]
        # personal data first: "Tempat/Tgl Lahir" is never tempat kejadian, "Pelaku (Nama)" never hubungan pelaku
        kind = reference.pii_kind(label, spec.dataset) if key else None
        got = None if kind else classify(key, spec)
        if got is None:
            if key in ROW_NUMBER_KEYS and not kind:
                continue
            if not key:
                if _column_has_data(sheet, last, c):
                    report.warning("Kolom tanpa judul diabaikan.", **where, column=f"kolom ke-{c + 1}")
                continue
            if kind:
                report.warning(
                    f'Kolom "{label}" berisi data pribadi ({kind}) dan dibuang; data ini tidak pernah disimpan.',
                    **where,
                    column=label,
                )
            else:
                report.warning("Kolom tidak dikenal diabaikan.", **where, column=label)
            if label not in report.dropped_columns:
                report.dropped_columns.append(label)
            continue
        name = got[1]
        if name in owner:
            report.error(
                f'Kolom ganda: "{labels[owner[name]]}" dan "{label}" sama-sama dibaca sebagai '
                f"{name}. Hapus atau ganti nama salah satunya.",
                **where,
                column=label,
            )
            duplicate = True
            continue
        owner[name] = c
        kept[c] = name
        names[name] = label
    missing = [col for col in spec.columns if col.required and col.name not in owner and col.unless not in owner]
    for col in missing:
        known = ", ".join(a.title() for a in col.aliases[:4])
        report.error(
            f'Kolom wajib "{col.aliases[0].title()}" tidak ditemukan di baris judul (baris {h + 1}). '
            f"Nama kolom yang dikenali: {known}.",
            **where,
        )
    if missing or duplicate:
        return None
    title = " | ".join(str(c) for r in sheet.rows[:h] for c in r if c is not None)
    if sheet.cells is not None:
        body, n_records, totals = csvfast._columnar_records(sheet, last, keys, kept, spec)
        table = Table(
            file=sheet.file,
            sheet=sheet.sheet,
            header_row=last + 1,
            title=title,
            columns=list(kept.values()),
            labels=names,
            records=[],
            totals=totals,
            decimal=sheet.decimal,
            thousands=sheet.thousands,
            body=body,
            con=sheet.cells.con,
            n_records=n_records,
            temp=sheet.cells.tables,
        )
    else:
        records, totals = _records(sheet, last, keys, kept, spec)
        table = Table(
            file=sheet.file,
            sheet=sheet.sheet,
            header_row=last + 1,
            title=title,
            columns=list(kept.values()),
            labels=names,
            records=records,
            totals=totals,
            decimal=sheet.decimal,
            thousands=sheet.thousands,
            n_records=len(records),
        )
    _check_totals(table, spec, report)
    report.rows_read += table.n_records
    return table


def _column_has_data(sheet: RawSheet, last: int, c: int) -> bool:
    """Any cell below the header row in column c (0-based)."""
    if sheet.cells is None:
        return any(c < len(r) and r[c] is not None for r in sheet.rows[last + 1 :])
    if c >= sheet.cells.width:
        return False
    return sheet.cells.con.execute(f"SELECT count(c{c + 1}) > 0 FROM {sheet.cells.name} WHERE i > {last}").fetchone()[0]
