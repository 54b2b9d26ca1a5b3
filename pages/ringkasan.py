"""Ringkasan: the key figures of the selected year and kecamatan, for the task force's first look."""

import streamlit as st

from kla import downloads
from kla.fmt import md_text
from kla.i18n import t
from kla.shell import context, metric
from kla.views import ringkasan as view

CARD = 150  # px: equal card heights whether or not a card has a delta line
ctx = context(__file__)

# names come from the data: md_text keeps them text in the HTML lead and in Markdown (kla/fmt.py)
where = t("ringkasan.where_kec", name=md_text(ctx.kecamatan_name)) if ctx.kecamatan else ""
st.title(t("ringkasan.title"))
st.markdown(
    f'<p class="kla-sub">{t("ringkasan.lead", year=ctx.year, where=where, wilayah=md_text(ctx.region_name))}</p>',
    unsafe_allow_html=True,
)

score_cards = view.score_cards(ctx)
case_card, other_sources = view.case_card(ctx)
area_cards = view.area_cards(ctx)

top = st.columns(3)
bottom = st.columns(3)
metric(top[0], score_cards[0], CARD)
metric(top[1], score_cards[1], CARD)
with top[2]:
    metric(st, case_card, CARD)
    if other_sources:
        st.caption(other_sources)
for col, card in zip(bottom, area_cards, strict=True):
    metric(col, card, CARD)
for note in view.notes(ctx):
    st.caption(note)

left, right = st.columns(2)
with left:
    st.subheader(t("ringkasan.chart_cases"))
    figure, caption = view.cases_chart(ctx)
    st.plotly_chart(figure, key="chart_cases", config=downloads.chart_config("chart_cases"))
    st.caption(caption)
with right:
    st.subheader(t("ringkasan.chart_score"))
    st.plotly_chart(view.score_chart(ctx), key="chart_score", config=downloads.chart_config("chart_score"))
    st.caption(t("ringkasan.chart_score_caption"))
