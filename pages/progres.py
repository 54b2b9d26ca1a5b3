"""Progres Klaster: how far from the next category, which indicators and which OPD can close the gap,
and the meeting follow-ups (editable: an edit is a new warehouse version, through etl.edits)."""

import datetime as dt

import streamlit as st

from etl import edits
from etl.reference import category_values
from kla import auth, downloads, i18n, queries
from kla.fmt import md_text
from kla.i18n import t
from kla.shell import context, metric, text_table
from kla.views import progres as view

CARD = 150
ctx = context(__file__)
lang = ctx.lang
st.title(t("progres.title"))

year = view.eval_year(ctx, ctx.region)
if year is None:
    st.info(t("progres.no_data_public" if ctx.public else "progres.no_data"))
    st.stop()

# The KLA evaluation belongs to a kab/kota. A province or national view ranks its kab/kota first and
# then details the one chosen (the highest by default).
kk = ctx.region if ctx.region_level == "kabkota" else None
if kk is None:
    ranking = view.ranking(ctx, year)
    st.subheader(ranking.title)
    st.caption(ranking.caption)
    text_table(ranking.table, key="kabkota_ranking", lang=lang)  # a whole country (514): a grid
    downloads.table_buttons(ranking.table.data, f"nilai_kla_kabkota_{year}", key="dl_ranking")
    kk = st.selectbox(
        t("progres.pick_kabkota"), list(ranking.names), format_func=ranking.names.get, key="progres_kabkota"
    )
    st.divider()
    year = view.eval_year(ctx, kk)
    st.header(ranking.heading(kk))
st.markdown(f'<p class="kla-sub">{t("progres.lead", year=year)}</p>', unsafe_allow_html=True)
if year != ctx.year:
    st.caption(t("progres.other_year", year=year, chosen=ctx.year))

table = view.indicators(ctx, kk, year)
for col, card in zip(st.columns(4), view.cards(ctx, table, year, kk), strict=True):
    metric(col, card, CARD)

tabs = st.tabs(
    [
        t("progres.tab_score"),
        t("progres.tab_stages"),
        t("progres.tab_indicators"),
        t("progres.tab_whatif"),
        t("progres.tab_opd"),
        t("progres.tab_followups"),
        t("progres.tab_kecamatan"),
    ]
)

# --- score against the maximum, trends ----------------------------------------------------------
with tabs[0]:
    st.subheader(t("progres.groups_title", year=year))
    groups = view.groups(ctx, kk, year)
    st.plotly_chart(groups.figure, key="chart_groups", config=downloads.chart_config("chart_groups"))
    st.caption(view.groups_caption(ctx, groups))
    total_trend, group_trend = view.trends(ctx, kk)
    left, right = st.columns(2)
    with left:
        st.subheader(t("progres.trend_total"))
        st.plotly_chart(total_trend, key="chart_total", config=downloads.chart_config("chart_total"))
        st.caption(t("progres.trend_total_caption"))
    with right:
        st.subheader(t("progres.trend_groups"))
        st.plotly_chart(group_trend, key="chart_group_trend", config=downloads.chart_config("chart_group_trend"))
        st.caption(view.trend_groups_caption(ctx, kk))

# --- scores per stage, categories over the years -------------------------------------------------
with tabs[1]:
    stages = view.stages(ctx, kk)
    st.subheader(t("progres.stages_title"))
    st.caption(t("progres.stages_lead"))
    if stages.table is None:
        st.info(t("progres.stages_empty"))
    else:
        text_table(stages.table, key="stage_table", lang=lang)
        downloads.table_buttons(stages.table, "nilai_kla_per_tahap", key="dl_stages")
    st.subheader(t("progres.history_title"))
    if stages.history is None:
        st.info(t("progres.history_empty_public" if ctx.public else "progres.history_empty"))
    else:
        st.dataframe(
            stages.history,
            hide_index=True,
            width="stretch",
            key="category_history",
            column_config={t("progres.hcol_tautan"): st.column_config.LinkColumn()},
        )
        downloads.table_buttons(stages.history, "riwayat_kategori_kla", key="dl_history")
    for note in stages.notes:
        st.caption(note)

# --- the 24 indicators -------------------------------------------------------------------------
with tabs[2]:
    st.subheader(t("progres.table_title", year=year))
    st.caption(t("progres.table_caption"))
    indicator_table = view.indicator_view(ctx, table)
    text_table(indicator_table, key="indicator_table", lang=lang)  # the 24 indicators whole, words wrapped
    downloads.table_buttons(indicator_table.data, f"indikator_kla_{year}", key="dl_indicators")

# --- what-if -----------------------------------------------------------------------------------
with tabs[3]:
    st.subheader(t("progres.whatif_title"))
    st.caption(t("progres.whatif_lead"))
    labels = view.indicator_labels(ctx, table)
    chosen = st.multiselect(
        t("progres.whatif_pick"),
        list(labels),
        key="whatif_pick",
        format_func=labels.get,
        placeholder=t("app.choose"),
        select_all=False,  # Streamlit's "Select all" is English only
    )
    changes = {}
    for slider in view.whatif_sliders(ctx, table, chosen):
        if slider.maks is None:  # no maximum is known for this indicator: no upper bound is made up
            changes[slider.nomor] = st.number_input(
                slider.label, 0.0, None, slider.now, 0.5, format="%.1f", key=f"whatif_{slider.nomor}", help=slider.help
            )
        else:
            changes[slider.nomor] = st.slider(
                slider.label,
                0.0,
                slider.maks,
                slider.now,
                0.5,
                format="%.1f",  # one decimal like the page's numbers (widgets keep the browser's point)
                key=f"whatif_{slider.nomor}",
                help=slider.help,
            )
    whatif = view.whatif(ctx, table, changes)
    for col, card in zip(st.columns(3), whatif.cards, strict=True):
        metric(col, card, CARD)
    if whatif.suggestion:
        st.markdown(whatif.suggestion)
        text_table(whatif.picks, key="whatif_suggest", lang=lang)
    st.caption(view.whatif_note(ctx, table))

# --- per OPD -----------------------------------------------------------------------------------
with tabs[4]:
    per_opd = view.opd_view(ctx, table)
    st.subheader(t("progres.opd_title", year=year))
    # the chart, then the table across the page: its nine columns do not fit beside the chart (issue 21)
    st.plotly_chart(per_opd.figure, key="chart_opd", config=downloads.chart_config("chart_opd"))
    text_table(per_opd.table, key="opd_table", lang=lang)
    st.caption(t("progres.opd_caption"))
    downloads.table_buttons(per_opd.table.data, f"bagian_opd_{year}", key="dl_opd")
    opd = st.selectbox(t("progres.opd_pick"), per_opd.opds, key="opd_pick")
    text_table(view.opd_indicators(ctx, table, opd), key="opd_indicators", lang=lang)

# --- meeting follow-ups ------------------------------------------------------------------------
STATUSES = category_values("status_tugas")
TASK_INDICATORS = view.task_indicator_labels(ctx, table)  # none, then "n. name"


FORM_FIELDS = ("meeting", "due", "task", "opd", "nomor", "status", "note")


def _edit_base(task_id: str, form_key: str) -> dict:
    """The version of the task an edit starts from (its load_id). Taken when the form's fields are created, so
    showing this version of the task, and kept while they live: a save after someone else's is refused."""
    if f"{form_key}_status" not in st.session_state or f"{form_key}_base" not in st.session_state:
        st.session_state[f"{form_key}_base"] = queries.followup_versions(ctx.key, kk).get(task_id)
        st.session_state.pop(f"{form_key}_stale", None)
    return {task_id: st.session_state[f"{form_key}_base"]}


def _stale_text(s: edits.Stale, task_text: str) -> str:
    """Why a save was refused (for st.error): whose change came first, and when."""
    from kla.fmt import fmt_datetime, md_text

    key = {edits.GONE: "progres.tl_stale_gone", edits.EXISTS: "progres.tl_stale_exists"}.get(s.kind, "progres.tl_stale")
    return t(
        key, task=md_text(task_text[:70]), user=md_text(s.user or "?"), when=fmt_datetime(s.at, lang) if s.at else "?"
    )


def _task_form(task: dict | None, form_key: str, base: dict) -> None:
    """Add (task None) or edit one task; saving publishes a new version through etl.edits, refused when a
    task in `base` (id -> the version the edit started from) was changed by someone else meanwhile."""
    with st.form(form_key, clear_on_submit=task is None):
        a, b = st.columns(2)
        meeting = a.date_input(
            t("progres.tl_meeting"),
            value=task["tanggal_rapat"] if task else dt.date.today(),
            format="DD/MM/YYYY",
            key=f"{form_key}_meeting",
        )
        due = b.date_input(
            t("progres.tl_due"),
            value=task["tenggat"] if task else dt.date.today() + dt.timedelta(30),
            format="DD/MM/YYYY",
            key=f"{form_key}_due",
        )
        text = st.text_area(
            t("progres.tl_task"), value=task["tugas"] if task else "", key=f"{form_key}_task", height=80
        )
        c, d, e = st.columns(3)
        opd_name = c.text_input(t("progres.tl_opd"), value=task["opd"] if task else "", key=f"{form_key}_opd")
        numbers = list(TASK_INDICATORS)
        nomor = d.selectbox(
            t("progres.tl_indicator"),
            numbers,
            key=f"{form_key}_nomor",
            index=numbers.index(task["nomor"]) if task and task["nomor"] in numbers else 0,
            format_func=TASK_INDICATORS.get,
        )
        status = e.selectbox(
            t("progres.tl_status"),
            STATUSES,
            key=f"{form_key}_status",
            index=STATUSES.index(task["status"]) if task else 0,
        )
        note = st.text_input(
            t("progres.tl_note"), value=(task["catatan"] or "") if task else "", key=f"{form_key}_note"
        )
        if st.form_submit_button(t("progres.tl_save") if task else t("progres.tl_add"), type="primary"):
            # checked on the server at the moment of saving, for the kab/kota the task belongs to
            editor = auth.require("analis", t("auth.refused_analis"), region=kk)
            row = {
                "id": task["id"] if task else None,
                "tanggal_rapat": meeting,
                "tugas": text.strip(),
                "nomor": nomor,
                "opd": opd_name.strip(),
                "tenggat": due,
                "status": status,
                "catatan": note.strip() or None,
            }
            result = edits.save_tasks([row], user=editor.user, source=t("progres.tl_source"), kabkota=kk, base=base)
            if result.ok:
                if task:  # the form now shows what was saved: a next save starts from it
                    st.session_state[f"{form_key}_base"] = result.load_id
                st.session_state["tl_saved"] = t("progres.tl_saved", version=result.version)
                st.rerun()
            if result.stale and task:  # kept, with the form as it was, until the user reloads
                st.session_state[f"{form_key}_stale"] = [_stale_text(s, row["tugas"]) for s in result.stale]
            elif result.stale:
                for s in result.stale:
                    st.error(_stale_text(s, row["tugas"]), icon=":material/sync_problem:")
            else:
                for p in result.report.errors:
                    st.error(md_text(f"{p.column}: {p.message}" if p.column else p.message))
    if refused := st.session_state.get(f"{form_key}_stale"):
        for msg in refused:
            st.error(msg, icon=":material/sync_problem:")
        if st.button(
            t("progres.tl_reload"),
            key=f"{form_key}_reload",
            help=t("progres.tl_reload_help"),
            icon=":material/refresh:",
        ):
            for k in (*(f"{form_key}_{f}" for f in FORM_FIELDS), f"{form_key}_base", f"{form_key}_stale"):
                st.session_state.pop(k, None)
            st.rerun()


with tabs[5]:
    st.subheader(t("progres.tl_title"))
    if msg := st.session_state.pop("tl_saved", None):
        st.success(msg, icon=":material/check_circle:")
    followups = view.followups(ctx, kk, dt.date.today())
    if followups.empty:
        st.info(t("progres.tl_empty_public" if ctx.public else "progres.tl_empty"))
    else:
        for col, card in zip(st.columns(3), followups.cards, strict=True):
            metric(col, card)
        f1, f2 = st.columns(2)
        opd_filter = f1.multiselect(
            t("progres.tl_filter_opd"), followups.opds, key="tl_opd", placeholder=t("app.choose"), select_all=False
        )
        status_filter = f2.multiselect(
            t("progres.tl_filter_status"),
            STATUSES,
            key="tl_status",
            format_func=lambda s: i18n.value("status_tugas", s, lang),
            placeholder=t("app.choose"),
            select_all=False,
        )
        lists = view.followup_lists(ctx, followups, opd_filter, status_filter)
        st.markdown(f"**{t('progres.tl_opd_title')}**")
        text_table(lists.per_opd, key="tl_opd_table", lang=lang)
        downloads.table_buttons(lists.per_opd, "tindak_lanjut_per_opd", key="dl_tasks_opd")
        st.markdown(f"**{t('progres.tl_list_title')}**")
        text_table(lists.tasks, key="tl_table", lang=lang)  # late first; over 60 tasks: a grid
        st.caption(t("progres.tl_caption"))
        downloads.table_buttons(lists.tasks.data, "tindak_lanjut", key="dl_tasks")
        if not auth.viewer().exact(kk):
            st.caption(t("progres.tl_public") + " " + t("progres.tl_login"))
        else:
            with st.expander(t("progres.tl_edit"), icon=":material/edit:"):
                picks = view.edit_labels(ctx, followups)  # task text: only for who may edit the tasks
                pick = st.selectbox(t("progres.tl_pick"), list(picks), format_func=picks.get, key="tl_pick")
                _task_form(view.task_values(followups, pick), f"tl_edit_{pick}", _edit_base(pick, f"tl_edit_{pick}"))
    if auth.viewer().exact(kk):
        with st.expander(t("progres.tl_new"), icon=":material/add_task:"):
            _task_form(None, "tl_new", {})
    st.caption(t("progres.tl_versions_public" if ctx.public else "progres.tl_versions"))

# --- kecamatan self-ratings --------------------------------------------------------------------
with tabs[6]:
    st.subheader(t("progres.kec_title"))
    ratings = view.kecamatan_ratings(ctx, kk)
    if ratings.table is None:
        st.info(t("progres.kec_empty_public" if ctx.public else "progres.kec_empty"))
    else:
        text_table(ratings.table, key="kec_ratings", lang=lang, index=True)
        st.caption(ratings.caption)
