"""Peta in Chromium with Kendari's real boundaries: the map draws offline, a click on a kecamatan
opens its panel, and no request leaves the machine."""

from __future__ import annotations

import geopandas as gpd
import pytest

from tests.conftest import GEO
from tests.e2e_support import PROJECT, browser_page, chromium_path, screenshot, streamlit_server, wait_for_app

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(chromium_path() is None, reason="Debian chromium is not installed (make test installs it)"),
]


def test_map_click_opens_panel_offline(geo_data_dir):
    kec = gpd.read_file(GEO / "kendari_kecamatan.geojson")
    target = kec[kec["kode_kemendagri"] == "74.71.09"].iloc[0]  # Puuwatu
    inside = target.geometry.representative_point()
    requests = []
    with streamlit_server(geo_data_dir) as url, browser_page(1440, 2200) as page:
        page.on("request", lambda r: requests.append(r.url))
        page.goto(url + "/peta")
        wait_for_app(page)
        page.wait_for_selector(".js-plotly-plot .maplibregl-canvas", timeout=60_000)
        page.wait_for_function(
            "(() => { const gd = document.querySelector('.js-plotly-plot');"
            " return gd && gd._fullLayout.map && gd._fullLayout.map._subplot.map.loaded(); })()",
            timeout=60_000,
        )
        assert page.locator("[data-testid='stException']").count() == 0
        screenshot(page, "peta")
        x, y = page.evaluate(PROJECT, [inside.x, inside.y])
        page.mouse.click(x, y)
        page.get_by_role("heading", name="Kec. Puuwatu").wait_for(timeout=30_000)
        wait_for_app(page)
        assert page.locator("[data-testid='stException']").count() == 0
        screenshot(page, "peta_panel")
    outside = [u for u in requests if not u.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:"))]
    assert outside == [], f"requests left the machine: {outside}"
