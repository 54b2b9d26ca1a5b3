"""The layouts real OPD files have, written as real files, read by the real readers."""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlwt

from etl import reference
from etl.problems import InputError, Report
from etl.read import TableSpec, find_tables, read_sheets
from etl.sources.penduduk import extra_header

KASUS = TableSpec("kasus", reference.columns("kasus"), label_columns=("no_register", "kecamatan"))
PENDUDUK = TableSpec(
    "penduduk", reference.columns("penduduk"), extra_header=extra_header, label_columns=("kecamatan", "kelurahan")
)
KASUS_HEAD = [
    "No. Register",
    "Tanggal Kejadian",
    "Tanggal Pelaporan",
    "Kecamatan",
    "Jenis Kelamin",
    "Usia",
    "Bentuk Kekerasan",
]


def tables(path: Path, spec: TableSpec) -> tuple[list, Report]:
    report = Report()
    return find_tables(read_sheets(path), spec, report), report


def test_header_in_row_7_under_merged_title_cells(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "PEMERINTAH KOTA KENDARI"
    ws["A2"] = "DINAS PEMBERDAYAAN PEREMPUAN DAN PERLINDUNGAN ANAK"
    ws["A4"] = "REGISTER KASUS TAHUN 2024"
    for rng in ("A1:G1", "A2:G2", "A4:G5"):
        ws.merge_cells(rng)
    for c, h in enumerate(KASUS_HEAD, start=1):
        ws.cell(row=7, column=c, value=h)
    ws.append(["R1", "01/02/2024", "03/02/2024", "Kadia", "P", 7, "Fisik"])
    wb.save(tmp_path / "a.xlsx")
    [t], report = tables(tmp_path / "a.xlsx", KASUS)
    assert t.header_row == 7 and t.records[0]["_row"] == 8
    assert "REGISTER KASUS TAHUN 2024" in t.title
    assert not report.problems


def test_instructions_sheet_first_and_second_table_sheet(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "Petunjuk"
    wb.active.append(["Isi satu baris per kasus. Jangan menulis nama korban."])
    for name in ("Jan", "Feb"):
        ws = wb.create_sheet(name)
        ws.append(KASUS_HEAD)
        ws.append([f"R-{name}", "01/02/2024", "03/02/2024", "Kadia", "P", 7, "Fisik"])
    wb.save(tmp_path / "b.xlsx")
    found, report = tables(tmp_path / "b.xlsx", KASUS)
    assert [t.sheet for t in found] == ["Jan", "Feb"]


def test_semicolon_latin1_csv_with_indonesian_numbers(tmp_path):
    path = tmp_path / "p.csv"
    with open(path, "w", newline="", encoding="latin-1") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(["Penduduk anak, Kecamatan Kadia © Dinas Dukcapil"])
        w.writerow(["Tahun", "Kecamatan", "Kelompok Umur", "Jenis Kelamin", "Jumlah"])
        w.writerow(["2024", "Kadia", "0-4", "L", "1.234"])
        w.writerow(["2024", "Kadia", "0-4", "P", "1.100,0"])
    [t], report = tables(path, PENDUDUK)
    assert (t.decimal, t.thousands) == (",", ".")
    from etl.values import parse_number

    assert [parse_number(r["jumlah"], t.decimal, t.thousands) for r in t.records] == [1234.0, 1100.0]
    assert t.records[0]["_row"] == 3


def test_old_xls(tmp_path):
    wb = xlwt.Workbook()
    ws = wb.add_sheet("Register")
    ws.write(0, 0, "REGISTER KASUS")
    for c, h in enumerate(KASUS_HEAD):
        ws.write(2, c, h)
    for c, v in enumerate(["R1", "01/02/2024", "03/02/2024", "Kadia", "P", 7, "Fisik"]):
        ws.write(3, c, v)
    wb.save(str(tmp_path / "lama.xls"))
    [t], report = tables(tmp_path / "lama.xls", KASUS)
    assert t.records[0]["kecamatan"] == "Kadia" and t.records[0]["_row"] == 4


def test_personal_data_columns_never_reach_records(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(KASUS_HEAD + ["Nama Korban", "NIK", "Alamat", "No HP Orang Tua", "Warna Favorit"])
    ws.append(
        [
            "R1",
            "01/02/2024",
            "03/02/2024",
            "Kadia",
            "P",
            7,
            "Fisik",
            "Budi",
            "7471010101010001",
            "Jl. Mawar 3",
            "08123456789",
            "biru",
        ]
    )
    wb.save(tmp_path / "pii.xlsx")
    [t], report = tables(tmp_path / "pii.xlsx", KASUS)
    flat = repr(t.records)
    for secret in ("Budi", "7471010101010001", "Mawar", "08123456789", "biru"):
        assert secret not in flat
    assert report.dropped_columns == ["Nama Korban", "NIK", "Alamat", "No HP Orang Tua", "Warna Favorit"]
    assert sum("data pribadi" in p.message for p in report.warnings) == 4
    assert any(p.message == "Kolom tidak dikenal diabaikan." and p.column == "Warna Favorit" for p in report.warnings)


def test_missing_required_column_names_what_was_expected(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(
        ["No. Register", "Tanggal Kejadian", "Tanggal Pelaporan", "Kecamatan", "Jenis Kelamin", "Bentuk Kekerasan"]
    )
    ws.append(["R1", "01/02/2024", "03/02/2024", "Kadia", "P", "Fisik"])
    wb.save(tmp_path / "m.xlsx")
    found, report = tables(tmp_path / "m.xlsx", KASUS)
    assert not found
    [err] = report.errors
    assert "Usia" in err.message and err.row == 1


def test_subtotals_and_grand_total_reconciled(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Tahun 2024"])
    ws.append(["Kecamatan", "Kelurahan", "0-17"])
    ws.append(["Kadia", "Bende", 10])
    ws.append(["Kadia", "Kadia", 20])
    ws.append(["JUMLAH KEC. KADIA", None, 30])
    ws.append(["Mandonga", "Korumba", 5])
    ws.append(["Jumlah Kec. Mandonga", None, 6])  # wrong: 5
    ws.append(["TOTAL KOTA", None, 35])
    ws.append(["Sumber: Dukcapil 2024"])
    wb.save(tmp_path / "t.xlsx")
    [t], report = tables(tmp_path / "t.xlsx", PENDUDUK)
    assert [r["_row"] for r in t.records] == [3, 4, 6]
    assert [r["_row"] for r in t.totals] == [5, 7, 8]
    [e] = report.errors  # a JUMLAH that does not add up is an error (issue 20), unless accepted (--terima-selisih)
    assert e.row == 7 and "tertulis 6" in e.message and "hasil penjumlahan 5" in e.message and not report.warnings
    assert any("3 baris JUMLAH" in n and "1 tidak cocok" in n for n in report.notes)


def _formula_book(path: Path, saved: bool) -> Path:
    """A count table whose cells are formulas; `saved`: with their results saved (as Excel writes them), else
    without (as openpyxl and many exporting programs write them)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Tahun 2024"])
    ws.append(["Kecamatan", "0-17"])
    ws.append(["Kadia", "=4+6"])
    ws.append(["Baruga", 20])
    ws.append(["JUMLAH", "=SUM(B3:B4)"])
    wb.save(path)
    if saved:  # write the results in, as Excel does on saving
        with zipfile.ZipFile(path) as zf:
            members = {i.filename: zf.read(i.filename) for i in zf.infolist()}
        sheet = members["xl/worksheets/sheet1.xml"].decode()
        sheet = sheet.replace("<f>4+6</f><v></v>", "<f>4+6</f><v>10</v>")
        sheet = sheet.replace("<f>SUM(B3:B4)</f><v></v>", "<f>SUM(B3:B4)</f><v>30</v>")
        members["xl/worksheets/sheet1.xml"] = sheet.encode()
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in members.items():
                zf.writestr(name, data)
    return path


def test_formulas_without_saved_results_refuse_the_file_naming_the_cells(tmp_path):
    """Issue 20: count cells that are formulas without a saved value loaded as 0 with no warning."""
    with pytest.raises(InputError) as err:
        tables(_formula_book(tmp_path / "f.xlsx", saved=False), PENDUDUK)
    message = str(err.value)
    assert "2 sel berisi rumus tanpa hasil" in message and "B3, B5" in message and "simpan ulang" in message


def test_formulas_with_saved_results_are_read_as_their_results(tmp_path):
    [t], report = tables(_formula_book(tmp_path / "g.xlsx", saved=True), PENDUDUK)
    assert not report.errors and not [w for w in report.warnings if "rumus" in w.message]
    assert [r["0 17"] for r in t.records] == [10, 20]
    assert any("1 sel diperiksa, 0 tidak cocok" in n for n in report.notes)  # the saved 30 is checked against 10+20


@pytest.mark.parametrize(
    "content, expected",
    [
        (b"", "kosong"),
        (b"   \n  ", "kosong"),
        (b"MZ\x90\x00" + b"\x00" * 200, "program Windows"),
        (b"PK\x03\x04" + b"garbage" * 20, "rusak"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512 + "EncryptedPackage".encode("utf-16-le"), "kata sandi"),
        (b"%PDF-1.7\n" + b"\x00" * 20, "PDF"),
    ],
)
def test_unreadable_files_get_clear_errors(tmp_path, content, expected):
    path = tmp_path / "data_opd.xlsx"
    path.write_bytes(content)
    with pytest.raises(InputError) as exc:
        read_sheets(path)
    assert expected in exc.value.message and "data_opd.xlsx" in exc.value.message


def test_zip_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "arsip.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("catatan.txt", "halo")
    with pytest.raises(InputError, match="bukan buku kerja"):
        read_sheets(path)


def test_csv_named_xlsx_is_read_by_content(tmp_path):
    path = tmp_path / "ternyata_csv.xlsx"
    path.write_text(
        "No. Register;Tanggal Kejadian;Tanggal Pelaporan;Kecamatan;Jenis Kelamin;Usia;Bentuk Kekerasan\n"
        "R1;01/02/2024;03/02/2024;Kadia;P;7;Fisik\n",
        encoding="utf-8",
    )
    [t], _ = tables(path, KASUS)
    assert t.sheet is None and t.records[0]["usia"] == "7"
