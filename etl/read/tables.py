"""A dataset's tables in raw sheets: header, kept and dropped columns, records and JUMLAH rows."""

from __future__ import annotations

from etl import pii, reference
from etl.problems import Report
from etl.read import csvfast, errorcells
from etl.read.header import _header, _header_row, classify
from etl.read.model import RawSheet, Table, TableSpec
from etl.read.rows import _records
from etl.read.totals import _check_totals

ROW_NUMBER_KEYS = {"no", "no urut", "nomor urut", "nomor", "urut"}  # running numbers: ignored without a warning


def find_tables(sheets: list[RawSheet], spec: TableSpec, report: Report) -> list[Table]:
    tables, headers_found = [], 0
    for sheet in sheets:
        if sheet.hidden:  # dropdown lists, helper cells: never a second data table
            report.notes.append(
                f'Sheet tersembunyi "{sheet.sheet}" dilewati (daftar pilihan atau bahan bantu, tidak dibaca sebagai '
                f"data) di berkas {sheet.file}."
            )
            continue
        h = _header_row(sheet, spec)
        if h is None:
            continue
        headers_found += 1
        table = _build_table(sheet, h, spec, report)
        if table is not None:
            tables.append(table)
    hidden_data = [s.sheet for s in sheets if s.hidden and _header_row(s, spec) is not None]
    if not headers_found and hidden_data:
        names = ", ".join(f'"{name}"' for name in hidden_data)
        report.error(
            f"Tabel data {spec.dataset} hanya ada di sheet tersembunyi {names}; sheet tersembunyi tidak dibaca "
            "(biasanya berisi daftar pilihan). Bila data ini yang harus dimuat, tampilkan sheet itu di Excel (klik "
            "kanan tab sheet > Unhide), simpan, lalu unggah lagi.",
            file=sheets[0].file,
            sheet=hidden_data[0],
        )
    elif not headers_found and sheets:
        required = [c for c in spec.columns if c.required]
        expected = ", ".join(f'"{c.aliases[0].title()}"' for c in required)
        sheet_names = ", ".join(f'"{s.sheet}"' for s in sheets if s.sheet and not s.hidden) or "-"
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
    others: list[tuple[str, str]] = []
    duplicate = False
    for c, key in enumerate(keys):
        label = labels[c]
        # personal data first: "Tempat/Tgl Lahir" is never tempat kejadian, "Pelaku (Nama)" never hubungan pelaku
        kind = reference.pii_kind(label, spec.dataset) if key else None
        # then columns about someone else: "Usia Pelaku" is never the victim's age (nor "Pelaku / Usia")
        person = _other_person(key, spec) if key and not kind else None
        if person:
            report.warning(f"Kolom tentang {person}, bukan korban, diabaikan.", **where, column=label)
            others.append((label, person))
            if label not in report.dropped_columns:
                report.dropped_columns.append(label)
            continue
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
    shape = dict(  # what both shapes hold; the records are in DuckDB (large CSV) or in `records`
        file=sheet.file,
        sheet=sheet.sheet,
        header_row=last + 1,
        title=title,
        columns=list(kept.values()),
        labels=names,
        decimal=sheet.decimal,
        thousands=sheet.thousands,
        other_person=others,
    )
    if sheet.cells is not None:
        body, n_records, totals = csvfast._columnar_records(sheet, last, keys, kept, spec)
        table = Table(
            **shape,
            records=[],
            totals=totals,
            body=body,
            con=sheet.cells.con,
            n_records=n_records,
            temp=sheet.cells.tables,
        )
    else:
        records, totals = _records(sheet, last, keys, kept, spec)
        table = Table(**shape, records=records, totals=totals, n_records=len(records))
    positions = {name: c for c, name in kept.items()}
    errorcells.report_cells(table, report, positions)  # #REF!, #N/A ...: an error naming the cell, never 0 or blank
    _check_totals(table, spec, report, positions)
    report.rows_read += table.n_records
    ignored = [labels[c] for c, key in enumerate(keys) if key and c not in kept and key not in ROW_NUMBER_KEYS]
    report.read_layout.append(layout_sentence(table, h + 1, ignored))
    return table


def layout_sentence(table: Table, first_header_row: int, ignored: list[str]) -> str:
    """What the reader understood of a table, in one sentence the analyst checks before loading: "data.xlsx / sheet
    Data: judul kolom di baris 4, 120 baris data, 2 baris JUMLAH, kolom dikenali: Kecamatan, Kelurahan, Status;
    diabaikan: Keterangan" (headers as the file writes them; rows as Excel numbers them)."""
    where = table.file + (f" / sheet {table.sheet}" if table.sheet else "")
    rows = str(first_header_row) if first_header_row == table.header_row else f"{first_header_row}-{table.header_row}"
    parts = [f"judul kolom di baris {rows}", f"{_count(table.n_records)} baris data"]
    if table.totals:
        parts.append(f"{_count(len(table.totals))} baris JUMLAH")
    parts.append("kolom dikenali: " + ", ".join(table.labels.get(k, k) for k in table.columns))
    sentence = f"{where}: " + ", ".join(parts)
    if ignored:
        sentence += "; diabaikan: " + ", ".join(dict.fromkeys(ignored))
    return pii.mask_text(sentence)


def _count(n: int) -> str:
    """1.234 (Indonesian thousands separator)."""
    return f"{n:,}".replace(",", ".")


def _other_person(key: str, spec: TableSpec) -> str | None:
    """Who a column is about when its header names someone other than the victim (kolom_orang_lain.csv:
    "Usia Pelaku", "JK Pelapor", "Pekerjaan Orang Tua"), None otherwise. A column whose own alias names that
    person is kept: "Hubungan Korban dengan Pelaku" and "Pelaku" are the perpetrator's relation to the victim,
    a canonical column; "Pelaku / Usia" (the alias "pelaku" and more after it) is not."""
    found = reference.other_person(key, spec.dataset)
    if not found:
        return None
    alias = _matched_alias(key, spec)
    if alias is not None and all(f" {word} " in f" {alias} " for word, _ in found):
        if key == alias or alias not in {word for word, _ in found}:
            return None
    return found[0][1]


def _matched_alias(key: str, spec: TableSpec) -> str | None:
    """The alias a header is read by, as classify() matches it: the header itself, else the longest alias it
    starts with."""
    if any(key in col.aliases for col in spec.columns):
        return key
    best = None
    for col in spec.columns:
        for alias in col.aliases:
            if key.startswith(alias + " ") and (best is None or len(alias) > len(best)):
                best = alias
    return best


def _column_has_data(sheet: RawSheet, last: int, c: int) -> bool:
    """Any cell below the header row in column c (0-based)."""
    if sheet.cells is None:
        return any(c < len(r) and r[c] is not None for r in sheet.rows[last + 1 :])
    if c >= sheet.cells.width:
        return False
    return sheet.cells.con.execute(f"SELECT count(c{c + 1}) > 0 FROM {sheet.cells.name} WHERE i > {last}").fetchone()[0]
