"""Two kab/kota in Chromium: the Wilayah selector opens the province view, the province map draws both
kab/kota offline, and a click on one opens it (the drill-down from province to kab/kota)."""

from __future__ import annotations

import pytest

from tests.conftest import sql
from tests.e2e_support import PROJECT, browser_page, chromium_path, screenshot, streamlit_server, wait_for_app
from tests.test_region import KEC, two_cities, year_of  # noqa: F401  (two_cities is a fixture)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(chromium_path() is None, reason="Debian chromium is not installed (make test installs it)"),
]

MAP_READY = (
    "(() => { const gd = document.querySelector('.js-plotly-plot');"
    " return gd && gd._fullLayout.map && gd._fullLayout.map._subplot.map.loaded(); })()"
)


def region_input(page):
    return page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox'] input").nth(1)


def test_province_view_and_drill_down_to_a_kabkota(two_cities):  # noqa: F811
    year = year_of(two_cities)
    province = int(
        sql(two_cities, "SELECT sum(jumlah_anak) AS n FROM fact_penduduk WHERE tahun = ?", [year])["n"].iloc[0]
    )
    requests = []
    with streamlit_server(two_cities) as url, browser_page(1440, 2000) as page:
        page.on("request", lambda r: requests.append(r.url))
        page.goto(url)
        wait_for_app(page)
        assert region_input(page).input_value() == "· Kota Kendari"  # the configured kab/kota first
        page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").nth(1).click()
        page.get_by_role("option", name="Prov. Sulawesi Tenggara").click()
        wait_for_app(page)
        page.wait_for_function(
            "expected => [...document.querySelectorAll(\"[data-testid='stMetricValue']\")]"
            ".some(e => e.innerText.trim() === expected)",
            arg=f"{province:,}".replace(",", "."),
            timeout=30_000,
        )
        screenshot(page, "ringkasan-provinsi")

        page.locator("[data-testid='stSidebarNav'] a", has_text="Peta Cakupan").click()
        wait_for_app(page)
        page.wait_for_function(MAP_READY, timeout=60_000)
        assert page.locator("[data-testid='stException']").count() == 0
        assert region_input(page).input_value() == "Prov. Sulawesi Tenggara"
        screenshot(page, "peta-provinsi")
        name, lat, lon = KEC["74.72.02"]  # Wolio, inside Kota Baubau's outline
        x, y = page.evaluate(PROJECT, [lon, lat])
        page.mouse.click(x, y)
        page.wait_for_function(
            "() => [...document.querySelectorAll(\"[data-testid='stSidebar'] [data-testid='stSelectbox'] input\")]"
            ".some(e => e.value === '· Kota Baubau')",
            timeout=60_000,
        )
        wait_for_app(page)
        page.wait_for_function(MAP_READY, timeout=60_000)
        assert page.locator("[data-testid='stException']").count() == 0
        assert page.get_by_text("per kecamatan").count() > 0  # Baubau's own kecamatan now
        screenshot(page, "peta-baubau")
    outside = [u for u in requests if not u.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:"))]
    assert outside == [], f"requests left the machine: {outside}"
