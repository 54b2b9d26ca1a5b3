"""Category words as data (data/reference/kategori_data.csv): the words offices really write load as the right
value, and every unknown word is refused (or, for the descriptive kasus columns, kept as "Lainnya" with a
warning) naming the cell and suggesting the nearest known word, in the style of the region hints
("Mungkin maksudnya "Mandonga"?"). Real files through etl.loader.load; totals compared in SQL."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import openpyxl
import pytest

from etl import loader, reference, warehouse
from tests.test_kasus_fast import assert_same


@pytest.fixture()
def data_dir(tmp_path, monkeypatch):
    d = tmp_path / "data"
    monkeypatch.setenv("KLA_DATA_DIR", str(d))
    monkeypatch.setenv("KLA_SALT", "uji-kosakata")
    monkeypatch.delenv("KLA_FAULT", raising=False)
    return d


def xlsx(path: Path, rows: list[list], title: str | None = "DATA UJI KOSAKATA", sheet: str = "Data") -> Path:
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


def write_csv(path: Path, rows: list[list], sep: str = ";") -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, delimiter=sep).writerows(rows)
    return path


def sql(query: str, params=()):
    con = warehouse.connect_current()
    try:
        return con.execute(query, params).fetchall()
    finally:
        con.close()


def hint(word: str) -> str:
    return f'Mungkin maksudnya "{word}"?'


# --- RBRA status ------------------------------------------------------------------------------------------------

RBRA_HEAD = ["No", "Nama RBRA", "Kecamatan", "Kelurahan", "Latitude", "Longitude", "Status Standardisasi", "Tahun"]
# (status as offices write it, the stored value it means)
OFFICE_STATUS = [
    ("Sudah Terstandarisasi", "RBRA"),
    ("Terstandar", "RBRA"),
    ("Terstandarisasi", "RBRA"),
    ("sudah terstandardisasi", "RBRA"),
    ("Belum Terstandarisasi", "Belum Terstandar"),
    ("Belum Standar", "Belum Terstandar"),
    ("belum terstandardisasi", "Belum Terstandar"),
    ("Proses Standarisasi", "Proses Standardisasi"),
    ("Dalam Proses Standarisasi", "Proses Standardisasi"),
    ("RBRA Madya", "RBRA Madya"),
]


def _rbra_rows(statuses: list[str]) -> list[list]:
    places = [("Mandonga", "Korumba", -3.9718, 122.5250), ("Kadia", "Kadia", -3.9803, 122.5116)]
    rows = [RBRA_HEAD]
    for i, status in enumerate(statuses, start=1):
        kec, kel, lat, lon = places[i % 2]
        rows.append([i, f"Taman Uji {i}", kec, kel, lat, lon, status, 2022])
    return rows


def test_rbra_office_status_words_load_with_the_right_counts(data_dir, tmp_path):
    path = xlsx(tmp_path / "rbra_opd.xlsx", _rbra_rows([w for w, _ in OFFICE_STATUS]))
    result = loader.load("rbra", [path])
    assert result.ok, result.report.to_text()
    got = dict(sql("SELECT status, count(*) FROM fact_rbra GROUP BY status"))
    assert got == dict(Counter(v for _, v in OFFICE_STATUS))
    assert sum(got.values()) == len(OFFICE_STATUS)  # every row of the file, once


def test_unknown_status_is_refused_naming_the_cell_with_the_nearest_word(data_dir, tmp_path):
    path = xlsx(tmp_path / "rbra_salah.xlsx", _rbra_rows(["RBRA", "Terstandr", "Belum Terstandarisasii", "Bagus"]))
    result = loader.load("rbra", [path])
    assert not result.ok
    errors = {p.row: p for p in result.report.errors}
    assert set(errors) == {5, 6, 7}  # title, blank, header: the data starts at row 4
    typo = errors[5]
    assert typo.column == "Status Standardisasi" and typo.value == "Terstandr"
    assert "Status standardisasi tidak dikenal" in typo.message and hint("RBRA") in typo.message
    assert "Belum Terstandar, Proses Standardisasi, RBRA, RBRA Madya, RBRA Utama" in typo.message
    assert hint("Belum Terstandar") in errors[6].message and errors[6].value == "Belum Terstandarisasii"
    assert "Mungkin maksudnya" not in errors[7].message  # nothing near "Bagus": no guess
    assert 'baris 5, kolom "Status Standardisasi": Status standardisasi tidak dikenal' in result.report.to_text()
    assert result.version is None  # nothing was published


def test_a_word_whose_meaning_is_unclear_stays_unknown():
    # "Sudah" (already what?) and "Ya" are not a standardisation status: never guessed into RBRA
    for word in ("Sudah", "Ya", "Ada", "Bagus", "Aktif"):
        assert reference.match_category("status_rbra", word) is None, word


# --- yes/no and sex words -----------------------------------------------------------------------------------------

YES = ["ya", "Y", "iya", "Ada", "sudah", "yes", "TRUE", "1", " Ya "]
NO = ["tidak", "T", "belum", "no", "False", "0", "Tidak Ada", "tdk"]


def test_ya_tidak_list_reads_every_office_spelling():
    assert reference.category_values("ya_tidak") == ["Ya", "Tidak"]
    assert [reference.match_category("ya_tidak", w) for w in YES] == ["Ya"] * len(YES)
    assert [reference.match_category("ya_tidak", w) for w in NO] == ["Tidak"] * len(NO)
    for word in ("mungkin", "2", "-", ""):
        assert reference.match_category("ya_tidak", word) is None, word
    assert reference.suggest_category("ya_tidak", "Tidk") == "Tidak"


SEX = {
    "L": ["L", "l", "laki-laki", "Laki Laki", "LK", "Lk.", "male", "Pria", "laki"],
    "P": ["P", "p", "perempuan", "Pr", "PR.", "female", "Wanita"],
}


def test_jenis_kelamin_list_is_complete():
    assert reference.category_values("jenis_kelamin") == ["L", "P"]
    for value, words in SEX.items():
        assert [reference.match_category("jenis_kelamin", w) for w in words] == [value] * len(words)


# the words registers use for a child's disability (UU 8/2016, Penjelasan Pasal 4: sensorik = netra, rungu, wicara)
DISABILITY = {
    "Fisik": ["Tuna daksa", "tunadaksa", "Disabilitas fisik"],
    "Intelektual": ["Tuna grahita", "TUNAGRAHITA"],
    "Sensorik": ["Tuna netra", "tunarungu", "Tuna wicara"],
    "Ganda": ["tuna ganda"],
}


def test_disability_words_of_registers_are_their_kind_never_an_unknown_ya():
    for value, words in DISABILITY.items():
        assert [reference.match_category("disabilitas", w) for w in words] == [value] * len(words)
    assert reference.match_category("disabilitas", "Sedang diperiksa") is None


# --- kasus: both paths give the same messages -----------------------------------------------------------------

KASUS_HEAD = [
    "No",
    "No. Register",
    "Tanggal Kejadian",
    "Tanggal Pelaporan",
    "Kecamatan",
    "Kelurahan",
    "Jenis Kelamin",
    "Usia",
    "Bentuk Kekerasan",
    "Tempat Kejadian",
    "Disabilitas",
]


def _kasus_rows() -> list[list]:
    rows = [KASUS_HEAD]
    good = ["01/03/2024", "05/03/2024", "Mandonga", "Korumba"]
    rows.append([1, "REG/1", *good, "P", "12", "Fisik", "Rumah", "Tidak"])
    rows.append([2, "REG/2", *good, "Perempuaan", "9", "Psikis", "", ""])  # sex: refused, hint P
    rows.append([3, "REG/3", *good, "L", "10", "Fisik, Psikiss", "", ""])  # a form of violence: refused
    rows.append([4, "REG/4", *good, "L", "11", "Seksual", "", "Tidk"])  # yes/no column: refused
    rows.append([5, "REG/5", *good, "P", "13", "Fisik", "Sekolh", ""])  # descriptive: "Lainnya", warning
    rows.append([6, "REG/6", *good, "W", "14", "Fisik", "", ""])  # nothing near "W": no guess
    return rows


def _problems(report) -> list[tuple]:
    return [(p.level, p.message, p.row, p.column, p.value) for p in report.problems]


def test_kasus_unknown_words_suggest_the_nearest_word_in_both_paths(data_dir, tmp_path, monkeypatch):
    rows = _kasus_rows()
    book = loader.check("kasus", [xlsx(tmp_path / "kasus.xlsx", rows, title=None)])  # the row-by-row rules
    text_ = loader.check("kasus", [write_csv(tmp_path / "kasus.csv", rows)])  # DuckDB reads it, column rules
    assert not book.ok and _problems(book.report) == _problems(text_.report)
    by_row = {(p.row, p.column): p for p in book.report.problems}
    assert hint("P") in by_row[3, "Jenis Kelamin"].message
    form = by_row[4, "Bentuk Kekerasan"].message
    assert 'Bentuk kekerasan "Psikiss" tidak dikenal' in form and hint("Psikis") in form
    yes_no = by_row[5, "Disabilitas"].message
    assert "tidak dikenal" in yes_no and hint("Tidak") in yes_no and by_row[5, "Disabilitas"].level == "error"
    place = by_row[6, "Tempat Kejadian"]
    assert (
        place.level == "warning" and hint("Sekolah") in place.message and 'dicatat sebagai "Lainnya"' in place.message
    )
    assert "Jenis kelamin tidak dikenal" in by_row[7, "Jenis Kelamin"].message
    assert "Mungkin maksudnya" not in by_row[7, "Jenis Kelamin"].message
    # the same file through both kasus readers of one parse (test_kasus_fast's check): identical problems and rows
    assert_same([tmp_path / "kasus.csv"], monkeypatch, expect_columnar=1)


def test_kasus_office_words_load_with_the_file_counts(data_dir, tmp_path):
    rows = [KASUS_HEAD]
    sexes = ["laki-laki", "Perempuan", "LK", "PR", "Pria", "Wanita", "male", "female"]
    for i, sex in enumerate(sexes, start=1):
        rows.append([i, f"REG/{i}", "01/03/2024", "05/03/2024", "Mandonga", "Korumba", sex, "12", "Fisik", "", ""])
    for path in (xlsx(tmp_path / "k.xlsx", rows), write_csv(tmp_path / "k.csv", rows)):
        result = loader.load("kasus", [path])
        assert result.ok, result.report.to_text()
        assert dict(sql("SELECT jenis_kelamin, count(*) FROM fact_kasus GROUP BY 1")) == {"L": 4, "P": 4}


# --- the other datasets ---------------------------------------------------------------------------------------


def _tindak_lanjut(d: Path) -> Path:
    return xlsx(
        d / "tl.xlsx",
        [
            ["Tanggal Rapat", "Tugas", "OPD", "Tenggat", "Status"],
            ["01/03/2025", "Perbarui SK", "Bappeda", "15/04/2025", "Seleasi"],
        ],
    )


def _indikator(d: Path) -> Path:
    rows = [["No", "Indikator", "Nilai", "Status Bukti"]] + [[n, f"Indikator {n}", 10, "Lengkap"] for n in range(1, 25)]
    rows[1][3] = "Lengkp"
    return xlsx(d / "ind.xlsx", rows, title="EVALUASI MANDIRI KLA 2024")


def _kla_kecamatan(d: Path) -> Path:
    return xlsx(
        d / "kk.xlsx", [["Kecamatan", "Nilai", "Kategori"], ["Mandonga", None, "Nindia"]], sheet="Penilaian 2024"
    )


def _kla_hasil(d: Path) -> Path:
    return xlsx(
        d / "kh.xlsx",
        [["Tahun", "Tahap", "Kategori", "Sumber"], [2024, "Final", "Nindia", "Surat KemenPPPA"]],
        title="HASIL EVALUASI KLA",
    )


def _kasus_rekap(d: Path) -> Path:
    return xlsx(
        d / "rekap.xlsx",
        [["Bentuk Kekerasan", "2023"], ["Sexual", 5], ["Fisik", 4]],
        title="REKAP KASUS | Sumber: UPTD PPA | Satuan: kasus",
    )


def _angka_publik(d: Path) -> Path:
    return xlsx(
        d / "ap.xlsx",
        [["Topik", "Tahun", "Nilai", "Satuan", "Sumber"], ["Jumlah Pendudk", 2024, 343320, "jiwaa", "BPS (uji)"]],
    )


# (dataset, file builder, Excel row, column, the word the hint must name)
OTHERS = [
    ("tindak_lanjut", _tindak_lanjut, 4, "Status", "Selesai"),
    ("indikator", _indikator, 4, "Status Bukti", "Lengkap"),
    ("kla_kecamatan", _kla_kecamatan, 4, "Kategori", "Nindya"),
    ("kla_hasil", _kla_hasil, 4, "Kategori", "Nindya"),
    ("kasus_rekap", _kasus_rekap, 4, "Bentuk Kekerasan", "Seksual"),
    ("angka_publik", _angka_publik, 4, "Topik", "penduduk"),
    ("angka_publik", _angka_publik, 4, "Satuan", "jiwa"),
]


@pytest.mark.parametrize("case", OTHERS, ids=[f"{c[0]}-{c[3]}" for c in OTHERS])
def test_every_dataset_suggests_the_nearest_word(case, data_dir, tmp_path):
    dataset, build, row, column, word = case
    result = loader.check(dataset, [build(tmp_path)])
    assert not result.ok
    found = [p for p in result.report.errors if p.row == row and p.column == column]
    assert found, result.report.to_text()
    assert "tidak dikenal" in found[0].message and hint(word) in found[0].message, found[0].message
