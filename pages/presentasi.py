"""Presentasi: the meeting slides in large type for a 1280x720 projector, with one-click PPTX and PDF.

Streamlit's chrome and the sidebar are hidden; arrow keys move between slides. Works offline: the
figures are the same plotly figures as the pages, drawn by the bundled plotly.js.
"""

import datetime as dt

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

st.markdown(
    f"""
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header[data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stStatusWidget"] {{ display: none !important; }}
.block-container {{ padding: 0.8rem 2.2rem 0.4rem 2.2rem !important; max-width: 100% !important; }}
.kla-slide-foot {{ font-size: 0.95rem; color: {palette.MUTED}; text-align: center; padding-top: 0.5rem; }}
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

# fixed HTML templates; every text in them is escaped (names of the region, groups, OPD come from the data)
st.markdown(
    f'<div style="font-size:2.6rem;font-weight:700;color:{palette.PRIMARY};line-height:1.15">{md_text(s.title)}</div>'
    f'<div style="font-size:1.45rem;color:{palette.TEXT};margin:0.25rem 0 0.3rem 0">{md_text(s.subtitle)}</div>',
    unsafe_allow_html=True,
)
body = st.container(height=455, border=False, key="slide_body")
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
        fig.update_layout(height=445, font=dict(size=18))
        if s.table is not None:
            left, right = st.columns([3, 2])
            left.plotly_chart(fig, key=f"slide_fig_{i}", config={"displayModeBar": False})
            right.dataframe(s.table, hide_index=True, width="stretch", key=f"slide_table_{i}")
        else:
            st.plotly_chart(fig, key=f"slide_fig_{i}", config={"displayModeBar": False})


def go_to(k: int) -> None:
    st.session_state["slide"] = k


nav = st.columns([1.6, 1.6, 3.4, 1.1, 1.5, 1.4], vertical_alignment="center")
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
nav[2].markdown(
    f'<div class="kla-slide-foot">{t("presentasi.counter", n=i + 1, total=n)} · {md_text(footer)}</div>',
    unsafe_allow_html=True,
)
nav[3].page_link("pages/ringkasan.py", label=t("presentasi.exit"), icon=":material/close:")
viewer = auth.viewer()
title = t("slides.deck_title", wilayah=ctx.region_name)
stamp = f"{ctx.version}_{today:%Y%m%d}"


def _pptx() -> bytes:
    audit.record(
        "unduh", viewer.user, viewer.role, f"bahan rapat PPTX {ctx.version} ({'publik' if ctx.public else 'tepat'})"
    )
    return export.pptx_bytes(deck, title, footer)


def _pdf() -> bytes:
    audit.record(
        "unduh", viewer.user, viewer.role, f"bahan rapat PDF {ctx.version} ({'publik' if ctx.public else 'tepat'})"
    )
    return export.pdf_bytes(deck, title, footer)


missing = export.unavailable()  # the deck's charts need Chromium: say so instead of a silent failed download
if missing:
    st.caption(t("presentasi.no_chromium", message=missing))
nav[4].download_button(
    t("presentasi.download_pptx"),
    _pptx,
    file_name=f"bahan_rapat_kla_{stamp}.pptx",
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
    file_name=f"bahan_rapat_kla_{stamp}.pdf",
    mime="application/pdf",
    icon=":material/picture_as_pdf:",
    key="deck_pdf",
    on_click="ignore",
    width="stretch",
    help=t("presentasi.download_note"),
    disabled=bool(missing),
)
