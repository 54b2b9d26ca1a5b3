"""Issue 20 item 1: a JUMLAH row that does not add up is an error naming the JUMLAH cell, unless the analyst
accepts the difference (`--terima-selisih`, or the checkbox on the Data page); the load history records who did.

Every file is a real xlsx written here and goes through the real load path (loader.load / the CLI / the page)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from etl import loader, warehouse
from etl.problems import Report
from etl.read import TableSpec, find_tables, read_sheets
from tests.conftest import add_accounts, run_etl, sign_in, sql
from tests.test_data_page import frame_with

# title, blank, header (row 3), two kecamatan (rows 4-5), JUMLAH (row 6): 10 + 20 = 30 in "0-4", 5 + 7 = 12 in "5-9"
HEAD = ["Kecamatan", "0-4", "5-9"]
DETAIL = [["Kadia", 10, 5], ["Baruga", 20, 7]]


def book(path: Path, total=(30, 13), title="PENDUDUK ANAK 2024", sheet="Data") -> Path:
    """A BPS-like table: title, blank row, header, kecamatan rows and a JUMLAH row (13 instead of 12 in "5-9")."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append([title])
    ws.append([])
    ws.append(HEAD)
    for row in DETAIL:
        ws.append(row)
    ws.append(["JUMLAH", *total])
    wb.save(path)
    return path


def snapshot(data_dir: Path) -> dict:
    folder = data_dir / "warehouse"
    if not folder.exists():
        return {}
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture()
def data_dir(tmp_path, monkeypatch) -> Path:
    d = tmp_path / "data"
    monkeypatch.setenv("KLA_DATA_DIR", str(d))
    monkeypatch.setenv("KLA_SALT", "selisih")
    monkeypatch.setenv("KLA_USER", "ani.dp3a")
    src = tmp_path / "base.xlsx"  # one version already there: the refused load must leave it as it was
    assert loader.load("penduduk", [book(src, total=(30, 12), title="PENDUDUK ANAK 2023")]).ok
    return d


def loaded_children(year: int) -> int:
    con = warehouse.connect_current()
    try:
        return con.execute("SELECT sum(jumlah_anak) FROM fact_penduduk WHERE tahun = ?", [year]).fetchone()[0]
    finally:
        con.close()


def test_a_wrong_jumlah_is_refused_naming_the_cell(data_dir, tmp_path):
    path = book(tmp_path / "jumlah_salah.xlsx")
    before = snapshot(data_dir)
    result = loader.load("penduduk", [path])
    assert not result.ok
    [err] = [p for p in result.report.errors if "JUMLAH" in p.message]
    assert (err.file, err.sheet, err.row, err.column, err.value) == ("jumlah_salah.xlsx", "Data", 6, "5-9", 13)
    assert "sel C6" in err.message
    assert "tertulis 13" in err.message and "hasil penjumlahan 12" in err.message and "selisih 1" in err.message
    assert "--terima-selisih" in err.message and "Terima selisih JUMLAH" in err.message  # what to do
    assert "python -m etl load penduduk jumlah_salah.xlsx --terima-selisih" in err.message
    assert "13" not in (err.kind or "")  # the stored text keeps no cell content
    assert snapshot(data_dir) == before  # the warehouse is unchanged
    assert result.report.total_mismatches == 1


def test_the_column_that_adds_up_is_not_reported(data_dir, tmp_path):
    result = loader.check("penduduk", [book(tmp_path / "a.xlsx")])
    assert [p.column for p in result.report.errors] == ["5-9"]  # "0-4" adds up: 10 + 20 = 30


def test_accepted_difference_loads_the_detail_rows_and_the_history_says_who(data_dir, tmp_path):
    path = book(tmp_path / "jumlah_salah.xlsx")
    result = loader.load("penduduk", [path], accept_totals=True, user="budi.dp3a")
    assert result.ok, result.report.to_text()
    [w] = [p for p in result.report.warnings if "JUMLAH" in p.message]
    assert w.row == 6 and w.column == "5-9" and "diterima" in w.message
    assert loaded_children(2024) == 10 + 20 + 5 + 7  # the detail rows, never the written JUMLAH
    history = sql(data_dir, "SELECT user_name, totals_accepted_by FROM meta_load ORDER BY loaded_at DESC LIMIT 1")
    assert history.iloc[0].tolist() == ["budi.dp3a", "budi.dp3a"]


def test_accepting_when_everything_adds_up_records_nothing(data_dir, tmp_path):
    result = loader.load("penduduk", [book(tmp_path / "benar.xlsx", total=(30, 12))], accept_totals=True)
    assert result.ok and not result.report.warnings
    history = sql(data_dir, "SELECT totals_accepted_by FROM meta_load ORDER BY loaded_at DESC LIMIT 1")
    assert history.iloc[0, 0] is None


def test_cli_refuses_then_accepts_and_history_shows_it(data_dir, tmp_path):
    path = book(tmp_path / "jumlah_salah.xlsx")
    before = snapshot(data_dir)
    refused = run_etl(data_dir, "load", "penduduk", str(path), check=False)
    assert refused.returncode == 1
    assert "GALAT" in refused.stdout and "baris 6" in refused.stdout and "--terima-selisih" in refused.stdout
    assert snapshot(data_dir) == before
    checked = run_etl(data_dir, "check", "penduduk", str(path), "--terima-selisih")
    assert "PERINGATAN" in checked.stdout and "diterima" in checked.stdout
    assert snapshot(data_dir) == before  # check writes nothing
    run_etl(data_dir, "load", "penduduk", str(path), "--terima-selisih", "--user", "citra.dp3a")
    assert sql(data_dir, "SELECT sum(jumlah_anak) AS n FROM fact_penduduk WHERE tahun = 2024")["n"][0] == 42
    history = run_etl(data_dir, "history").stdout
    assert "selisih JUMLAH diterima oleh citra.dp3a" in history


def test_upgrade_adds_the_history_column_to_an_older_warehouse(data_dir):
    path = warehouse.version_path(warehouse.current_version())
    con = duckdb.connect(str(path))
    con.execute("ALTER TABLE meta_load DROP COLUMN totals_accepted_by")
    con.execute("CHECKPOINT")
    con.close()
    assert "selisih" not in run_etl(data_dir, "history").stdout  # an older warehouse's history still shows
    assert "Skema diperbarui" in run_etl(data_dir, "upgrade").stdout
    assert ("meta_load", "totals_accepted_by") not in warehouse.missing_columns(warehouse.connect_current())


def _reader_report(path: Path) -> Report:
    from etl import reference
    from etl.sources.penduduk import extra_header

    spec = TableSpec("penduduk", reference.columns("penduduk"), extra_header=extra_header, label_columns=("kecamatan",))
    report = Report()
    find_tables(read_sheets(path), spec, report)
    return report


def test_decimals_get_the_rounding_of_their_rows(tmp_path):
    """Twelve values written with one decimal (a share in percent, a count in thousands): each is rounded by up to
    0,05, so their sum may differ from a JUMLAH rounded on its own by up to 12 x 0,05 + 0,05 = 0,65."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Kecamatan", "0-4"])
    for i in range(12):
        ws.append([f"Kec {i}", 8.4])  # 12 x 8,4 = 100,8; the whole written as rounded on its own: 100,2
    ws.append(["JUMLAH", 100.2])
    wb.save(tmp_path / "persen.xlsx")
    report = _reader_report(tmp_path / "persen.xlsx")
    assert not report.errors, report.to_text()
    ws.cell(row=14, column=2, value=99.9)  # 0,9 off: more than rounding
    wb.save(tmp_path / "persen.xlsx")
    report = _reader_report(tmp_path / "persen.xlsx")
    assert [p.row for p in report.errors] == [14]


def test_whole_numbers_get_no_more_than_half_a_unit(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Kecamatan", "0-4"])
    for i in range(12):
        ws.append([f"Kec {i}", 120 + i])  # 1.506 in all
    ws.append(["JUMLAH", 1507])
    wb.save(tmp_path / "bulat.xlsx")
    assert [p.row for p in _reader_report(tmp_path / "bulat.xlsx").errors] == [14]


def test_year_and_age_columns_are_not_added_up(tmp_path):
    """A long table repeats the year on its JUMLAH row: a year (or an age, a coordinate) is not a count."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Tahun", "Kecamatan", "Umur", "Jumlah"])
    ws.append([2024, "Kadia", 3, 10])
    ws.append([2024, "Baruga", 4, 20])
    ws.append([2024, "JUMLAH", None, 30])
    wb.save(tmp_path / "panjang.xlsx")
    report = _reader_report(tmp_path / "panjang.xlsx")
    assert not report.problems, report.to_text()
    assert any("1 sel diperiksa, 0 tidak cocok" in n for n in report.notes)


def test_an_empty_jumlah_cell_stays_a_warning(data_dir, tmp_path):
    path = book(tmp_path / "kosong.xlsx", total=(None, None))
    result = loader.check("penduduk", [path])
    assert result.ok
    assert any("Sel JUMLAH kosong" in w.message for w in result.report.warnings)


@pytest.mark.usefixtures("fresh_streamlit_caches")
def test_data_page_checkbox_accepts_the_difference(monkeypatch, own_sample, tmp_path):
    path = book(tmp_path / "jumlah_salah.xlsx")
    versions = warehouse.list_versions()
    monkeypatch.setenv("KLA_DATA_DIR", str(own_sample))
    add_accounts(own_sample)
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.run()
    sign_in(at)
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="upload_0").set_value(
        ("jumlah_salah.xlsx", path.read_bytes(), "application/octet-stream")
    ).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="upload_dataset_0").value == "penduduk"
    assert any("galat" in e.value for e in at.error)
    assert "commit_0" not in [b.key for b in at.button]  # refused until the analyst accepts
    box = at.checkbox(key="accept_totals_0")
    assert box.label == "Terima selisih JUMLAH" and not box.value
    box.check().run()
    assert not at.exception and not at.error
    assert any("diterima" in str(v) for d in [*at.dataframe, *at.table] for v in d.value.get("Pesan", []))
    at.button(key="commit_0").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(warehouse.list_versions()) == len(versions) + 1
    last = sql(own_sample, "SELECT user_name, totals_accepted_by FROM meta_load ORDER BY loaded_at DESC LIMIT 1")
    assert last.iloc[0].tolist() == ["ani.dp3a", "ani.dp3a"]
    history = frame_with(at, "Sidik (SHA-256)")  # (a table of sentences: kla.shell.text_table)
    assert "selisih JUMLAH diterima oleh ani.dp3a" in history.iloc[0].tolist()
