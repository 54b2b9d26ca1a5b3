"""Access and injection in Chromium: an anonymous visitor is refused on the server, an analyst signs in
and may upload, and a name with HTML in it is shown as text (no script runs)."""

from __future__ import annotations

import shutil

import openpyxl
import pytest

from tests.conftest import ANALIS, add_accounts, run_etl
from tests.e2e_support import browser_page, chromium_path, screenshot, sign_in, streamlit_server, wait_for_app

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(chromium_path() is None, reason="Debian chromium is not installed (make test installs it)"),
]
XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture()
def data(tmp_path, sample_data_dir):
    d = tmp_path / "data"
    shutil.copytree(sample_data_dir, d)
    add_accounts(d)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Nama", "Kecamatan", "Kelurahan", "Latitude", "Longitude", "Status", "Tahun"])
    ws.append([XSS, "Mandonga", "Korumba", -3.9712, 122.5105, "RBRA", 2020])
    wb.save(tmp_path / "rbra_xss.xlsx")
    run_etl(d, "load", "rbra", str(tmp_path / "rbra_xss.xlsx"))
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Penilaian 2024"
    ws.append(["Kecamatan", "Kategori", "Keterangan"])
    ws.append(["Mandonga", "Madya", XSS])
    wb.save(tmp_path / "kk_xss.xlsx")
    run_etl(d, "load", "kla_kecamatan", str(tmp_path / "kk_xss.xlsx"))
    return d


def test_refusal_login_and_html_as_text(data):
    dialogs = []
    with streamlit_server(data) as url, browser_page(1440, 1400) as page:
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(url + "/data")
        wait_for_app(page)
        page.get_by_text("hanya untuk analis").wait_for(timeout=30_000)  # a page URL goes through the frame first
        assert page.get_by_text("hanya untuk analis").count() == 1
        assert page.locator("[data-testid='stFileUploaderDropzoneInput']").count() == 0
        nav = page.locator("[data-testid='stSidebarNav']").inner_text()
        assert "Data" not in nav.split("\n") and "Masuk" in nav

        page.goto(url + "/progres")
        wait_for_app(page)
        page.get_by_role("tab", name="Penilaian kecamatan").click()
        page.get_by_text("Keterangan penilaian hanya untuk analis").first.wait_for(timeout=30_000)
        assert page.get_by_text(XSS).count() == 0  # free text is for analysts only (issue 16)
        page.goto(url + "/peta")
        wait_for_app(page)
        page.wait_for_selector(".js-plotly-plot", timeout=60_000)
        page.wait_for_timeout(1500)
        assert page.locator("img[src='x']").count() == 0

        sign_in(page, url, ANALIS)
        page.goto(url + "/data")
        wait_for_app(page)
        assert page.locator("[data-testid='stFileUploaderDropzoneInput']").count() == 1
        assert "Data" in page.locator("[data-testid='stSidebarNav']").inner_text().split("\n")
        screenshot(page, "data_analis")
        page.goto(url + "/progres")  # the analyst sees the note, as its text
        wait_for_app(page)
        page.get_by_role("tab", name="Penilaian kecamatan").click()
        page.get_by_text(XSS).first.wait_for(timeout=30_000)
        assert page.locator("img[src='x']").count() == 0
    assert dialogs == []
