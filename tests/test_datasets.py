"""Every dataset with good and bad real files, through the same check/load path the CLI uses."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from etl import loader, warehouse


@pytest.fixture()
def data_dir(tmp_path, monkeypatch):
    d = tmp_path / "data"
    monkeypatch.setenv("KLA_DATA_DIR", str(d))
    monkeypatch.setenv("KLA_SALT", "test-salt")
    monkeypatch.delenv("KLA_FAULT", raising=False)
    return d


def xlsx(
    path: Path, rows: list[list], title: str | None = "DATA UJI", sheet: str = "Data", merges: list[str] = ()
) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    if title:
        ws.append([title])
        ws.append([])
    for r in rows:
        ws.append(r)
    for m in merges:
        ws.merge_cells(m)
    wb.save(path)
    return path


def sql(query: str, params=()):
    con = warehouse.connect_current()
    try:
        return con.execute(query, params).fetchall()
    finally:
        con.close()


KASUS_HEAD = [
    "No",
    "No. Register",
    "Tanggal Kejadian",
    "Tanggal Pelaporan",
    "Nama Korban",
    "Kecamatan",
    "Kelurahan",
    "Jenis Kelamin",
    "Usia",
    "Bentuk Kekerasan",
    "Tempat Kejadian",
    "Hubungan Pelaku",
    "Layanan",
    "Disabilitas",
]


def kasus_row(i, kec="Mandonga", kel="Korumba", usia=12, bentuk="Fisik, Psikis", reg=None):
    return [
        i,
        reg or f"REG/2024/{i:04d}",
        dt.date(2024, 3, 2),
        dt.date(2024, 3, 20),
        f"Budi Santoso {i}",
        kec,
        kel,
        "P",
        usia,
        bentuk,
        "Rumah Tangga",
        "Orang Tua",
        "Pengaduan; Kesehatan",
        "Tidak",
    ]


def test_kasus_good_file_loads_without_personal_data(data_dir, tmp_path):
    path = xlsx(tmp_path / "kasus.xlsx", [KASUS_HEAD] + [kasus_row(i) for i in range(1, 6)])
    result = loader.load("kasus", [path])
    assert result.ok, result.report.to_text()
    assert sql("SELECT count(*) FROM fact_kasus")[0][0] == 5
    assert sql("SELECT count(*) FROM fact_kasus_bentuk")[0][0] == 10  # two forms per case
    assert sql("SELECT DISTINCT bulan_kejadian FROM fact_kasus")[0][0] == dt.date(2024, 3, 1)  # month precision
    assert "Nama Korban" in result.report.dropped_columns
    con = warehouse.connect_current()
    for (table,) in con.execute("SELECT table_name FROM information_schema.tables").fetchall():
        for (col,) in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? AND data_type = 'VARCHAR'", [table]
        ).fetchall():
            hits = con.execute(
                f'SELECT count(*) FROM "{table}" WHERE "{col}" LIKE ? OR "{col}" LIKE ?', ["%Budi%", "%REG/2024%"]
            ).fetchone()[0]
            assert hits == 0, (table, col)
    con.close()


def test_kasus_same_file_twice_does_not_double_count(data_dir, tmp_path):
    path = xlsx(tmp_path / "kasus.xlsx", [KASUS_HEAD] + [kasus_row(i) for i in range(1, 4)])
    assert loader.load("kasus", [path]).ok
    assert loader.load("kasus", [path]).ok
    assert sql("SELECT count(*) FROM fact_kasus")[0][0] == 3
    assert sql("SELECT count(*) FROM fact_kasus_bentuk")[0][0] == 6


def test_kasus_bad_rows_all_reported_with_excel_rows(data_dir, tmp_path):
    rows = [
        KASUS_HEAD,
        kasus_row(1),
        kasus_row(2, kec="Mandoga"),
        kasus_row(3, usia="12a"),
        kasus_row(4, usia=19),
        kasus_row(5, bentuk="Pukulan"),
        kasus_row(6, reg="REG/2024/0001"),
        kasus_row(7, kec="Poasia", kel="Korumba"),
    ]
    path = xlsx(tmp_path / "kasus_buruk.xlsx", rows)
    result = loader.check("kasus", [path])
    errors = {(p.row, p.column): p for p in result.report.errors}
    # title row 1, blank row 2, header row 3, first case row 4
    assert errors[(5, "Kecamatan")].value == "Mandoga" and "Mandonga" in errors[(5, "Kecamatan")].message
    assert errors[(6, "Usia")].value == "12a"
    assert "0-17" in errors[(7, "Usia")].message
    assert "Pukulan" in errors[(8, "Bentuk Kekerasan")].message
    assert "ganda" in errors[(9, "No. Register")].message and "baris 4" in errors[(9, "No. Register")].message
    assert "Kecamatan Mandonga" in errors[(10, "Kelurahan")].message
    assert all(p.file == "kasus_buruk.xlsx" and p.sheet == "Data" for p in result.report.errors)


def test_kasus_dates_checked(data_dir, tmp_path):
    future = dt.date.today() + dt.timedelta(days=40)
    r1 = kasus_row(1)
    r1[2], r1[3] = dt.date(2024, 5, 1), dt.date(2024, 4, 1)
    r2 = kasus_row(2)
    r2[3] = future
    path = xlsx(tmp_path / "k.xlsx", [KASUS_HEAD, r1, r2])
    msgs = [p.message for p in loader.check("kasus", [path]).report.errors]
    assert any("sesudah tanggal pelaporan" in m for m in msgs)
    assert any("masa depan" in m for m in msgs)


def test_kasus_semicolon_csv_with_text_dates(data_dir, tmp_path):
    path = tmp_path / "kasus.csv"
    with open(path, "w", newline="", encoding="cp1252") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(["Register kasus (uji)"])
        w.writerow(
            [
                "No Register",
                "Tgl Kejadian",
                "Tgl Pelaporan",
                "Kecamatan",
                "Kelurahan",
                "JK",
                "Umur",
                "Jenis Kekerasan",
                "Tempat",
                "Hubungan Pelaku",
            ]
        )
        w.writerow(
            [
                "A-1",
                "05/03/2024",
                "12 Maret 2024",
                "Kec. Poasia",
                "Anduonohu",
                "Perempuan",
                "9",
                "Seksual",
                "Sekolah",
                "Guru",
            ]
        )
        w.writerow(["A-2", "2024-01-31", "01/02/2024", "Wuawua", "", "Laki-laki", "15", "Fisik; Psikis", "", ""])
    result = loader.load("kasus", [path])
    assert result.ok, result.report.to_text()
    rows = sql("SELECT kode_kecamatan, kode_kelurahan, usia, bulan_pelaporan FROM fact_kasus ORDER BY usia")
    assert rows == [("74.71.04", "74.71.04.1003", 9, dt.date(2024, 3, 1)), ("74.71.07", None, 15, dt.date(2024, 2, 1))]


RBRA_HEAD = [
    "No",
    "Nama RBRA",
    "Kecamatan",
    "Kelurahan",
    "Latitude",
    "Longitude",
    "Status Standardisasi",
    "Tahun",
    "Luas (m2)",
]


def test_rbra_good_and_swapped_coordinates(data_dir, tmp_path):
    good = xlsx(
        tmp_path / "rbra.xlsx",
        [
            RBRA_HEAD,
            [1, "Taman Korumba", "Mandonga", "Korumba", -3.9718, 122.5250, "RBRA", 2022, 900],
            [2, "Taman Kadia", "Kadia", "Kadia", "-3,9803", "122,5116", "belum", 2021, "1.200"],
        ],
    )
    result = loader.load("rbra", [good])
    assert result.ok, result.report.to_text()
    assert sql("SELECT nama, status, luas_m2 FROM fact_rbra ORDER BY nama") == [
        ("Taman Kadia", "Belum Terstandar", 1200.0),
        ("Taman Korumba", "RBRA", 900.0),
    ]
    bad = xlsx(
        tmp_path / "rbra_buruk.xlsx",
        [
            RBRA_HEAD,
            [1, "Taman A", "Mandonga", "Korumba", 122.5250, -3.9718, "RBRA", 2022, 1],
            [2, "Taman B", "Mandonga", "Korumba", -6.2, 106.8, "RBRA", 2022, 1],
            [3, "Taman C", "Mandonga", "Korumba", -3.97, 122.52, "Bagus", 2022, 1],
        ],
    )
    errors = loader.check("rbra", [bad]).report.errors
    assert "tertukar" in errors[0].message and errors[0].row == 4
    assert "di luar Kota Kendari" in errors[1].message and errors[1].row == 5
    assert "Status standardisasi" in errors[2].message and errors[2].row == 6


IND_HEAD = ["No", "Indikator", "Nilai", "Target", "OPD Pengampu", "Status Bukti"]


def test_indikator_year_from_sheet_and_max_points(data_dir, tmp_path, monkeypatch):
    rows = (
        [IND_HEAD]
        + [[n, f"Indikator {n}", 20, 30, "DP3A", "Lengkap"] for n in range(1, 25)]
        + [["JUMLAH", "", 480, 720]]
    )
    path = xlsx(tmp_path / "ind.xlsx", rows, sheet="Evaluasi 2024")
    result = loader.load("indikator", [path])
    assert result.ok, result.report.to_text()
    assert sql("SELECT tahun, count(*), sum(nilai) FROM fact_nilai_indikator GROUP BY tahun") == [(2024, 24, 480.0)]
    bad_rows = [
        IND_HEAD,
        [1, "x", 99, 30, "DP3A", "Lengkap"],
        [25, "x", 1, 1, "DP3A", "Lengkap"],
        [3, "x", 10, 10, "DP3A", "Entah"],
    ]
    # KemenPPPA publishes no maxima: a value is not checked against one the catalog does not hold ...
    errors = loader.check("indikator", [xlsx(tmp_path / "b.xlsx", bad_rows, sheet="2024")]).report.errors
    assert "1 sampai 24" in errors[0].message and "Status bukti" in errors[1].message and len(errors) == 2
    # ... and is, once the task force has entered one (from its Juknis) in the catalog (parsed here in this
    # process, where the catalog is patched; loader.check reads in a child process)
    from etl import reference

    catalog = tuple({**r, "nilai_maks": 40.0} for r in reference.indicator_catalog())
    monkeypatch.setattr(reference, "indicator_catalog", lambda: catalog)
    inputs = loader._inputs([xlsx(tmp_path / "b.xlsx", bad_rows, sheet="2024")], None)
    errors = loader._parse("indikator", inputs, loader.make_context())[0].errors
    assert "maksimum" in errors[0].message and errors[0].value == 99
    assert "1 sampai 24" in errors[1].message
    assert "Status bukti" in errors[2].message


def test_penduduk_wide_merged_headers_with_totals(data_dir, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "2024"
    ws.append(["JUMLAH ANAK MENURUT KELOMPOK UMUR"])
    ws.append(["KOTA KENDARI TAHUN 2024"])
    ws.append([])
    ws.append(["No", "Kecamatan", "Kelurahan", "0-4", None, "5-9", None, "10-14", None, "15-17", None])
    ws.append([None, None, None, "L", "P", "L", "P", "L", "P", "L", "P"])
    ws.append([1, "Mandonga", "Korumba", 100, 90, 110, 100, 120, 110, 60, 50])
    ws.append([2, "Mandonga", "Labibia", 10, 9, 11, 10, 12, 11, 6, 5])
    ws.append(["", "JUMLAH", "", 110, 99, 121, 110, 132, 121, 66, 55])
    ws.append(["Sumber: Dukcapil"])
    for rng in ("A4:A5", "B4:B5", "C4:C5", "D4:E4", "F4:G4", "H4:I4", "J4:K4"):
        ws.merge_cells(rng)
    path = tmp_path / "penduduk.xlsx"
    wb.save(path)
    result = loader.load("penduduk", [path])
    assert result.ok, result.report.to_text()
    assert not result.report.warnings, result.report.to_text()
    assert sql("SELECT sum(jumlah_anak), count(*) FROM fact_penduduk WHERE tahun = 2024") == [(814, 16)]
    assert sql(
        "SELECT jumlah_anak FROM fact_penduduk WHERE kode_wilayah = '74.71.01.1006' AND jenis_kelamin = 'P' "
        "AND umur_min = 15"
    ) == [(50,)]


@pytest.mark.parametrize("dash", ["\u2013", "\u2014", "\u2212", " \u2013 "])  # en dash, em dash, minus
def test_penduduk_age_bands_with_a_dash_from_a_pdf_load_the_numbers_the_file_holds(data_dir, tmp_path, dash):
    """Issue 20: "0–4" (copied from a BPS PDF) was read as the band 4-4 and "5–9" as 59 (an adult band, not
    loaded): 120.321 children loaded as 34.103 with exit 0. The dash separates like a hyphen does."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "2024"
    ws.append(["KOTA KENDARI TAHUN 2024"])
    ws.append(["Kecamatan", "Kelurahan", *(f"{a}{dash}{b}" for a, b in ((0, 4), (5, 9), (10, 14), (15, 17)))])
    ws.append(["Mandonga", "Korumba", 100, 110, 120, 60])
    ws.append(["Mandonga", "Labibia", 10, 11, 12, 6])
    path = tmp_path / "penduduk_pdf.xlsx"
    wb.save(path)
    result = loader.load("penduduk", [path])
    assert result.ok, result.report.to_text()
    bands = sql(
        "SELECT umur_min, umur_max, sum(jumlah_anak) FROM fact_penduduk WHERE tahun = 2024 GROUP BY ALL ORDER BY 1"
    )
    assert bands == [(0, 4, 110), (5, 9, 121), (10, 14, 132), (15, 17, 66)]


def test_penduduk_long_indonesian_csv_and_jumlah_mismatch(data_dir, tmp_path):
    path = tmp_path / "penduduk.csv"
    lines = [
        "Data anak;;;;;",
        "Tahun;Kecamatan;Kelurahan;Jenis Kelamin;Kelompok Umur;Jumlah",
        "2025;Kadia;Bende;Laki-laki;0-4;1.234",
        "2025;Kadia;Bende;Perempuan;0-4;1.100",
        "2025;Kadia;Bende;L;5-9;7",
        "JUMLAH;;;;;2.400",
    ]
    path.write_text("\n".join(lines), encoding="utf-8-sig")
    result = loader.load("penduduk", [path])  # 2.400 written, 2.341 in the rows: refused (issue 20) ...
    assert not result.ok
    [err] = [p for p in result.report.errors if "JUMLAH" in p.message]
    assert (err.row, err.column) == (6, "Jumlah") and "selisih 59" in err.message
    result = loader.load("penduduk", [path], accept_totals=True)  # ... unless the analyst accepts the difference
    assert result.ok, result.report.to_text()
    assert sql("SELECT sum(jumlah_anak) FROM fact_penduduk")[0][0] == 2341
    warn = [p for p in result.report.warnings if "JUMLAH" in p.message]
    assert warn and warn[0].row == 6


def test_penduduk_band_across_17_is_an_error(data_dir, tmp_path):
    path = xlsx(tmp_path / "p.xlsx", [["Kecamatan", "0-4", "5-9", "10-19"], ["Kadia", 1, 2, 3]], title="TAHUN 2024")
    errors = loader.check("penduduk", [path]).report.errors
    assert errors and "10-19" in errors[0].message and errors[0].column == "10-19"


def test_wrong_dataset_file_is_rejected_clearly(data_dir, tmp_path):
    path = xlsx(
        tmp_path / "rbra.xlsx", [RBRA_HEAD, [1, "Taman", "Mandonga", "Korumba", -3.97, 122.52, "RBRA", 2022, 1]]
    )
    result = loader.check("kasus", [path])
    assert not result.ok
    assert any("tampaknya berisi data rbra" in p.message and "load rbra" in p.message for p in result.report.errors)
