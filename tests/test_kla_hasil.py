"""kla_hasil (issue 19): KLA results per year and stage, each figure with its source.

Real files through the real CLI (`python -m etl`): the shipped public record of Kota Kendari, a messy Excel
file whose errors name their rows, a warehouse left untouched by a rejected file, replacement by (tahun,
kab/kota, sumber), and an older warehouse upgraded to the new table.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from etl import reference
from etl.problems import Report
from etl.sources import FileInput, LoadContext, kla_hasil
from tests.conftest import REPO, run_etl, sql

REAL = REPO / "data" / "publik" / "kla_hasil" / "kendari_kategori.csv"
HEAD = ["Tahun", "Tahap", "Kelompok", "Nilai", "Kategori", "Sumber", "Tanggal Sumber", "Tautan", "Catatan"]


def xlsx(path: Path, rows: list[list], title: str = "HASIL EVALUASI KLA KOTA KENDARI", head=HEAD) -> Path:
    """Title in row 1, header in row 2: the first data row is Excel row 3."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Hasil"
    ws.append([title])
    ws.append(head)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def parse(path: Path) -> tuple[Report, dict]:
    report = Report()
    frames = kla_hasil.parse([FileInput.from_path(path)], LoadContext(user="uji", salt=b"s"), report)
    return report, frames


def line_of(stdout: str, excel_row: int, column: str) -> str:
    found = [ln for ln in stdout.splitlines() if f'baris {excel_row}, kolom "{column}"' in ln]
    assert found, f"no problem at row {excel_row}, column {column}:\n{stdout}"
    return found[0]


def table(data: Path) -> pd.DataFrame:
    return sql(data, "SELECT * EXCLUDE (load_id) FROM fact_kla_hasil ORDER BY ALL")


# --- the shipped public record ------------------------------------------------------------------------------


def test_the_real_file_loads_with_every_figure_and_its_source(tmp_path):
    data = tmp_path / "data"
    proc = run_etl(data, "load", "kla_hasil", str(REAL))
    assert "Tidak ada galat maupun peringatan." in proc.stdout, proc.stdout
    # the 2024 conflict is named, both sides kept
    assert "Sumber berbeda untuk tahun 2024" in proc.stdout and "Nindya menurut" in proc.stdout
    got = table(data)
    with open(REAL, newline="", encoding="utf-8") as fh:
        assert len(got) == sum(1 for _ in csv.DictReader(fh))
    assert got["sumber"].notna().all() and got["tautan"].str.startswith("http").all()
    assert set(got["kode_wilayah"]) == {"74.71"} and set(got["kelompok"]) == {"Total"}
    final = got[got["tahap"] == "final"]
    by_year = final.groupby("tahun")["kategori"].apply(sorted).to_dict()
    assert by_year == {
        2014: ["Madya"],
        2020: ["Madya"],
        2021: ["Nindya"],
        2022: ["Nindya"],
        2023: ["Nindya"],
        2024: ["Madya", "Nindya"],  # CONFLICT: side by side, two sources
    }
    assert final[final["tahun"] == 2024]["sumber"].nunique() == 2
    # points without a stage: kept, never a category
    unstated = got[got["tahap"] == "tidak_disebut"].set_index("tahun")
    assert unstated["nilai"].to_dict() == {2021: 894.0, 2025: 934.0}
    assert unstated["kategori"].isna().all()
    assert "perkiraan evaluasi mandiri menurut DP3A" in unstated.loc[2025, "catatan"]
    assert "sekitar 934" in unstated.loc[2025, "catatan"]
    # SINGLE-SOURCE and CONFLICT stay data with a note
    notes = final.set_index("tahun")["catatan"]
    assert notes[2014].startswith("SINGLE-SOURCE") and notes[2020].startswith("CONFLICT")
    assert got[got["tahun"] == 2025]["kategori"].isna().all()  # 2025: no result announced (README of the file)
    y24 = final[final["tahun"] == 2024].set_index("kategori")["tanggal_sumber"]
    assert y24.to_dict() == {"Madya": pd.Timestamp(2026, 2, 11), "Nindya": pd.Timestamp(2025, 4, 24)}


def test_loading_the_same_file_twice_does_not_double_count(tmp_path):
    data = tmp_path / "data"
    run_etl(data, "load", "kla_hasil", str(REAL))
    first = table(data)
    run_etl(data, "load", "kla_hasil", str(REAL))
    assert table(data).equals(first)


# --- a messy Excel file -------------------------------------------------------------------------------------

MESSY = [
    [2024, "EM", "Total", 912.5, None, "Isian evaluasi mandiri Gugus Tugas", dt.date(2024, 3, 31), None, None],  # 3
    [2024, "Verifikasi Administrasi", None, 745, None, "Berita acara VA", None, None, None],  # 4
    [2024, "EM", "Total", 900, "Nindya", "Rapat DP3A", None, None, "kategori pada baris EM"],  # 5
    [2024, "VLH", "Total", 760, None, None, None, None, "tanpa sumber"],  # 6
    [2024, "Final", "Total", None, "Nindia", "Surat KemenPPPA", None, None, "salah tulis kategori"],  # 7
    [2024, "Verifikasi Administrasi", "Total", 745, None, "Berita acara VA", None, None, "duplikat baris 4"],  # 8
    [2023, "Tidak disebut", "Total", "hampir 800", None, "KendariInfo", None, None, None],  # 9
    [2023, "Tidak disebut", "Total", None, "Nindya", "Berita lain", None, None, None],  # 10
    [2024, "Tahap 3", "Klaster II", 80, None, "Rapat DP3A", None, "www.contoh", None],  # 11
]


def test_a_messy_file_names_every_problem_and_changes_nothing(tmp_path):
    data = tmp_path / "data"
    run_etl(data, "load", "kla_hasil", str(REAL))
    before, current = table(data), (data / "warehouse" / "CURRENT").read_text()
    versions = sorted(p.name for p in (data / "warehouse").glob("kla-v*.duckdb"))
    path = xlsx(tmp_path / "hasil_berantakan.xlsx", MESSY)
    proc = run_etl(data, "load", "kla_hasil", str(path), check=False)
    out = proc.stdout
    assert proc.returncode == 1, out

    em = line_of(out, 5, "Kategori")
    assert "Evaluasi mandiri tidak pernah menetapkan kategori" in em and "tahap Final" in em
    assert '(nilai: "Nindya")' in em and "berkas hasil_berantakan.xlsx" in em and 'sheet "Hasil"' in em
    no_source = line_of(out, 6, "Sumber")
    assert "Sumber angka tidak disebut" in no_source and "Angka tanpa sumber tidak dimuat" in no_source
    bad = line_of(out, 7, "Kategori")
    assert "Kategori tidak dikenal" in bad and '(nilai: "Nindia")' in bad
    assert "Pratama, Madya, Nindya, Utama, KLA" in bad
    dup = line_of(out, 8, "Sumber")
    assert "sudah ada di hasil_berantakan.xlsx baris 4" in dup and "Berita acara VA" in dup
    assert "Verifikasi Administrasi (VA)" in dup
    words = line_of(out, 9, "Nilai")
    assert "Nilai bukan angka" in words and "hampir 800" in words and "Catatan" in words
    unstated = line_of(out, 10, "Kategori")
    assert "hanya berasal dari hasil akhir (tahap Final)" in unstated
    assert "Tahap tidak dikenal" in line_of(out, 11, "Tahap")
    assert "http://" in line_of(out, 11, "Tautan")
    # the good rows (3, 4: "EM", "Verifikasi Administrasi") have no problem
    assert "baris 3," not in out and "baris 4," not in out
    assert "Tidak ada data yang disimpan" in out

    assert (data / "warehouse" / "CURRENT").read_text() == current
    assert sorted(p.name for p in (data / "warehouse").glob("kla-v*.duckdb")) == versions
    assert table(data).equals(before)


def test_stage_words_offices_write(tmp_path):
    """EM, Verifikasi Administrasi, VLH, VKL, Penetapan ... each become one stage; group blank = Total."""
    rows = [
        [2024, "EM", None, 930, None, "A", None, None, None],
        [2024, "Penilaian Mandiri", None, 931, None, "B", None, None, None],
        [2024, "Verifikasi Administrasi", "Klaster V", 150, None, "A", None, None, None],
        [2024, "VA", "Klaster 5", 151, None, "B", None, None, None],
        [2024, "VLH", None, 790, None, "A", None, None, None],
        [2024, "Verifikasi Lapangan Hybrid", "Kelembagaan", 100, None, "B", None, None, None],
        [2024, "VKL", None, 791, None, "C", None, None, None],
        [2024, "Penetapan", None, 788, "Nindya", "A", None, None, None],
        [2024, "Hasil Akhir", "", None, "Nindya", "B", None, None, None],
        [2024, "Final", "TOTAL", None, "kla madya", "C", None, None, None],
    ]
    report, frames = parse(xlsx(tmp_path / "tahap.xlsx", rows))
    assert not report.errors, report.to_text()
    got = frames["fact_kla_hasil"]
    assert got["tahap"].tolist() == [
        "evaluasi_mandiri",
        "evaluasi_mandiri",
        "verifikasi_administrasi",
        "verifikasi_administrasi",
        "verifikasi_lapangan",
        "verifikasi_lapangan",
        "verifikasi_lapangan",
        "final",
        "final",
        "final",
    ]
    assert got["kelompok"].tolist()[:6] == ["Total", "Total", "Klaster V", "Klaster V", "Total", "Kelembagaan"]
    assert got["kategori"].tolist()[-3:] == ["Nindya", "Nindya", "Madya"]
    # an EM score is never turned into a category
    assert got[got["tahap"] != "final"]["kategori"].isna().all()
    assert set(got["kode_wilayah"]) == {"74.71"}  # the configured region (LoadContext)
    assert any("Sumber berbeda untuk tahun 2024" in n and "Madya menurut C" in n for n in report.notes)


def test_the_vocabulary_is_reference_data():
    labels = ["EM", "Evaluasi Mandiri", "Penilaian Mandiri", "VA", "Verifikasi Administrasi", "VLH"]
    labels += ["Verifikasi Lapangan Hybrid", "VKL", "Final", "Penetapan", "Hasil Akhir", "Tidak disebut"]
    got = [reference.match_category("tahap_kla", w) for w in labels]
    assert got == ["evaluasi_mandiri"] * 3 + ["verifikasi_administrasi"] * 2 + ["verifikasi_lapangan"] * 3 + [
        "final"
    ] * 3 + ["tidak_disebut"]
    assert reference.category_values("tahap_kla") == list(kla_hasil.STAGE_LABEL)
    assert reference.category_values("kelompok_kla") == ["Total", "Kelembagaan"] + [
        f"Klaster {n}" for n in ("I", "II", "III", "IV", "V")
    ]
    assert reference.match_category("tahap_kla", "-") is None  # a dash is not "tidak disebut"


def test_other_row_rules(tmp_path):
    rows = [
        [2024, "Final", "Klaster II", 120, "Nindya", "A", None, None, None],  # 3 category on a cluster
        [2024, "Final", None, None, None, "A", None, None, None],  # 4 neither score nor category
        [2024, "Final", None, "-", None, "B", None, None, None],  # 5 a dash is empty
        [2024, "Final", None, 1200, None, "C", None, None, None],  # 6 out of range
        [2024, "Final", None, 650, "Nindya", "D", None, None, None],  # 7 band mismatch: a warning, both kept
        [2030, "Final", None, 650, None, "E", None, None, None],  # 8 year out of range
        [2024, "Final", None, 650, None, "F", "31/12/2099", None, None],  # 9 source date in the future
        [2024, "Final", "Klaster 9", 50, None, "G", None, None, None],  # 10 unknown group
    ]
    report, frames = parse(xlsx(tmp_path / "aturan.xlsx", rows))
    by_row = {}
    for p in report.problems:
        by_row.setdefault(p.row, []).append((p.level, p.column, p.message))
    assert by_row[3] == [("error", "Kategori", by_row[3][0][2])] and "nilai total" in by_row[3][0][2]
    assert by_row[4][0][:2] == ("error", "Nilai") and "Isi Nilai atau Kategori" in by_row[4][0][2]
    assert "Isi Nilai atau Kategori" in by_row[5][0][2]
    assert "di luar rentang 0-1000" in by_row[6][0][2]
    assert by_row[7][0][0] == "warning" and "Madya" in by_row[7][0][2] and "Nindya" in by_row[7][0][2]
    assert "di luar rentang" in by_row[8][0][2]
    assert "ada di masa depan" in by_row[9][0][2]
    assert "Kelompok tidak dikenal" in by_row[10][0][2] and "Klaster V" in by_row[10][0][2]
    assert report.rows_rejected == 7


def test_source_in_the_title_and_a_semicolon_csv_with_kabkota_codes(tmp_path):
    path = tmp_path / "hasil.csv"
    path.write_text(
        "HASIL EVALUASI KLA 2023 | Sumber: Surat KemenPPPA\n"
        "Kode Kab/Kota;Tahap;Nilai;Kategori\n"
        "74.71;Final;745,5;Nindya\n"
        "74.71;VA;690;\n"
        "74.99;VA;690;\n",
        encoding="utf-8",
    )
    report, frames = parse(path)
    [err] = report.errors
    assert err.row == 5 and err.column == "Kode Kab/Kota" and "Kode kabupaten/kota tidak dikenal" in err.message
    path.write_text("\n".join(path.read_text(encoding="utf-8").splitlines()[:-1]) + "\n", encoding="utf-8")
    report, frames = parse(path)
    assert not report.errors, report.to_text()
    got = frames["fact_kla_hasil"]
    assert got["sumber"].tolist() == ["Surat KemenPPPA"] * 2 and got["tahun"].tolist() == [2023, 2023]
    assert got["tahap"].tolist() == ["final", "verifikasi_administrasi"] and got["nilai"].tolist() == [745.5, 690.0]


# --- loading replaces what the same source said about the same year -------------------------------------------


def test_a_load_replaces_the_same_source_and_year_only(tmp_path):
    data = tmp_path / "data"
    run_etl(data, "load", "kla_hasil", str(REAL))
    wakil = "MitraNusantara (Rapat Pra Gugus Tugas KLA 2026; Wakil Wali Kota Kendari)"
    letter = "Surat hasil evaluasi KLA 2024 KemenPPPA"
    path = xlsx(
        tmp_path / "koreksi.xlsx",
        [
            [2024, "Final", "Total", None, "Madya", wakil, dt.date(2026, 2, 12), None, "dikoreksi"],
            [2024, "VA", "Total", 688.2, None, letter, dt.date(2024, 7, 1), None, None],
            [2024, "Final", "Total", 688.2, "Madya", letter, dt.date(2024, 7, 23), None, None],
        ],
    )
    run_etl(data, "load", "kla_hasil", str(path))
    got = table(data)
    y24 = got[got["tahun"] == 2024]
    assert len(y24) == 4  # Tribun (kept), MitraNusantara (replaced, not doubled), the letter's two stages
    assert y24[y24["sumber"] == wakil]["catatan"].tolist() == ["dikoreksi"]
    assert "Nindya" in y24["kategori"].tolist()  # the other source stays side by side
    assert len(got[got["tahun"] != 2024]) == 7  # other years untouched
    history = kla_hasil.category_history(got)
    h24 = history[history["tahun"] == 2024]
    assert sorted(h24["kategori"]) == ["Madya", "Madya", "Nindya"] and h24["bertentangan"].all()
    assert (h24["jumlah_sumber"] == 3).all()


# --- the helper a page uses ------------------------------------------------------------------------------------


def test_category_history_takes_final_results_only():
    frame = pd.DataFrame(
        [
            [2023, "evaluasi_mandiri", "74.71", "Total", 930.0, None, "EM", None, None, None],
            [2023, "final", "74.71", "Total", None, "Nindya", "B", dt.date(2023, 7, 22), None, None],
            [2023, "final", "74.71", "Klaster V", 150.0, None, "B", dt.date(2023, 7, 22), None, None],
            [2024, "final", "74.71", "Total", None, "Madya", "Z", dt.date(2026, 2, 11), None, None],
            [2024, "final", "74.71", "Total", None, "Nindya", "A", dt.date(2025, 4, 24), None, None],
            [2025, "tidak_disebut", "74.71", "Total", 934.0, None, "T", None, None, "sekitar 934"],
        ],
        columns=kla_hasil.COLUMNS,
    )
    h = kla_hasil.category_history(frame)
    assert h[["tahun", "kategori", "sumber"]].values.tolist() == [
        [2023, "Nindya", "B"],
        [2024, "Nindya", "A"],  # by the source's date
        [2024, "Madya", "Z"],
    ]
    assert h["bertentangan"].tolist() == [False, True, True]
    assert kla_hasil.category_history(frame[frame["tahap"] != "final"]).empty


# --- an existing warehouse gets the new table -----------------------------------------------------------------


def test_upgrade_gives_an_older_warehouse_the_empty_table(tmp_path):
    from etl import warehouse

    data = tmp_path / "data"
    run_etl(data, "load", "kla_hasil", str(REAL))
    version = (data / "warehouse" / "CURRENT").read_text().strip()
    con = warehouse.open_file(data / "warehouse" / f"kla-{version}.duckdb", read_only=False)
    try:  # what a release before issue 19 built
        con.execute("DROP TABLE fact_kla_hasil")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    proc = run_etl(data, "upgrade")
    new = (data / "warehouse" / "CURRENT").read_text().strip()
    assert new != version, proc.stdout
    assert sql(data, "SELECT count(*) AS n FROM fact_kla_hasil")["n"].tolist() == [0]
    assert "fact_kla_hasil" in sql(data, "SELECT note FROM meta_version WHERE version = ?", [new])["note"][0]
    run_etl(data, "load", "kla_hasil", str(REAL))
    assert len(table(data)) == 9


@pytest.mark.parametrize("word", ["EM", "VA", "VLH", "Tidak disebut"])
def test_no_stage_but_final_sets_a_category(tmp_path, word):
    report, _ = parse(xlsx(tmp_path / "k.xlsx", [[2024, word, None, 800, "Utama", "A", None, None, None]]))
    [err] = report.errors
    assert err.row == 3 and err.column == "Kategori" and "tahap Final" in err.message
