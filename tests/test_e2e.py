"""End to end: the real Streamlit server, Debian chromium driven by Playwright, the sample warehouse."""

from __future__ import annotations

import pytest

from etl import warehouse
from kla import i18n
from kla.fmt import fmt_int
from tests.conftest import year_label
from tests.e2e_support import browser_page, chromium_path, screenshot, streamlit_server, wait_for_app

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(chromium_path() is None, reason="Debian chromium is not installed (make test installs it)"),
]


@pytest.fixture(scope="module")
def server(sample_data_dir):
    with streamlit_server(sample_data_dir) as url:
        yield url


def truth(data_dir, sql, params=()):
    version = (data_dir / "warehouse" / "CURRENT").read_text().strip()
    con = warehouse.open_file(data_dir / "warehouse" / f"kla-{version}.duckdb")
    try:
        return con.execute(sql, params).fetchone()[0]
    finally:
        con.close()


def metric_values(page) -> dict[str, str]:
    out = {}
    for card in page.locator("[data-testid='stMetric']").all():
        label = card.locator("[data-testid='stMetricLabel']").inner_text().strip()
        out[label] = card.locator("[data-testid='stMetricValue']").inner_text().strip()
    return out


def test_ringkasan_in_chromium(server, sample_data_dir):
    with browser_page() as page:
        requests = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(server)
        wait_for_app(page)
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)
        assert page.locator(".js-plotly-plot").count() == 2
        year = truth(sample_data_dir, "SELECT max(tahun) FROM fact_penduduk")
        children = truth(sample_data_dir, "SELECT sum(jumlah_anak) FROM fact_penduduk WHERE tahun = ?", [year])
        cases = truth(sample_data_dir, "SELECT count(*) FROM fact_kasus WHERE year(bulan_pelaporan) = ?", [year])
        shown = metric_values(page)
        assert shown["Jumlah anak 0-17 tahun"] == fmt_int(children)
        assert shown[f"Kasus kekerasan terhadap anak {year_label(sample_data_dir, year)}"] == fmt_int(cases)
        assert shown["Kategori"] == "Nindya"
        assert "Data contoh (sintetis)" in page.locator("[data-testid='stAlert']").first.inner_text()
        screenshot(page, "ringkasan")
        # the whole-city option reads as such (a None option would show the "Choose an option" placeholder)
        kec_input = page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox'] input").nth(2)
        assert kec_input.input_value() == "Seluruh Kota Kendari"

        # change the kecamatan filter in the sidebar, as a user would
        page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").nth(2).click()
        page.get_by_role("option", name="Puuwatu").click()
        wait_for_app(page)
        page.wait_for_function(
            "expected => [...document.querySelectorAll(\"[data-testid='stMetricValue']\")]"
            ".some(e => e.innerText.trim() === expected)",
            arg=fmt_int(
                truth(
                    sample_data_dir,
                    "SELECT sum(jumlah_anak) FROM fact_penduduk WHERE tahun = ? AND kode_kecamatan = '74.71.09'",
                    [year],
                )
            ),
            timeout=30_000,
        )
        assert page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").count() == 3
        screenshot(page, "ringkasan-puuwatu")

    outside = [u for u in requests if not u.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:"))]
    assert outside == [], f"requests left the machine: {outside}"


def test_english_via_url(server):
    with browser_page() as page:
        page.goto(server + "/?lang=en")
        wait_for_app(page)
        assert page.locator("h1").first.inner_text().strip() == "Summary"
        assert "Children (aged 0-17)" in metric_values(page)


def test_kekerasan_opened_directly_on_a_fresh_server(sample_data_dir):
    """The first visit after a server start goes straight to /kekerasan (Streamlit's legacy pages/ mode)."""
    with streamlit_server(sample_data_dir) as url, browser_page(1440, 3400) as page:
        requests = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(url + "/kekerasan")
        wait_for_app(page)
        page.wait_for_function("document.querySelectorAll('.js-plotly-plot .main-svg').length >= 10", timeout=60_000)
        assert page.locator("h1").first.inner_text().strip() == "Kekerasan terhadap Anak"
        assert page.locator(".js-plotly-plot").count() == 12  # 10 of the register, 2 of the shipped recaps
        assert page.locator("[data-testid='stException']").count() == 0
        assert "Data contoh (sintetis)" in page.locator("[data-testid='stAlert']").first.inner_text()
        screenshot(page, "kekerasan")
    outside = [u for u in requests if not u.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:"))]
    assert outside == [], f"requests left the machine: {outside}"


def test_a_link_restores_a_view(server, sample_data_dir):
    """Issue 21 item 6: the sidebar's year and kecamatan and the Kekerasan filters live in the URL, so an analyst
    can send a link to a view; changing a filter writes it to the URL."""
    from urllib.parse import parse_qs, urlparse

    year = 2022
    cases = truth(
        sample_data_dir,
        "SELECT count(*) FROM fact_kasus WHERE year(bulan_pelaporan) = ? AND kode_kecamatan = '74.71.09'",
        [year],
    )
    with browser_page() as page:
        page.goto(f"{server}/?tahun={year}&kecamatan=Puuwatu")
        wait_for_app(page)
        page.wait_for_selector("[data-testid='stMetric']", timeout=30_000)
        inputs = page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox'] input")
        assert inputs.nth(1).input_value() == str(year) and inputs.nth(2).input_value() == "Puuwatu"
        shown = metric_values(page)
        assert shown[f"Kasus kekerasan terhadap anak {year}"] == ("<5" if 1 <= cases <= 4 else fmt_int(cases))
        # a filter changed on the page goes into the link
        page.goto(f"{server}/kekerasan?tahun={year}&kek_from=2020")
        wait_for_app(page)
        page.wait_for_selector("[data-testid='stMetric']", timeout=30_000)
        labels = [x.inner_text() for x in page.locator("[data-testid='stMetricLabel']").all()]
        assert any("2020-2022" in x for x in labels), labels
        inputs = page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox'] input")
        inputs.nth(1).click()
        page.get_by_role("option", name="2023", exact=True).click()
        page.wait_for_function("() => location.search.includes('tahun=2023')", timeout=30_000)
        query = parse_qs(urlparse(page.url).query)
        assert query["tahun"] == ["2023"] and query["kek_from"] == ["2020"]


STREAMLIT_ENGLISH = ("Choose options", "Choose an option", "Select all", "No results", "Select a date")


def test_one_language_at_a_time(server, sample_data_dir):
    """Issue 21 item 5 in Chromium at 1280x720: an Indonesian page shows none of Streamlit's English widget texts
    (placeholders, "Select all"), and an English page none of the data's Indonesian category words."""
    import csv
    from pathlib import Path

    with open(Path(__file__).parent.parent / "data" / "reference" / "kategori_data.csv", encoding="utf-8") as fh:
        words = {
            r["nilai"]
            for r in csv.DictReader(fh)
            if r["daftar"] in ("bentuk_kekerasan", "tempat_kejadian", "hubungan_pelaku", "layanan", "status_bukti")
            and len(r["nilai"]) > 4  # (short words such as "Guru" or "Ya" occur in other texts)
            and i18n.value(r["daftar"], r["nilai"], "en") != r["nilai"]  # ("Trafficking" is English too)
        }
    with browser_page(1280, 720) as page:
        for path in ("", "progres", "kekerasan", "peta"):
            page.goto(f"{server}/{path}")
            wait_for_app(page)
            page.wait_for_timeout(500)
            text = page.locator("[data-testid='stAppViewContainer']").inner_text()
            english = [w for w in STREAMLIT_ENGLISH if w in text]
            assert not english, (path, english)
        for path in ("kekerasan", "progres"):
            page.goto(f"{server}/{path}?lang=en")
            wait_for_app(page)
            page.wait_for_timeout(500)
            text = page.locator("[data-testid='stAppViewContainer']").inner_text()
            if path == "kekerasan":  # the breakdown charts' category names (plotly draws them as SVG text)
                text += " ".join(x or "" for x in page.locator(".js-plotly-plot text").all_text_contents())
            indonesian = sorted(w for w in words if w in text)
            assert not indonesian, (path, indonesian)
