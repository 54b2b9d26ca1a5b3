"""Kesiapan evaluasi in Chromium on the real Streamlit server: the public page on the projector (1280x720) and a
phone (390x844) with nothing cut off; an analyst who signs in, is refused a web page disguised as a PDF with the
Indonesian reason, uploads a real PDF to an item through the page, and sees it in the new warehouse version."""

from __future__ import annotations

import shutil

import pytest

from etl import warehouse
from tests.conftest import ANALIS, add_accounts, sql
from tests.e2e_support import browser_page, chromium_path, screenshot, sign_in, streamlit_server, wait_for_app

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(chromium_path() is None, reason="Debian chromium is not installed (make test installs it)"),
]

FILE_NAME = "SK_Perda_KLA_Kendari_2026.pdf"
ITEM = "01.01"  # belum in the 2026 sample: the upload moves it to diunggah


def real_pdf(text: str) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=14)
    pdf.multi_cell(w=0, text=text)
    return bytes(pdf.output())


# visible table cells whose text is wider than the cell, and tables wider than their frame (a phone would scroll)
CLIPPED = """() => {
  const cells = [...document.querySelectorAll("[data-testid='stTable'] td, [data-testid='stTable'] th")]
    .filter(c => c.offsetParent !== null && c.scrollWidth > c.clientWidth + 1).map(c => c.innerText.slice(0, 40));
  const wide = [...document.querySelectorAll("[data-testid='stTable']")]
    .filter(t => t.offsetParent !== null && t.querySelector('table').scrollWidth > t.clientWidth + 1)
    .map(t => t.innerText.slice(0, 40));
  const cards = [...document.querySelectorAll('.kes-card .value, .kes-card .label')]
    .filter(c => c.scrollWidth > c.clientWidth + 1).map(c => c.innerText);
  return {cells, wide, cards};
}"""


@pytest.fixture(scope="module")
def data(tmp_path_factory, sample_data_dir):
    d = tmp_path_factory.mktemp("kla-e2e-kesiapan") / "data"
    shutil.copytree(sample_data_dir, d)
    add_accounts(d)
    return d


@pytest.fixture(scope="module")
def server(data):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KLA_DATA_DIR", str(data))
        with streamlit_server(data) as url:
            yield url


@pytest.mark.parametrize("size", [(1280, 720), (390, 844)])
def test_the_public_page_fits_the_projector_and_a_phone(server, size):
    requests = []
    with browser_page(*size) as page:
        page.on("request", lambda r: requests.append(r.url))
        page.goto(server + "/kesiapan")
        wait_for_app(page)
        page.wait_for_function("document.querySelectorAll('.js-plotly-plot .main-svg').length >= 2", timeout=60_000)
        assert page.locator("h1").first.inner_text().strip() == "Kesiapan Evaluasi KLA"
        assert page.locator("[data-testid='stException']").count() == 0
        assert page.locator(".kes-card").count() == 4
        # the cards on the first screen, their figures large
        box = page.locator(".kes-card").first.bounding_box()
        assert box["y"] < size[1], box
        size_px = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.kes-card .value')).fontSize)")
        assert size_px >= 32
        screenshot(page, f"kesiapan_publik_{size[0]}x{size[1]}")
        assert page.evaluate(CLIPPED) == {"cells": [], "wide": [], "cards": []}
        assert page.get_by_role("tab", name="Per indikator").count() == 0  # analysts only
    outside = [u for u in requests if not u.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:"))]
    assert outside == [], f"requests left the machine: {outside}"


def items_tab(page):
    page.get_by_role("tab", name="Per indikator").click()
    page.locator("[data-testid='stFileUploaderDropzoneInput']").wait_for(state="attached", timeout=60_000)


def test_an_analyst_uploads_a_pdf_to_an_item(server, data, tmp_path, monkeypatch):
    monkeypatch.setenv("KLA_DATA_DIR", str(data))
    versions = warehouse.list_versions()
    disguised = tmp_path / "laporan.pdf"
    disguised.write_bytes(b"<html><body><script>alert(1)</script></body></html>")
    pdf = tmp_path / FILE_NAME
    pdf.write_bytes(real_pdf("Perda Kota Kendari tentang Kota Layak Anak (contoh untuk tes)"))
    with browser_page(1280, 720) as page:
        sign_in(page, server, ANALIS)
        page.goto(server + "/kesiapan")
        wait_for_app(page)
        items_tab(page)
        assert page.get_by_text("tanggung jawab pengunggah").count() == 1  # the personal-data warning
        screenshot(page, "kesiapan_analis_1280x720")

        page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(disguised))
        wait_for_app(page)
        page.get_by_role("button", name="Unggah ke butir ini").click()
        page.get_by_text("tidak diterima: isinya halaman web").wait_for(timeout=60_000)
        assert warehouse.list_versions() == versions  # nothing written

        page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(pdf))
        wait_for_app(page)
        page.get_by_role("button", name="Unggah ke butir ini").click()
        page.get_by_text(f"Berkas {FILE_NAME} tersimpan sebagai versi data").wait_for(timeout=60_000)
        wait_for_app(page)
        assert page.locator("[data-testid='stException']").count() == 0
        items_tab(page)
        # the new version: the item list and the file table name the file, the download offers it
        page.locator("[data-testid='stTable']", has_text=FILE_NAME).first.wait_for(timeout=60_000)
        items = page.locator("[data-testid='stTable']").filter(has_text="Butir data dukung").first.inner_text()
        assert FILE_NAME in items and "Diunggah" in items
        assert page.get_by_role("button", name="Unduh berkas").count() == 1
        page.locator("[data-testid='stTable']", has_text=FILE_NAME).last.scroll_into_view_if_needed()
        screenshot(page, "kesiapan_analis_unggah_1280x720")
    with browser_page(390, 844) as page:
        sign_in(page, server, ANALIS)
        page.goto(server + "/kesiapan")
        wait_for_app(page)
        items_tab(page)
        page.locator("[data-testid='stTable']", has_text=FILE_NAME).first.wait_for(timeout=60_000)
        screenshot(page, "kesiapan_analis_390x844")
    assert len(warehouse.list_versions()) == len(versions) + 1
    stored = sql(
        data,
        "SELECT nama_berkas, jenis, diunggah_oleh FROM fact_bukti_berkas WHERE item_id = ? AND tahun = 2026",
        [ITEM],
    )
    assert stored.values.tolist() == [[FILE_NAME, "pdf", ANALIS[0]]]
    status = sql(data, "SELECT status FROM fact_bukti WHERE item_id = ? AND tahun = 2026", [ITEM])["status"].tolist()
    assert status == ["diunggah"]
