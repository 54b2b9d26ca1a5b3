"""One script run per view (issue 18): a new session, a reload and a filter change each run app.py once, also
as the first visit after a server start with a page URL (Streamlit's legacy pages/ mode is switched off in
app.py before any session starts)."""

from __future__ import annotations

import time

import pytest

from tests.conftest import REPO
from tests.e2e_support import browser_page, chromium_path, streamlit_server, wait_for_app

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(chromium_path() is None, reason="Debian chromium is not installed")]


def runs(log) -> int:
    return len(log.read_text().splitlines()) if log.exists() else 0


def settle(page, log, quiet: float = 1.5) -> int:
    """Wait until the app is idle and no run has started for `quiet` seconds; the number of runs so far."""
    wait_for_app(page)
    n, since = runs(log), time.time()
    while time.time() - since < quiet:
        time.sleep(0.2)
        if runs(log) != n:
            n, since = runs(log), time.time()
    return n


def test_each_view_is_one_script_run(sample_data_dir, tmp_path, monkeypatch):
    log = tmp_path / "runs.log"
    monkeypatch.setenv("KLA_RUN_LOG", str(log))
    monkeypatch.setenv("PYTHONPATH", str(REPO / "tests" / "runlog"))
    with streamlit_server(sample_data_dir) as url, browser_page(1280, 900) as page:
        page.goto(url + "/kekerasan")  # the first visit after the start, straight to a page
        assert settle(page, log) == 1
        assert page.locator("h1").first.inner_text().strip() == "Kekerasan terhadap Anak"
        assert page.locator("[data-testid='stSidebarNav']").count() == 1
        page.reload()
        assert settle(page, log) == 2
        year = page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox'] input").nth(1)  # language, year
        before = year.input_value()
        page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").nth(1).click()
        page.get_by_role("option").nth(1).click()
        assert settle(page, log) == 3
        assert year.input_value() != before  # the first filter change is kept
        page.get_by_role("link", name="Ringkasan").click()
        assert settle(page, log) == 4
