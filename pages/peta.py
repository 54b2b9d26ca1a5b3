"""Peta: children, RBRA and cases per kecamatan (and kelurahan), service-radius coverage, siting aid.

Works offline (no basemap unless switched on). Without boundaries the map falls back to circles at
the reference points of each kecamatan. The figures, hovers and tables come from kla.views.peta.
"""

import streamlit as st

from etl import settings
from kla import downloads, maps
from kla.i18n import t
from kla.shell import context, metric
from kla.views import peta as view

ctx = context(__file__)
year = ctx.year
st.title(t("peta.title"))
st.markdown(
    f'<p class="kla-sub">{t("peta.lead", year=year, unit=t(f"app.unit_{ctx.unit_level}"))}</p>', unsafe_allow_html=True
)
lay = view.layers(ctx)

# --- controls ----------------------------------------------------------------------------------
c1, c2, c3 = st.columns([1, 2, 2])
level = c1.radio(
    t("peta.level"), lay.levels, key="peta_level", format_func=lambda v: t(f"peta.level_{v}"), horizontal=True
)
options = view.metric_options(ctx, level, lay.cov_level)
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
    disabled=not lay.cov_level,
)
basemap = st.toggle(t("peta.basemap"), key="peta_basemap", help=t("peta.basemap_help"))
if not lay.has_kec:
    st.info(t("peta.no_boundaries"), icon=":material/map:")

# --- siting proposals (drawn on the map, listed at the end) -----------------------------------------
k, mode = 0, "centroid"
if lay.cov_level:
    s1, s2 = st.columns(2)
    k = s1.number_input(t("peta.sites_k"), 0, 10, settings.get("peta", "usulan"), key="peta_k")
    mode = s2.selectbox(
        t("peta.sites_mode"), ["centroid", "grid"], key="peta_mode", format_func=lambda m: t(f"peta.mode_{m}")
    )
proposals = view.sites(ctx, radius, k, mode)

# --- the map -------------------------------------------------------------------------------------
fig = view.map_figure(ctx, level, metric_name, radius, basemap, proposals)
# its own key per level: a click on a kab/kota must not stay selected when the province view comes back
event = st.plotly_chart(
    fig,
    key=f"peta_map_{ctx.unit_level}" if lay.above else "peta_map",
    on_select="rerun",
    selection_mode="points",
    config={**downloads.chart_config("peta"), "scrollZoom": True},
)
st.caption(view.map_caption(ctx, metric_name, radius))
if not ctx.region:
    st.caption(t("peta.national_points"))

unit_names = view.unit_names(ctx, radius)
clicked = maps.selected_location(event)

# --- province / national: the units' table; a click (or the selector) opens that region ------------
if lay.above:
    table = view.units_table(ctx, radius)
    st.dataframe(table, hide_index=True, width="stretch", key="peta_units")
    downloads.table_buttons(table.data, f"peta_per_{ctx.unit_level}_{year}", key="dl_units")
    unit_none = t("peta.unit_none")  # resolved now: format_func may be called outside this run
    target = st.selectbox(
        t("peta.open_unit"),
        [view.NONE, *unit_names],
        key="peta_open",
        format_func=lambda c: unit_none if c == view.NONE else unit_names[c],
    )
    target = clicked if clicked in unit_names else target
    if target != view.NONE:
        st.session_state["_wilayah_next"] = target  # app.py applies it before drawing the region filter
        st.rerun()
    st.stop()

# --- drill-down panel ----------------------------------------------------------------------------
if clicked and clicked != st.session_state.get("_peta_last_click"):
    st.session_state["_peta_last_click"] = clicked
    parent = view.parent_kecamatan(ctx, level, radius, clicked)
    if parent:
        st.session_state["peta_kec"] = parent
if st.session_state.get("peta_kec") not in [view.NONE, *unit_names]:
    st.session_state["peta_kec"] = ctx.kecamatan or view.NONE
none_label = t("peta.panel_none")
chosen = st.selectbox(
    t("peta.panel_pick"),
    [view.NONE, *unit_names],
    key="peta_kec",
    format_func=lambda c: none_label if c == view.NONE else unit_names[c],
)
if chosen != view.NONE:
    panel = view.panel(ctx, chosen, radius)
    with st.container(border=True, key="peta_panel"):
        st.subheader(panel.title)
        for col, card in zip(st.columns(len(panel.cards)), panel.cards, strict=True):
            metric(col, card, border=False)
        left, right = st.columns(2)
        with left:
            st.markdown(f"**{t('peta.kel_table')}**")
            st.dataframe(panel.kelurahan, hide_index=True, width="stretch", key="peta_kel_table")
        with right:
            st.markdown(f"**{t('peta.rbra_list')}**")
            st.dataframe(
                panel.rbra,
                hide_index=True,
                width="stretch",
                key="peta_rbra_table",
                column_config={t("peta.col_tahun"): st.column_config.NumberColumn(format="%d")},
            )

# --- coverage ranking and proposals -------------------------------------------------------------
if lay.cov_level:
    left, right = st.columns(2)
    with left:
        worst = view.unreached(ctx, radius, lay.cov_level)
        st.subheader(worst.title)
        st.dataframe(worst.table, hide_index=True, width="stretch", key="peta_unreached")
        st.caption(worst.caption)
        downloads.table_buttons(worst.table.data, f"kelurahan_belum_terjangkau_{int(radius)}m", key="dl_unreached")
    with right:
        listed = view.proposals_table(ctx, proposals, radius)
        st.subheader(listed.title)
        if listed.table is not None:
            st.dataframe(listed.table, hide_index=True, width="stretch", key="peta_proposals")
            downloads.table_buttons(listed.table.data, f"usulan_lokasi_rbra_{int(radius)}m", key="dl_proposals")
        st.caption(listed.caption)
