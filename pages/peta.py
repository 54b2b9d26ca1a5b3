"""Peta: children, RBRA and cases per kecamatan (and kelurahan), service-radius coverage, siting aid.

Map first: on a 390x844 phone and a 1280x720 projector the map starts on the first screen, under a short title
and the headline cards; its settings sit in a closed expander beside it (under it on a phone), with the detail of
a tapped point or area. Works offline (no basemap unless switched on). Without boundaries the map falls back to
circles at the reference points of each kecamatan. The figures, hovers and tables come from kla.views.peta.
"""

import streamlit as st

from etl import settings
from kla import downloads, maps
from kla.i18n import t
from kla.shell import context, metric, text_table
from kla.views import peta as view

ctx = context(__file__)
year = ctx.year
lay = view.layers(ctx)

# --- first screen: a short title with the headline cards, then the map with its settings and the tapped detail -----
# On a phone the columns stack: title, cards, map, then the detail of what was tapped and the settings (closed).
head, cards = st.columns([2, 3], vertical_alignment="bottom")
head.title(t("peta.title"))
cards = cards.container(horizontal=True, key="peta_cards")  # filled once the radius is known
map_col, side = st.columns([3, 2], gap="medium")
detail_slot = side.container(key="peta_detail")
with side.expander(t("peta.controls"), icon=":material/tune:"):
    level = st.radio(
        t("peta.level"),
        lay.levels,
        key="peta_level",
        format_func=lambda v: t(f"peta.level_{v}"),
        horizontal=True,
        bind="query-params",  # a link holds the view (issue 21 item 6)
    )
    options = view.metric_options(ctx, level, lay.cov_level)
    metric_name = st.selectbox(
        t("peta.metric"), options, key="peta_metric", format_func=lambda m: t(f"peta.m_{m}"), bind="query-params"
    )
    r_min, r_max = settings.get("peta", "radius_min_m"), settings.get("peta", "radius_max_m")
    radius = st.slider(
        t("peta.radius"),
        r_min,
        r_max,
        settings.get("peta", "radius_m"),
        100,
        key="peta_radius",
        bind="query-params",
        help=t("peta.radius_help"),
        disabled=not lay.cov_level,
    )
    basemap = st.toggle(t("peta.basemap"), key="peta_basemap", help=t("peta.basemap_help"))
    # siting proposals (drawn on the map, listed at the end): planners' controls
    k, mode = 0, "centroid"
    if lay.cov_level:
        st.markdown(f"**{t('peta.planning')}**")
        k = st.number_input(t("peta.sites_k"), 0, 10, settings.get("peta", "usulan"), key="peta_k")
        mode = st.selectbox(
            t("peta.sites_mode"), ["centroid", "grid"], key="peta_mode", format_func=lambda m: t(f"peta.mode_{m}")
        )
proposals = view.sites(ctx, radius, k, mode)
for card in view.headline(ctx, radius):
    metric(cards, card)

# --- the map -------------------------------------------------------------------------------------
fig = view.map_figure(ctx, level, metric_name, radius, basemap, proposals)
with map_col:
    # its own key per level: a click on a kab/kota must not stay selected when the province view comes back
    event = st.plotly_chart(
        fig,
        key=f"peta_map_{ctx.unit_level}" if lay.above else "peta_map",
        on_select="rerun",
        selection_mode="points",
        # zoom by pinch or wheel: the zoom buttons would only crowd a phone's map
        config={
            **downloads.chart_config("peta"),
            "scrollZoom": True,
            "modeBarButtonsToRemove": ["zoomInMap", "zoomOutMap"],
        },
    )
clicked = maps.selected_location(event)

# --- what the tap selected, as text beside (under, on a phone) the map -------------------------------------------
picked = None if lay.above else view.selection(ctx, level, radius, clicked, proposals)
with detail_slot:
    if picked:
        with st.container(border=True, key="peta_selected"):
            st.markdown(f"**{picked.title}**")
            st.markdown("  \n".join(picked.lines))
    elif not lay.above:
        st.caption(t("peta.tap_hint"))

# --- under the map: what it shows, the units without a polygon, the page's purpose ---------------------------------
note = view.unplaced_note(ctx, radius)
if note:
    st.markdown(note)
st.caption(view.map_caption(ctx, metric_name, radius))
st.caption(t("peta.lead", year=year, unit=t(f"app.unit_{ctx.unit_level}")))
if not ctx.region:
    st.caption(t("peta.national_points"))
if not lay.has_kec:
    st.info(t("peta.no_boundaries_public" if ctx.public else "peta.no_boundaries"), icon=":material/map:")

unit_names = view.unit_names(ctx, radius)

# --- province / national: the units' table; a click (or the selector) opens that region ------------
if lay.above:
    table = view.units_table(ctx, radius)
    text_table(table, key="peta_units", lang=ctx.lang)
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
    parent = picked.kecamatan if picked else None
    if parent in unit_names:
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
            text_table(panel.kelurahan, key="peta_kel_table", lang=ctx.lang)
        with right:
            st.markdown(f"**{t('peta.rbra_list')}**")
            text_table(panel.rbra, key="peta_rbra_table", lang=ctx.lang, plain=(t("peta.col_tahun"),))

# --- coverage ranking and proposals -------------------------------------------------------------
if lay.cov_level:
    left, right = st.columns(2)
    with left:
        worst = view.unreached(ctx, radius, lay.cov_level)
        st.subheader(worst.title)
        text_table(worst.table, key="peta_unreached", lang=ctx.lang)
        st.caption(worst.caption)
        downloads.table_buttons(worst.table.data, f"kelurahan_belum_terjangkau_{int(radius)}m", key="dl_unreached")
    with right:
        listed = view.proposals_table(ctx, proposals, radius)
        st.subheader(listed.title)
        if listed.table is not None:
            text_table(listed.table, key="peta_proposals", lang=ctx.lang)
            downloads.table_buttons(listed.table.data, f"usulan_lokasi_rbra_{int(radius)}m", key="dl_proposals")
        st.caption(listed.caption)
