"""The Data page's Done-when, in Chromium only: download a template, fill it, upload it, read its
errors, fix it, commit, see the Ringkasan figure change and the load in the history, roll it back."""

from __future__ import annotations

import shutil

import openpyxl
import pytest

from etl import warehouse
from tests.conftest import ADMIN, add_accounts
from tests.e2e_support import browser_page, chromium_path, screenshot, sign_in, streamlit_server, wait_for_app

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(chromium_path() is None, reason="Debian chromium is not installed (make test installs it)"),
]

RBRA_LABEL = "Ruang Bermain Ramah Anak"


def metric(page, label: str) -> str:
    card = page.locator("[data-testid='stMetric']").filter(has_text=label).first
    return card.locator("[data-testid='stMetricValue']").inner_text().strip()


def fill(template, out, kecamatan):
    wb = openpyxl.load_workbook(template)
    ws = wb["Data"]
    values = {
        "Nama": "Taman Uji Peramban",
        "Kecamatan": kecamatan,
        "Kelurahan": "Korumba",
        "Status": "Proses",
        "Tahun": 2020,
    }
    for cell in ws[1]:
        if cell.value in values:
            ws.cell(row=2, column=cell.column, value=values[cell.value])
    wb.save(out)
    return out


def upload(page, path):
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(path))
    wait_for_app(page)


def clipped(page) -> list[str]:
    """The visible table cells whose text is wider than the cell (measured in the DOM)."""
    return page.evaluate(
        """() => [...document.querySelectorAll("[data-testid='stTable'] td, [data-testid='stTable'] th")]
            .filter(c => c.offsetParent !== null && c.scrollWidth > c.clientWidth + 1)
            .map(c => c.innerText.slice(0, 60))"""
    )


def test_template_to_commit_to_rollback_in_the_browser(tmp_path, sample_data_dir, monkeypatch):
    data = tmp_path / "data"
    shutil.copytree(sample_data_dir, data)
    monkeypatch.setenv("KLA_DATA_DIR", str(data))
    add_accounts(data)
    before = warehouse.current_version()
    with streamlit_server(data) as url, browser_page(1440, 1600) as page:
        page.goto(url + "/")
        wait_for_app(page)
        rbra_before = metric(page, RBRA_LABEL)
        sign_in(page, url, ADMIN)  # an admin: uploads like an analyst and may roll back

        page.goto(url + "/data")
        wait_for_app(page)
        page.get_by_role("tab", name="Templat").click()
        with page.expect_download() as dl:
            page.get_by_role("button", name="rbra — Ruang Bermain Ramah Anak (RBRA)").click()
        template = tmp_path / dl.value.suggested_filename
        dl.value.save_as(template)
        bad = fill(template, tmp_path / "rbra_isian.xlsx", "Kendri")
        good = fill(template, tmp_path / "rbra_isian_perbaikan.xlsx", "Mandonga")

        page.get_by_role("tab", name="Unggah").click()
        upload(page, bad)
        page.get_by_text("Tidak ada data yang disimpan").wait_for(timeout=60_000)
        assert page.get_by_role("button", name="Simpan sebagai versi data baru").count() == 0
        screenshot(page, "data_errors")
        # the whole message and its "Mungkin maksudnya" suggestion are on the page, nothing cut off (issue 21)
        problems = page.locator("[data-testid='stTable'] table").first
        assert "Mungkin maksudnya" in problems.inner_text()
        assert not clipped(page), clipped(page)
        page.get_by_role("button", name="Remove rbra_isian.xlsx").click()
        wait_for_app(page)
        upload(page, good)
        page.get_by_text("Yang akan berubah bila disimpan").wait_for(timeout=60_000)
        page.get_by_role("button", name="Simpan sebagai versi data baru").click()
        page.get_by_text("Tersimpan:").wait_for(timeout=60_000)
        assert page.locator("[data-testid='stException']").count() == 0
        committed = warehouse.current_version()
        assert committed != before

        page.goto(url + "/")
        wait_for_app(page)
        assert int(metric(page, RBRA_LABEL)) == int(rbra_before) + 1

        page.goto(url + "/data")
        wait_for_app(page)
        page.get_by_role("tab", name="Riwayat & versi").click()
        screenshot(page, "data_history")
        assert not clipped(page), clipped(page)
        page.get_by_text("Saya yakin ingin kembali ke versi").click()
        wait_for_app(page)
        page.get_by_role("button", name="Kembalikan").click()
        page.get_by_text("Dasbor sekarang memakai versi").wait_for(timeout=60_000)
    assert warehouse.current_version() == before
