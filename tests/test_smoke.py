"""Smoke tests: does an installation serve? (`make bundle-check` runs these in the offline-installed copy.)

The sample warehouse built by the real ETL, the real Streamlit server answering its health check and drawing the
front page in Debian's chromium, and a chart drawn to PNG by kaleido with that chromium (the meeting deck's path).
Small on purpose: `pytest -m smoke` is the check that the bundle installed everything, not a feature test.
"""

from __future__ import annotations

import urllib.request

import pytest

from tests.e2e_support import browser_page, screenshot, streamlit_server, wait_for_app

pytestmark = pytest.mark.smoke


def test_server_serves_the_front_page(sample_data_dir):
    with streamlit_server(sample_data_dir) as url:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=10) as r:
            assert r.read().decode().strip() == "ok"
        with browser_page(1280, 720) as page:
            page.goto(url)
            wait_for_app(page)
            screenshot(page, "smoke-ringkasan-1280x720")
            assert page.locator("[data-testid='stException']").count() == 0
            text = page.locator("[data-testid='stMain']").inner_text()
            assert "Ringkasan" in text, text[:500]
            assert "Kendari" in text, text[:500]


def test_chart_png_with_debian_chromium():
    import plotly.graph_objects as go

    from kla import export

    assert export.unavailable() is None, export.unavailable()
    image = export.png(go.Figure(go.Bar(x=["Kadia", "Puuwatu"], y=[3, 5])), width=400, height=300, scale=1)
    assert image[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(image) > 2000
