"""Issue 20 item 6: before loading, `etl check`, `etl load` and the Data page say what the reader understood of each
table (Report.layout, or the reader's own sentence when the dataset adds none): where the header is, how many data
and JUMLAH rows, which columns are read and which are left out."""

from __future__ import annotations

import html
import io
from pathlib import Path

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from etl import loader, templates
from tests.conftest import add_accounts, run_etl, sign_in


def indikator_file(path: Path) -> Path:
    """The indikator template (sheets Petunjuk, Data, Daftar) with a title above the header, a second row, a column
    the dataset does not read ("Paraf") and a JUMLAH row."""
    wb = openpyxl.load_workbook(io.BytesIO(templates.template("indikator")))
    ws = wb["Data"]
    ws.insert_rows(1, 2)
    ws["A1"] = "NILAI INDIKATOR KLA KOTA KENDARI 2025"
    ws.cell(row=3, column=9, value="Paraf")
    ws.append([2025, 11, "Ruang kreatif anak", 20, 30, "Dispora", "Lengkap", None, "ok"])
    ws.append(["JUMLAH", None, None, 52.5, 66])
    wb.save(path)
    return path


EXPECTED = (
    "indikator.xlsx / sheet Data: judul kolom di baris 3, 2 baris data, 1 baris JUMLAH, kolom dikenali: Tahun, No, "
    "Indikator, Nilai, Target, OPD, Status Bukti, Catatan; diabaikan: Paraf"
)


@pytest.fixture()
def data_dir(tmp_path, monkeypatch) -> Path:
    d = tmp_path / "data"
    monkeypatch.setenv("KLA_DATA_DIR", str(d))
    monkeypatch.setenv("KLA_SALT", "tata-letak")
    return d


def test_the_reader_says_what_it_understood_of_each_table(data_dir, tmp_path):
    result = loader.check("indikator", [indikator_file(tmp_path / "indikator.xlsx")])
    assert result.ok, result.report.to_text()
    assert result.report.understood() == [EXPECTED]


def test_a_csv_and_two_sheets_get_one_sentence_each(data_dir, tmp_path):
    wb = openpyxl.Workbook()
    for name, year in (("2023", 2023), ("2024", 2024)):
        ws = wb.create_sheet(name)
        ws.append(["Tahun", "Kecamatan", "Nilai", "Kategori"])
        ws.append([year, "Mandonga", 640, "Madya"])
        ws.append([year, "Kadia", 700, "Nindya"])
    del wb["Sheet"]
    wb.save(tmp_path / "kec.xlsx")
    (tmp_path / "kec.csv").write_text("Tahun;Kecamatan;Nilai\n2022;Baruga;600\n", encoding="utf-8")
    result = loader.check("kla_kecamatan", [tmp_path / "kec.xlsx", tmp_path / "kec.csv"])
    assert result.ok, result.report.to_text()
    columns = "kolom dikenali: Tahun, Kecamatan, Nilai"
    assert result.report.understood() == [
        f"kec.xlsx / sheet 2023: judul kolom di baris 1, 2 baris data, {columns}, Kategori",
        f"kec.xlsx / sheet 2024: judul kolom di baris 1, 2 baris data, {columns}, Kategori",
        f"kec.csv: judul kolom di baris 1, 1 baris data, {columns}",
    ]


def test_the_dataset_sentence_replaces_the_readers(data_dir, tmp_path):
    from etl.problems import Report

    report = Report()
    report.read_layout.append("a.xlsx / sheet Data: judul kolom di baris 1")
    assert report.understood() == ["a.xlsx / sheet Data: judul kolom di baris 1"]
    report.layout.append("a.xlsx / sheet Data: tabel BPS, kelompok umur 5 tahunan, tahun 2023 dari judul")
    assert report.understood() == ["a.xlsx / sheet Data: tabel BPS, kelompok umur 5 tahunan, tahun 2023 dari judul"]


def _lines(stdout: str) -> list[str]:
    return stdout.splitlines()


@pytest.mark.parametrize("command", ["check", "load"])
def test_etl_check_and_load_print_it_before_the_problems(command, data_dir, tmp_path):
    path = indikator_file(tmp_path / "indikator.xlsx")
    lines = _lines(run_etl(data_dir, command, "indikator", str(path)).stdout)
    head = lines.index("Yang terbaca:")
    assert lines[head + 1] == f"- {EXPECTED}"
    first_problem = next(i for i, line in enumerate(lines) if line.startswith(("GALAT", "PERINGATAN")))
    assert head < first_problem  # "Kolom tidak dikenal diabaikan" (Paraf) comes after


def test_etl_check_prints_it_for_a_refused_file_too(data_dir, tmp_path):
    path = indikator_file(tmp_path / "indikator.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["Data"]["D4"] = "tinggi"  # Nilai not a number
    wb.save(path)
    proc = run_etl(data_dir, "check", "indikator", str(path), check=False)
    assert proc.returncode == 1
    assert "Yang terbaca:" in proc.stdout and "GALAT" in proc.stdout
    assert proc.stdout.index("Yang terbaca:") < proc.stdout.index("GALAT")


@pytest.mark.usefixtures("fresh_streamlit_caches")
def test_the_data_page_shows_it_above_the_problems_before_the_load(monkeypatch, own_sample, tmp_path):
    path = indikator_file(tmp_path / "indikator.xlsx")
    add_accounts(own_sample)
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.run()
    sign_in(at)
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="upload_0").set_value(("indikator.xlsx", path.read_bytes(), "application/octet-stream")).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="upload_dataset_0").value == "indikator"
    shown = [html.unescape(m.value) for m in at.markdown]
    [block] = [m for m in shown if "Yang terbaca" in m]
    assert EXPECTED in block
    assert "commit_0" in [b.key for b in at.button]  # shown before the analyst confirms the load
