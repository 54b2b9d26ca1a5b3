"""Partisipasi Anak in Chromium with Kendari's real boundaries and the ETL sample: the Forum Anak map is drawn
(MapLibre, offline, names with the app's own glyphs) on the first screen of a 1280x720 projector, a 1440x900 laptop
and a 390x844 phone, under the title and the headline card; each kelurahan is drawn in its forum's class; the
charts below are drawn; no request leaves the machine. Screenshots: tests/artifacts/partisipasi-*.png."""

from __future__ import annotations

import pytest

from tests.conftest import sql
from tests.e2e_support import browser_page, chromium_path, screenshot, streamlit_server, wait_for_app

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(chromium_path() is None, reason="Debian chromium is not installed (make test installs it)"),
]

MAP_READY = (
    "(() => { const gd = document.querySelector('.st-key-pa_map .js-plotly-plot');"
    " return gd && gd._fullLayout.map && gd._fullLayout.map._subplot.map.loaded(); })()"
)
# Where the map and the headline card sit in the window, and what the map drew: the areas per legend entry and
# whether MapLibre rendered each kelurahan feature (its source holds them all)
PLACES = """() => {
    const gd = document.querySelector('.st-key-pa_map .js-plotly-plot');
    const map = gd.getBoundingClientRect();
    const card = document.querySelector('.st-key-pa_cards [data-testid="stMetric"]').getBoundingClientRect();
    const classes = {};
    for (const tr of gd.data) if (tr.type === 'choroplethmap') classes[tr.name] = tr.locations.length;
    const ml = gd._fullLayout.map._subplot.map;
    const canvas = ml.getCanvas().getBoundingClientRect();
    return {map: map.top, card: card.bottom, height: innerHeight, classes,
            canvas: [canvas.width, canvas.height], rendered: ml.queryRenderedFeatures().length};
}"""
SIZES = ((1280, 720), (1440, 900))


@pytest.fixture(scope="module")
def server(geo_data_dir):
    with streamlit_server(geo_data_dir) as url:
        yield url


def _open(page, url: str) -> dict:
    page.goto(url + "/partisipasi")
    wait_for_app(page)
    page.wait_for_function(MAP_READY, timeout=60_000)
    page.wait_for_timeout(800)  # the names' glyphs
    assert page.locator("[data-testid='stException']").count() == 0
    return page.evaluate(PLACES)


def _truth(data_dir) -> dict[str, int]:
    """Kelurahan drawn per class, from SQL: active forum, a forum not active, none (those with a polygon)."""
    row = sql(
        data_dir,
        """WITH f AS (SELECT * FROM fact_forum_anak WHERE tingkat = 'kelurahan'
                      QUALIFY row_number() OVER (PARTITION BY forum_id ORDER BY tahun DESC) = 1)
           SELECT count(*) FILTER (WHERE f.aktif) AS aktif,
                  count(*) FILTER (WHERE f.forum_id IS NOT NULL AND f.aktif IS DISTINCT FROM true) AS tidak,
                  count(*) FILTER (WHERE f.forum_id IS NULL) AS belum
           FROM geo_batas g LEFT JOIN f ON f.kode_wilayah = g.kode WHERE g.level = 'kelurahan'""",
    ).iloc[0]
    out = {"Forum aktif": int(row["aktif"]), "Ada forum, tidak aktif": int(row["tidak"])}
    out["Belum ada forum"] = int(row["belum"])
    return {k: v for k, v in out.items() if v}


def test_the_forum_map_is_on_the_first_screen_offline(server, geo_data_dir):
    requests = []
    truth = _truth(geo_data_dir)
    with browser_page(1280, 720) as page:
        page.on("request", lambda r: requests.append(r.url))
        for width, height in SIZES:
            page.set_viewport_size({"width": width, "height": height})
            at = _open(page, server)
            # under the headline card, and at least 300 px of it on the first screen
            assert at["card"] <= at["map"] <= height - 300, (width, height, at)
            assert at["classes"] == truth and at["rendered"] > 0, at
            screenshot(page, f"partisipasi-{width}x{height}")
        phone = page.context.browser.new_context(
            viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True, device_scale_factor=2
        )
        tap = phone.new_page()
        tap.on("request", lambda r: requests.append(r.url))
        at = _open(tap, server)
        assert at["card"] <= at["map"] <= 844 - 300, at
        assert at["canvas"][0] <= 390 and at["rendered"] > 0, at
        screenshot(tap, "partisipasi-390x844")
        # the charts further down are drawn too (plotly made their SVG)
        main = tap.locator("[data-testid='stMain']")
        main.evaluate("m => m.scrollTo(0, m.scrollHeight)")
        tap.wait_for_timeout(800)
        drawn = tap.evaluate(
            "() => [...document.querySelectorAll('.js-plotly-plot')].filter(g => g.querySelector('.main-svg')).length"
        )
        assert drawn >= 5, drawn  # map, shares, statuses, themes, OPD
        screenshot(tap, "partisipasi-390x844-bottom")
        phone.close()
    assert any("/kla/map/glyphs/" in u for u in requests)  # the names were drawn with the app's own glyphs
    outside = [u for u in requests if not u.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:"))]
    assert outside == [], f"requests left the machine: {outside}"


def test_an_analyst_reviews_a_text_in_the_browser_and_the_public_then_sees_it(tmp_path, geo_data_dir):
    """The review form as a person uses it: open it, edit the wording, press the button; the browser sends the chosen
    option's label back, so two proposals with the same words must still open their own form (the first pick of
    the list has a twin in the sample). The public then sees the reviewed wording; nothing leaves the machine."""
    import shutil

    from tests.conftest import ANALIS, add_accounts
    from tests.e2e_support import sign_in

    data = tmp_path / "data"
    shutil.copytree(geo_data_dir, data)
    add_accounts(data)
    wording = "Internet sehat dan aman di sekolah (ditinjau e2e)"
    requests = []
    with streamlit_server(data) as url, browser_page(1440, 900) as page:
        page.on("request", lambda r: requests.append(r.url))
        sign_in(page, url, ANALIS)
        page.goto(url + "/partisipasi")
        wait_for_app(page)
        form = page.locator("[data-testid='stExpander']", has_text="Tinjau teks usulan")
        form.locator("summary").click()
        form.locator("textarea").wait_for()
        picked = form.inner_text()  # the chosen option's label as shown, and its text
        form.locator("textarea").fill(wording)
        form.get_by_role("button", name="Tandai sudah ditinjau dan tampilkan").click()
        page.get_by_text("Teks usulan tampil untuk publik").wait_for(timeout=60_000)
        assert page.locator("[data-testid='stException']").count() == 0
        screenshot(page, "partisipasi-review")
    row = sql(data, "SELECT usulan_id, usulan, ditinjau_oleh FROM fact_usulan_anak WHERE teks_publik = ?", [wording])
    assert len(row) == 1 and row["ditinjau_oleh"][0] == ANALIS[0]
    # the proposal the analyst had chosen, not a twin: a twin's label ends in its id
    assert row["usulan"][0][:30] in picked and ("#" not in picked or "#" + row["usulan_id"][0][:8] in picked)
    with streamlit_server(data) as url, browser_page(1280, 720) as page:
        page.on("request", lambda r: requests.append(r.url))
        page.goto(url + "/partisipasi")
        wait_for_app(page)
        page.get_by_text(wording).first.wait_for(timeout=60_000)
    outside = [u for u in requests if not u.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:"))]
    assert outside == [], f"requests left the machine: {outside}"
