"""Meeting material and downloads: the PPTX (python-pptx) and PDF (pypdf) from the sample data, a public
deck without counts from 1 to 4, exact numbers for analysts, and formula-safe CSV/XLSX."""

from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pypdf import PdfReader

from etl import loader
from kla import export, slides
from tests.e2e_support import chromium_path
from tests.figures import slide_text

needs_chromium = pytest.mark.skipif(chromium_path() is None, reason="kaleido needs Debian chromium (make test)")
pytestmark = pytest.mark.usefixtures("fresh_streamlit_caches")


def deck_for(data_dir, monkeypatch, public=True, year=2025):
    monkeypatch.setenv("KLA_DATA_DIR", str(data_dir))
    from kla import db

    key = db.current_key()
    return slides.build(key, db.version_of(key), year, "id", public, dt.date(2026, 1, 15))


@needs_chromium
def test_pptx_and_pdf_from_the_sample(monkeypatch, sample_data_dir):
    deck = deck_for(sample_data_dir, monkeypatch)
    assert [s.title for s in deck] == [
        "Anak-anak Kota Kendari, 2025",
        "Nilai KLA dan kategori",
        "Progres per klaster, evaluasi 2025",
        "Indikator prioritas, evaluasi 2025",
        "Kesiapan evaluasi 2026: 20 dari 81 bukti diterima",  # issue 22: the coming evaluation (sample)
        "RBRA dan cakupan layanan, 2025",
        "Kasus kekerasan terhadap anak per tahun",
        "Partisipasi anak: Forum Anak dan usulan anak",  # issue 23
        "Tindak lanjut yang terlambat",
    ]
    prs = Presentation(io.BytesIO(export.pptx_bytes(deck, "Bahan rapat", "Dasbor KLA · data versi v0006")))
    assert len(prs.slides) == len(deck)
    for s, slide in zip(deck, prs.slides):
        title = next(sh for sh in slide.shapes if sh.name == "Judul")
        assert title.text_frame.text == s.title
        pictures = [sh for sh in slide.shapes if sh.shape_type == MSO_SHAPE_TYPE.PICTURE]
        assert len(pictures) == (1 if s.figure is not None else 0)
        assert "versi" in slide.notes_slide.notes_text_frame.text  # source and version in the notes
        assert pictures == [] or pictures[0].image.size[0] > 1000  # a real rendered chart
        assert next(sh for sh in slide.shapes if sh.name == "Penanda").text_frame.text == "Publik"
        tables = [sh for sh in slide.shapes if sh.has_table]
        assert len(tables) == (1 if s.table is not None else 0)
        if tables:  # the slide's table, cell for cell
            cells = [[c.text for c in row.cells] for row in tables[0].table.rows]
            assert cells == [list(s.table.columns), *s.table.astype(str).to_numpy().tolist()]
    reader = PdfReader(io.BytesIO(export.pdf_bytes(deck, "Bahan rapat", "Dasbor KLA · data versi v0006")))
    assert len(reader.pages) == len(deck)
    for s, page in zip(deck, reader.pages):
        text = " ".join(page.extract_text().split())
        assert " ".join(s.title.split()) in text and "versi" in text and text.startswith("Publik")


def small_case_warehouse(tmp_path, monkeypatch):
    """3 cases in 2024 and 12 in 2023 in one kecamatan: the public may not see the 3."""
    d = tmp_path / "data"
    monkeypatch.setenv("KLA_DATA_DIR", str(d))
    monkeypatch.setenv("KLA_SALT", "s")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(
        [
            "No. Register",
            "Tanggal Kejadian",
            "Tanggal Pelaporan",
            "Kecamatan",
            "Jenis Kelamin",
            "Usia",
            "Bentuk Kekerasan",
        ]
    )
    for i in range(15):
        year = 2024 if i < 3 else 2023
        ws.append([f"R/{i}", dt.date(year, 3, 1), dt.date(year, 3, 5), "Mandonga", "P", 10, "Psikis"])
    wb.save(tmp_path / "kasus.xlsx")
    assert loader.load("kasus", [tmp_path / "kasus.xlsx"]).ok
    return d


def test_public_deck_has_no_count_from_1_to_4_and_the_analyst_deck_is_exact(tmp_path, monkeypatch):
    d = small_case_warehouse(tmp_path, monkeypatch)
    public = deck_for(d, monkeypatch, public=True, year=2024)
    cases_slides = [s for s in public if "Kasus" in s.title or "Anak-anak" in s.title]
    text = "\n".join(slide_text(s) for s in cases_slides)
    assert "<5" in text or "*" in text  # hidden ("*" where "<5" bounds alone would narrow it)
    assert not re.search(r"(?<![\d.,])[1-4](?![\d.,])", text.replace("2023", "").replace("2024", "")), text
    exact = deck_for(d, monkeypatch, public=False, year=2024)
    text = "\n".join(slide_text(s) for s in exact if "Kasus" in s.title)
    assert "<5" not in text and re.search(r"(?<![\d.,])3(?![\d.,])", text)


@pytest.mark.parametrize("evil", ['=HYPERLINK("http://x","klik")', "+62 811", "-1+2", "@SUM(A1:A2)", "=1+1"])
def test_downloads_neutralise_formulas(evil):
    import pandas as pd

    df = pd.DataFrame({"nama": [evil, "Taman Korumba"], "jumlah": [1, 2]})
    import csv

    rows = list(csv.reader(io.StringIO(export.csv_bytes(df).decode("utf-8-sig")), delimiter=";"))
    assert rows[1][0] == "'" + evil and rows[2][0] == "Taman Korumba"
    wb = openpyxl.load_workbook(io.BytesIO(export.xlsx_bytes(df)))
    cells = [c for row in wb.active.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    assert wb.active["A2"].value == evil and wb.active["A2"].data_type == "s"  # xlsx: the exact text, as text


def test_every_chart_has_a_png_button():
    from kla.downloads import chart_config

    cfg = chart_config("kasus")
    assert cfg["toImageButtonOptions"]["format"] == "png" and cfg["toImageButtonOptions"]["filename"] == "kasus"


def test_without_chromium_the_deck_buttons_say_why(monkeypatch, sample_data_dir):
    """A server without Chromium shows the reason and disables the deck buttons (no silent failed download)."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("KLA_DATA_DIR", str(sample_data_dir))
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.delenv("BROWSER_PATH", raising=False)
    at = AppTest.from_file("../app.py", default_timeout=120).run()
    at.switch_page("pages/presentasi.py").run()
    assert not at.exception
    assert any("Chromium" in c.value for c in at.caption)
    buttons = at.get("download_button")
    assert len(buttons) == 2 and all(b.proto.disabled for b in buttons)
