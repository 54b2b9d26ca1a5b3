"""Progres Klaster: how far from the next category, which indicators and which OPD can close the gap,
and the meeting follow-ups (editable: an edit is a new warehouse version, through etl.edits)."""

import datetime as dt

import pandas as pd
import streamlit as st

from etl import edits
from etl.reference import category_values
from kla import auth, charts, downloads, klaster, palette, queries
from kla.fmt import fmt_date, fmt_dec, fmt_int, md_text, styled
from kla.i18n import t
from kla.scoring import categories, standing
from kla.shell import context

CARD = 150
ctx = context(__file__)
lang = ctx.lang
st.title(t("progres.title"))

years = queries.indicator_years(ctx.key, ctx.region)
if not years:
    st.info(t("progres.no_data"))
    st.stop()
past = [y for y in years if y <= ctx.year]
year = max(past) if past else years[-1]
bands = queries.category_bands(ctx.key)

# The KLA evaluation belongs to a kab/kota. A province or national view ranks its kab/kota first and
# then details the one chosen (the highest by default).
kk = ctx.region if ctx.region_level == "kabkota" else None
if kk is None:
    ranking = queries.kabkota_scores(ctx.key, year, ctx.region)
    st.subheader(t("progres.ranking_title", year=year, region=md_text(ctx.region_name)))  # names: md_text
    ranking = ranking.assign(kategori=[c or "—" for c in categories(ranking["nilai"], bands)])
    counts = ranking["kategori"].value_counts()
    st.caption(
        " · ".join(f"{md_text(c)}: {fmt_int(int(counts[c]), lang)}" for c in [*bands["kategori"], "—"] if c in counts)
    )
    view = ranking.rename(
        columns={
            "nama": t("progres.col_kabkota"),
            "nilai": t("progres.col_score"),
            "kategori": t("progres.col_category"),
            "indikator": t("progres.col_assessed"),
        }
    )
    view = view.drop(columns=["kode"])
    st.dataframe(
        styled(view, lang, 1, integers=(t("progres.col_assessed"),)),
        hide_index=True,
        width="stretch",
        height=300,
        key="kabkota_ranking",
    )
    downloads.table_buttons(view, f"nilai_kla_kabkota_{year}", key="dl_ranking")
    names_kk = dict(zip(ranking["kode"], ranking["nama"]))
    kk = st.selectbox(t("progres.pick_kabkota"), list(names_kk), format_func=names_kk.get, key="progres_kabkota")
    st.divider()
    kk_years = queries.indicator_years(ctx.key, kk)
    year = max([y for y in kk_years if y <= ctx.year] or kk_years)
    st.header(md_text(names_kk[kk]))
st.markdown(f'<p class="kla-sub">{t("progres.lead", year=year)}</p>', unsafe_allow_html=True)
if year != ctx.year:
    st.caption(t("progres.other_year", year=year, chosen=ctx.year))

table = klaster.indicator_table(queries.indicators(ctx.key, year, kk))
s = standing(klaster.total(table), bands)
assessed = int(table["nilai"].notna().sum())
complete = int((table["status_bukti"] == "Lengkap").sum())

cards = st.columns(4)
cards[0].metric(
    t("progres.score", year=year), fmt_dec(s.score, 1, lang), help=t("progres.score_help"), border=True, height=CARD
)
cards[1].metric(
    t("progres.category"),
    md_text(s.category) or t("progres.category_none"),
    border=True,
    height=CARD,
    help=t("progres.category_help"),
)
cards[2].metric(
    t("progres.to_next", category=md_text(s.next_category)) if s.next_category else t("progres.to_next_top"),
    fmt_dec(s.points_to_next, 1, lang) if s.next_category else "—",
    border=True,
    height=CARD,
    help=t("progres.to_next_help"),
)
cards[3].metric(
    t("progres.evidence"),
    f"{complete} / {len(table)}",
    border=True,
    height=CARD,
    delta=t("progres.assessed", n=assessed, total=len(table)),
    delta_color="off",
    delta_arrow="off",
    help=t("progres.evidence_help"),
)

tabs = st.tabs(
    [
        t("progres.tab_score"),
        t("progres.tab_indicators"),
        t("progres.tab_whatif"),
        t("progres.tab_opd"),
        t("progres.tab_followups"),
        t("progres.tab_kecamatan"),
    ]
)

# --- score against the maximum, trends ----------------------------------------------------------
with tabs[0]:
    groups = klaster.group_table(table)
    st.subheader(t("progres.groups_title", year=year))
    st.plotly_chart(
        charts.group_bullets(groups, lang, t("progres.axis_points")),
        key="chart_groups",
        config=downloads.chart_config("chart_groups"),
    )
    st.caption(t("progres.groups_caption"))
    left, right = st.columns(2)
    with left:
        st.subheader(t("progres.trend_total"))
        st.plotly_chart(
            charts.kla_score_trend(
                queries.kla_scores(ctx.key, kk), bands, lang, t("progres.axis_points"), t("progres.axis_year")
            ),
            key="chart_total",
            config=downloads.chart_config("chart_total"),
        )
        st.caption(t("progres.trend_total_caption"))
    with right:
        st.subheader(t("progres.trend_groups"))
        st.plotly_chart(
            charts.group_trend(
                queries.group_scores(ctx.key, kk), lang, t("progres.axis_percent"), t("progres.axis_year")
            ),
            key="chart_group_trend",
            config=downloads.chart_config("chart_group_trend"),
        )
        st.caption(t("progres.trend_groups_caption"))

# --- the 24 indicators -------------------------------------------------------------------------
STATUS_LABEL = {k: t(f"progres.status_{k}") for k in klaster.STATUS_COLORS}


def _indicator_view(rows):
    cols = [
        "nomor",
        "status",
        "nama",
        "kelompok",
        "nilai",
        "nilai_maks",
        "persen",
        "poin",
        "target",
        "gap_target",
        "status_bukti",
        "opd",
    ]
    view = rows[cols].copy()
    if not ctx.public:  # notes are free text (they can name a child): analysts only
        view["catatan"] = rows["catatan"].fillna("")
    view["status"] = view["status"].map(STATUS_LABEL)
    view.columns = [t(f"progres.col_{c}") for c in view.columns]
    color = {STATUS_LABEL[k]: v for k, v in klaster.STATUS_COLORS.items()}
    status_col = t("progres.col_status")
    return styled(view, lang, percents=(t("progres.col_persen"),)).map(
        lambda v: palette.cell_css(color[v], bold=True) if v in color else "", subset=[status_col]
    )


with tabs[1]:
    st.subheader(t("progres.table_title", year=year))
    st.caption(t("progres.table_caption"))
    st.dataframe(
        _indicator_view(table), hide_index=True, width="stretch", height=35 * len(table) + 40, key="indicator_table"
    )
    downloads.table_buttons(_indicator_view(table).data, f"indikator_kla_{year}", key="dl_indicators")

# --- what-if -----------------------------------------------------------------------------------
with tabs[2]:
    st.subheader(t("progres.whatif_title"))
    st.caption(t("progres.whatif_lead"))
    names = dict(zip(table["nomor"], table["nama"]))
    by_no = table.set_index("nomor")
    chosen = st.multiselect(
        t("progres.whatif_pick"), sorted(names), key="whatif_pick", format_func=lambda n: f"{n}. {names[n]}"
    )
    changes = {}
    for n in chosen:
        maks = float(by_no.loc[n, "nilai_maks"])
        now = by_no.loc[n, "nilai"]
        now = 0.0 if pd.isna(now) else float(now)
        changes[n] = st.slider(
            f"{n}. {md_text(names[n])}",
            0.0,
            maks,
            now,
            0.5,
            key=f"whatif_{n}",  # a Markdown label
            help=t("progres.whatif_now", now=fmt_dec(now, 1, lang), maks=fmt_int(maks, lang)),
        )
    sim = klaster.simulate(table, bands, changes)
    cols = st.columns(3)
    cols[0].metric(
        t("progres.whatif_total"),
        fmt_dec(sim.score, 1, lang),
        delta=fmt_dec(sim.score - s.score, 1, lang) if changes else None,
        border=True,
        height=CARD,
    )
    cols[1].metric(t("progres.category"), md_text(sim.category) or t("progres.category_none"), border=True, height=CARD)
    cols[2].metric(
        t("progres.to_next", category=md_text(sim.next_category)) if sim.next_category else t("progres.to_next_top"),
        fmt_dec(sim.points_to_next, 1, lang) if sim.next_category else "—",
        border=True,
        height=CARD,
    )
    picks = klaster.suggest(table, sim.points_to_next, changes)
    if sim.next_category and len(picks):
        st.markdown(
            t(
                "progres.suggest",
                category=md_text(sim.next_category),
                points=fmt_dec(sim.points_to_next, 1, lang),
                n=len(picks),
            )
        )
        st.dataframe(
            picks.rename(
                columns={
                    "nomor": t("progres.col_nomor"),
                    "nama": t("progres.col_nama"),
                    "opd": t("progres.col_opd"),
                    "poin": t("progres.col_poin"),
                    "kumulatif": t("progres.col_kumulatif"),
                }
            ).pipe(styled, lang),
            hide_index=True,
            width="stretch",
            key="whatif_suggest",
        )
    st.caption(t("progres.whatif_note"))

# --- per OPD -----------------------------------------------------------------------------------
with tabs[3]:
    per_opd = klaster.opd_table(table)
    st.subheader(t("progres.opd_title", year=year))
    left, right = st.columns([3, 2])
    with left:
        view = per_opd[["opd", "indikator", "nilai", "maks", "poin", "lengkap", "sebagian", "belum", "bukti_persen"]]
        view = view.rename(columns={c: t(f"progres.opd_{c}") for c in view.columns})
        st.dataframe(
            styled(view, lang, percents=(t("progres.opd_bukti_persen"),)),
            hide_index=True,
            width="stretch",
            key="opd_table",
        )
        st.caption(t("progres.opd_caption"))
        downloads.table_buttons(view, f"bagian_opd_{year}", key="dl_opd")
    with right:
        st.plotly_chart(
            charts.points_at_stake(per_opd["opd"].tolist(), per_opd["poin"].tolist(), lang, t("progres.axis_at_stake")),
            key="chart_opd",
            config=downloads.chart_config("chart_opd"),
        )
    opd = st.selectbox(t("progres.opd_pick"), per_opd["opd"].tolist(), key="opd_pick")
    st.dataframe(
        _indicator_view(klaster.opd_indicators(table, opd)), hide_index=True, width="stretch", key="opd_indicators"
    )

# --- meeting follow-ups ------------------------------------------------------------------------
STATUSES = category_values("status_tugas")


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
        numbers = [None, *sorted(names)]
        nomor = d.selectbox(
            t("progres.tl_indicator"),
            numbers,
            key=f"{form_key}_nomor",
            index=numbers.index(task["nomor"]) if task and task["nomor"] in numbers else 0,
            format_func=lambda n: t("progres.tl_no_indicator") if n is None else f"{n}. {names[n]}",
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


def _opd_followups(per_opd: pd.DataFrame) -> pd.DataFrame:
    """The per-OPD follow-up counts, labelled (what everyone sees, the public included)."""
    view = per_opd.assign(
        hari_terlambat=[fmt_int(v, lang) if pd.notna(v) else "" for v in per_opd["hari_terlambat"]],
        tenggat_terlambat=[fmt_date(d, lang) if pd.notna(d) else "" for d in per_opd["tenggat_terlambat"]],
    )
    return view.rename(columns={c: t(f"progres.tlopd_{c}") for c in view.columns})


with tabs[4]:
    st.subheader(t("progres.tl_title"))
    if msg := st.session_state.pop("tl_saved", None):
        st.success(msg, icon=":material/check_circle:")
    tasks = klaster.mark_overdue(queries.followups(ctx.key, kk), dt.date.today())
    if not len(tasks):
        st.info(t("progres.tl_empty"))
    else:
        late = tasks[tasks["terlambat"]]
        open_ = tasks[tasks["status"].isin(klaster.OPEN)]
        m = st.columns(3)
        m[0].metric(t("progres.tl_open"), fmt_int(len(open_), lang), border=True)
        m[1].metric(t("progres.tl_late"), fmt_int(len(late), lang), border=True)
        m[2].metric(t("progres.tl_done"), fmt_int(int((tasks["status"] == "Selesai").sum()), lang), border=True)
        f1, f2 = st.columns(2)
        opd_filter = f1.multiselect(t("progres.tl_filter_opd"), sorted(tasks["opd"].unique()), key="tl_opd")
        status_filter = f2.multiselect(t("progres.tl_filter_status"), STATUSES, key="tl_status")
        shown = tasks
        if opd_filter:
            shown = shown[shown["opd"].isin(opd_filter)]
        if status_filter:
            shown = shown[shown["status"].isin(status_filter)]
        per_opd_tl = _opd_followups(klaster.followups_per_opd(shown))
        st.markdown(f"**{t('progres.tl_opd_title')}**")
        st.dataframe(per_opd_tl, hide_index=True, width="stretch", key="tl_opd_table")
        downloads.table_buttons(per_opd_tl, "tindak_lanjut_per_opd", key="dl_tasks_opd")
        late_label = t("progres.tl_late_mark")
        view = shown.assign(
            tanggal_rapat=shown["tanggal_rapat"].map(lambda d: fmt_date(d, lang)),
            tenggat=shown["tenggat"].map(lambda d: fmt_date(d, lang)),
            hari=[fmt_int(-d, lang) if late else "" for d, late in zip(shown["sisa_hari"], shown["terlambat"])],
            terlambat=shown["terlambat"].map(lambda v: late_label if v else ""),
            nomor=shown["nomor"].map(lambda v: "" if pd.isna(v) else str(int(v))),
            catatan=shown["catatan"].fillna(""),
        )
        # task text and notes are free text (they can name a child): analysts only
        cols = ["terlambat", "tenggat", "hari", "opd", "nomor", "status", "tanggal_rapat"]
        view = view[cols if ctx.public else [*cols[:3], "tugas", *cols[3:6], "catatan", cols[6]]]
        view.columns = [t(f"progres.tlcol_{c}") for c in view.columns]
        late_col = t("progres.tlcol_terlambat")
        st.markdown(f"**{t('progres.tl_list_title')}**")
        st.dataframe(
            view.style.map(
                lambda v: palette.cell_css(palette.DANGER, bold=True) if v == late_label else "",
                subset=[late_col],
            ),
            hide_index=True,
            width="stretch",
            key="tl_table",
        )
        st.caption(t("progres.tl_caption"))
        downloads.table_buttons(view, "tindak_lanjut", key="dl_tasks")
        if not auth.viewer().exact(kk):
            st.caption(t("progres.tl_public") + " " + t("progres.tl_login"))
        else:
            with st.expander(t("progres.tl_edit"), icon=":material/edit:"):
                labels = {
                    r["id"]: f"{fmt_date(r['tenggat'], lang)} · {r['opd']} · {r['tugas'][:70]}"
                    for r in tasks.to_dict("records")
                }
                pick = st.selectbox(t("progres.tl_pick"), list(labels), format_func=labels.get, key="tl_pick")
                task = tasks[tasks["id"] == pick].iloc[0].to_dict()
                for k in ("tanggal_rapat", "tenggat"):
                    task[k] = task[k].date() if hasattr(task[k], "date") else task[k]
                task["nomor"] = None if pd.isna(task["nomor"]) else int(task["nomor"])
                task["catatan"] = None if pd.isna(task["catatan"]) else task["catatan"]
                _task_form(task, f"tl_edit_{pick}", _edit_base(pick, f"tl_edit_{pick}"))
    if auth.viewer().exact(kk):
        with st.expander(t("progres.tl_new"), icon=":material/add_task:"):
            _task_form(None, "tl_new", {})
    st.caption(t("progres.tl_versions"))

# --- kecamatan self-ratings --------------------------------------------------------------------
with tabs[5]:
    st.subheader(t("progres.kec_title"))
    ratings = queries.kecamatan_ratings(ctx.key, kk)
    if not len(ratings):
        st.info(t("progres.kec_empty"))
    else:
        wide = ratings.pivot(index="nama", columns="tahun", values="kategori").fillna("—")
        wide.columns = [str(c) for c in wide.columns]
        wide.index.name = t("app.kecamatan")
        st.dataframe(
            wide.style.map(lambda v: palette.cell_css(palette.KATEGORI[v]) if v in palette.KATEGORI else ""),
            width="stretch",
            key="kec_ratings",
        )
        # the ratings' notes are free text: analysts only
        sources = [] if ctx.public else sorted({md_text(c) for c in ratings["catatan"].dropna()})
        st.caption(
            t("progres.kec_caption")
            + (" " + " · ".join(sources) if sources else "")
            + (" " + t("progres.kec_notes_public") if ctx.public else "")
        )
