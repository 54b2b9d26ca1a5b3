"""`python -m etl` as an analyst types it: exit codes, messages, and the warehouse left untouched."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import openpyxl
from python_calamine import CalamineWorkbook

from tests.conftest import run_etl

HEAD = [
    "No",
    "No. Register",
    "Tanggal Kejadian",
    "Tanggal Pelaporan",
    "Kecamatan",
    "Kelurahan",
    "Jenis Kelamin",
    "Usia",
    "Bentuk Kekerasan",
]


def kasus_file(path: Path, rows: list[list]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Register"
    ws.append(["REGISTER KASUS KEKERASAN TERHADAP ANAK"])
    ws.append(["UPTD PPA Kota Kendari"])
    ws.append([])
    ws.append(HEAD)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def row(i, kec="Kadia", usia=10):
    return [i, f"R-{i}", dt.date(2025, 1, 5), dt.date(2025, 1, 9), kec, "", "L", usia, "Fisik"]


def tree_digest(d: Path) -> str:
    h = hashlib.sha256()
    for p in sorted((d / "warehouse").iterdir()):
        if p.name == ".lock":
            continue
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def test_done_when_misspelled_kecamatan_and_letter_in_age(tmp_path):
    data = tmp_path / "data"
    good = kasus_file(tmp_path / "baik.xlsx", [row(1), row(2)])
    run_etl(data, "load", "kasus", str(good))
    before = tree_digest(data)
    bad = kasus_file(tmp_path / "kasus_jan.xlsx", [row(1), row(2, kec="Mandoga"), row(3), row(4, usia="1O")])
    proc = run_etl(data, "load", "kasus", str(bad), "--report", str(tmp_path / "masalah.xlsx"), check=False)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    out = proc.stdout
    assert 'berkas kasus_jan.xlsx, sheet "Register", baris 6, kolom "Kecamatan"' in out
    assert '"Mandoga"' in out and "Mandonga" in out
    assert 'baris 8, kolom "Usia"' in out and '"1O"' in out
    assert "Tidak ada data yang disimpan" in out
    assert tree_digest(data) == before
    sheet = CalamineWorkbook.from_path(str(tmp_path / "masalah.xlsx")).get_sheet_by_name("Masalah").to_python()
    assert sheet[0][:7] == ["Jenis", "Berkas", "Sheet", "Baris", "Kolom", "Nilai", "Pesan"]
    assert {(r[3], r[4]) for r in sheet[1:]} == {(6.0, "Kecamatan"), (8.0, "Usia")}


def test_check_writes_nothing_and_usage_errors_exit_2(tmp_path):
    data = tmp_path / "data"
    good = kasus_file(tmp_path / "baik.xlsx", [row(1)])
    proc = run_etl(data, "check", "kasus", str(good))
    assert "Tidak ada yang disimpan" in proc.stdout
    assert not (data / "warehouse" / "CURRENT").exists()
    assert run_etl(data, "load", "kasuss", str(good), check=False).returncode == 2
    assert run_etl(data, "load", "kasus", str(tmp_path / "tidak-ada.xlsx"), check=False).returncode == 2
    assert run_etl(data, "frobnicate", check=False).returncode == 2


def test_sample_history_rollback(sample_data_dir, tmp_path):
    proc = run_etl(sample_data_dir, "history")
    assert "penduduk" in proc.stdout and "kasus" in proc.stdout and "(contoh)" in proc.stdout
    versions = sorted(p.name for p in (sample_data_dir / "warehouse").glob("kla-v*.duckdb"))
    assert len(versions) >= 4
    current = (sample_data_dir / "warehouse" / "CURRENT").read_text().strip()
    previous = versions[-2][4:-7]
    # roll back and forth on a copy, not on the shared session warehouse
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(sample_data_dir, copy)
    run_etl(copy, "rollback", previous)
    assert (copy / "warehouse" / "CURRENT").read_text().strip() == previous
    run_etl(copy, "rollback", current)
    assert run_etl(copy, "rollback", "v9999", check=False).returncode == 3
