"""Progres Klaster in Chromium: charts and table render offline; a follow-up edited in the browser
survives a restart of the app (it is a new warehouse version, not session state)."""

from __future__ import annotations

import shutil

import pytest

from etl import warehouse
from tests.conftest import ANALIS, add_accounts
from tests.e2e_support import browser_page, chromium_path, screenshot, sign_in, streamlit_server, wait_for_app

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(chromium_path() is None, reason="Debian chromium is not installed (make test installs it)"),
]

NOTE = "Diubah di peramban: SK terbit"


def edit_form(page):
    return page.locator("[data-testid='stExpander']").filter(has_text="Ubah tugas")


def test_progres_renders_and_an_edit_survives_a_restart(tmp_path, sample_data_dir, monkeypatch):
    data = tmp_path / "data"
    shutil.copytree(sample_data_dir, data)
    monkeypatch.setenv("KLA_DATA_DIR", str(data))
    add_accounts(data)
    versions = warehouse.list_versions()
    requests = []
    with streamlit_server(data) as url, browser_page(1440, 1400) as page:
        page.on("request", lambda r: requests.append(r.url))
        sign_in(page, url, ANALIS)
        page.goto(url + "/progres")
        wait_for_app(page)
        page.wait_for_function("document.querySelectorAll('.js-plotly-plot .main-svg').length >= 3", timeout=60_000)
        assert page.locator("h1").first.inner_text().strip() == "Progres Klaster KLA"
        assert page.locator("[data-testid='stException']").count() == 0
        screenshot(page, "progres")
        page.get_by_role("tab", name="24 indikator").click()
        # the 24 indicators as a whole-text table (issue 21: an HTML table, not a grid that cuts its cells)
        page.locator("[data-testid='stTable'] >> visible=true").first.wait_for(state="visible")
        page.get_by_role("tab", name="Tindak lanjut rapat").click()
        form = edit_form(page)
        form.locator("summary").click()
        form.get_by_label("Catatan").fill(NOTE)
        form.get_by_role("button", name="Simpan perubahan").click()
        page.get_by_text("Tersimpan sebagai versi data").wait_for(timeout=60_000)
        assert page.locator("[data-testid='stException']").count() == 0
    assert len(warehouse.list_versions()) == len(versions) + 1
    outside = [u for u in requests if not u.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:"))]
    assert outside == [], f"requests left the machine: {outside}"

    with streamlit_server(data) as url, browser_page(1440, 1400) as page:  # a restarted app
        sign_in(page, url, ANALIS)
        page.goto(url + "/progres")
        wait_for_app(page)
        page.get_by_role("tab", name="Tindak lanjut rapat").click()
        form = edit_form(page)
        form.locator("summary").click()
        assert form.get_by_label("Catatan").input_value() == NOTE
