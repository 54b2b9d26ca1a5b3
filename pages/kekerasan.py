"""Kekerasan terhadap Anak: trends, rates per kecamatan and breakdowns, with privacy-safe counts."""

import streamlit as st

from kla import charts, downloads
from kla.i18n import t
from kla.privacy import COMPLEMENT, SUPPRESSED
from kla.shell import context, text_table
from kla.views import kekerasan as view

ctx = context(__file__)
lang = ctx.lang

st.title(t("kekerasan.title"))


def recap_section() -> None:
    """Published and office recaps, side by side with the register, each with its source, unit and period."""
    comp = view.recap_comparison(ctx)
    if comp is None:
        return
    st.header(t("kekerasan.recap_title"))
    st.caption(t("kekerasan.recap_lead"))
    text_table(comp.table, key="recap_table", lang=lang)
    downloads.table_buttons(comp.table, "rekap_kasus_per_sumber", key="dl_recap")
    if comp.differ:
        st.warning(t("kekerasan.recap_warning"), icon=":material/compare_arrows:")
    st.plotly_chart(
        charts.recap_periods(comp.periods, comp.series, lang, t("kekerasan.recap_axis")),
        key="recap_chart",
        config=downloads.chart_config("rekap_kasus"),
    )
    st.caption(t("kekerasan.recap_caption"))
    sources, main = view.recap_sources(ctx)
    c1, c2 = st.columns(2)
    source = c1.selectbox(t("kekerasan.recap_source"), sources, index=main, key="recap_source")
    dims = view.recap_dimensions(ctx, source)
    if not dims:
        st.caption(view.recap_no_breakdown(ctx, source))
        return
    dim = c2.selectbox(
        t("kekerasan.recap_dim"), dims, key="recap_dim", format_func=lambda d: view.recap_dimension_name(ctx, d)
    )
    rb = view.recap_breakdown(ctx, source, dim)
    st.plotly_chart(
        charts.recap_periods(rb.periods, rb.series, lang, rb.unit),
        key="recap_breakdown",
        config=downloads.chart_config("rekap_rincian"),
    )
    st.caption(rb.caption)


if not view.has_register(ctx):
    if view.has_recaps(ctx):
        st.info(t("kekerasan.register_missing"), icon=":material/info:")
        recap_section()
    else:
        st.info(t("kekerasan.no_cases_public" if ctx.public else "kekerasan.no_cases"))
    st.stop()

# ---- filters ------------------------------------------------------------------------------------
lo, y1, year_note = view.year_range(ctx)  # the range ends at the sidebar's year
f1, f2, f3 = st.columns([2, 1.2, 2])
if year_note:
    st.info(year_note, icon=":material/info:")
if lo < y1:
    if st.session_state.get("kek_from", lo) >= y1:  # the sidebar's year moved before the chosen start
        st.session_state["kek_from"] = lo
    y0 = f1.slider(
        t("kekerasan.range_from", y1=y1), min_value=lo, max_value=y1 - 1, value=lo, key="kek_from", bind="query-params"
    )
else:  # one year: nothing to choose
    y0 = y1
    f1.markdown(f"**{t('kekerasan.range')}**: {y1}")
if ctx.public:  # the publication: by month of report, all forms (kla.publication)
    basis, bentuk = view.PUBLIC_BASIS, None
    f2.caption(t("kekerasan.public_filters"))
else:
    basis = f2.radio(
        t("kekerasan.basis"),
        view.BASES,
        key="kek_basis",
        bind="query-params",
        horizontal=True,
        format_func=lambda b: t(f"kekerasan.basis_{b}"),
    )
    chosen = f3.multiselect(
        t("kekerasan.forms"),
        view.form_options(ctx),
        key="kek_forms",
        placeholder=t("kekerasan.forms_all"),
        select_all=False,  # Streamlit's "Select all" is English only
        bind="query-params",
    )
    bentuk = tuple(sorted(chosen)) or None
filters = (basis, y0, y1, bentuk)
st.markdown(f'<p class="kla-sub">{view.lead(ctx, basis, y0, y1)}</p>', unsafe_allow_html=True)

# ---- key figures --------------------------------------------------------------------------------
for col, card in zip(st.columns(3), view.cards(ctx, *filters)):
    col.metric(card.label, card.value, delta=card.delta, delta_color=card.delta_color, border=True, help=card.help)
note = view.privacy_note(ctx, *filters)
if note:
    st.caption(note)

# ---- trends -------------------------------------------------------------------------------------
st.header(t("kekerasan.trend"))
left, right = st.columns(2)
with left:
    st.subheader(t("kekerasan.per_year"))
    per_year = view.per_year(ctx, *filters)
    st.plotly_chart(
        charts.protected_bars(
            per_year.names,
            per_year.values,
            per_year.labels,
            lang,
            t("kekerasan.unit_cases"),
            horizontal=False,
            partial=per_year.partial,
        ),
        key="kek_per_year",
        config=downloads.chart_config("kek_per_year"),
    )
    st.caption(" ".join(x for x in (t("kekerasan.caption_cases"), per_year.note) if x))
with right:
    st.subheader(t("kekerasan.per_month", year=y1, prev=y1 - 1))
    months = view.months(ctx, *filters)
    if months.info:
        st.info(months.info)
    else:
        st.plotly_chart(
            charts.months_this_vs_last(
                months.this.names,
                months.this.values,
                months.this.labels,
                months.last.values,
                months.last.labels,
                str(y1),
                str(y1 - 1),
                lang,
                t("kekerasan.unit_cases"),
            ),
            key="kek_per_month",
            config=downloads.chart_config("kek_per_month"),
        )
    st.caption(" ".join(x for x in (t("kekerasan.caption_months"), months.this and months.this.note) if x))

# ---- per kecamatan ------------------------------------------------------------------------------
st.header(t(f"kekerasan.per_{ctx.unit_level}"))  # the region's units: kecamatan, kab/kota or provinces
unit = t(f"app.unit_{ctx.unit_level}")
left, right = st.columns([1, 1])
with left:
    st.subheader(t("kekerasan.rate_title", year=y1, unit=unit))
    rates = view.rates(ctx, *filters)
    st.plotly_chart(
        charts.protected_bars(rates.names, rates.values, rates.labels, lang, t("kekerasan.unit_rate")),
        key="kek_rates",
        config=downloads.chart_config("kek_rates"),
    )
    st.caption(view.rates_caption(ctx, y1))
with right:
    st.subheader(t("kekerasan.table_title", y0=y0, y1=y1, unit=unit))
    table = view.table(ctx, *filters)
    text_table(table, key="kek_table", lang=lang, index=True)  # every unit and the total row, nothing cut
    downloads.table_buttons(table, f"kasus_per_kecamatan_{y0}-{y1}", key="kek_dl", index=True)
    st.caption(t("kekerasan.caption_table"))

# ---- breakdowns ---------------------------------------------------------------------------------
st.header(t("kekerasan.breakdowns"))
breakdowns = view.breakdowns(ctx, *filters)
if breakdowns is None:
    st.info(t("kekerasan.too_few"))
else:
    cols = st.columns(2)
    for i, b in enumerate(breakdowns):
        with cols[i % 2]:
            st.subheader(b.title)
            if b.bars is None:
                st.info(b.info)
            else:
                st.plotly_chart(
                    charts.protected_bars(b.bars.names, b.bars.values, b.bars.labels, lang, b.unit),
                    key=f"kek_by_{b.dim}",
                    config=downloads.chart_config(f"kek_by_{b.dim}"),
                )
                st.caption(b.caption)

recap_section()

with st.expander(t("kekerasan.about_title")):
    st.markdown(t("kekerasan.about_body", suppressed=SUPPRESSED, complement=COMPLEMENT))
