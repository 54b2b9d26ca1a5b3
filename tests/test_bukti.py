"""Evidence checklist (issue 22, ETL side): the template as data, the `bukti` and `jadwal_kla` datasets with errors
in Excel rows, evidence files checked by their content and stored by SHA-256, and the page edits (save_items,
attach, set_date), each one new warehouse version through the one publish path, audited, stale edits refused.

Real files throughout: xlsx written with openpyxl, PDFs with fpdf2, images with Pillow, office files with openpyxl,
python-pptx, xlwt, and OOXML/ODF containers with zipfile; the warehouse is built by the real loader."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import zipfile
from pathlib import Path

import openpyxl
import pytest

from etl import audit, bukti_edits, evidence, loader, reference, warehouse
from etl.sample_bukti import pdf_bytes, png_bytes
from tests.conftest import REPO, run_etl, sql

REF = REPO / "data" / "reference"


# --- files ------------------------------------------------------------------------------------------------------
def xlsx(path: Path, rows: list[list], title: list[str] | None = None, sheet: str = "Data Dukung") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for line in title or []:
        ws.append([line])
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def docx_bytes(macro: bool = False) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        z.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships/>')
        z.writestr("word/document.xml", '<?xml version="1.0"?><w:document/>')
        if macro:
            z.writestr("word/vbaProject.bin", b"\x00" * 64)
    return buf.getvalue()


def odf_bytes(mime: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), mime)  # first and stored, as ODF requires
        z.writestr("content.xml", '<?xml version="1.0"?><office:document-content/>')
        z.writestr("META-INF/manifest.xml", '<?xml version="1.0"?><manifest:manifest/>')
    return buf.getvalue()


def plain_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("laporan.txt", "isi")
    return buf.getvalue()


def jpeg_bytes() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 20), "teal").save(out, format="JPEG")
    return out.getvalue()


def office_bytes(kind: str) -> bytes:
    out = io.BytesIO()
    if kind == "xlsx":
        openpyxl.Workbook().save(out)
    elif kind == "pptx":
        from pptx import Presentation

        Presentation().save(out)
    else:
        import xlwt

        wb = xlwt.Workbook()
        wb.add_sheet("a").write(0, 0, "x")
        wb.save(out)
    return out.getvalue()


@pytest.fixture()
def data_dir(tmp_path, monkeypatch) -> Path:
    d = tmp_path / "data"
    monkeypatch.setenv("KLA_DATA_DIR", str(d))
    return d


def current(data_dir: Path) -> str | None:
    p = data_dir / "warehouse" / "CURRENT"
    return p.read_text().strip() if p.exists() else None


# --- 1. the template as data ----------------------------------------------------------------------------------
def test_every_indicator_has_at_least_two_items_with_known_opd_and_kind():
    items = reference.evidence_items()
    per = {}
    for r in items:
        per.setdefault(r["nomor"], []).append(r)
    assert sorted(per) == list(range(1, 25))
    assert all(len(v) >= 2 for v in per.values()), {k: len(v) for k, v in per.items()}
    opds = {r["opd"] for r in reference.read_csv_rows("opd.csv")}
    kinds = set(reference.category_values("jenis_bukti"))
    ids = [r["item_id"] for r in items]
    assert len(ids) == len(set(ids))
    for r in items:
        assert r["opd"] in opds, r
        assert r["jenis_dokumen"] in kinds, r
        assert r["item_id"] == f"{r['nomor']:02d}.{r['urut']:02d}", r
        assert r["sumber"], r


def test_items_the_research_does_not_name_say_they_are_the_teams_proposal():
    with open(REF / "bukti_item.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    research = ("S6", "S7", "S8", "S11", "Indragiri Hulu")
    for r in rows:
        named = any(r["sumber"].startswith(s) or f"; {s}" in r["sumber"] for s in research)
        proposal = r["catatan"].startswith("Usulan tim Dasbor KLA, bukan dari instrumen resmi")
        assert named or proposal, r
        if r["sumber"] in ("usulan tim", "domain-2 §2.4 (pola umum)"):
            assert proposal, r
    # the Klaster V instruments name these, so they are not proposals
    by_id = {r["item_id"]: r for r in rows}
    assert not by_id["21.05"]["catatan"].startswith("Usulan") and "SIMFONI" in by_id["21.05"]["item"]


def test_status_and_kind_lists_with_office_spellings():
    assert reference.category_values("status_bukti_item") == [
        "belum",
        "diunggah",
        "diperiksa",
        "diterima",
        "perlu_perbaikan",
    ]
    for raw, want in (
        ("Perlu Perbaikan", "perlu_perbaikan"),
        ("sudah upload", "diunggah"),
        ("Revisi", "perlu_perbaikan"),
    ):
        assert reference.match_category("status_bukti_item", raw) == want
    assert reference.match_category("jenis_bukti", "Perwal") == "kebijakan"


def test_ref_bukti_item_is_rebuilt_on_every_publish(data_dir, tmp_path, monkeypatch):
    path = xlsx(tmp_path / "c.xlsx", [["Tahun", "Kode Item", "Status"], [2025, "02.01", "diterima"]])
    assert loader.load("bukti", [path], user="uji").ok
    got = sql(data_dir, "SELECT item_id, nomor, urut, item, opd FROM ref_bukti_item ORDER BY nomor, urut")
    assert got["item_id"].tolist() == [r["item_id"] for r in reference.evidence_items()]
    # the task force edits the template: the next publish carries the edit
    edited = [*reference.evidence_items(), {**reference.evidence_items()[0], "item_id": "01.09", "urut": 9}]
    monkeypatch.setattr(reference, "evidence_items", lambda: tuple(edited))
    assert bukti_edits.set_date(2025, "74.71", "evaluasi_mandiri", dt.date(2025, 6, 10), "uji").ok
    assert "01.09" in sql(data_dir, "SELECT item_id FROM ref_bukti_item")["item_id"].tolist()


# --- 2. the checklist dataset ------------------------------------------------------------------------------------
HEAD = ["No", "Tahun", "Kode Item", "No Indikator", "Item", "OPD", "Status", "Catatan Pemeriksa", "Tautan", "Tenggat"]


def test_checklist_errors_name_file_sheet_excel_row_column_value_and_nothing_is_written(data_dir, tmp_path):
    good = xlsx(tmp_path / "awal.xlsx", [["Tahun", "Kode Item", "Status"], [2025, "02.01", "diterima"]])
    assert run_etl(data_dir, "load", "bukti", str(good)).returncode == 0
    before = current(data_dir)
    rows = [
        HEAD,
        [1, 2025, "11.02", None, None, "Dinas Perkim", "diunggah", "ok", None, dt.date(2025, 5, 1)],  # row 4: fine
        [2, 2025, "99.01", None, None, None, "diterima", None, None, None],  # row 5: unknown item
        [3, 2025, "11.03", None, None, None, "diterma", None, None, None],  # row 6: status typo
        [4, 2025, None, 11, "SK penetapan RBRA", None, "diterima", None, None, None],  # row 7: item text near
        [5, 2025, "11.04", None, None, "Dinkes", "belum", None, "ftp://x", None],  # row 8: OPD and link
        [6, 2025, "11.02", None, None, None, "diterima", None, None, None],  # row 9: same item twice
        [7, 2025, "12.01", None, None, None, "belum", None, None, "31/13/2025"],  # row 10: bad date
    ]
    bad = xlsx(tmp_path / "daftar_bukti.xlsx", rows, title=["DATA DUKUNG KLA 2025", ""])
    proc = run_etl(data_dir, "load", "bukti", str(bad), check=False)
    out = proc.stdout
    assert proc.returncode == 1, out
    sheet = 'berkas daftar_bukti.xlsx, sheet "Data Dukung"'
    assert f'{sheet}, baris 5, kolom "Kode Item": Kode item tidak dikenal: butir 99.01 tidak ada di templat' in out
    assert f'{sheet}, baris 6, kolom "Status": Status tidak dikenal. Mungkin maksudnya "diterima"?' in out
    assert f'{sheet}, baris 7, kolom "Item": Item tidak dikenal' in out
    assert 'Mungkin maksudnya "11.02 SK penetapan RBRA atau infrastruktur ramah anak"?' in out
    assert f'{sheet}, baris 8, kolom "OPD": OPD tidak sama dengan OPD penanggung jawab butir 11.04' in out
    assert f'{sheet}, baris 8, kolom "Tautan"' in out and '(nilai: "ftp://x")' in out
    assert f"{sheet}, baris 9" in out and "sudah ada di daftar_bukti.xlsx baris 4" in out
    assert f'{sheet}, baris 10, kolom "Tenggat"' in out
    assert f"{sheet}, baris 4," not in out  # the good row has no error of its own
    assert "Tidak ada data yang disimpan" in out
    # the warehouse is exactly as it was: same version, same rows
    assert current(data_dir) == before
    assert sql(data_dir, "SELECT count(*) AS n FROM fact_bukti")["n"][0] == 1


def test_checklist_loads_codes_numbers_and_item_text_and_replaces_only_the_items_it_names(data_dir, tmp_path):
    first = xlsx(
        tmp_path / "a.xlsx",
        [
            HEAD,
            [
                1,
                2025,
                "11.02",
                None,
                None,
                "Dinas PUPR",
                "Diunggah",
                "SK menyusul",
                "https://jdih.go.id/1",
                "15/05/2025",
            ],
            [2, 2025, 11.1, None, None, None, "perlu perbaikan", None, None, None],  # Excel made 11.01 a number
            [
                3,
                2025,
                None,
                21,
                "Sistem pencatatan dan pelaporan terintegrasi SIMFONI PPA",
                None,
                "lengkap",
                None,
                None,
                None,
            ],
        ],
        title=["DATA DUKUNG EVALUASI KLA KOTA KENDARI 2025"],
    )
    result = loader.load("bukti", [first], user="ani")
    assert result.ok, result.report.to_text()
    got = sql(data_dir, "SELECT item_id, status, catatan, tautan, tenggat, diperbarui_oleh FROM fact_bukti ORDER BY 1")
    assert got["item_id"].tolist() == ["11.01", "11.02", "21.05"]
    assert got["status"].tolist() == ["perlu_perbaikan", "diunggah", "diterima"]
    assert got.loc[1, "tenggat"].date() == dt.date(2025, 5, 15) and got.loc[1, "tautan"] == "https://jdih.go.id/1"
    assert set(got["diperbarui_oleh"]) == {"ani"}
    second = xlsx(tmp_path / "b.xlsx", [["Tahun", "Kode Item", "Status"], [2025, "11.02", "diterima"]])
    assert loader.load("bukti", [second], user="budi").ok
    again = sql(data_dir, "SELECT item_id, status, catatan FROM fact_bukti ORDER BY 1")
    assert again["status"].tolist() == ["perlu_perbaikan", "diterima", "diterima"]
    assert again["catatan"].isna().tolist() == [True, True, True]  # the row was replaced as the file says
    assert loader.load("bukti", [second], user="budi").ok  # loading it twice changes nothing
    assert len(sql(data_dir, "SELECT * FROM fact_bukti")) == 3


def test_checklist_berkas_column_attaches_files_from_its_folder_checked_by_content(data_dir, tmp_path):
    (tmp_path / "sk.pdf").write_bytes(pdf_bytes("SK uji"))
    (tmp_path / "foto.png").write_bytes(png_bytes("foto uji"))
    (tmp_path / "halaman.pdf").write_bytes(b"<!DOCTYPE html><html><script>alert(1)</script></html>")
    bad = xlsx(
        tmp_path / "daftar.xlsx",
        [
            ["Tahun", "Kode Item", "Status", "Berkas"],
            [2025, "02.01", "belum", "sk.pdf"],
            [2025, "11.01", "diunggah", "../../etc/passwd"],
            [2025, "11.02", "diunggah", "halaman.pdf"],
            [2025, "11.03", "diunggah", "tidak_ada.pdf"],
        ],
    )
    result = loader.check("bukti", [bad])
    text = result.report.to_text()
    assert not result.ok
    assert 'baris 3, kolom "Berkas": Berkas bukti tidak ditemukan' in text
    assert 'baris 4, kolom "Berkas": Berkas halaman.pdf tidak diterima: isinya halaman web' in text
    assert 'baris 5, kolom "Berkas": Berkas bukti tidak ditemukan' in text
    assert not (data_dir / "bukti").exists()  # a check stores nothing
    good = xlsx(
        tmp_path / "daftar2.xlsx",
        [
            ["Tahun", "Kode Item", "Status", "Berkas"],
            [2025, "02.01", "belum", "sk.pdf"],
            [2025, "11.01", "diterima", "foto.png"],
        ],
    )
    result = loader.load("bukti", [good], user="ani")
    assert result.ok, result.report.to_text()
    files = sql(data_dir, "SELECT item_id, sha256, nama_berkas, jenis, ukuran FROM fact_bukti_berkas ORDER BY 1")
    assert files["jenis"].tolist() == ["pdf", "png"] and files["nama_berkas"].tolist() == ["sk.pdf", "foto.png"]
    for sha, name in zip(files["sha256"], ["sk.pdf", "foto.png"]):
        stored = data_dir / "bukti" / sha[:2] / sha
        assert stored.read_bytes() == (tmp_path / name).read_bytes()
        assert hashlib.sha256(stored.read_bytes()).hexdigest() == sha
    # a file attached to an item still "belum" moves it to diunggah
    assert sql(data_dir, "SELECT status FROM fact_bukti WHERE item_id = '02.01'")["status"][0] == "diunggah"


def test_template_for_bukti_and_jadwal_loads_through_the_normal_path(data_dir, tmp_path):
    from etl import templates

    for dataset in ("bukti", "jadwal_kla"):
        path = tmp_path / f"{dataset}.xlsx"
        proc = run_etl(data_dir, "template", dataset, str(path))
        assert proc.returncode == 0 and path.is_file(), proc.stderr
        wb = openpyxl.load_workbook(path)
        assert [c.value for c in wb["Data"][1]] == [
            templates.header_of(dataset, c) for c, *_ in templates.TEMPLATES[dataset]
        ]
        assert loader.guess_dataset([path]) == dataset  # the Data page finds the dataset from the headers
        result = loader.load(dataset, [path], user="uji")
        assert result.ok, result.report.to_text()
    assert sql(data_dir, "SELECT item_id, status FROM fact_bukti").values.tolist() == [["11.02", "diunggah"]]
    assert sql(data_dir, "SELECT tahap, tanggal FROM fact_jadwal_kla")["tahap"].tolist() == ["evaluasi_mandiri"]
    assert run_etl(data_dir, "template", "tidak_ada", check=False).returncode == 2


def test_jadwal_errors_are_in_excel_rows(data_dir, tmp_path):
    path = xlsx(
        tmp_path / "jadwal.xlsx",
        [
            ["Tahun", "Tahap", "Tanggal"],
            [2025, "Evaluasi Mandiri", "10/06/2025"],
            [2025, "verifkasi lapangan", "Juli 2025"],
        ],
    )
    result = loader.check("jadwal_kla", [path])
    text = result.report.to_text()
    assert 'baris 3, kolom "Tahap": Tahap tidak dikenal. Mungkin maksudnya "verifikasi_lapangan"?' in text
    assert 'baris 3, kolom "Tanggal": Tanggal hanya menyebut bulan' in text


# --- 3. evidence files by content --------------------------------------------------------------------------------
ACCEPTED = {
    "pdf": lambda: pdf_bytes("uji"),
    "png": lambda: png_bytes("uji"),
    "jpeg": jpeg_bytes,
    "docx": docx_bytes,
    "xlsx": lambda: office_bytes("xlsx"),
    "pptx": lambda: office_bytes("pptx"),
    "xls": lambda: office_bytes("xls"),
    "odt": lambda: odf_bytes("application/vnd.oasis.opendocument.text"),
    "ods": lambda: odf_bytes("application/vnd.oasis.opendocument.spreadsheet"),
}


@pytest.mark.parametrize("jenis", sorted(ACCEPTED))
def test_accepted_types_are_found_from_the_content_whatever_the_name(jenis):
    assert evidence.kind_of(ACCEPTED[jenis](), "bukti.bin") == jenis
    assert jenis in evidence.ALLOWED


REFUSED = {
    "program Windows": (b"MZ\x90\x00" + b"\x00" * 200, "program.pdf", "isinya program"),
    "program Linux": (b"\x7fELF\x02\x01\x01" + b"\x00" * 200, "laporan.pdf", "isinya program"),
    "halaman web": (b"<!DOCTYPE html><html><body>SK</body></html>", "sk.pdf", "halaman web"),
    "SVG": (b'<svg xmlns="http://www.w3.org/2000/svg"><script>x</script></svg>', "foto.png", "halaman web"),
    "skrip shell": (b"#!/bin/sh\nrm -rf /\n", "data.xlsx", "skrip"),
    "zip bernama docx": (plain_zip(), "sk.docx", "arsip zip biasa"),
    "docx bermakro": (docx_bytes(macro=True), "sk.docx", "makro"),
    "teks biasa": (b"hanya teks", "catatan.pdf", "tidak dikenali"),
    "kosong": (b"", "kosong.pdf", "kosong"),
    "zip rusak": (b"PK\x03\x04" + b"\x00" * 30, "sk.docx", "rusak"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_refused_types_get_an_indonesian_message_naming_the_file(case):
    data, name, words = REFUSED[case]
    with pytest.raises(evidence.EvidenceError) as err:
        evidence.kind_of(data, name)
    message = str(err.value)
    assert message.startswith(f"Berkas {name} tidak diterima") and words in message, message
    assert "Yang diterima: PDF" in message


def test_over_the_upload_limit_is_refused_and_the_limit_is_streamlits(tmp_path):
    import tomllib

    with open(REPO / ".streamlit" / "config.toml", "rb") as fh:
        mb = tomllib.load(fh)["server"]["maxUploadSize"]
    assert evidence.MAX_BYTES == mb * 1024 * 1024
    big = pdf_bytes("besar") + b"\x00" * evidence.MAX_BYTES
    with pytest.raises(evidence.EvidenceError, match="melebihi batas unggah 50 MB"):
        evidence.kind_of(big, "besar.pdf")


def test_store_is_content_addressed_private_and_idempotent(data_dir):
    data = pdf_bytes("simpan")
    a = evidence.put(data, "a.pdf")
    b = evidence.put(data, "nama lain.pdf")
    assert a == b and a.jenis == "pdf" and a.ukuran == len(data)
    path = data_dir / "bukti" / a.sha256[:2] / a.sha256
    assert path.read_bytes() == data and a.sha256 == hashlib.sha256(data).hexdigest()
    assert path.stat().st_mode & 0o777 == 0o600 and path.parent.stat().st_mode & 0o777 == 0o700
    assert [p.name for p in path.parent.iterdir()] == [a.sha256]  # no temporary file left
    assert evidence.open_bytes(a.sha256) == data
    path.write_bytes(data + b"x")  # damaged on disk
    with pytest.raises(evidence.EvidenceError, match="rusak"):
        evidence.open_bytes(a.sha256)
    with pytest.raises(evidence.EvidenceError, match="bukan sidik SHA-256"):
        evidence.open_bytes("../../salt.key")


def test_an_s3_store_is_refused_as_not_yet_available(data_dir, monkeypatch):
    from etl import settings

    monkeypatch.setattr(settings, "settings", lambda: {"bukti": {"store": "s3"}})
    with pytest.raises(evidence.EvidenceError, match='Penyimpanan bukti "s3".*belum tersedia'):
        evidence.put(pdf_bytes("s3"), "a.pdf")
    assert not (data_dir / "bukti").exists()


# --- 4. page edits: one version per call, audited, stale refused ---------------------------------------------
@pytest.fixture()
def loaded(data_dir, tmp_path) -> Path:
    path = xlsx(
        tmp_path / "awal.xlsx",
        [["Tahun", "Kode Item", "Status", "Catatan Pemeriksa"], [2026, "04.01", "belum", "cek data Disdukcapil"]],
    )
    assert loader.load("bukti", [path], user="contoh").ok
    return data_dir


def load_ids(data_dir, tahun=2026) -> dict[str, str]:
    got = sql(data_dir, "SELECT item_id, load_id FROM fact_bukti WHERE tahun = ?", [tahun])
    return dict(zip(got["item_id"], got["load_id"]))


def test_attach_stores_the_file_and_publishes_one_new_version(loaded):
    before = current(loaded)
    data = pdf_bytes("akta 2026")
    result = bukti_edits.attach(2026, "74.71", "04.01", data, "C:\\Users\\ani\\Akta 2026.pdf", "ani")
    assert result.ok, result.report.to_text()
    assert int(result.version[1:]) == int(before[1:]) + 1 and current(loaded) == result.version
    sha = hashlib.sha256(data).hexdigest()
    assert (loaded / "bukti" / sha[:2] / sha).read_bytes() == data
    files = sql(loaded, "SELECT sha256, nama_berkas, jenis, ukuran, diunggah_oleh, load_id FROM fact_bukti_berkas")
    assert files.values.tolist() == [[sha, "Akta 2026.pdf", "pdf", len(data), "ani", result.load_id]]
    state = sql(loaded, "SELECT status, catatan, diperbarui_oleh FROM fact_bukti WHERE item_id = '04.01'")
    assert state.values.tolist() == [["diunggah", "cek data Disdukcapil", "ani"]]  # the note stays
    meta = sql(loaded, "SELECT dataset, user_name, file_name FROM meta_load WHERE version = ?", [result.version])
    assert meta.values.tolist() == [["bukti", "ani", "halaman Kesiapan: lampiran butir 04.01"]]
    lines = [json.loads(x) for x in (loaded / "audit.jsonl").read_text().splitlines()]
    assert any(e["aksi"] == "ubah" and sha[:12] in e["rincian"] and "04.01" in e["rincian"] for e in lines)
    # a later status is kept when another file comes in
    assert bukti_edits.save_items(
        2026, "74.71", [{"item_id": "04.01", "status": "diterima"}], "budi", load_ids(loaded)
    ).ok
    assert bukti_edits.attach(2026, "74.71", "04.01", png_bytes("foto"), "foto.png", "ani").ok
    assert sql(loaded, "SELECT status FROM fact_bukti WHERE item_id = '04.01'")["status"][0] == "diterima"
    assert len(sql(loaded, "SELECT * FROM fact_bukti_berkas")) == 2


def test_attach_refuses_by_content_and_writes_nothing(loaded):
    before = current(loaded)
    result = bukti_edits.attach(2026, "74.71", "04.01", plain_zip(), "sk.docx", "ani")
    assert not result.ok and result.version is None
    assert "arsip zip biasa" in result.report.to_text()
    result = bukti_edits.attach(2026, "74.71", "99.99", pdf_bytes("x"), "x.pdf", "ani")
    assert not result.ok and "Butir 99.99 tidak ada di templat" in result.report.to_text()
    assert current(loaded) == before and not (loaded / "bukti").exists()


def test_save_items_publishes_and_a_stale_save_is_refused_whole(loaded):
    base = load_ids(loaded)
    first = bukti_edits.save_items(
        2026,
        "74.71",
        [{"item_id": "04.01", "status": "perlu_perbaikan", "catatan": "data 2025", "tenggat": dt.date(2026, 5, 2)}],
        "ani",
        base,
    )
    assert first.ok, first.report.to_text()
    assert load_ids(loaded)["04.01"] == first.load_id
    after_first = current(loaded)
    # budi opened the page before ani saved: his save of 04.01 (and a new item) is refused whole
    late = bukti_edits.save_items(
        2026,
        "74.71",
        [{"item_id": "04.01", "status": "diterima"}, {"item_id": "04.02", "status": "diunggah"}],
        "budi",
        {**base, "04.02": None},
    )
    assert not late.ok and late.version is None
    assert [s.id for s in late.stale] == ["04.01"] and late.stale[0].user == "ani"
    assert "Butir 04.01 sudah diubah oleh ani" in late.report.to_text()
    assert current(loaded) == after_first
    got = sql(loaded, "SELECT item_id, status, catatan, tenggat FROM fact_bukti ORDER BY 1")
    assert got["item_id"].tolist() == ["04.01"] and got["status"][0] == "perlu_perbaikan"
    # a new item someone else created meanwhile is stale too
    assert bukti_edits.save_items(2026, "74.71", [{"item_id": "04.02", "status": "belum"}], "ani", {}).ok
    again = bukti_edits.save_items(2026, "74.71", [{"item_id": "04.02", "status": "diterima"}], "budi", {"04.02": None})
    assert not again.ok and again.stale[0].kind == "exists"
    # a bad value is an error in the report, nothing written
    bad = bukti_edits.save_items(
        2026, "74.71", [{"item_id": "04.02", "status": "selesai dong"}], "ani", load_ids(loaded)
    )
    assert not bad.ok and "Status tidak dikenal" in bad.report.to_text()


def test_set_date_is_one_version_replacing_the_stage_date(loaded):
    before = current(loaded)
    a = bukti_edits.set_date(2026, "74.71", "evaluasi_mandiri", dt.date(2026, 6, 9), "ani")
    b = bukti_edits.set_date(2026, "74.71", "evaluasi_mandiri", dt.date(2026, 6, 12), "ani")
    assert a.ok and b.ok and int(b.version[1:]) == int(before[1:]) + 2
    got = sql(loaded, "SELECT tahap, tanggal FROM fact_jadwal_kla")
    assert got.values.tolist() == [["evaluasi_mandiri", pd_ts(dt.date(2026, 6, 12))]]
    assert any("jadwal 2026 74.71: evaluasi_mandiri 12/06/2026" in e["rincian"] for e in audit.read())
    bad = bukti_edits.set_date(2026, "74.71", "rapat_biasa", dt.date(2026, 6, 12), "ani")
    assert not bad.ok and "Tahap tidak dikenal" in bad.report.to_text()


def pd_ts(day: dt.date):
    import pandas as pd

    return pd.Timestamp(day)


# --- 5. the sample ----------------------------------------------------------------------------------------------
def test_sample_has_every_state_overdue_items_files_and_dates(data_dir, tmp_path):
    from pypdf import PdfReader

    from etl import sample

    files = sample.generate(tmp_path / "sample")  # what `python -m etl sample` writes and loads, in this order
    assert list(files)[-2:] == ["bukti", "jadwal_kla"]
    for dataset in ("bukti", "jadwal_kla"):
        result = loader.load(dataset, files[dataset], user="contoh", is_sample=True)
        assert result.ok and not result.report.warnings, result.report.to_text()
    states = sql(data_dir, "SELECT tahun, status, count(*) AS n FROM fact_bukti GROUP BY ALL")
    n_items = len(reference.evidence_items())
    for year in (2025, 2026):
        mine = states[states["tahun"] == year]
        assert set(mine["status"]) == set(reference.category_values("status_bukti_item"))
        assert mine["n"].sum() == n_items
    overdue = sql(
        data_dir,
        "SELECT b.tahun, count(*) AS n FROM fact_bukti b JOIN fact_jadwal_kla j ON j.tahun = b.tahun "
        "AND j.tahap = 'evaluasi_mandiri' WHERE b.status <> 'diterima' AND b.tenggat < j.tanggal GROUP BY 1",
    )
    assert sorted(overdue["tahun"]) == [2025, 2026] and (overdue["n"] > 0).all()
    attached = sql(data_dir, "SELECT tahun, item_id, sha256, jenis FROM fact_bukti_berkas")
    assert len(attached) == 6 and set(attached["jenis"]) == {"pdf", "png"}
    for sha, jenis in zip(attached["sha256"], attached["jenis"]):
        data = evidence.open_bytes(sha)
        if jenis == "pdf":
            assert "DATA CONTOH (SINTETIS)" in PdfReader(io.BytesIO(data)).pages[0].extract_text()
        else:
            assert b"DATA CONTOH (SINTETIS)" in data
    marked = sql(data_dir, "SELECT bool_and(is_sample) AS s FROM meta_load WHERE dataset IN ('bukti', 'jadwal_kla')")
    assert marked["s"][0]
    dates = sql(data_dir, "SELECT tahun, tahap, tanggal FROM fact_jadwal_kla WHERE tahap = 'evaluasi_mandiri'")
    assert dict(zip(dates["tahun"], dates["tanggal"].dt.date)) == {
        2025: dt.date(2025, 6, 10),
        2026: dt.date(2026, 6, 9),
    }


def test_sample_evidence_files_are_deterministic(tmp_path):
    from etl import sample_bukti

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    sample_bukti.write(tmp_path / "a")
    sample_bukti.write(tmp_path / "b")
    names = sorted(p.name for p in (tmp_path / "a").glob("contoh_bukti_*.p*"))
    assert len(names) == 6
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


# --- 6. public viewers never get file names, notes or links -------------------------------------------------
def test_the_public_publication_never_reads_the_evidence_tables():
    for path in (REPO / "kla" / "publication.py", REPO / "kla" / "disclosure.py"):
        source = path.read_text(encoding="utf-8")
        for word in ("fact_bukti", "nama_berkas", "bukti_berkas", "tautan"):
            assert word not in source, f"{path.name} mentions {word}"


def test_warehouse_names_the_evidence_folder_private():
    assert "bukti" in warehouse.PRIVATE_NAMES
