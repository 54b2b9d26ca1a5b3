"""The evidence package (issue 22, item 4): `python -m etl paket-bukti TAHUN DEST.zip` writes one folder per
indicator, numbered and named as in the official list, holding its files named by item, and an index workbook;
the test opens the zip, recomputes every SHA-256 and reads the index. A warehouse built by the real loader from
real xlsx, PDF and PNG files."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest

from etl import loader, paket, reference, sheets
from etl.sample_bukti import pdf_bytes, png_bytes
from tests.conftest import run_etl, sql

NOTE = '=HYPERLINK("http://contoh.invalid","klik")'


@pytest.fixture()
def data_dir(tmp_path, monkeypatch) -> Path:
    d = tmp_path / "data"
    monkeypatch.setenv("KLA_DATA_DIR", str(d))
    files = tmp_path / "masuk"
    files.mkdir()
    (files / "sk gugus tugas.pdf").write_bytes(pdf_bytes("SK Gugus Tugas"))
    (files / "rad.pdf").write_bytes(pdf_bytes("RAD KLA"))
    (files / "rbra.png").write_bytes(png_bytes("RBRA"))
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Tahun", "Kode Item", "Status", "Catatan Pemeriksa", "Tautan", "Berkas"])
    ws.append([2025, "02.01", "diterima", None, None, "sk gugus tugas.pdf"])
    ws.append([2025, "02.02", "perlu perbaikan", NOTE, "https://jdih.contoh.invalid/rad", "rad.pdf"])
    ws.append([2025, "11.01", "diunggah", None, None, "rbra.png"])
    ws.append([2025, "21.05", "belum", None, None, None])
    sheets.save_workbook(wb, files / "daftar.xlsx")  # the note is a text cell that looks like a formula
    assert loader.load("bukti", [files / "daftar.xlsx"], user="ani").ok
    # a second file on an item: named 11.01-2
    wb = openpyxl.Workbook()
    wb.active.append(["Tahun", "Kode Item", "Status", "Berkas"])
    wb.active.append([2025, "11.01", "diunggah", "rbra2.png"])
    (files / "rbra2.png").write_bytes(png_bytes("RBRA kedua"))
    wb.save(files / "daftar2.xlsx")
    assert loader.load("bukti", [files / "daftar2.xlsx"], user="ani").ok
    return d


def index_rows(zf: zipfile.ZipFile, name: str) -> tuple[list, list[dict]]:
    ws = openpyxl.load_workbook(io.BytesIO(zf.read(name)))["Indeks"]
    rows = list(ws.iter_rows(values_only=True))
    head = list(rows[3])
    return rows[:3], [dict(zip(head, r)) for r in rows[4:]]


def test_package_folders_files_hashes_and_index(data_dir, tmp_path):
    dest = tmp_path / "paket 2025.zip"
    proc = run_etl(data_dir, "paket-bukti", "2025", str(dest))
    assert proc.returncode == 0, proc.stderr
    assert "4 berkas" in proc.stdout and f"{len(reference.evidence_items()) - 3} butir belum ada berkas" in proc.stdout
    names = {r["nomor"]: r["nama"] for r in reference.indicator_catalog()}
    stored = sql(data_dir, "SELECT item_id, sha256, nama_berkas FROM fact_bukti_berkas ORDER BY item_id, diunggah_pada")
    with zipfile.ZipFile(dest) as zf:
        listing = zf.namelist()
        folders = sorted(n for n in listing if n.endswith("/"))
        assert folders == sorted(paket.folder_name(n, names[n]) + "/" for n in range(1, 25))
        assert folders[0] == "01 Peraturan Daerah (Perda) tentang KLA/"
        files = sorted(n for n in listing if not n.endswith("/") and "/" in n)
        kelembagaan = "02 Penguatan Kelembagaan KLA (Gugus Tugas; RAD KLA; anggaran; profil anak; SDM terlatih"
        assert files == [
            f"{kelembagaan}/02.01.pdf",
            f"{kelembagaan}/02.02.pdf",
            "11 Infrastruktur Ramah Anak (termasuk RBRA)/11.01-2.png",
            "11 Infrastruktur Ramah Anak (termasuk RBRA)/11.01.png",
        ]
        hashes = {n.rsplit("/", 1)[1]: hashlib.sha256(zf.read(n)).hexdigest() for n in files}
        assert sorted(hashes.values()) == sorted(stored["sha256"])
        assert hashes["02.01.pdf"] == stored.loc[stored["item_id"] == "02.01", "sha256"].iloc[0]
        title, rows = index_rows(zf, "00 Indeks data dukung 2025.xlsx")
    assert "TAHUN 2025" in title[0][0] and "KOTA KENDARI" in title[0][0].upper()
    assert len(rows) == len(reference.evidence_items()) + 1  # one row per file, items without a file once
    by_file = {r["Berkas di paket"]: r for r in rows if r["Berkas di paket"]}
    for path, digest in ((f, hashes[f.rsplit("/", 1)[1]]) for f in files):
        assert by_file[path]["SHA-256"] == digest
    rad = by_file[f"{kelembagaan}/02.02.pdf"]
    assert (rad["Kode Item"], rad["Status"], rad["OPD"], rad["Nama berkas asli"]) == (
        "02.02",
        "perlu perbaikan",
        "Bappeda",
        "rad.pdf",
    )
    assert rad["Catatan pemeriksa"] == NOTE and rad["Tautan"] == "https://jdih.contoh.invalid/rad"
    missing = [r for r in rows if r["Keterangan"] == paket.NO_FILE]
    assert {r["Kode Item"] for r in missing} == {r["item_id"] for r in reference.evidence_items()} - {
        "02.01",
        "02.02",
        "11.01",
    }
    assert next(r for r in missing if r["Kode Item"] == "21.05")["Status"] == "belum"
    assert next(r for r in missing if r["Kode Item"] == "01.01")["Status"] == "belum"  # no row at all: belum


def test_index_cells_are_text_never_formulas(data_dir, tmp_path):
    buf = io.BytesIO()
    summary = paket.build(2025, "74.71", buf)  # a file object, as the page's download button gets it
    assert summary.files == 4 and not summary.unreadable and not summary.sample
    with zipfile.ZipFile(buf) as zf:
        ws = openpyxl.load_workbook(io.BytesIO(zf.read(summary.index_name)))["Indeks"]
    cells = [c for row in ws.iter_rows() for c in row if c.value == NOTE]
    assert cells and all(c.data_type == "s" for c in cells)


def test_cli_exit_codes_and_nothing_written_when_the_year_has_no_evidence(data_dir, tmp_path):
    dest = tmp_path / "kosong.zip"
    proc = run_etl(data_dir, "paket-bukti", "2031", str(dest), check=False)
    assert proc.returncode == 1 and "Belum ada data dukung tahun 2031" in proc.stderr
    assert not dest.exists() and not list(tmp_path.glob(".kosong.zip.tmp-*"))
    assert run_etl(data_dir, "paket-bukti", "duaribu", str(dest), check=False).returncode == 2
    assert run_etl(data_dir, "paket-bukti", "2025", str(tmp_path / "tidak" / "ada.zip"), check=False).returncode == 2
    empty = tmp_path / "baru"
    assert run_etl(empty, "paket-bukti", "2025", str(dest), check=False).returncode == 1


def test_a_missing_stored_file_is_marked_in_the_index_and_exits_1(data_dir, tmp_path):
    sha = sql(data_dir, "SELECT sha256 FROM fact_bukti_berkas WHERE item_id = '02.01'")["sha256"][0]
    (data_dir / "bukti" / sha[:2] / sha).unlink()
    dest = tmp_path / "paket.zip"
    proc = run_etl(data_dir, "paket-bukti", "2025", str(dest), check=False)
    assert proc.returncode == 1 and "1 berkas tidak ada atau rusak" in proc.stderr
    with zipfile.ZipFile(dest) as zf:
        assert not [n for n in zf.namelist() if n.endswith("02.01.pdf")]
        _, rows = index_rows(zf, "00 Indeks data dukung 2025.xlsx")
    row = next(r for r in rows if r["Kode Item"] == "02.01")
    assert row["Keterangan"] == paket.UNREADABLE and row["SHA-256"] == sha and row["Berkas di paket"] is None


def test_folder_names_are_safe_and_cut_at_a_word():
    assert paket.folder_name(8, "Lembaga Konsultasi bagi Orang Tua/Keluarga") == (
        "08 Lembaga Konsultasi bagi Orang Tua-Keluarga"
    )
    long = paket.folder_name(24, " ".join(["kata"] * 40))
    assert len(long) <= paket.NAME_MAX and long.endswith("kata")
