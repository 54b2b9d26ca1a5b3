"""Presentasi in Chromium at a 1280x720 projector: every slide fits (nothing cut off), the arrow keys
move between slides, one click downloads a PPTX that opens, and nothing leaves the machine."""

from __future__ import annotations

import io

import pytest
from pptx import Presentation

from tests.e2e_support import browser_page, chromium_path, screenshot, streamlit_server, wait_for_app

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(chromium_path() is None, reason="Debian chromium is not installed (make test installs it)"),
]

FITS = """() => {
  const doc = document.documentElement;
  const main = document.querySelector('[data-testid="stMain"]') || document.body;
  const over = [...document.querySelectorAll('[data-testid="stMarkdownContainer"], .js-plotly-plot, button')]
      .filter(e => {
        const r = e.getBoundingClientRect();
        return r.width > 0 && (r.right > innerWidth + 1 || r.bottom > innerHeight + 1);
      })
      .map(e => e.innerText || e.className);
  return {scrollH: Math.max(doc.scrollHeight, main.scrollHeight), scrollW: doc.scrollWidth, over};
}"""


def test_slides_fit_a_projector_and_the_deck_downloads(geo_data_dir, tmp_path):
    requests = []
    with streamlit_server(geo_data_dir) as url, browser_page(1280, 720) as page:
        page.on("request", lambda r: requests.append(r.url))
        page.goto(url + "/presentasi")
        wait_for_app(page)
        assert page.locator("[data-testid='stSidebar']").is_hidden()
        total = int(page.get_by_text("Slide 1 dari").inner_text().split("dari")[1].split("·")[0])
        assert total == 6
        for n in range(1, total + 1):
            page.get_by_text(f"Slide {n} dari {total}").wait_for(timeout=30_000)
            wait_for_app(page)
            page.wait_for_timeout(600)
            fit = page.evaluate(FITS)
            assert fit["scrollH"] <= 720 and fit["scrollW"] <= 1280 and fit["over"] == [], (n, fit)
            assert page.locator("[data-testid='stException']").count() == 0
            screenshot(page, f"slide_{n}")
            page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowLeft")
        page.get_by_text(f"Slide {total - 1} dari {total}").wait_for(timeout=30_000)
        with page.expect_download(timeout=120_000) as dl:
            page.get_by_role("button", name="Unduh PPTX").click()
        path = tmp_path / dl.value.suggested_filename
        dl.value.save_as(path)
    prs = Presentation(io.BytesIO(path.read_bytes()))
    assert len(prs.slides) == 6 and path.suffix == ".pptx"
    outside = [u for u in requests if not u.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:"))]
    assert outside == [], f"requests left the machine: {outside}"
