"""Tables show every word (issue 21), in Chromium at the projector's 1280x720 and a 390x844 phone: on Progres,
Kekerasan and Peta no table cell's text is cut (measured in the DOM: scrollWidth against clientWidth, no
ellipsis), the page body never scrolls sideways (a wide table scrolls inside its own box), and the status colours
are still on their cells (computed background colour). The tables are kla.shell.text_table (st.table)."""

from __future__ import annotations

import shutil

import pytest

from kla import klaster, palette
from kla.i18n import t
from tests.conftest import ANALIS, add_accounts
from tests.e2e_support import browser_page, chromium_path, screenshot, sign_in, streamlit_server, wait_for_app

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(chromium_path() is None, reason="Debian chromium is not installed (make test installs it)"),
]

SIZES = [(1280, 720), (390, 844)]

# every visible table cell: its text cut (wider than the cell, or an ellipsis), the table's box and the page
MEASURE = """() => {
  const cells = [...document.querySelectorAll("[data-testid='stTable'] td, [data-testid='stTable'] th")]
    .filter(c => c.offsetParent !== null);
  const cut = cells.filter(c => c.scrollWidth > c.clientWidth + 1
      || [c, ...c.querySelectorAll('*')].some(e => getComputedStyle(e).textOverflow === 'ellipsis'
                                                  && e.scrollWidth > e.clientWidth + 1))
    .map(c => c.innerText.slice(0, 60));
  const main = document.querySelector("[data-testid='stMain']");
  const boxes = [...document.querySelectorAll("[data-testid='stTable']")].filter(t => t.offsetParent !== null)
    .map(t => t.getBoundingClientRect().right);
  const grids = [...document.querySelectorAll("[data-testid='stDataFrame']")].filter(g => g.offsetParent !== null);
  return {cells: cells.length, cut, grids: grids.length,
          page: [main.scrollWidth, main.clientWidth, document.documentElement.scrollWidth, window.innerWidth],
          right: Math.max(0, ...boxes)};
}"""


def rgb(hex_colour: str) -> str:
    h = hex_colour.lstrip("#")
    return "rgb({}, {}, {})".format(*(int(h[i : i + 2], 16) for i in (0, 2, 4)))


def background(page, key: str, text: str) -> str:
    """The computed background colour of the first cell of table `key` that reads `text`."""
    cell = page.locator(f".st-key-{key} [data-testid='stTable'] td").filter(has_text=text).first
    return cell.evaluate("c => getComputedStyle(c).backgroundColor")


def check(page, where: str) -> dict:
    wait_for_app(page)
    page.wait_for_timeout(400)
    found = page.evaluate(MEASURE)
    assert page.locator("[data-testid='stException']").count() == 0, where
    assert found["cells"] > 0, (where, "no table on screen")
    assert found["cut"] == [], (where, found["cut"])
    main_scroll, main_width, doc_scroll, window = found["page"]
    assert main_scroll <= main_width and doc_scroll <= window, (where, "the page scrolls sideways", found["page"])
    assert found["right"] <= window + 1, (where, "a table box is wider than the window")
    return found


@pytest.fixture(scope="module")
def server(tmp_path_factory, geo_data_dir):
    data = tmp_path_factory.mktemp("kla-tables") / "data"
    shutil.copytree(geo_data_dir, data)
    add_accounts(data)
    with streamlit_server(data) as url:
        yield url


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_progres_tables_show_every_word_and_keep_their_colours(server, size):
    width, height = size
    with browser_page(width, height) as page:
        sign_in(page, server, ANALIS)  # an analyst: the task texts and notes, the longest cells
        page.goto(server + "/progres")
        wait_for_app(page)
        page.get_by_role("tab", name=t("progres.tab_indicators")).click()
        found = check(page, "24 indikator")
        assert found["grids"] == 0  # the 24 indicators are a table, not a canvas grid
        rows = page.locator(".st-key-indicator_table [data-testid='stTable'] tbody tr")
        assert rows.count() == 24
        # the status colour stays on its cell: the colour of the status the first row shows
        label = rows.first.locator("td").nth(1).inner_text().strip()
        status = next(k for k in klaster.STATUS_COLORS if t(f"progres.status_{k}") == label)
        assert background(page, "indicator_table", label) == rgb(klaster.STATUS_COLORS[status])
        screenshot(page, f"tables_progres_indikator_{width}")

        page.get_by_role("tab", name=t("progres.tab_opd")).click()
        check(page, "per OPD")
        assert page.locator(".st-key-opd_table [data-testid='stTable']").count() == 1
        assert page.locator(".st-key-opd_indicators [data-testid='stTable']").count() == 1

        page.get_by_role("tab", name=t("progres.tab_followups")).click()
        check(page, "tindak lanjut")
        late = t("progres.tl_late_mark")
        assert background(page, "tl_table", late) == rgb(palette.DANGER)  # the late mark in red
        assert page.locator(".st-key-tl_opd_table [data-testid='stTable']").count() == 1
        screenshot(page, f"tables_progres_tindak_lanjut_{width}")

        page.get_by_role("tab", name=t("progres.tab_stages")).click()
        check(page, "tahap")
        assert page.locator(".st-key-stage_table [data-testid='stTable']").count() == 1


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_kekerasan_table_shows_every_kecamatan_and_the_total(server, size):
    width, height = size
    with browser_page(width, height) as page:
        page.goto(server + "/kekerasan")
        check(page, "kekerasan")
        table = page.locator(".st-key-kek_table [data-testid='stTable']")
        text = table.inner_text()
        for name in ("Nambo", "Wua-Wua", "Mandonga", t("kekerasan.total")):  # the review found these cut off
            assert name in text, name
        assert page.locator(".st-key-recap_table [data-testid='stTable']").count() == 1
        screenshot(page, f"tables_kekerasan_{width}")


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_peta_tables_show_every_word(server, size):
    width, height = size
    with browser_page(width, height) as page:
        page.goto(server + "/peta")
        wait_for_app(page)
        box = page.locator(".st-key-peta_kec input")  # the drill-down panel of Mandonga
        box.scroll_into_view_if_needed()
        box.click()
        box.fill("Mandonga")
        page.get_by_role("option").filter(has_text="Mandonga").first.wait_for(timeout=30_000)
        page.keyboard.press("Enter")
        page.locator(".st-key-peta_panel").wait_for(timeout=60_000)
        check(page, "peta")
        for key in ("peta_kel_table", "peta_rbra_table", "peta_unreached", "peta_proposals"):
            assert page.locator(f".st-key-{key} [data-testid='stTable']").count() == 1, key
        proposals = page.locator(".st-key-peta_proposals [data-testid='stTable']").inner_text()
        assert t("peta.col_lon") in proposals  # the review found Bujur cut off
        years = page.locator(".st-key-peta_rbra_table [data-testid='stTable'] tbody tr td").last.inner_text()
        assert "." not in years  # a year, not "2.020"
        screenshot(page, f"tables_peta_{width}")
