"""Markup stays text (issue 17): data-derived names reach Markdown, the HTML templates and plotly labels
escaped. Fast checks of the helpers, then every public page in AppTest against a warehouse whose names
carry a fake password form, external images, a style sheet and Markdown images/links (tests/hostile.py).
The browser-level proof (nothing rendered, nothing fetched off the app's origin) is tests/test_e2e_markup.py."""

from __future__ import annotations

import html
import json
import re

import pytest
from streamlit.testing.v1 import AppTest

from kla import charts, maps
from kla.fmt import WORD_JOINER, md_text, plot_text
from kla.i18n import t
from tests import hostile
from tests.figures import figure

APP = "../app.py"
PUBLIC_PAGES = [
    "pages/ringkasan.py",
    "pages/progres.py",
    "pages/kesiapan.py",
    "pages/peta.py",
    "pages/kekerasan.py",
    "pages/partisipasi.py",
    "pages/presentasi.py",
]
# the payload, unescaped (the app's own fixed templates have <style> and ** of their own)
RAW = (
    "<form action",
    "<input type",
    f"<img src=http://{hostile.EVIL}",
    "<style>body",
    "![x](",
    "[klik](",
    "**tebal**",
    "javascript:",
)
MARKDOWN_KINDS = ("markdown", "caption", "title", "header", "subheader", "error", "warning", "info", "success")
SPECIAL = set("&<>\"'\\`*_~[]$#|:@")


@pytest.mark.parametrize(
    "value",
    [
        hostile.PAYLOAD,
        hostile.KOTA,
        "**tebal** _miring_ `kode` $x$ :red[merah]",
        "- butir",
        "---",
        "1. daftar",
        "2)",
        "1.234",
        "# judul",
        "baris\n\n<img src=x>",
        "www.evil.example",
        "http://evil.example/x",
        "a@evil.example",
        "&lt;b&gt; sudah entitas",
        "Wua-Wua",
        "Kec. Mandonga (utara)",
    ],
)
def test_md_text_leaves_no_markup_character_and_reads_back(value):
    out = md_text(value)
    bare = re.sub(r"&#\d+;", "", out)  # what is left outside the character references
    assert not SPECIAL & set(bare), out
    assert not re.match(r"\s*([-+=]|\d+[.)](\s|$))", out), out  # no list item, rule or heading at the start
    assert not re.search(r"(?i)(https?:|www\.|\w@)", html.unescape(out)), out  # GFM would make a link of it
    assert "\n" not in out
    # Markdown and the browser decode it to the text (a URL keeps an invisible word joiner)
    assert html.unescape(out).replace(WORD_JOINER, "") == value.replace("\n", " ")


def test_md_text_keeps_plain_names_and_numbers_as_they_are():
    for name in ("Kota Kendari", "Wua-Wua", "Kec. Mandonga (utara)", "Dinas Perkim; DP3A", "1.234", "2024-2025"):
        assert md_text(name) == name
    assert md_text(None) == "" and md_text(12) == "12"


def test_plot_text_escapes_plotly_tags_only():
    assert plot_text('<b>x</b> & <a href="http://evil.example">y</a>') == (
        '&lt;b&gt;x&lt;/b&gt; &amp; &lt;a href="http://evil.example"&gt;y&lt;/a&gt;'
    )
    assert plot_text("Kota Kendari") == "Kota Kendari" and plot_text("<5") == "&lt;5"


def _strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for v in node.values():
            yield from _strings(v)
    elif isinstance(node, (list, tuple)):
        for v in node:
            yield from _strings(v)


def test_charts_escape_names_in_ticks_texts_legends_and_hovers():
    evil = hostile.OPD
    figs = [
        charts.protected_bars([evil, "Mandonga"], [3, 4], ["<5", "4"], "id", "kasus"),
        charts.points_at_stake([evil], [2.5], "id", "poin"),
        charts.recap_periods([evil], {evil: ([1], ["<5"])}, "id", "kasus"),  # labels: numbers, "<5", "*"
        charts.months_this_vs_last(["Jan"], [1], ["<5"], [2], ["2"], evil, "2024", "id", "kasus"),
    ]
    fig = maps.bubbles(
        __import__("pandas").DataFrame({"lat": [-3.9], "lon": [122.5], "kode": ["74.71.01"], "anak": [10.0]}),
        maps.METRICS["anak"],
        ["x"],
        "t",
        {"center": {"lat": -3.9, "lon": 122.5}, "zoom": 10},
        "id",
    )
    pts = __import__("pandas").DataFrame({"lat": [-3.9], "lon": [122.5], "status": [evil]})
    figs.append(maps.add_rbra(fig, pts, [plot_text(evil)], {}))
    for f in figs:
        texts = list(_strings(json.loads(f.to_json())))
        assert not [s for s in texts if any(r in s for r in ("<form", "<img", "<style", "<input"))]
        assert any("&lt;form" in s for s in texts)


# --- every public page in AppTest -------------------------------------------------------------------
@pytest.fixture(scope="module")
def hostile_dir(tmp_path_factory, sample_data_dir):
    return hostile.build(sample_data_dir, tmp_path_factory.mktemp("kla-markup"), boundaries=True)


def _markdown_values(block) -> list[tuple[str, str]]:
    out = [(kind, e.value) for kind in MARKDOWN_KINDS for e in block.get(kind)]
    for m in block.get("metric"):
        out += [("metric", m.proto.label), ("metric", m.proto.body), ("metric", m.proto.delta)]
    for tb in block.get("table"):  # kla.shell.text_table: every cell, header and index label md_text-escaped
        v = tb.value
        out += [("table", str(x)) for x in [*v.columns, *v.index, *v.to_numpy().ravel()]]
    for kind in ("expander", "tab", "slider", "selectbox", "multiselect", "radio", "button", "download_button"):
        out += [(kind, getattr(e, "label", None) or getattr(e.proto, "label", "")) for e in block.get(kind)]
    return out


def _raw(values) -> list:
    return [(kind, v) for kind, v in values if any(r in v for r in RAW)]


def _plotly_strings(block) -> list[str]:
    return [s for e in block.get("plotly_chart") for s in _strings(figure(e))]


def _app(monkeypatch, data_dir, state: dict | None = None):
    """Filters through session state before the first run (AppTest loses the frame's sidebar widgets on a rerun
    under st.navigation; see tests/test_app_ringkasan.py)."""
    monkeypatch.setenv("KLA_DATA_DIR", str(data_dir))
    at = AppTest.from_file(APP, default_timeout=180)
    for k, v in (state or {}).items():
        at.session_state[k] = v
    return at.run()


@pytest.mark.usefixtures("fresh_streamlit_caches")
def test_public_pages_show_hostile_names_as_text(monkeypatch, hostile_dir):
    at = _app(monkeypatch, hostile_dir)
    assert not at.exception, [e.value for e in at.exception]
    seen_escaped = set()
    for page in PUBLIC_PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        plotly = []
        if page.endswith("peta.py"):  # the kelurahan map, then the drill-down panel of the hostile kecamatan
            # kelurahan boundaries loaded (hostile.build, from data/publik/batas)
            at.radio(key="peta_level").set_value("kelurahan").run()
            plotly += _plotly_strings(at.main)
            assert any(s.startswith(f"<b>{t('peta.kel_prefix')} ") for s in plotly), "no kelurahan map"
            at.radio(key="peta_level").set_value("kecamatan").run()
            at.selectbox(key="peta_kec").select("74.71.01").run()
        values = _markdown_values(at.main)
        assert not _raw(values), (page, _raw(values))
        plotly += _plotly_strings(at.main)
        assert not [s for s in plotly if any(r in s for r in ("<form", "<img", "<style", "<input"))], page
        joined = "\n".join(v for _, v in values)
        for name in (hostile.KOTA, hostile.KECAMATAN, hostile.OPD, hostile.RBRA, hostile.SOURCE):
            if md_text(name) in joined:
                seen_escaped.add((page, name))
        for name in (hostile.OPD, hostile.KECAMATAN, hostile.SOURCE):
            if any(plot_text(name) in s for s in plotly):
                seen_escaped.add((page, "plot " + name))
    # the names are there, escaped (the test would otherwise pass on pages that show nothing)
    assert ("pages/ringkasan.py", hostile.KOTA) in seen_escaped
    assert ("pages/presentasi.py", hostile.KOTA) in seen_escaped
    assert ("pages/peta.py", hostile.KECAMATAN) in seen_escaped
    assert ("pages/progres.py", "plot " + hostile.OPD) in seen_escaped
    assert ("pages/kekerasan.py", "plot " + hostile.KECAMATAN) in seen_escaped
    assert ("pages/kekerasan.py", "plot " + hostile.SOURCE) in seen_escaped


@pytest.mark.usefixtures("fresh_streamlit_caches")
def test_a_hostile_kecamatan_chosen_in_the_sidebar_stays_text(monkeypatch, hostile_dir):
    at = _app(monkeypatch, hostile_dir, {"kecamatan": "74.71.01"})
    for page in ("pages/ringkasan.py", "pages/kekerasan.py", "pages/peta.py"):
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        values = _markdown_values(at.main)
        assert not _raw(values), (page, _raw(values))
        assert any(md_text(hostile.KECAMATAN) in v for _, v in values), page


@pytest.mark.usefixtures("fresh_streamlit_caches")
def test_the_frame_shows_the_region_name_as_text(monkeypatch, hostile_dir):
    """The sidebar title and subtitle (app.py) carry the kab/kota name from the warehouse."""
    at = _app(monkeypatch, hostile_dir)
    assert not at.exception, [e.value for e in at.exception]
    values = _markdown_values(at.sidebar)
    assert not _raw(values), _raw(values)
    assert any(md_text(hostile.KOTA) in v for _, v in values)


@pytest.mark.usefixtures("fresh_streamlit_caches")
def test_meeting_files_take_names_as_text(monkeypatch, hostile_dir):
    """PPTX and PDF are files, not HTML: the names are their text, no link; the deck's charts escape them too."""
    import datetime as dt
    import io

    from PIL import Image
    from pptx import Presentation
    from pypdf import PdfReader

    from kla import db, export, slides

    monkeypatch.setenv("KLA_DATA_DIR", str(hostile_dir))
    key = db.current_key()
    deck = slides.build(key, db.version_of(key), 2025, "id", True, dt.date(2026, 1, 15), "74.71", hostile.KOTA)
    for s in deck:
        if s.figure is not None:
            texts = list(_strings(json.loads(s.figure.to_json())))
            assert not [x for x in texts if any(r in x for r in ("<form", "<img", "<style", "<input"))], s.title
    png = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(png, format="PNG")
    render = lambda fig, width, height: png.getvalue()  # noqa: E731 - no chromium needed for the text
    footer = f"Dasbor KLA {hostile.KOTA}"
    prs = Presentation(io.BytesIO(export.pptx_bytes(deck, hostile.KOTA, footer, render=render)))
    first = prs.slides[0]
    assert next(sh for sh in first.shapes if sh.name == "Judul").text_frame.text == deck[0].title
    assert hostile.KOTA in deck[0].title
    runs = [
        r
        for slide in prs.slides
        for sh in slide.shapes
        if sh.has_text_frame
        for p in sh.text_frame.paragraphs
        for r in p.runs
    ]
    assert runs and all(r.hyperlink.address is None for r in runs)
    assert any(footer in r.text for r in runs)
    reader = PdfReader(io.BytesIO(export.pdf_bytes(deck, hostile.KOTA, footer, render=render)))
    text = " ".join(reader.pages[0].extract_text().split())
    assert "<form action=http://evil.example/x><input type=password name=p></form>" in text
    assert all("/Annots" not in page for page in reader.pages)  # no link annotation
