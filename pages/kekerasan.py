"""Kekerasan terhadap Anak: trends, rates per kecamatan and breakdowns, with privacy-safe counts."""

import streamlit as st

from kla import cases, charts, downloads, queries, recap
from kla.fmt import fmt_dec, fmt_int, md_text
from kla.i18n import t
from kla.privacy import COMPLEMENT, OK, SUPPRESSED, TOTAL, rate
from kla.shell import context

ctx = context(__file__)
lang = ctx.lang
key = ctx.key

st.title(t("kekerasan.title"))


def recap_section() -> None:
    """Published and office recaps, side by side with the register, each with its source, unit and period."""
    comp = recap.comparison(key, ctx.public, ctx.region)
    if not len(comp):
        return
    st.header(t("kekerasan.recap_title"))
    st.caption(t("kekerasan.recap_lead"))
    sources = [c for c in comp.columns if not c.startswith(("periode", "_"))]
    view = comp[["periode", *sources]].copy()
    view[t("kekerasan.recap_note")] = [t("kekerasan.recap_differ") if d else "" for d in comp["_berbeda"]]
    view = view.rename(columns={"periode": t("kekerasan.recap_period")})
    shown = view.map(
        lambda v: (
            "—" if v is None or (isinstance(v, float) and v != v) else (v if isinstance(v, str) else fmt_int(v, lang))
        )
    )
    st.dataframe(shown, hide_index=True, width="stretch", key="recap_table")
    downloads.table_buttons(shown, "rekap_kasus_per_sumber", key="dl_recap")
    if comp["_berbeda"].any():
        st.warning(t("kekerasan.recap_warning"), icon=":material/compare_arrows:")
    periods = comp["periode"].tolist()
    series = {}
    for col in sources:
        vals = comp[col].tolist()
        series[col] = (
            [None if isinstance(v, str) or v is None or v != v else v for v in vals],
            [
                ""
                if v is None or (isinstance(v, float) and v != v)
                else (v if isinstance(v, str) else fmt_int(v, lang))
                for v in vals
            ],
        )
    st.plotly_chart(
        charts.recap_periods(periods, series, lang, t("kekerasan.recap_axis")),
        key="recap_chart",
        config=downloads.chart_config("rekap_kasus"),
    )
    st.caption(t("kekerasan.recap_caption"))
    main = recap.main_source(key)
    names = sorted(queries.recap_totals(key)["sumber"].unique())
    c1, c2 = st.columns(2)
    source = c1.selectbox(t("kekerasan.recap_source"), names, index=names.index(main), key="recap_source")
    dims = queries.recap_dimensions(key, source)
    if not dims:
        st.caption(t("kekerasan.recap_no_breakdown", source=md_text(source)))
        return
    dim = c2.selectbox(t("kekerasan.recap_dim"), dims, key="recap_dim", format_func=lambda d: t(f"kekerasan.by_{d}"))
    df = queries.recap_breakdown(key, source, dim, ctx.region)
    unit = df["satuan"].iloc[0]
    order = df.drop_duplicates("periode")["periode"].tolist()
    series = recap.breakdown_series(key, df, ctx.public, lambda v: v if isinstance(v, str) else fmt_int(v, lang))
    st.plotly_chart(
        charts.recap_periods(order, series, lang, t(f"kekerasan.unit_recap_{unit}")),
        key="recap_breakdown",
        config=downloads.chart_config("rekap_rincian"),
    )
    st.caption(
        t(
            "kekerasan.recap_breakdown_caption",
            source=md_text(source),
            unit=md_text(unit),
            periods=", ".join(md_text(p) for p in order),
        )
    )


if not queries.case_years(key, "pelaporan"):
    if len(queries.recap_totals(key)):
        st.info(t("kekerasan.register_missing"), icon=":material/info:")
        recap_section()
    else:
        st.info(t("kekerasan.no_cases"))
    st.stop()

years = queries.case_years(key, "pelaporan") or [ctx.year]
lo, hi = min(years), max(max(years), ctx.year)
f1, f2, f3 = st.columns([2, 1.2, 2])
if lo < hi:
    y0, y1 = f1.slider(
        t("kekerasan.range"), min_value=lo, max_value=hi, value=(lo, min(max(ctx.year, lo), hi)), key="kek_range"
    )
else:  # one year of data: a range slider needs two ends
    y0 = y1 = lo
    f1.markdown(f"**{t('kekerasan.range')}**: {lo}")
if ctx.public:  # the publication: by month of report, all forms (kla.publication)
    basis, bentuk = cases.PUBLIC_BASIS, None
    f2.caption(t("kekerasan.public_filters"))
else:
    basis = f2.radio(
        t("kekerasan.basis"),
        ["pelaporan", "kejadian"],
        key="kek_basis",
        horizontal=True,
        format_func=lambda b: t(f"kekerasan.basis_{b}"),
    )
    chosen = f3.multiselect(
        t("kekerasan.forms"), queries.form_list(key), key="kek_forms", placeholder=t("kekerasan.forms_all")
    )
    bentuk = tuple(sorted(chosen)) or None
where = t("ringkasan.where_kec", name=md_text(ctx.kecamatan_name)) if ctx.kecamatan else ""  # into the HTML lead
lead = t("kekerasan.lead", y0=y0, y1=y1, where=where, basis=t(f"kekerasan.basis_{basis}").lower())
st.markdown(f'<p class="kla-sub">{lead}</p>', unsafe_allow_html=True)

table = cases.kecamatan_year(key, basis, y0, y1, bentuk, ctx.public, ctx.region, ctx.unit_len)
row = ctx.kecamatan or TOTAL
shown = table.shown()
status = table.status


def show(value) -> str:
    return value if isinstance(value, str) else fmt_int(value, lang)


# ---- key figures --------------------------------------------------------------------------------
children = queries.children(key, y1, ctx.area)
this = shown.loc[row, y1]
prev = shown.loc[row, y1 - 1] if y1 - 1 in shown.columns else None
k1, k2, k3 = st.columns(3)
delta = None
if prev is not None and not isinstance(this, str) and not isinstance(prev, str):
    delta = t("ringkasan.cases_delta", delta=f"{this - prev:+d}", prev=y1 - 1)
k1.metric(
    t("kekerasan.kpi_year", year=y1),
    show(this),
    delta=delta,
    delta_color="inverse",
    border=True,
    help=t("kekerasan.kpi_year_help"),
)
k2.metric(
    t("kekerasan.kpi_range", y0=y0, y1=y1), show(shown.loc[row, TOTAL]), border=True, help=t("kekerasan.kpi_range_help")
)
r = rate(table.counts.loc[row, y1], children, hidden=status.loc[row, y1] != OK)
k3.metric(
    t("kekerasan.kpi_rate", year=y1),
    fmt_dec(r, 2, lang) if r is not None else "—",
    border=True,
    help=t("kekerasan.kpi_rate_help"),
)
if table.any_hidden:
    st.caption(t("kekerasan.privacy_note"))

# ---- trends -------------------------------------------------------------------------------------
st.header(t("kekerasan.trend"))
left, right = st.columns(2)
with left:
    st.subheader(t("kekerasan.per_year"))
    visible, labels = cases.per_year(table, ctx.kecamatan)
    st.plotly_chart(
        charts.protected_bars(
            [str(y) for y in visible.index],
            visible.tolist(),
            [show(v) for v in labels],
            lang,
            t("kekerasan.unit_cases"),
            horizontal=False,
        ),
        key="kek_per_year",
        config=downloads.chart_config("kek_per_year"),
    )
    st.caption(t("kekerasan.caption_cases"))
with right:
    st.subheader(t("kekerasan.per_month", year=y1, prev=y1 - 1))
    month_names = [t(f"months.m{m}") for m in range(1, 13)]
    series = {}
    for y in (y1 - 1, y1):
        p = cases.months(key, basis, y, ctx.area, bentuk, ctx.public)
        if p is None:
            series[y] = None
            continue
        series[y] = (p.visible()["n"].iloc[:12].tolist(), [show(v) for v in p.shown()["n"].iloc[:12]])
    if series[y1] is None:
        st.info(t("kekerasan.months_city_only"))
    elif all(status.loc[row, y] != OK for y in (y1 - 1, y1) if y in status.columns):
        st.info(t("kekerasan.too_few"))
    else:
        st.plotly_chart(
            charts.months_this_vs_last(
                month_names, *series[y1], *series[y1 - 1], str(y1), str(y1 - 1), lang, t("kekerasan.unit_cases")
            ),
            key="kek_per_month",
            config=downloads.chart_config("kek_per_month"),
        )
    st.caption(t("kekerasan.caption_months"))

# ---- per kecamatan ------------------------------------------------------------------------------
st.header(t(f"kekerasan.per_{ctx.unit_level}"))  # the region's units: kecamatan, kab/kota or provinces
units = queries.units(key, ctx.region, ctx.unit_len)
names = dict(zip(units["kode"], units["nama"]))
pop = queries.children_by_kecamatan(key, y1, ctx.region, ctx.unit_len).set_index("kecamatan")["anak"]
rates = []
for code, name in names.items():
    hidden = status.loc[code, y1] != OK
    value = rate(table.counts.loc[code, y1], pop.get(code), hidden=hidden)
    rates.append((name, value, t("kekerasan.rate_hidden") if value is None else fmt_dec(value, 2, lang)))
rates.sort(key=lambda x: (x[1] is None, -(x[1] or 0)))
left, right = st.columns([1, 1])
with left:
    st.subheader(t("kekerasan.rate_title", year=y1, unit=t(f"app.unit_{ctx.unit_level}")))
    st.plotly_chart(
        charts.protected_bars(
            [n for n, _, _ in rates],
            [v if v is not None else float("nan") for _, v, _ in rates],
            [lbl for _, _, lbl in rates],
            lang,
            t("kekerasan.unit_rate"),
        ),
        key="kek_rates",
        config=downloads.chart_config("kek_rates"),
    )
    st.caption(
        t("kekerasan.caption_rate")
        + (" " + t("app.estimate_note", year=y1) if queries.population_estimated(key, y1) else "")
    )
with right:
    st.subheader(t("kekerasan.table_title", y0=y0, y1=y1, unit=t(f"app.unit_{ctx.unit_level}")))
    view = shown.rename(index={**names, TOTAL: t("kekerasan.total")}, columns={TOTAL: t("kekerasan.total")})
    view.columns = [str(c) for c in view.columns]
    view = view.map(show)
    st.dataframe(view, width="stretch", key="kek_table")
    downloads.table_buttons(view, f"kasus_per_kecamatan_{y0}-{y1}", key="kek_dl", index=True)
    st.caption(t("kekerasan.caption_table"))

# ---- breakdowns ---------------------------------------------------------------------------------
st.header(t("kekerasan.breakdowns"))
total_hidden = status.loc[row, TOTAL] != OK
BREAKDOWNS = [
    ("bentuk", False),
    ("kelompok_umur", True),
    ("jenis_kelamin", True),
    ("tempat_kejadian", True),
    ("hubungan_pelaku", True),
    ("layanan", False),
    ("disabilitas", True),
]
if total_hidden:
    st.info(t("kekerasan.too_few"))
else:
    cols = st.columns(2)
    for i, (dim, single) in enumerate(BREAKDOWNS):
        p = cases.breakdown(key, dim, basis, y0, y1, ctx.area, bentuk, ctx.public, total=single)
        with cols[i % 2]:
            st.subheader(t(f"kekerasan.by_{dim}"))
            if p is None:
                st.info(t("kekerasan.breakdown_all_years", y0=min(years), y1=max(years)))
                continue
            body = [c for c in p.counts.index if c != TOTAL]
            names = [t(f"kekerasan.sex_{c}") if dim == "jenis_kelamin" else str(c) for c in body]
            st.plotly_chart(
                charts.protected_bars(
                    names,
                    p.visible()["n"].loc[body].tolist(),
                    [show(v) for v in p.shown()["n"].loc[body]],
                    lang,
                    t("kekerasan.unit_cases" if single else f"kekerasan.unit_{dim}"),
                ),
                key=f"kek_by_{dim}",
                config=downloads.chart_config(f"kek_by_{dim}"),
            )
            st.caption(t("kekerasan.caption_single") if single else t(f"kekerasan.caption_{dim}"))

recap_section()

with st.expander(t("kekerasan.about_title")):
    st.markdown(t("kekerasan.about_body", suppressed=SUPPRESSED, complement=COMPLEMENT))
