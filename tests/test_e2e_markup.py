"""Markup stays text, in Chromium (issue 17). The kab/kota and a kecamatan are renamed, and an RBRA, an OPD, a
task and a recap source loaded, with a fake password form, external images, a style sheet and Markdown images and
links in their names (tests/hostile.py, through the CLI). On every public page: no password field, no form or
image pointing off the app, no style sheet from the data, no javascript: link; the names show as the text they
are; and the browser asks nothing of any other origin (every request is recorded)."""

from __future__ import annotations

import pytest

from kla.i18n import t
from tests import hostile
from tests.e2e_support import browser_page, chromium_path, screenshot, streamlit_server, wait_for_app

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(chromium_path() is None, reason="Debian chromium is not installed (make test installs it)"),
]

PROBE = """() => {
  const here = location.origin;
  const off = u => {
    if (!u) return false;
    try {
      const x = new URL(u, location.href);
      return !['data:', 'blob:', 'about:'].includes(x.protocol) && x.origin !== here;
    }
    catch (e) { return true; }
  };
  const html = e => e.outerHTML.slice(0, 160);
  const svgText = [...document.querySelectorAll('svg text')].map(t => t.textContent).join('\\n');
  return {
    passwords: [...document.querySelectorAll('input[type=password]')].map(html),
    forms: [...document.querySelectorAll('form')].filter(f => off(f.getAttribute('action'))).map(html),
    media: [...document.querySelectorAll('img, image, iframe, video, audio, source, object, embed')]
      .filter(e => off(e.getAttribute('src')) || off(e.getAttribute('href')) || off(e.getAttribute('xlink:href'))
                   || off(e.getAttribute('data')) || (e.getAttribute('srcset') || '').includes('//'))
      .map(html),
    styles: [...document.querySelectorAll('style, link[rel=stylesheet]')]
      .filter(s => (s.textContent || '').includes('body{display:none}') || off(s.getAttribute('href'))).map(html),
    links: [...document.querySelectorAll('a[href]')]
      .filter(a => a.getAttribute('href').trim().toLowerCase().startsWith('javascript')
                   || a.href.includes('evil.example'))
      .map(html),
    text: (document.body.innerText + '\\n' + svgText).replaceAll('\\u2060', ''),  // md_text's word joiners
    hidden: getComputedStyle(document.body).display === 'none',
  };
}"""


def check(page, where: str, shown: list[str]) -> None:
    """Nothing from the payload became an element; each of `shown` is on the page as text."""
    wait_for_app(page)
    page.wait_for_timeout(800)  # plotly draws after the script run
    found = page.evaluate(PROBE)
    for kind in ("passwords", "forms", "media", "styles", "links"):
        assert found[kind] == [], (where, kind, found[kind])
    assert not found["hidden"], where
    assert page.locator("[data-testid='stException']").count() == 0, where
    for text in shown:
        assert text in found["text"], (where, text[:40])


@pytest.fixture(scope="module")
def hostile_dir(tmp_path_factory, sample_data_dir):
    return hostile.build(sample_data_dir, tmp_path_factory.mktemp("kla-markup-e2e"), boundaries=True)


def test_hostile_names_stay_text_and_nothing_is_fetched_elsewhere(hostile_dir):
    requests, dialogs = [], []
    with streamlit_server(hostile_dir) as url, browser_page(1440, 1400) as page:
        page.on("request", lambda r: requests.append(r.url))
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

        page.goto(url + "/")
        check(page, "ringkasan", [hostile.KOTA, f"Dasbor KLA {hostile.KOTA}"])  # the lead and the sidebar title
        screenshot(page, "markup_ringkasan")

        page.goto(url + "/progres")
        check(page, "progres", [])
        page.get_by_role("tab", name="Per OPD").click()
        check(page, "progres OPD", [hostile.OPD])  # the points-at-stake chart's labels
        page.get_by_role("tab", name="Tindak lanjut rapat").click()
        check(page, "progres tindak lanjut", [])

        page.goto(url + "/peta")
        check(page, "peta", [])
        box = page.locator(".st-key-peta_kec input")  # the drill-down of the hostile kecamatan: type, Enter
        box.click()
        box.fill("Mandonga")
        page.get_by_role("option").filter(has_text="Mandonga <form").first.wait_for(timeout=30_000)
        page.keyboard.press("Enter")
        page.locator(".st-key-peta_panel").wait_for(timeout=60_000)
        check(page, "peta panel", [f"{t('peta.kec_prefix')} {hostile.KECAMATAN}"])
        screenshot(page, "markup_peta")

        page.goto(url + "/kekerasan")
        check(page, "kekerasan", [hostile.KECAMATAN, hostile.SOURCE])  # the rates chart's labels, the recap legend
        screenshot(page, "markup_kekerasan")

        page.goto(url + "/presentasi")
        wait_for_app(page)
        total = int(page.get_by_text("Slide 1 dari").inner_text().split("dari")[1].split("·")[0])
        for n in range(1, total + 1):
            page.get_by_text(f"Slide {n} dari {total}").wait_for(timeout=30_000)
            check(page, f"slide {n}", [hostile.KOTA] if n == 1 else [])  # "Anak-anak <kota>, 2025" and the footer
            page.keyboard.press("ArrowRight")
    assert dialogs == []
    outside = [u for u in requests if not u.startswith((url, url.replace("http", "ws"), "data:", "blob:"))]
    assert outside == [], f"the browser fetched from elsewhere: {outside}"
    assert requests, "no request was recorded"
