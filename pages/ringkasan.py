"""Ringkasan: the key figures of the selected year and kecamatan, for the task force's first look."""

import streamlit as st

from kla import cases, charts, downloads, queries, recap
from kla.fmt import fmt_dec, fmt_int, fmt_signed, md_text
from kla.i18n import t
from kla.scoring import standing
from kla.shell import context

CARD = 150  # px: equal card heights whether or not a card has a delta line
ctx = context(__file__)
lang = ctx.lang
# names come from the data: md_text keeps them text in the HTML lead and in Markdown (kla/fmt.py)
where = t("ringkasan.where_kec", name=md_text(ctx.kecamatan_name)) if ctx.kecamatan else ""
st.title(t("ringkasan.title"))
st.markdown(
    f'<p class="kla-sub">{t("ringkasan.lead", year=ctx.year, where=where, wilayah=md_text(ctx.region_name))}</p>',
    unsafe_allow_html=True,
)

children = queries.children(ctx.key, ctx.year, ctx.area)
children_prev = queries.children(ctx.key, ctx.year - 1, ctx.area)
# case counts come from the one protected kecamatan x year table, like on the Kekerasan page
case_years = queries.case_years(ctx.key, "pelaporan") or [ctx.year]
table = cases.kecamatan_year(
    ctx.key, "pelaporan", min(case_years), max(max(case_years), ctx.year), None, ctx.public, ctx.region, ctx.unit_len
)
visible, labels = cases.per_year(table, ctx.kecamatan)
n_cases, n_prev = labels.get(ctx.year, 0), labels.get(ctx.year - 1)
rbra_total, rbra_standard = queries.rbra_counts(ctx.key, ctx.year, ctx.area)
scores = queries.kla_scores(ctx.key, ctx.region)
bands = queries.category_bands(ctx.key)
scored = scores[scores["tahun"] <= ctx.year]

top = st.columns(3)
bottom = st.columns(3)
if len(scored):
    last = scored.iloc[-1]
    s = standing(float(last["nilai"]), bands)
    several = ctx.region_level != "kabkota"  # a province or Indonesia: the mean of its kab/kota
    top[0].metric(
        t(
            "ringkasan.score_mean_label" if several else "ringkasan.score_label",
            year=int(last["tahun"]),
            n=int(last["kabkota"]),
        ),
        fmt_dec(s.score, 1, lang),
        help=t("ringkasan.score_mean_help" if several else "ringkasan.score_help"),
        border=True,
        height=CARD,
    )
    top[1].metric(
        t("ringkasan.category"),
        md_text(s.category) or t("ringkasan.category_none"),
        delta=(
            t("ringkasan.to_next", points=fmt_dec(s.points_to_next, 1, lang), category=md_text(s.next_category))
            if s.next_category
            else t("ringkasan.top_category")
        ),
        delta_color="off",
        delta_arrow="off",
        border=True,
        height=CARD,
    )
else:
    top[0].metric(t("ringkasan.score"), t("ringkasan.no_data"), border=True, height=CARD)
    top[1].metric(t("ringkasan.category"), t("ringkasan.no_data"), border=True, height=CARD)

recap_figures = recap.year_figures(ctx.key, ctx.year, ctx.public, ctx.region)
covered = ctx.year in queries.case_years(ctx.key, "pelaporan")
with top[2]:
    if covered or not recap_figures or ctx.kecamatan:
        show_delta = n_prev is not None and not isinstance(n_cases, str) and not isinstance(n_prev, str)
        st.metric(
            t("ringkasan.cases_label", year=ctx.year),
            n_cases if isinstance(n_cases, str) else fmt_int(n_cases, lang),
            delta=t("ringkasan.cases_delta", delta=fmt_signed(n_cases - n_prev, lang), prev=ctx.year - 1)
            if show_delta
            else None,
            delta_color="inverse",
            help=t("ringkasan.cases_help"),
            border=True,
            height=CARD,
        )
    else:  # no register for this year: the recap, saying whose and which unit
        main = recap.main_source(ctx.key)
        first = next((f for f in recap_figures if f[0] == main), recap_figures[0])
        st.metric(
            t("ringkasan.cases_recap_label", period=md_text(first[2])),
            first[3] if isinstance(first[3], str) else fmt_int(first[3], lang),
            delta=t("ringkasan.cases_recap_source", source=md_text(first[0]), unit=md_text(first[1])),
            delta_color="off",
            delta_arrow="off",
            help=t("ringkasan.cases_recap_help"),
            border=True,
            height=CARD,
        )
    others = [f for f in recap_figures if covered or f is not first] if recap_figures and not ctx.kecamatan else []
    if others:
        st.caption(
            t("ringkasan.cases_other_sources")
            + " "
            + "; ".join(
                f"{md_text(src)}: {md_text(v) if isinstance(v, str) else fmt_int(v, lang)} "
                f"{md_text(unit)} ({md_text(per)})"
                for src, unit, per, v in others
            )
        )

bottom[0].metric(
    t("ringkasan.children"),
    fmt_int(children, lang) if children is not None else t("ringkasan.no_data"),
    delta=fmt_signed(children - children_prev, lang) if children is not None and children_prev else None,
    help=t("ringkasan.children_help"),
    border=True,
    height=CARD,
)
bottom[1].metric(
    t("ringkasan.rbra"),
    fmt_int(rbra_total, lang),
    delta=t("ringkasan.rbra_standard", n=fmt_int(rbra_standard, lang)),
    delta_color="off",
    delta_arrow="off",
    help=t("ringkasan.rbra_help"),
    border=True,
    height=CARD,
)
per_rbra = children / rbra_total if children and rbra_total else None
bottom[2].metric(
    t("ringkasan.per_rbra"), fmt_int(per_rbra, lang), help=t("ringkasan.per_rbra_help"), border=True, height=CARD
)
if queries.population_estimated(ctx.key, ctx.year):
    st.caption(":material/info: " + t("app.estimate_note", year=ctx.year))
if ctx.kecamatan:
    st.caption(t("ringkasan.city_only"))

left, right = st.columns(2)
with left:
    st.subheader(t("ringkasan.chart_cases"))
    main_recap = recap.main_source(ctx.key)
    if queries.case_years(ctx.key, "pelaporan") or main_recap is None:
        st.plotly_chart(
            charts.protected_bars(
                [str(y) for y in visible.index],
                visible.tolist(),
                [v if isinstance(v, str) else fmt_int(v, lang) for v in labels],
                lang,
                t("ringkasan.axis_cases"),
                horizontal=False,
            ),
            key="chart_cases",
            config=downloads.chart_config("chart_cases"),
        )
        st.caption(t("ringkasan.chart_cases_caption"))
    else:  # no register at all: the main recap source's totals, saying so
        totals = queries.recap_totals(ctx.key)
        mine = totals[(totals["sumber"] == main_recap) & (totals["kode_wilayah"] == ctx.region)]
        shown = [recap.shown(ctx.key, r, ctx.public) for _, r in mine.iterrows()]
        st.plotly_chart(
            charts.protected_bars(
                mine["periode"].tolist(),
                [None if isinstance(v, str) else v for v in shown],
                [v if isinstance(v, str) else fmt_int(v, lang) for v in shown],
                lang,
                t("ringkasan.axis_cases"),
                horizontal=False,
            ),
            key="chart_cases",
            config=downloads.chart_config("chart_cases"),
        )
        st.caption(
            t("ringkasan.chart_cases_recap_caption", source=md_text(main_recap), unit=md_text(mine["satuan"].iloc[0]))
        )
with right:
    st.subheader(t("ringkasan.chart_score"))
    st.plotly_chart(
        charts.kla_score_trend(scores, bands, lang, t("ringkasan.axis_score"), t("ringkasan.axis_year")),
        key="chart_score",
        config=downloads.chart_config("chart_score"),
    )
    st.caption(t("ringkasan.chart_score_caption"))
