"""Presentasi: the meeting slides in large type for a 1280x720 projector, with one-click PPTX and PDF.

Streamlit's chrome and the sidebar are hidden; arrow keys move between slides. Works offline: the
figures are the same plotly figures as the pages, drawn by the bundled plotly.js. Every text is at least
18 px (kla.charts.slide_fonts for the figures, the CSS here for the rest), dark on white; every slide carries
its deck's marking ("Publik" or "TERBATAS ...") and the download's file name says which deck it is.
"""

import datetime as dt
import re

import plotly.graph_objects as go
import streamlit as st

from etl import audit
from kla import auth, export, palette, slides
from kla.fmt import md_text
from kla.i18n import t
from kla.shell import context

ctx = context(__file__)
lang = ctx.lang
today = dt.date.today()
BODY = 430  # px of the slide body: with title, footer and buttons it fits a 1280x720 projector

st.markdown(
    f"""
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header[data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stStatusWidget"] {{ display: none !important; }}
.block-container {{ padding: 0.8rem 2.2rem 0.4rem 2.2rem !important; max-width: 100% !important; }}
.kla-slide-foot {{ font-size: 1.125rem; color: {palette.MUTED}; text-align: left; line-height: 1.3; }}
.kla-slide-head {{ display: flex; justify-content: space-between; align-items: flex-start; gap: 1.2rem; }}
.kla-mark {{ font-size: 1.125rem; font-weight: 700; padding: 0.15rem 0.7rem; border-radius: 6px; white-space: nowrap;
  color: {palette.PRIMARY}; border: 2px solid {palette.PRIMARY}; margin-top: 0.5rem; }}
.kla-mark.restricted {{ color: {palette.BACKGROUND}; background: {palette.DANGER}; border-color: {palette.DANGER}; }}
table.kla-slide-table {{ width: 100%; border-collapse: collapse; font-size: 1.125rem; color: {palette.TEXT};
  line-height: 1.3; }}
table.kla-slide-table th, table.kla-slide-table td {{ font-size: 1.125rem; color: {palette.TEXT}; text-align: left;
  padding: 0.3rem 0.6rem; border: none; border-bottom: 1px solid {palette.PALE}; vertical-align: top; }}
table.kla-slide-table th {{ font-weight: 700; border-bottom: 2px solid {palette.PRIMARY}; }}
table.kla-slide-table td.num, table.kla-slide-table th.num {{ text-align: right; white-space: nowrap; }}
[data-testid="stBaseButton-secondary"] p, [data-testid="stBaseButton-primary"] p,
[data-testid="stPageLink"] p {{ font-size: 1.125rem !important; }}
button kbd {{ display: none !important; }}  /* the arrow-key hint: the buttons carry an arrow icon already */
.kla-kpi {{ border: 2px solid {palette.PALE}; border-radius: 12px; padding: 1.2rem 1.4rem; height: 15rem; }}
.kla-kpi .label {{ font-size: 1.35rem; color: {palette.MUTED}; }}
.kla-kpi .value {{ font-size: 3.2rem; font-weight: 700; color: {palette.PRIMARY}; margin-top: 0.8rem;
  line-height: 1.1; }}
</style>
""",
    unsafe_allow_html=True,
)


@st.cache_resource(max_entries=16, show_spinner=False)
def _deck(key, version, year, lang, public, today, region, region_name) -> list:
    """The deck of one data version, view and day, shared by sessions (read only: every use copies a figure)."""
    return slides.build(key, version, year, lang, public, today, region, region_name)


deck = _deck(ctx.key, ctx.version, ctx.year, lang, ctx.public, today, ctx.region, ctx.region_name)
n = len(deck)
i = min(max(st.session_state.get("slide", 0), 0), n - 1)
s = deck[i]
footer = t("slides.footer", version=ctx.version, date=today.strftime("%d/%m/%Y"), wilayah=ctx.region_name)
if st.session_state.get("_sample"):
    footer += " · " + t("slides.sample_mark")

NUMBER = re.compile(r"^[\d.,]+$")


def table_html(table) -> str:
    """A slide table as an HTML table in 18 px type (st.dataframe draws 14 px on a canvas); every cell escaped,
    numeric columns right-aligned."""
    numeric = [all(NUMBER.match(str(v)) for v in table[c]) for c in table.columns]
    head = "".join(f'<th class="{"num" if k else ""}">{md_text(c)}</th>' for c, k in zip(table.columns, numeric))
    rows = "".join(
        "<tr>" + "".join(f'<td class="{"num" if k else ""}">{md_text(v)}</td>' for v, k in zip(row, numeric)) + "</tr>"
        for row in table.itertuples(index=False)
    )
    return f'<table class="kla-slide-table"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'


# fixed HTML templates; every text in them is escaped (names of the region, groups, OPD come from the data)
st.markdown(
    f'<div class="kla-slide-head"><div style="font-size:2.6rem;font-weight:700;color:{palette.PRIMARY};'
    f'line-height:1.15">{md_text(s.title)}</div>'
    f'<div class="kla-mark{" restricted" if s.restricted else ""}">{md_text(s.mark)}</div></div>'
    f'<div style="font-size:1.45rem;color:{palette.TEXT};margin:0.25rem 0 0.3rem 0">{md_text(s.subtitle)}</div>',
    unsafe_allow_html=True,
)
body = st.container(height=BODY, border=False, key="slide_body")
with body:
    if s.kpis:
        cols = st.columns(len(s.kpis))
        for col, (label, value) in zip(cols, s.kpis):
            col.markdown(
                f'<div class="kla-kpi"><div class="label">{md_text(label)}</div>'
                f'<div class="value">{md_text(value)}</div></div>',
                unsafe_allow_html=True,
            )
    elif s.figure is not None:
        fig = go.Figure(s.figure)  # a copy: the deck keeps its own size
        fig.update_layout(height=BODY - 10, font=dict(size=18))
        if s.table is not None:
            left, right = st.columns([3, 2])
            left.plotly_chart(fig, key=f"slide_fig_{i}", config={"displayModeBar": False})
            right.markdown(table_html(s.table), unsafe_allow_html=True)
        else:
            st.plotly_chart(fig, key=f"slide_fig_{i}", config={"displayModeBar": False})
    elif s.table is not None:
        st.markdown(table_html(s.table), unsafe_allow_html=True)


def go_to(k: int) -> None:
    st.session_state["slide"] = k


st.markdown(
    f'<div class="kla-slide-foot">{t("presentasi.counter", n=i + 1, total=n)} · {md_text(footer)}</div>',
    unsafe_allow_html=True,
)
nav = st.columns([1.7, 1.7, 2.2, 1.3, 1.9, 1.8], vertical_alignment="center")
nav[0].button(
    t("presentasi.prev"),
    icon=":material/arrow_back:",
    disabled=i == 0,
    shortcut="left",
    on_click=go_to,
    args=(i - 1,),
    key="slide_prev",
    width="stretch",
)
nav[1].button(
    t("presentasi.next"),
    icon=":material/arrow_forward:",
    disabled=i == n - 1,
    shortcut="right",
    on_click=go_to,
    args=(i + 1,),
    key="slide_next",
    width="stretch",
    type="primary",
)
nav[3].page_link("pages/ringkasan.py", label=t("presentasi.exit"), icon=":material/close:")
viewer = auth.viewer()
title = t("slides.deck_title", wilayah=ctx.region_name)
names = {
    ext: slides.file_name(ctx.region_name, ctx.year, ctx.public, ctx.version, today, ext, lang)
    for ext in ("pptx", "pdf")
}


def _pptx() -> bytes:
    audit.record("unduh", viewer.user, viewer.role, f"bahan rapat {names['pptx']}")
    return export.pptx_bytes(deck, title, footer)


def _pdf() -> bytes:
    audit.record("unduh", viewer.user, viewer.role, f"bahan rapat {names['pdf']}")
    return export.pdf_bytes(deck, title, footer)


missing = export.unavailable()  # the deck's charts need Chromium: say so instead of a silent failed download
if missing:
    st.caption(t("presentasi.no_chromium", message=missing))
nav[4].download_button(
    t("presentasi.download_pptx"),
    _pptx,
    file_name=names["pptx"],
    mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
    icon=":material/slideshow:",
    key="deck_pptx",
    on_click="ignore",
    width="stretch",
    disabled=bool(missing),
    help=t("presentasi.download_note"),
)
nav[5].download_button(
    t("presentasi.download_pdf"),
    _pdf,
    file_name=names["pdf"],
    mime="application/pdf",
    icon=":material/picture_as_pdf:",
    key="deck_pdf",
    on_click="ignore",
    width="stretch",
    help=t("presentasi.download_note"),
    disabled=bool(missing),
)
