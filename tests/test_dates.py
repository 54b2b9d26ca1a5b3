"""Dates as offices write them: the day/month order decided per column from all its values, Google Forms
exports (2/23/2024, with times), month-only dates at month precision, month names as data
(data/reference/bulan.csv). Unit tests for parse_date, then real files through etl.loader.load."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from collections import Counter
from pathlib import Path

import openpyxl
import pytest

from etl import loader, reference, values, warehouse
from tests.test_kasus_fast import assert_same

D = dt.date


# --- parse_date -----------------------------------------------------------------------------------------------

READS = [
    ("23/2/2024", None, D(2024, 2, 23)),  # the 23 can only be the day
    ("2/23/2024", None, D(2024, 2, 23)),  # the 23 can only be the day: month/day
    ("05/03/2024", None, D(2024, 3, 5)),  # nothing decides: day/month (Indonesian)
    ("05/03/2024", values.DAY_FIRST, D(2024, 3, 5)),
    ("05/03/2024", values.MONTH_FIRST, D(2024, 5, 3)),  # the column is month/day
    ("5-3-2024", values.MONTH_FIRST, D(2024, 5, 3)),
    ("2/23/2024 14:05:33", None, D(2024, 2, 23)),  # a Google Forms timestamp
    ("3/1/2024 9:05:33", values.MONTH_FIRST, D(2024, 3, 1)),
    ("3/1/2024 2:05:33 PM", values.MONTH_FIRST, D(2024, 3, 1)),
    ("23.02.2024 14.05", None, D(2024, 2, 23)),
    ("2024-03-05", values.MONTH_FIRST, D(2024, 3, 5)),  # ISO: year-month-day whatever the column
    ("2024-03-05 08:00:00", None, D(2024, 3, 5)),
    ("2024/03/05", None, D(2024, 3, 5)),
    ("5 Maret 2024", None, D(2024, 3, 5)),
    ("5-Mar-2024", None, D(2024, 3, 5)),
    ("05 Agt. 2024", None, D(2024, 8, 5)),
    ("March 5, 2024", None, D(2024, 3, 5)),
    ("Mar-24", None, D(2024, 3, 1)),  # month-year: the only form where two digits are a year
    ("Des-23", None, D(2023, 12, 1)),
    ("Maret 2024", None, D(2024, 3, 1)),
    ("Mar 2024", None, D(2024, 3, 1)),
    ("Mar. 2024", None, D(2024, 3, 1)),
    ("Sept 2024", None, D(2024, 9, 1)),
    ("Pebruari 2024", None, D(2024, 2, 1)),
    ("Nopember 2024", None, D(2024, 11, 1)),
    ("mei-2024", None, D(2024, 5, 1)),
    ("03/2024", None, D(2024, 3, 1)),
    ("3-2024", None, D(2024, 3, 1)),
    ("2024-03", None, D(2024, 3, 1)),
    (45000, None, D(2023, 3, 15)),  # an Excel serial number
    (dt.datetime(2024, 2, 23, 14, 5), values.MONTH_FIRST, D(2024, 2, 23)),  # a date cell: no order to decide
    ("-", None, None),
    ("", None, None),
    (None, None, None),
]


@pytest.mark.parametrize("raw,order,expected", READS, ids=[str(r[0]) for r in READS])
def test_parse_date_reads(raw, order, expected):
    assert values.parse_date(raw, order) == expected


REFUSED = [
    ("5/3/24", None, "tahun harus empat angka"),
    ("2/23/24", None, "tahun harus empat angka"),
    ("05-Mar-24", None, "tahun harus empat angka"),
    ("Mar 24", None, "format tanggal tidak dikenal"),  # 24 March, or March 2024? Only "Mar-24" is a month-year
    ("24-Mar", None, "format tanggal tidak dikenal"),
    ("31/02/2024", None, "tanggal tidak ada di kalender"),
    ("13/13/2024", None, "tanggal tidak ada di kalender"),
    ("13/2024", None, "tanggal tidak ada di kalender"),
    ("2/23/2024", values.DAY_FIRST, "bulan/hari"),  # the column is day/month: this cell is not
    ("23/2/2024", values.MONTH_FIRST, "hari/bulan"),
    ("Marz 2024", None, "format tanggal tidak dikenal"),
    ("kemarin", None, "format tanggal tidak dikenal"),
    (True, None, "bukan tanggal"),
]


@pytest.mark.parametrize("raw,order,reason", REFUSED, ids=[str(r[0]) for r in REFUSED])
def test_parse_date_refuses(raw, order, reason):
    with pytest.raises(ValueError, match=reason):
        values.parse_date(raw, order)


def test_month_only_is_known_as_month_precision():
    assert values.read_date("Mar-24").month_only and values.read_date("03/2024").month_only
    assert not values.read_date("05/03/2024").month_only and not values.read_date(45000).month_only


def test_the_order_of_a_column_comes_from_all_its_values():
    cells = [(4, "05/03/2024"), (5, "01/02/2024"), (6, "2/23/2024 10:00:00"), (7, "3/1/2024")]
    order = values.column_date_orders({"a": cells})["a"]
    assert order.order == values.MONTH_FIRST and order.month_first == (6, "2/23/2024 10:00:00")
    assert not order.conflict
    order = values.column_date_orders({"a": [(4, "05/03/2024"), (9, "23/02/2024")]})["a"]
    assert order.order == values.DAY_FIRST and order.day_first == (9, "23/02/2024")
    order = values.column_date_orders({"a": [(4, "05/03/2024"), (5, "01/02/2024")]})["a"]
    assert order.order == values.DAY_FIRST and not order.decided  # nothing decides: Indonesian
    mixed = values.column_date_orders({"a": [(4, "23/2/2024"), (5, "1/1/2024"), (8, "2/23/2024"), (9, "24/2/2024")]})
    assert mixed["a"].conflict and mixed["a"].order is None
    assert (mixed["a"].day_first, mixed["a"].month_first) == ((4, "23/2/2024"), (8, "2/23/2024"))


def test_an_undecided_column_follows_the_other_date_columns_of_its_table():
    orders = values.column_date_orders(
        {"kejadian": [(4, "2/23/2024"), (5, "3/1/2024")], "lapor": [(4, "3/2/2024"), (5, "3/4/2024")]}
    )
    assert orders["kejadian"].order == orders["lapor"].order == values.MONTH_FIRST
    assert orders["kejadian"].decided and not orders["lapor"].decided


def test_a_month_spelling_is_added_in_bulan_csv_without_code(tmp_path, monkeypatch):
    copy = tmp_path / "reference"
    shutil.copytree(reference.REFERENCE_DIR, copy)
    with open(copy / "bulan.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [int(r["bulan"]) for r in rows] == list(range(1, 13))
    rows[2]["alias"] += "|marz"
    with open(copy / "bulan.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    with pytest.raises(ValueError):
        values.parse_date("Marz 2024")
    monkeypatch.setattr(reference, "REFERENCE_DIR", copy)
    reference.month_numbers.cache_clear()
    try:
        assert values.parse_date("Marz 2024") == D(2024, 3, 1)
        assert values.parse_date("5 Marz 2024") == D(2024, 3, 5)
    finally:
        monkeypatch.undo()
        reference.month_numbers.cache_clear()


# --- real files -----------------------------------------------------------------------------------------------


@pytest.fixture()
def data_dir(tmp_path, monkeypatch):
    d = tmp_path / "data"
    monkeypatch.setenv("KLA_DATA_DIR", str(d))
    monkeypatch.setenv("KLA_SALT", "uji-tanggal")
    monkeypatch.delenv("KLA_FAULT", raising=False)
    return d


def xlsx(path: Path, rows: list[list], title: str | None = None, sheet: str = "Data") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    if title:
        ws.append([title])
        ws.append([])
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def write_csv(path: Path, rows: list[list], sep: str = ",") -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, delimiter=sep).writerows(rows)
    return path


def sql(query: str, params=()):
    con = warehouse.connect_current()
    try:
        return con.execute(query, params).fetchall()
    finally:
        con.close()


FORM_HEAD = [
    "Timestamp",
    "No. Register",
    "Tanggal Kejadian",
    "Tanggal Pelaporan",
    "Kecamatan",
    "Kelurahan",
    "Jenis Kelamin",
    "Usia",
    "Bentuk Kekerasan",
]


def _form_rows() -> tuple[list[list], Counter]:
    """A Google Forms export (US locale): timestamps and dates month/day; the months each case happened in."""
    cases = [
        (D(2024, 2, 23), D(2024, 3, 1)),
        (D(2024, 3, 1), D(2024, 3, 2)),
        (D(2024, 3, 5), D(2024, 4, 3)),
        (D(2024, 4, 12), D(2024, 5, 6)),
        (D(2024, 5, 1), D(2024, 5, 2)),
        (D(2024, 1, 2), D(2024, 2, 10)),
    ]
    rows = [FORM_HEAD]
    for i, (kej, lap) in enumerate(cases, start=1):
        stamp = f"{lap.month}/{lap.day}/{lap.year} 14:05:{i:02d}"
        rows.append(
            [
                stamp,
                f"F/{i}",
                f"{kej.month}/{kej.day}/{kej.year}",
                stamp,
                "Mandonga",
                "Korumba",
                "Perempuan",
                str(10 + i),
                "Psikis",
            ]
        )
    return rows, Counter(k.replace(day=1) for k, _ in cases)


def test_google_form_register_loads_the_right_months_in_both_paths(data_dir, tmp_path, monkeypatch):
    rows, months = _form_rows()
    got = []
    for path in (xlsx(tmp_path / "form.xlsx", rows), write_csv(tmp_path / "form.csv", rows)):
        result = loader.load("kasus", [path])
        assert result.ok, result.report.to_text()
        got.append(sql("SELECT bulan_kejadian, bulan_pelaporan, usia FROM fact_kasus ORDER BY usia"))
        assert dict(sql("SELECT bulan_kejadian, count(*) FROM fact_kasus GROUP BY 1")) == dict(months)
        assert sql("SELECT count(*) FROM fact_kasus")[0][0] == len(rows) - 1
    assert got[0] == got[1]
    assert got[0][0][:2] == (D(2024, 2, 1), D(2024, 3, 1))  # 2/23 and 3/1: February, then March (not 2 January)
    assert_same([tmp_path / "form.csv"], monkeypatch, expect_columnar=1)


def test_a_column_mixing_day_first_and_month_first_is_refused_naming_both_cells(data_dir, tmp_path, monkeypatch):
    head = FORM_HEAD[1:]
    rows = [head]
    kej = ["01/03/2024", "23/2/2024", "05/03/2024", "2/23/2024", "24/2/2024"]
    for i, k in enumerate(kej, start=1):
        rows.append([f"M/{i}", k, "05/03/2024", "Mandonga", "Korumba", "P", "12", "Fisik"])
    messages = []
    for path in (xlsx(tmp_path / "campur.xlsx", rows), write_csv(tmp_path / "campur.csv", rows)):
        result = loader.load("kasus", [path])
        assert not result.ok and result.version is None
        errors = [p for p in result.report.errors if p.column == "Tanggal Kejadian"]
        assert len(errors) == 1, result.report.to_text()  # one message for the column, not one per row
        msg = errors[0].message
        assert "baris 3 (23/2/2024)" in msg and "baris 5 (2/23/2024)" in msg, msg
        assert "hari/bulan" in msg and "bulan/hari" in msg
        assert errors[0].row == 3 and errors[0].value == "23/2/2024"
        messages.append([(p.message, p.row, p.column, p.value) for p in result.report.problems])
    assert messages[0] == messages[1]
    assert_same([tmp_path / "campur.csv"], monkeypatch, expect_columnar=1)


def test_month_only_dates_load_at_month_precision(data_dir, tmp_path, monkeypatch):
    head = FORM_HEAD[1:]
    written = ["Mar-24", "Maret 2024", "03/2024", "Mar 2024", "2024-03", "March 2024", "Agt-24", "Agustus 2024"]
    rows = [head] + [
        [f"B/{i}", w, w, "Mandonga", "Korumba", "L", str(i), "Fisik"] for i, w in enumerate(written, start=1)
    ]
    for path in (xlsx(tmp_path / "bulan.xlsx", rows), write_csv(tmp_path / "bulan.csv", rows, sep=";")):
        result = loader.load("kasus", [path])
        assert result.ok, result.report.to_text()
        assert sql("SELECT bulan_kejadian, bulan_pelaporan, count(*) FROM fact_kasus GROUP BY ALL ORDER BY 1") == [
            (D(2024, 3, 1), D(2024, 3, 1), 6),
            (D(2024, 8, 1), D(2024, 8, 1), 2),
        ]
    assert_same([tmp_path / "bulan.csv"], monkeypatch, expect_columnar=1)


def test_two_digit_years_stay_an_error(data_dir, tmp_path):
    rows = [FORM_HEAD[1:], ["Y/1", "5/3/24", "05/03/2024", "Mandonga", "Korumba", "P", "12", "Fisik"]]
    result = loader.load("kasus", [write_csv(tmp_path / "yy.csv", rows)])
    assert not result.ok
    (err,) = result.report.errors
    assert "tahun harus empat angka" in err.message and err.row == 2 and err.column == "Tanggal Kejadian"


TL_HEAD = ["Tanggal Rapat", "Tugas", "OPD", "Tenggat", "Status"]


def test_tindak_lanjut_month_first_dates_and_month_only_refused(data_dir, tmp_path):
    good = xlsx(
        tmp_path / "tl.xlsx",
        [
            TL_HEAD,
            ["3/1/2025", "Perbarui SK", "Bappeda", "4/15/2025", "Proses"],
            ["3/1/2025", "Lengkapi data", "Disdukcapil", "3/4/2025", "Belum"],
        ],
    )
    result = loader.load("tindak_lanjut", [good])
    assert result.ok, result.report.to_text()
    assert sql("SELECT tugas, tanggal_rapat, tenggat FROM fact_tindak_lanjut ORDER BY tugas") == [
        ("Lengkapi data", D(2025, 3, 1), D(2025, 3, 4)),  # the tenggat column decided month/day for the meeting date
        ("Perbarui SK", D(2025, 3, 1), D(2025, 4, 15)),
    ]
    vague = xlsx(tmp_path / "tl2.xlsx", [TL_HEAD, ["01/03/2025", "Rapat lanjutan", "DP3A", "Apr-25", "Belum"]])
    result = loader.check("tindak_lanjut", [vague])
    assert not result.ok
    (err,) = result.report.errors
    assert err.column == "Tenggat" and err.row == 2 and "hanya menyebut bulan" in err.message


def test_angka_publik_month_year_reads_the_month(data_dir, tmp_path):
    path = xlsx(
        tmp_path / "ap.xlsx",
        [
            ["Topik", "Tanggal Data", "Nilai", "Satuan", "Sumber"],
            ["penduduk", "Agt-21", 343320, "jiwa", "BPS (uji)"],
            ["anak_0_17", "12/31/2021", 111508, "anak", "Disdukcapil (uji)"],
        ],
    )
    result = loader.load("angka_publik", [path])
    assert result.ok, result.report.to_text()
    assert sql("SELECT topik, tahun, tanggal_data FROM fact_angka_publik ORDER BY topik") == [
        ("anak_0_17", 2021, D(2021, 12, 31)),
        ("penduduk", 2021, D(2021, 8, 1)),
    ]


def test_kla_hasil_mixed_order_is_refused(data_dir, tmp_path):
    path = xlsx(
        tmp_path / "kh.xlsx",
        [
            ["Tahun", "Tahap", "Nilai", "Sumber", "Tanggal Sumber"],
            [2024, "EM", 700, "Rapat A", "24/04/2025"],
            [2024, "Verifikasi Administrasi", 650, "Rapat B", "4/25/2025"],
        ],
        title="HASIL EVALUASI KLA",
    )
    result = loader.check("kla_hasil", [path])
    assert not result.ok
    (err,) = result.report.errors
    assert err.column == "Tanggal Sumber" and "baris 4 (24/04/2025)" in err.message
    assert "baris 5 (4/25/2025)" in err.message
