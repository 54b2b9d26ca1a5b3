"""Peta: children, RBRA and cases per kecamatan (and kelurahan), service-radius coverage, siting aid.

Works offline (no basemap unless switched on). Without boundaries the map falls back to circles at
the reference points of each kecamatan.
"""

import pandas as pd
import streamlit as st

from etl import settings
from kla import downloads, geodata, maps, queries
from kla.fmt import DASH, fmt_dec, fmt_int, md_text, plot_text, styled
from kla.i18n import t
from kla.shell import context

ctx = context(__file__)
lang, key, year = ctx.lang, ctx.key, ctx.year
st.title(t("peta.title"))
st.markdown(
    f'<p class="kla-sub">{t("peta.lead", year=year, unit=t(f"app.unit_{ctx.unit_level}"))}</p>', unsafe_allow_html=True
)

region, unit_len = ctx.region, ctx.unit_len
above = unit_len != 8  # a province or Indonesia: the units are kab/kota or provinces (dissolved outlines)
has_kec = geodata.has_boundaries(key, ctx.unit_level, region)
has_kel = not above and geodata.has_boundaries(key, "kelurahan", region)
cov_level = None if above else geodata.coverage_level(key, region)

# --- controls ----------------------------------------------------------------------------------
c1, c2, c3 = st.columns([1, 2, 2])
levels = [ctx.unit_level] if above else ["kecamatan", "kelurahan"] if has_kel else ["kecamatan"]
level = c1.radio(t("peta.level"), levels, key="peta_level", format_func=lambda v: t(f"peta.level_{v}"), horizontal=True)
options = [
    m
    for m, spec in maps.METRICS.items()
    if not (level == "kelurahan" and spec.kecamatan_only)
    and not (m == "persen_terjangkau" and not cov_level)
    and not (above and m == "kategori")
]
metric_name = c2.selectbox(t("peta.metric"), options, key="peta_metric", format_func=lambda m: t(f"peta.m_{m}"))
r_min, r_max = settings.get("peta", "radius_min_m"), settings.get("peta", "radius_max_m")
radius = c3.slider(
    t("peta.radius"),
    r_min,
    r_max,
    settings.get("peta", "radius_m"),
    100,
    key="peta_radius",
    help=t("peta.radius_help"),
    disabled=not cov_level,
)
metric = maps.METRICS[metric_name]
basemap = st.toggle(t("peta.basemap"), key="peta_basemap", help=t("peta.basemap_help"))
if not has_kec:
    st.info(t("peta.no_boundaries"), icon=":material/map:")

# --- figures per area --------------------------------------------------------------------------
kec = geodata.kecamatan_metrics(key, year, radius, ctx.public, region, unit_len)
# every RBRA as a point, except nationally (tens of thousands: the map shows them per province instead)
points = queries.rbra_points(key, year, region) if region else queries.rbra_points(key, year, "-")
status_names = {s: s for s in points["status"].dropna().unique()}


def pct(v):
    return DASH if pd.isna(v) else fmt_int(v, lang) + "%"


UNIT_PREFIX = "" if above else t("peta.kec_prefix") + " "


# Hover texts are plotly pseudo-HTML (<b>, <br>): every name and label from the data goes through plot_text.
def kec_hover(r) -> str:
    rating = f"{plot_text(r['kategori'])} ({int(r['tahun_penilaian'])})" if isinstance(r["kategori"], str) else DASH
    kasus = plot_text(r["kasus_label"]) if isinstance(r["kasus_label"], str) else fmt_int(r["kasus_label"], lang)
    return "<br>".join(
        [
            f"<b>{UNIT_PREFIX}{plot_text(r['nama'])}</b>",
            f"{t('peta.m_anak')}: {fmt_int(r['anak'], lang)}",
            f"RBRA: {fmt_int(r['rbra'], lang)} ({t('peta.standard_n', n=fmt_int(r['rbra_standar'], lang))})",
            f"{t('peta.m_anak_per_rbra')}: {fmt_int(r['anak_per_rbra'], lang)}",
            f"{t('peta.cases_year', year=year)}: {kasus}",
            f"{t('peta.m_kasus_per_1000')}: {fmt_dec(r['kasus_per_1000'], 2, lang)}",
            f"{t('peta.reached', radius=fmt_int(radius, lang))}: {pct(r['persen_terjangkau'])}",
            f"{t('peta.m_kategori')}: {rating}",
        ]
    )


def kel_hover(r) -> str:
    return "<br>".join(
        [
            f"<b>{t('peta.kel_prefix')} {plot_text(r['nama'])}</b>",
            f"{t('peta.m_anak')}: {fmt_int(r['anak'], lang)}",
            f"RBRA: {fmt_int(r['rbra'], lang)}",
            f"{t('peta.m_anak_per_rbra')}: {fmt_int(r['anak_per_rbra'], lang)}",
            f"{t('peta.reached', radius=fmt_int(radius, lang))}: {pct(r['persen_terjangkau'])}",
        ]
    )


def rbra_hover(r) -> str:
    year_txt = DASH if pd.isna(r["tahun"]) else str(int(r["tahun"]))
    return (
        f"<b>{plot_text(r['nama'])}</b><br>{plot_text(r['status'])}<br>{t('peta.year')}: {year_txt}<br>"
        f"{plot_text(r['kelurahan'] or '')}, {plot_text(r['kecamatan'] or '')}"
    )


if level == "kelurahan":
    frame = geodata.kelurahan_metrics(key, year, radius, region)
    hover = [kel_hover(r) for _, r in frame.iterrows()]
else:
    frame = kec
    hover = [kec_hover(r) for _, r in frame.iterrows()]
title = t(f"peta.m_{metric_name}")
if has_kec:
    shapes = queries.boundaries(key, level, region)
    view = maps.view_of(*geodata.extent(key, level, region))  # the boundaries fill the map
    fig = maps.choropleth(shapes, frame, metric, hover, title, view, lang, basemap)
else:
    view = maps.view_of(kec["lat"].dropna(), kec["lon"].dropna())
    fig = maps.bubbles(
        kec.dropna(subset=["lat", "lon"]),
        metric,
        [h for h, ok in zip(hover, kec[["lat", "lon"]].notna().all(axis=1)) if ok],
        title,
        view,
        lang,
        basemap,
    )
if cov_level:
    fig = maps.add_reach(fig, geodata.reach_outline(key, year, radius, region))
fig = maps.add_rbra(fig, points, [rbra_hover(r) for _, r in points.iterrows()], status_names)

# --- siting proposals ----------------------------------------------------------------------------
proposals = pd.DataFrame()
if cov_level:
    s1, s2 = st.columns(2)
    k = s1.number_input(t("peta.sites_k"), 0, 10, settings.get("peta", "usulan"), key="peta_k")
    mode = s2.selectbox(
        t("peta.sites_mode"), ["centroid", "grid"], key="peta_mode", format_func=lambda m: t(f"peta.mode_{m}")
    )
    proposals = geodata.sites(key, year, radius, int(k), mode, region)
    fig = maps.add_proposals(
        fig,
        proposals,
        [
            f"<b>{t('peta.proposal', n=int(r['urutan']))}</b><br>{plot_text(r['nama'])}<br>"
            f"{t('peta.gain', n=fmt_int(r['anak_tambahan'], lang))}"
            for _, r in proposals.iterrows()
        ],
        t("peta.proposals"),
    )

# its own key per level: a click on a kab/kota must not stay selected when the province view comes back
event = st.plotly_chart(
    fig,
    key=f"peta_map_{ctx.unit_level}" if above else "peta_map",
    on_select="rerun",
    selection_mode="points",
    config={**downloads.chart_config("peta"), "scrollZoom": True},
)
st.caption(
    t(f"peta.caption_{metric_name}", radius=fmt_int(radius, lang))
    + " "
    + t("peta.caption_common")
    + (" " + t("app.estimate_note", year=year) if queries.population_estimated(key, year) else "")
)

if not region:
    st.caption(t("peta.national_points"))

# --- province / national: the units' table; a click (or the selector) opens that region ------------
if above:
    table = kec[["nama", "anak", "rbra", "rbra_standar", "anak_per_rbra", "kasus_label", "kasus_per_1000"]]
    table = table.rename(
        columns={
            "nama": t(f"peta.unit_{ctx.unit_level}"),
            "anak": t("peta.col_anak"),
            "rbra": "RBRA",
            "rbra_standar": t("peta.col_rbra_standar"),
            "anak_per_rbra": t("peta.m_anak_per_rbra"),
            "kasus_label": t("peta.cases_year", year=year),
            "kasus_per_1000": t("peta.m_kasus_per_1000"),
        }
    )
    st.dataframe(
        styled(
            table, lang, 2, integers=(t("peta.col_anak"), "RBRA", t("peta.col_rbra_standar"), t("peta.m_anak_per_rbra"))
        ),
        hide_index=True,
        width="stretch",
        key="peta_units",
    )
    downloads.table_buttons(table, f"peta_per_{ctx.unit_level}_{year}", key="dl_units")
    unit_names = dict(zip(kec["kode"], kec["nama"]))
    unit_none = t("peta.unit_none")  # resolved now: format_func may be called outside this run
    clicked = maps.selected_location(event)
    target = st.selectbox(
        t("peta.open_unit"),
        ["-", *unit_names],
        key="peta_open",
        format_func=lambda c: unit_none if c == "-" else unit_names[c],
    )
    target = clicked if clicked in unit_names else target
    if target != "-":
        st.session_state["_wilayah_next"] = target  # app.py applies it before drawing the region filter
        st.rerun()
    st.stop()

# --- drill-down panel ----------------------------------------------------------------------------
code = maps.selected_location(event)
if code and code != st.session_state.get("_peta_last_click"):
    st.session_state["_peta_last_click"] = code
    parent = code if level == "kecamatan" else dict(zip(frame["kode"], frame["kode_kecamatan"])).get(code)
    if parent:
        st.session_state["peta_kec"] = parent
names = dict(zip(kec["kode"], kec["nama"]))
NONE = "-"  # not None: a selectbox showing None falls back to its "Choose an option" placeholder
if st.session_state.get("peta_kec") not in [NONE, *names]:
    st.session_state["peta_kec"] = ctx.kecamatan or NONE
none_label = t("peta.panel_none")
chosen = st.selectbox(
    t("peta.panel_pick"), [NONE, *names], key="peta_kec", format_func=lambda c: none_label if c == NONE else names[c]
)
if chosen != NONE:
    r = kec.set_index("kode").loc[chosen]
    with st.container(border=True, key="peta_panel"):
        st.subheader(f"{t('peta.kec_prefix')} {md_text(r['nama'])}")
        m = st.columns(5)
        m[0].metric(t("peta.m_anak"), fmt_int(r["anak"], lang))
        m[1].metric(
            "RBRA",
            fmt_int(r["rbra"], lang),
            delta=t("peta.standard_n", n=fmt_int(r["rbra_standar"], lang)),
            delta_color="off",
            delta_arrow="off",
        )
        m[2].metric(t("peta.m_anak_per_rbra"), fmt_int(r["anak_per_rbra"], lang))
        m[3].metric(t("peta.reached", radius=fmt_int(radius, lang)), pct(r["persen_terjangkau"]))
        kasus = r["kasus_label"] if isinstance(r["kasus_label"], str) else fmt_int(r["kasus_label"], lang)
        m[4].metric(t("peta.cases_year", year=year), kasus)
        left, right = st.columns(2)
        with left:
            st.markdown(f"**{t('peta.kel_table')}**")
            if has_kel:
                kel = geodata.kelurahan_metrics(key, year, radius, region)
                kel = kel[kel["kode_kecamatan"] == chosen]
                view_kel = kel[["nama", "anak", "rbra", "persen_terjangkau", "anak_tak_terjangkau"]]
            else:
                kids = queries.children_by_area(key, year, region)
                ref = queries.regions(key, "kelurahan", region)
                kel = ref[ref["kode_kecamatan"] == chosen].merge(kids[["kode", "anak"]], on="kode", how="left")
                kel["rbra"] = kel["kode"].map(points.groupby("kode_kelurahan").size()).fillna(0).astype(int)
                view_kel = kel[["nama", "anak", "rbra"]]
            view_kel = view_kel.rename(columns={c: t(f"peta.col_{c}") for c in view_kel.columns})
            st.dataframe(
                styled(
                    view_kel,
                    lang,
                    integers=(t("peta.col_anak"), t("peta.col_anak_tak_terjangkau")),
                    percents=(t("peta.col_persen_terjangkau"),),
                ),
                hide_index=True,
                width="stretch",
                key="peta_kel_table",
            )
        with right:
            st.markdown(f"**{t('peta.rbra_list')}**")
            mine = points[points["kode_kecamatan"] == chosen][["nama", "kelurahan", "status", "tahun"]]
            mine = mine.rename(columns={c: t(f"peta.col_{c}") for c in mine.columns})
            st.dataframe(
                mine,
                hide_index=True,
                width="stretch",
                key="peta_rbra_table",
                column_config={t("peta.col_tahun"): st.column_config.NumberColumn(format="%d")},
            )

# --- coverage ranking and proposals -------------------------------------------------------------
if cov_level:
    left, right = st.columns(2)
    with left:
        st.subheader(t("peta.unreached_title", radius=fmt_int(radius, lang)))
        cov = geodata.coverage_table(key, year, radius, cov_level, region)
        worst = cov.sort_values("anak_tak_terjangkau", ascending=False).head(10)
        worst = worst.assign(kecamatan=worst["kode_kecamatan"].map(names))
        worst = worst[["nama", "kecamatan", "anak", "persen_terjangkau", "anak_tak_terjangkau"]]
        worst = worst.rename(columns={c: t(f"peta.col_{c}") for c in worst.columns})
        st.dataframe(
            styled(
                worst,
                lang,
                integers=(t("peta.col_anak"), t("peta.col_anak_tak_terjangkau")),
                percents=(t("peta.col_persen_terjangkau"),),
            ),
            hide_index=True,
            width="stretch",
            key="peta_unreached",
        )
        city = geodata.coverage_table(key, year, radius, cov_level, region)
        share = city["anak_terjangkau"].sum() / city["anak"].sum() * 100 if city["anak"].sum() else None
        st.caption(t("peta.city_reached", radius=fmt_int(radius, lang), pct=pct(share)))
        downloads.table_buttons(worst, f"kelurahan_belum_terjangkau_{int(radius)}m", key="dl_unreached")
    with right:
        st.subheader(t("peta.proposals_title"))
        if len(proposals):
            view_p = proposals.assign(
                kecamatan=proposals["kode"].str[:8].map(names),
                lat=proposals["lat"].map(lambda v: fmt_dec(v, 5, lang)),
                lon=proposals["lon"].map(lambda v: fmt_dec(v, 5, lang)),
            )[["urutan", "nama", "kecamatan", "anak_tambahan", "lat", "lon"]]
            view_p = view_p.rename(columns={c: t(f"peta.col_{c}") for c in view_p.columns})
            st.dataframe(
                styled(view_p, lang, integers=(t("peta.col_urutan"), t("peta.col_anak_tambahan"))),
                hide_index=True,
                width="stretch",
                key="peta_proposals",
            )
            downloads.table_buttons(view_p, f"usulan_lokasi_rbra_{int(radius)}m", key="dl_proposals")
        st.caption(t("peta.proposals_caption", radius=fmt_int(radius, lang)))
