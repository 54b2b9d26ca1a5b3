"""Peta in Chromium with Kendari's real boundaries: the map draws offline (its names with the app's own glyphs), a
click on a kecamatan opens its panel, the map is on the first screen of a 390x844 phone, a 1280x720 projector and a
1440x900 laptop under the headline card, a tap on an RBRA point shows its detail, and no request leaves the
machine."""

from __future__ import annotations

import urllib.error
import urllib.request

import geopandas as gpd
import pytest

from tests.conftest import GEO, sql
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


MAP_READY = (
    "(() => { const gd = document.querySelector('.js-plotly-plot');"
    " return gd && gd._fullLayout.map && gd._fullLayout.map._subplot.map.loaded(); })()"
)
# Where the map and the headline card sit in the window (CSS px from the top of the first screen).
PLACES = """() => {
    const map = document.querySelector('.js-plotly-plot').getBoundingClientRect();
    const card = document.querySelector('.st-key-peta_cards [data-testid="stMetric"]').getBoundingClientRect();
    return {map: map.top, card: card.bottom, height: innerHeight};
}"""
# The RBRA point farthest from any other among those on screen (a tap there cannot land on a neighbour): its
# customdata and page position.
LONELY_POINT = """() => {
    const gd = document.querySelector('.js-plotly-plot');
    const map = gd._fullLayout.map._subplot.map;
    const box = map.getCanvas().getBoundingClientRect();
    const pts = [];
    for (const cd of gd.calcdata) {
        const tr = cd[0].trace;
        if (!tr.customdata || !String(tr.customdata[0]).startsWith('rbra:')) continue;
        cd.forEach((d, i) => {
            const p = map.project(d.lonlat);
            pts.push({id: tr.customdata[i], x: box.left + p.x, y: box.top + p.y});
        });
    }
    const seen = pts.filter(p => p.y > box.top + 20 && p.y < Math.min(innerHeight, box.bottom) - 20);
    let best = null, far = -1;
    for (const p of seen) {
        const d = Math.min(...pts.filter(q => q !== p).map(q => Math.hypot(q.x - p.x, q.y - p.y)));
        if (d > far) { far = d; best = p; }
    }
    return best;
}"""


def _open_map(page, url: str) -> dict:
    page.goto(url + "/peta")
    wait_for_app(page)
    page.wait_for_function(MAP_READY, timeout=60_000)
    page.wait_for_timeout(500)  # the names' glyphs
    assert page.locator("[data-testid='stException']").count() == 0
    return page.evaluate(PLACES)


def test_map_first_on_phone_and_projector_and_a_tap_shows_the_detail(geo_data_dir):
    requests = []
    with streamlit_server(geo_data_dir) as url, browser_page(1280, 720) as page:
        page.on("request", lambda r: requests.append(r.url))
        for width, height in ((1280, 720), (1440, 900)):
            page.set_viewport_size({"width": width, "height": height})
            at = _open_map(page, url)
            # under the headline card, and at least 300 px of it on the first screen
            assert at["card"] <= at["map"] <= height - 300, (width, height, at)
            screenshot(page, f"peta-{width}x{height}")
        phone = page.context.browser.new_context(
            viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True, device_scale_factor=2
        )
        tap = phone.new_page()
        tap.on("request", lambda r: requests.append(r.url))
        at = _open_map(tap, url)
        assert at["card"] <= at["map"] <= 844 - 300, at
        screenshot(tap, "peta-390x844")
        point = tap.evaluate(LONELY_POINT)
        rbra_id = point["id"].removeprefix("rbra:")
        name = sql(geo_data_dir, "SELECT nama FROM fact_rbra WHERE rbra_id = ?", [rbra_id])["nama"].iloc[0]
        tap.touchscreen.tap(point["x"], point["y"])
        detail = tap.locator(".st-key-peta_selected")
        detail.wait_for(timeout=30_000)
        wait_for_app(tap)
        text = detail.inner_text()
        assert text.startswith(name) and "Anak dalam 500 m dari RBRA ini:" in text, text
        assert tap.locator("[data-testid='stException']").count() == 0
        detail.scroll_into_view_if_needed()
        screenshot(tap, "peta-390x844-tap")
        phone.close()
        with urllib.request.urlopen(url + "/kla/map/glyphs/DejaVu%20Sans%20Bold/0-255.pbf", timeout=10) as r:
            assert r.status == 200 and len(r.read()) > 10_000
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(url + "/kla/map/glyphs/Open%20Sans%20Regular/0-255.pbf", timeout=10)
    assert any("/kla/map/glyphs/" in u for u in requests)  # the names were drawn with the app's own glyphs
    outside = [u for u in requests if not u.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:"))]
    assert outside == [], f"requests left the machine: {outside}"
