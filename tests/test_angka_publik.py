"""angka_publik (issue 19 item 3, "the 2021 child total"): single published figures, each with its source and date.

Real files through the real CLI (`python -m etl`): the shipped file with Kendari's child population figures, a
messy Excel file whose errors name their Excel rows and leave the warehouse untouched, replacement by (topik,
kode_wilayah, sumber), and the app's view of the figures on the sample warehouse (which loads the shipped file
first, data/publik/daftar.toml).
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from etl import reference, sample
from etl.problems import Report
from etl.sources import FileInput, LoadContext, angka_publik
from kla.fmt import md_text
from kla.views import Context
from kla.views import publik as view
from tests.conftest import REPO, run_etl, sql

REAL = REPO / "data" / "publik" / "angka_publik" / "kendari_anak.csv"
HEAD = ["Topik", "Tahun", "Tanggal Data", "Kode Wilayah", "Nilai", "Satuan", "Sumber", "Tautan", "Catatan"]
DISDUKCAPIL = "Disdukcapil Kota Kendari, lewat Lentera Sultra"
LINE_2021 = f"Angka terbitan: **111.508** anak usia 0-17 (Agustus 2021; {DISDUKCAPIL})"
LINE_2017 = f"Angka terbitan: **111.336** anak usia 0-17 (Oktober 2017; {DISDUKCAPIL})"
TODAY = dt.date(2026, 3, 1)
pytestmark = pytest.mark.usefixtures("fresh_streamlit_caches")


def xlsx(path: Path, rows: list[list], title: str = "ANGKA TERBITAN KOTA KENDARI", head=HEAD) -> Path:
    """Title in row 1, header in row 2: the first data row is Excel row 3."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Angka"
    ws.append([title])
    ws.append(head)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def parse(path: Path) -> tuple[Report, dict]:
    report = Report()
    ctx = LoadContext(user="uji", salt=b"s", today=TODAY)
    return report, angka_publik.parse([FileInput.from_path(path)], ctx, report)


def line_of(stdout: str, excel_row: int, column: str) -> str:
    found = [ln for ln in stdout.splitlines() if f'baris {excel_row}, kolom "{column}"' in ln]
    assert found, f"no problem at row {excel_row}, column {column}:\n{stdout}"
    return found[0]


def table(data: Path) -> pd.DataFrame:
    return sql(data, "SELECT * EXCLUDE (load_id) FROM fact_angka_publik ORDER BY topik, tahun, sumber")


# --- the shipped file ----------------------------------------------------------------------------------------


def test_the_real_file_loads_with_every_figure_its_source_and_its_status(tmp_path):
    data = tmp_path / "data"
    proc = run_etl(data, "load", "angka_publik", str(REAL))
    assert "Tidak ada galat maupun peringatan." in proc.stdout, proc.stdout
    got = table(data)
    with open(REAL, newline="", encoding="utf-8") as fh:
        assert len(got) == sum(1 for _ in csv.DictReader(fh)) == 3
    figures = {(r.topik, r.tahun, r.tanggal_data.date(), r.satuan): r.nilai for r in got.itertuples()}
    assert figures == {  # "111.508" is Indonesian thousands: 111508, never 111.508
        ("anak_0_17", 2021, dt.date(2021, 8, 1), "anak"): 111508.0,
        ("penduduk", 2021, dt.date(2021, 8, 1), "jiwa"): 343320.0,
        ("anak_0_17", 2017, dt.date(2017, 10, 1), "anak"): 111336.0,
    }
    assert set(got["kode_wilayah"]) == {"74.71"} and set(got["sumber"]) == {DISDUKCAPIL}
    assert got["tautan"].str.startswith("https://lenterasultra.com/").all()
    assert got["catatan"].str.startswith("SINGLE-SOURCE").all()  # the status stays data, with a note
    notes = got.set_index(["topik", "tahun"])["catatan"]
    assert "30,78%" in notes["anak_0_17", 2021] and "18,77%" in notes["anak_0_17", 2021]
    assert "32,48%" in notes["penduduk", 2021]  # the published share does not match its two numbers: said, kept
    # June 2017's "sekitar 117.000" is not an exact number: only in the note, never a figure
    assert "sekitar 117.000" in notes["anak_0_17", 2017] and "kendaripos.fajar.co.id" in notes["anak_0_17", 2017]
    assert 117000 not in got["nilai"].tolist()


def test_the_real_file_is_in_the_manifest_and_documented():
    [entry] = [e for e in sample.public_entries() if e.dataset == "angka_publik"]
    assert entry.files == (REAL,) and entry.wilayah == "74.71" and "111.508" in entry.keterangan
    readme = (REAL.parent / "README.md").read_text(encoding="utf-8")
    lines = readme.splitlines()
    for missing in ("kecamatan", "jenis kelamin", "kelompok umur"):
        assert any(f"Rincian per {missing}" in ln and "TIDAK DITEMUKAN" in ln for ln in lines), missing
    assert "BPS Kota Kendari" in readme


def test_loading_the_same_file_twice_does_not_double_count(tmp_path):
    data = tmp_path / "data"
    run_etl(data, "load", "angka_publik", str(REAL))
    first = table(data)
    run_etl(data, "load", "angka_publik", str(REAL))
    assert table(data).equals(first)


# --- a messy Excel file ----------------------------------------------------------------------------------------

SRC = "Disdukcapil Kota Kendari (uji)"
MESSY = [
    ["Jumlah anak usia 0-17", None, "Desember 2024", None, "111.508", "anak", SRC, None, None],  # 3 good
    ["anak 0-17", 2024, None, "74.71", 115000, "anak", None, None, "tanpa sumber"],  # 4
    ["Anak sekolah", 2024, None, None, 50000, "anak", SRC, None, None],  # 5
    ["anak_0_17", 2024, "Des 2024", None, "111.600", "anak", SRC, None, "duplikat baris 3"],  # 6
    ["penduduk", None, "31/02/2024", None, "343.320", "jiwa", SRC, None, None],  # 7
    ["anak_0_17", 2017, "Juni 2017", None, "sekitar 117.000", "anak", "Kendari Pos", None, None],  # 8
    ["penduduk", 2023, None, None, 343.32, "jiwa", "BPS (uji)", None, None],  # 9 thousands read as decimals
    ["penduduk", 2020, "Agustus 2021", None, 343320, "jiwa", "BPS (uji) 2", None, None],  # 10
    ["anak_0_17", 2021, None, None, "130", "%", SRC, "www.contoh", None],  # 11
    ["anak_0_17", 2022, None, "74.99", 100, "ekor", SRC, None, None],  # 12
    ["Jumlah Penduduk", 2024, dt.date(2024, 6, 30), "74.71", 350123, "Jiwa", SRC, "https://contoh.test/x", None],  # 13
]


def test_a_messy_file_names_every_problem_and_changes_nothing(tmp_path):
    data = tmp_path / "data"
    run_etl(data, "load", "angka_publik", str(REAL))
    before, current = table(data), (data / "warehouse" / "CURRENT").read_text()
    versions = sorted(p.name for p in (data / "warehouse").glob("kla-v*.duckdb"))
    path = xlsx(tmp_path / "angka_berantakan.xlsx", MESSY)
    proc = run_etl(data, "load", "angka_publik", str(path), check=False)
    out = proc.stdout
    assert proc.returncode == 1, out

    no_source = line_of(out, 4, "Sumber")
    assert "Sumber angka tidak disebut" in no_source and "Angka tanpa sumber tidak dimuat" in no_source
    assert "berkas angka_berantakan.xlsx" in no_source and 'sheet "Angka"' in no_source
    topic = line_of(out, 5, "Topik")
    assert "Topik tidak dikenal" in topic and '(nilai: "Anak sekolah")' in topic
    assert "anak_0_17 (jumlah anak usia 0-17), penduduk (jumlah penduduk)" in topic
    assert "kategori_data.csv" in topic
    dup = line_of(out, 6, "Sumber")
    assert "sudah ada di angka_berantakan.xlsx baris 3" in dup and SRC in dup and "01-12-2024" in dup
    date = line_of(out, 7, "Tanggal Data")
    assert "Tanggal data tidak dapat dibaca (tanggal tidak ada di kalender)" in date and '(nilai: "31/02/2024")' in date
    assert "Agustus 2021" in date
    words = line_of(out, 8, "Nilai")
    assert "Nilai bukan angka" in words and "sekitar 117.000" in words and "Catatan" in words
    decimals = line_of(out, 9, "Nilai")
    assert "Jumlah jiwa harus bilangan bulat" in decimals and "111508" in decimals
    year = line_of(out, 10, "Tahun")
    assert "Tahun 2020 tidak sama dengan tahun Tanggal Data (01-08-2021)" in year
    assert "di antara 0 dan 100" in line_of(out, 11, "Nilai")
    assert "http://" in line_of(out, 11, "Tautan")
    assert "Kode wilayah tidak dikenal" in line_of(out, 12, "Kode Wilayah")
    unit = line_of(out, 12, "Satuan")
    assert "Satuan tidak dikenal" in unit and '(nilai: "ekor")' in unit and "jiwa, anak, persen" in unit
    # the good rows (3: "111.508" as text, "Desember 2024"; 13: a date cell, aliases) have no problem
    assert "baris 3," not in out and "baris 13," not in out
    assert "Tidak ada data yang disimpan" in out

    assert (data / "warehouse" / "CURRENT").read_text() == current
    assert sorted(p.name for p in (data / "warehouse").glob("kla-v*.duckdb")) == versions
    assert table(data).equals(before)


def test_the_good_rows_of_the_messy_file_read_right(tmp_path):
    report, frames = parse(xlsx(tmp_path / "angka.xlsx", MESSY))
    assert report.rows_rejected == 9
    got = frames["fact_angka_publik"]
    assert got[["topik", "tahun", "nilai", "satuan", "kode_wilayah"]].values.tolist() == [
        ["anak_0_17", 2024, 111508.0, "anak", "74.71"],  # text "111.508", year from "Desember 2024"
        ["penduduk", 2024, 350123.0, "jiwa", "74.71"],
    ]
    assert got["tanggal_data"].tolist() == [dt.date(2024, 12, 1), dt.date(2024, 6, 30)]


# --- other rules ---------------------------------------------------------------------------------------------


def test_year_date_unit_and_source_from_the_title_and_a_semicolon_csv(tmp_path):
    path = tmp_path / "anak.csv"
    path.write_text(
        "JUMLAH ANAK KOTA KENDARI 2023 | Sumber: Disdukcapil Kota Kendari | Satuan: anak\n"
        "Topik;Tanggal Data;Nilai;Catatan\n"
        "anak usia 0-17;;112.004;keadaan akhir tahun tidak disebut\n"
        "Jumlah penduduk;Semester 1 2023;350.000;\n"
        "anak;31/12/2099;1;\n",
        encoding="utf-8",
    )
    report, frames = parse(path)
    errors = {(p.row, p.column): p.message for p in report.errors}
    assert "Tanggal data tidak dapat dibaca" in errors[4, "Tanggal Data"]
    assert "Tanggal data (31/12/2099) ada di masa depan" in errors[5, "Tanggal Data"]
    assert len(errors) == 2
    got = frames["fact_angka_publik"]
    assert got[["topik", "tahun", "nilai", "satuan", "sumber"]].values.tolist() == [
        ["anak_0_17", 2023, 112004.0, "anak", "Disdukcapil Kota Kendari"]
    ]
    assert got["tanggal_data"].tolist() == [None]


def test_two_sources_side_by_side_and_percent(tmp_path):
    rows = [
        ["anak_0_17", 2021, "Agustus 2021", None, "111.508", "anak", "Sumber A", None, None],
        ["anak_0_17", 2021, "Agustus 2021", None, "111.600", "anak", "Sumber B", None, None],
        ["anak_0_17", 2021, "Agustus 2021", None, "30,78", "persen", "Sumber C", None, None],
        ["anak_0_17", 2021, "Agustus 2021", "74.71.01", 9000, "anak", "Sumber A", None, None],
        ["anak_0_17", 2021, None, "747102", 900, "anak", "Sumber A", None, None],
    ]
    report, frames = parse(xlsx(tmp_path / "dua.xlsx", rows))
    assert not report.errors, report.to_text()
    got = frames["fact_angka_publik"]
    assert got["nilai"].tolist() == [111508.0, 111600.0, 30.78, 9000.0, 900.0]
    assert got["kode_wilayah"].tolist() == ["74.71", "74.71", "74.71", "74.71.01", "74.71.02"]
    [note] = report.notes
    assert note.startswith("Sumber berbeda untuk anak_0_17 2021-08-01: ")
    assert "111508 anak menurut Sumber A" in note and "111600 anak menurut Sumber B" in note
    assert "Sumber C" not in note and "tidak ada yang dipilih" in note  # a share is not a count that disagrees


def test_the_vocabulary_is_reference_data():
    assert reference.category_values("topik_angka_publik") == ["anak_0_17", "penduduk"]
    assert angka_publik.topic_labels() == {"anak_0_17": "jumlah anak usia 0-17", "penduduk": "jumlah penduduk"}
    words = ["anak_0_17", "Anak 0-17", "Jumlah Anak Usia 0-17 Tahun", "penduduk usia 0-17", "Jumlah Penduduk"]
    assert [reference.match_category("topik_angka_publik", w) for w in words] == ["anak_0_17"] * 4 + ["penduduk"]
    assert reference.match_category("topik_angka_publik", "anak usia 0-18") is None  # another definition
    units = ["Jiwa", "orang", "anak", "%", "Persen"]
    assert [reference.match_category("satuan_angka_publik", w) for w in units] == ["jiwa"] * 2 + ["anak"] + [
        "persen"
    ] * 2


# --- loading replaces what the same source said about the same topic and area ---------------------------------


def test_a_load_replaces_the_same_topic_area_and_source_only(tmp_path):
    data = tmp_path / "data"
    run_etl(data, "load", "angka_publik", str(REAL))
    path = xlsx(
        tmp_path / "koreksi.xlsx",
        [
            ["anak_0_17", 2021, "Agustus 2021", None, "111.508", "anak", DISDUKCAPIL, None, "dikoreksi"],
            ["anak_0_17", 2024, None, None, "115.000", "anak", "BPS Kota Kendari (uji)", None, None],
        ],
    )
    run_etl(data, "load", "angka_publik", str(path))
    got = table(data)
    children = got[got["topik"] == "anak_0_17"]
    # the source's children figures are what the new file says (2017 went with them); another source beside it
    assert sorted(zip(children["tahun"], children["sumber"])) == [(2021, DISDUKCAPIL), (2024, "BPS Kota Kendari (uji)")]
    assert children[children["sumber"] == DISDUKCAPIL]["catatan"].tolist() == ["dikoreksi"]
    assert got[got["topik"] == "penduduk"]["nilai"].tolist() == [343320.0]  # another topic: untouched


def test_upgrade_gives_an_older_warehouse_the_empty_table(tmp_path):
    from etl import warehouse

    data = tmp_path / "data"
    run_etl(data, "load", "angka_publik", str(REAL))
    version = (data / "warehouse" / "CURRENT").read_text().strip()
    con = warehouse.open_file(data / "warehouse" / f"kla-{version}.duckdb", read_only=False)
    try:  # what a release before this dataset built
        con.execute("DROP TABLE fact_angka_publik")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    run_etl(data, "upgrade")
    assert (data / "warehouse" / "CURRENT").read_text().strip() != version
    assert sql(data, "SELECT count(*) AS n FROM fact_angka_publik")["n"].tolist() == [0]
    run_etl(data, "load", "angka_publik", str(REAL))
    assert len(table(data)) == 3


# --- the app's view -----------------------------------------------------------------------------------------


def context(data_dir: Path, monkeypatch, lang="id", region="74.71", region_name="Kota Kendari") -> Context:
    from kla import db

    monkeypatch.setenv("KLA_DATA_DIR", str(data_dir))
    key = db.current_key()
    return Context(key, db.version_of(key), 2025, None, None, lang, True, region, region_name)


def test_the_sample_shows_the_shipped_figures_with_date_and_source(sample_data_dir, monkeypatch):
    shipped = sql(sample_data_dir, "SELECT count(*) AS n FROM fact_angka_publik WHERE sumber = ?", [DISDUKCAPIL])
    assert shipped["n"].tolist() == [3]  # `etl sample` loaded data/publik/angka_publik first
    ctx = context(sample_data_dir, monkeypatch)
    assert view.published(ctx, "anak_0_17") == [LINE_2021, LINE_2017]  # newest first
    assert view.published(ctx, "penduduk") == [f"Angka terbitan: **343.320** penduduk (Agustus 2021; {DISDUKCAPIL})"]
    en = context(sample_data_dir, monkeypatch, lang="en")
    assert view.published(en, "anak_0_17")[0] == (
        f"Published figure: **111,508** children aged 0-17 (August 2021; {DISDUKCAPIL})"
    )
    # a province names the kab/kota; another kab/kota has none
    province = context(sample_data_dir, monkeypatch, region="74", region_name="Sulawesi Tenggara")
    assert view.published(province, "anak_0_17")[0] == LINE_2021.replace(
        "Angka terbitan:", "Angka terbitan untuk Kota Kendari:"
    )
    assert view.published(context(sample_data_dir, monkeypatch, region="74.72"), "anak_0_17") == []


def test_the_view_shows_no_note_and_escapes_the_source(own_sample, tmp_path, monkeypatch):
    hostile = "Dinas <b>x</b> [klik](javascript:alert(1)) **tebal**"
    path = xlsx(
        tmp_path / "lain.xlsx",
        [
            ["anak_0_17", 2024, dt.date(2024, 12, 31), None, "115.000", "anak", hostile, None, "Siti Aminah"],
            ["anak_0_17", 2024, None, "74.71.01", 9000, "anak", "Kecamatan (uji)", None, None],
            ["anak_0_17", 2021, "Agustus 2021", None, "32,48", "persen", "Hitungan (uji)", None, None],
        ],
    )
    run_etl(own_sample, "load", "angka_publik", str(path))
    lines = view.published(context(own_sample, monkeypatch), "anak_0_17")
    assert lines[0] == f"Angka terbitan: **115.000** anak usia 0-17 (31 Desember 2024; {md_text(hostile)})"
    assert "<b>" not in lines[0] and "](javascript" not in lines[0]
    mandonga = md_text(sql(own_sample, "SELECT nama FROM dim_wilayah WHERE kode = '74.71.01'")["nama"].iloc[0])
    assert lines[1] == f"Angka terbitan untuk {mandonga}: **9.000** anak usia 0-17 (2024; Kecamatan (uji))"
    assert lines[2:] == [
        LINE_2021,
        "Angka terbitan: **32,48%** anak usia 0-17 (Agustus 2021; Hitungan (uji))",
        LINE_2017,
    ]
    shown = "\n".join(lines)
    assert "Siti Aminah" not in shown and "SINGLE-SOURCE" not in shown and "117.000" not in shown
