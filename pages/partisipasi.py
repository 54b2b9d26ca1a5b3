"""Partisipasi Anak: Forum Anak coverage on the map, and children's proposals in the Musrenbang (indicator 6).

Map first: on a 390x844 phone and a 1280x720 projector the map starts on the first screen, under the title and
the headline cards; its one setting (the level) sits in a closed expander beside it (under it on a phone), with
the kelurahan that have no active forum. Then the members, the proposals by status, theme and OPD, the share
taken up and realised per RKPD cycle, and the list. Public viewers see counts and statuses, and a proposal's
text only once an analyst reviewed it for publication (the review is a new warehouse version, through
etl.partisipasi_edits); analysts see the text as written, the reason and the evidence link.
"""

import streamlit as st

from kla import auth, downloads
from kla.fmt import md_text
from kla.i18n import t
from kla.shell import context, metric, text_table
from kla.views import partisipasi as view

ctx = context(__file__)
lang = ctx.lang
exact = auth.viewer().exact(ctx.region)
cov = view.coverage(ctx)
cycles = view.cycles(ctx)

# --- first screen: title and cards, then the map with its setting and the kelurahan without an active forum ------
head, cards = st.columns([2, 3], vertical_alignment="bottom")
head.title(t("partisipasi.title"))
if cov.empty and not cycles:
    st.info(t("partisipasi.no_data_public" if ctx.public else "partisipasi.no_data"))
    st.stop()
head_cards = view.headline(ctx, cov)  # coverage first; indicator 6 beside the map (on a phone: under it)
card_row = cards.container(horizontal=True, key="pa_cards")
metric(card_row, head_cards[0])

levels = view.levels(ctx)
map_col, side = st.columns([1, 1], gap="medium")
for card in head_cards[1:]:
    metric(side, card)
with side.expander(t("partisipasi.controls"), icon=":material/tune:"):
    level = st.radio(
        t("partisipasi.level"),
        levels,
        key="pa_level",
        format_func=lambda v: t(f"partisipasi.level_{v}"),
        horizontal=True,
        bind="query-params",
    )
with map_col:
    st.plotly_chart(
        view.map_figure(ctx, cov, level),
        key="pa_map",
        config={
            **downloads.chart_config("forum_anak"),
            "scrollZoom": True,
            "modeBarButtonsToRemove": ["zoomInMap", "zoomOutMap"],
        },
    )
with side:
    st.caption(md_text(view.coverage_note(ctx, cov)))
    missing = view.without_forum(ctx, cov)
    st.markdown(f"**{t('partisipasi.without_title', n=len(missing))}**")
    if len(missing):
        st.dataframe(missing, hide_index=True, width="stretch", height=300, key="pa_without")
        downloads.table_buttons(missing, f"kelurahan_tanpa_forum_anak_aktif_{cov.year}", key="dl_pa_without")
    else:
        st.caption(t("partisipasi.without_none"))
note = view.unplaced(ctx, cov, level)
if note:
    st.caption(md_text(note))
st.caption(t("partisipasi.map_caption", year=cov.year or "—"))
st.page_link("pages/progres.py", label=t("partisipasi.to_progres", n=view.INDICATOR), icon=":material/trending_up:")

# --- members -----------------------------------------------------------------------------------------------------
if not cov.empty:
    st.subheader(t("partisipasi.members_title", year=cov.year))
    members = view.members(ctx, cov)
    st.dataframe(members, hide_index=True, width="stretch", key="pa_members")
    st.caption(t("partisipasi.members_caption"))
    downloads.table_buttons(members.data, f"anggota_forum_anak_{cov.year}", key="dl_pa_members")

# --- proposals ---------------------------------------------------------------------------------------------------
st.subheader(t("partisipasi.proposals_title"))
if not cycles:
    st.info(t("partisipasi.no_proposals"))
    st.stop()
share_row = st.container(horizontal=True, key="pa_share_cards")
for card in view.share_cards(ctx):
    metric(share_row, card)
left, right = st.columns(2)
with left:
    st.markdown(f"**{t('partisipasi.share_title')}**")
    st.plotly_chart(view.share_figure(ctx), key="pa_shares", config=downloads.chart_config("usulan_diakomodir"))
    st.caption(t("partisipasi.share_caption"))
with right:
    st.markdown(f"**{t('partisipasi.status_title')}**")
    st.plotly_chart(view.status_figure(ctx), key="pa_status", config=downloads.chart_config("usulan_status"))
    st.caption(t("partisipasi.status_caption"))
shares = view.shares(ctx)
downloads.table_buttons(view.share_table(ctx, shares), "usulan_anak_per_siklus", key="dl_pa_shares")

options = [view.ALL, *reversed(cycles)]
cycle = st.selectbox(
    t("partisipasi.cycle_pick"), options, key="pa_cycle", format_func=lambda c: view.cycle_label(ctx, c)
)
left, right = st.columns(2)
for col, column, key in ((left, "tema", "pa_tema"), (right, "opd_tujuan", "pa_opd")):
    with col:
        st.markdown(f"**{t(f'partisipasi.by_{column}', cycle=view.cycle_label(ctx, cycle))}**")
        fig = view.count_bars(ctx, column, cycle)
        if fig is not None:
            st.plotly_chart(fig, key=key, config=downloads.chart_config(f"usulan_per_{column}"))

# --- the list: reviewed text for the public; the text as written, reason and evidence for analysts ---------------
st.subheader(t("partisipasi.list_title", cycle=view.cycle_label(ctx, cycle)))
if not exact:
    listed = view.public_list(ctx, cycle)
    if len(listed):
        text_table(listed, "pa_public_list", lang)
        downloads.table_buttons(listed, f"usulan_anak_ditinjau_{cycle or 'semua'}", key="dl_pa_public")
    else:
        st.caption(t("partisipasi.list_none_public"))
    st.caption(t("partisipasi.list_public_note"))
    st.stop()

listed = view.exact_list(ctx, cycle)
text_table(listed, "pa_exact_list", lang)
st.caption(t("partisipasi.list_exact_note"))
downloads.table_buttons(listed, f"usulan_anak_lengkap_{cycle or 'semua'}", key="dl_pa_exact")


def _base(usulan_id: str, row: dict) -> str | None:
    """The version of the proposal the review starts from (its load_id), taken when its form is first shown: a
    review after someone else's change to it is refused (etl.partisipasi_edits)."""
    k = f"pa_base_{usulan_id}"
    if k not in st.session_state:
        st.session_state[k] = row.get("load_id")
    return st.session_state[k]


with st.expander(t("partisipasi.review_title"), icon=":material/rate_review:", expanded=False):
    if msg := st.session_state.pop("pa_saved", None):
        st.success(msg, icon=":material/check_circle:")
    st.caption(t("partisipasi.review_lead"))
    labels = view.review_labels(ctx, cycle)
    pick = st.selectbox(t("partisipasi.review_pick"), list(labels), format_func=labels.get, key="pa_review_pick")
    row = view.review_row(ctx, pick) if pick else None
    if row:
        base = _base(pick, row)
        st.markdown(f"**{t('partisipasi.col_usulan')}:** {md_text(row['usulan'])}")
        if row.get("alasan"):
            st.markdown(f"**{t('partisipasi.col_alasan')}:** {md_text(row['alasan'])}")
        if row.get("tautan_bukti"):
            st.markdown(f"**{t('partisipasi.col_bukti')}:** {md_text(row['tautan_bukti'])}")
        if row.get("teks_publik"):
            st.markdown(
                t("partisipasi.review_current", user=md_text(row.get("ditinjau_oleh") or "?"))
                + " "
                + md_text(row["teks_publik"])
            )
        with st.form(f"pa_review_{pick}"):
            text = st.text_area(
                t("partisipasi.review_text"),
                value=row.get("teks_publik") or row.get("usulan") or "",
                key=f"pa_review_text_{pick}",
                height=100,
                help=t("partisipasi.review_text_help"),
            )
            a, b = st.columns(2)
            publish = a.form_submit_button(t("partisipasi.review_publish"), type="primary", icon=":material/public:")
            withdraw = b.form_submit_button(
                t("partisipasi.review_withdraw"), icon=":material/public_off:", disabled=not row.get("teks_publik")
            )
        if publish or withdraw:
            from etl import partisipasi_edits

            editor = auth.require("analis", t("auth.refused_analis"), region=ctx.region)
            result = partisipasi_edits.review_text(
                pick, None if withdraw else text.strip(), user=editor.user, base=base
            )
            if result.ok:
                st.session_state.pop(f"pa_base_{pick}", None)
                st.session_state.pop(f"pa_review_text_{pick}", None)
                st.session_state["pa_saved"] = t(
                    "partisipasi.review_withdrawn" if withdraw else "partisipasi.review_saved", version=result.version
                )
                st.rerun()
            for p in result.report.errors:
                st.error(md_text(p.message), icon=":material/error:")
