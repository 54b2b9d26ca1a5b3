"""Kesiapan evaluasi: how ready the evidence (data dukung) is for the KLA evaluation, per OPD and per cluster,
what is overdue and the days left to the verification date. Everyone sees the counts; analysts also work on
the items (state, note, link, files), set the date, and download the reminders and the evidence package. Every
change is a new warehouse version, through etl.bukti_edits (this page writes nothing itself)."""

import datetime as dt

import streamlit as st

from etl import audit
from kla import auth, palette, queries
from kla.fmt import fmt_int, md_text
from kla.i18n import t
from kla.shell import context, text_table
from kla.views import kesiapan as view

ctx = context(__file__)
lang = ctx.lang
today = dt.date.today()
st.markdown(
    f"""<style>
.kes-cards {{ display: grid; grid-template-columns: repeat(auto-fit, minmax(155px, 1fr)); gap: 0.75rem;
  margin: 0.4rem 0 1rem 0; }}
.kes-card {{ border: 1px solid {palette.PALE}; border-radius: 10px; padding: 0.7rem 0.9rem; }}
.kes-card .label {{ font-size: 1.05rem; color: {palette.MUTED}; line-height: 1.25; }}
.kes-card .value {{ font-size: 2.5rem; font-weight: 700; color: {palette.TEXT}; line-height: 1.1; margin: 0.3rem 0;
  overflow-wrap: anywhere; }}
.kes-card .value.name {{ font-size: 1.8rem; }}
.kes-card .value.bad {{ color: {palette.DANGER}; }}
.kes-card .sub {{ font-size: 0.95rem; color: {palette.MUTED}; line-height: 1.3; }}
.kes-legend {{ display: flex; flex-wrap: wrap; gap: 0.3rem 1.1rem; font-size: 1rem; color: {palette.TEXT};
  margin: 0 0 0.2rem 0; line-height: 1.6; }}
.kes-legend i {{ display: inline-block; width: 0.9rem; height: 0.9rem; border-radius: 2px; margin-right: 0.35rem;
  vertical-align: -0.1rem; }}
@media (max-width: 640px) {{ .kes-card .value {{ font-size: 2rem; }} .kes-card .value.name {{ font-size: 1.4rem; }}
  [data-testid="stTable"] th, [data-testid="stTable"] td {{ font-size: 0.8rem; padding: 0.25rem 0.25rem; }} }}
</style>""",
    unsafe_allow_html=True,
)
st.title(t("kesiapan.title"))

# The evaluation belongs to a kab/kota: a province or national view picks one of those with evidence.
kk = ctx.region if ctx.region_level == "kabkota" else None
if kk is None:
    regions = queries.evidence_regions(ctx.key)
    if not regions:
        st.info(t("kesiapan.no_region"))
        st.stop()
    names = queries.region_names(ctx.key)
    kk = st.selectbox(t("kesiapan.pick_kabkota"), regions, format_func=lambda c: names.get(c, c), key="kes_kabkota")

years = view.eval_years(ctx, kk, today)
default = view.default_year(ctx, kk, today)
if st.session_state.get("kes_year") not in years and st.query_params.get("kes_year") not in {str(y) for y in years}:
    st.session_state["kes_year"] = default
year = st.selectbox(
    t("kesiapan.pick_year"), years, key="kes_year", help=t("kesiapan.pick_year_help"), bind="query-params"
)
r = view.readiness(ctx, kk, year, today)
st.markdown(f'<p class="kla-sub">{t("kesiapan.lead", year=year)}</p>', unsafe_allow_html=True)
if not r.total:
    st.info(t("kesiapan.empty_public" if ctx.public else "kesiapan.empty"))
    st.stop()


def cards_html(cards) -> str:
    """The cards as one HTML grid (a fixed template; every text escaped): labels wrap instead of being cut, and the
    grid puts four in a row on the projector, two on a phone."""
    out = []
    for k, c in enumerate(cards):
        kind = " name" if k == 3 else (" bad" if c.delta_color == "inverse" else "")
        out.append(
            f'<div class="kes-card" title="{md_text(c.help)}"><div class="label">{md_text(c.label)}</div>'
            f'<div class="value{kind}">{md_text(c.value)}</div><div class="sub">{md_text(c.delta)}</div></div>'
        )
    return f'<div class="kes-cards">{"".join(out)}</div>'


st.markdown(cards_html(view.cards(ctx, r)), unsafe_allow_html=True)
if saved := st.session_state.pop("kes_saved", None):
    st.success(saved, icon=":material/check_circle:")

exact = auth.viewer().exact(kk)


def legend_html() -> str:
    """The states' colours as one wrapping line (fixed template; the names are the program's, escaped anyway)."""
    items = "".join(f'<span><i style="background:{c}"></i>{md_text(n)}</span>' for n, c in view.legend(ctx, r))
    return f'<div class="kes-legend">{items}</div>'


def overview() -> None:
    st.subheader(t("kesiapan.groups_title"))
    st.markdown(legend_html(), unsafe_allow_html=True)
    st.plotly_chart(view.group_chart(ctx, r, legend=False), key="kes_chart_groups", config={"displayModeBar": False})
    left, right = st.columns(2)
    with left:
        text_table(view.group_table(ctx, r), "kes_groups", lang)
    with right:
        text_table(view.state_table(ctx, r), "kes_states", lang)
    st.caption(t("kesiapan.late_rule"))
    st.subheader(t("kesiapan.opd_title"))
    st.markdown(legend_html(), unsafe_allow_html=True)
    st.plotly_chart(view.opd_chart(ctx, r, legend=False), key="kes_chart_opd", config={"displayModeBar": False})
    st.caption(t("kesiapan.opd_table_caption"))
    text_table(view.opd_table(ctx, r), "kes_opd", lang)


if not exact:
    overview()
    st.caption(t("kesiapan.public_note"))
    st.stop()

# --- analysts from here: items, files, dates, downloads --------------------------------------------------------
from etl import bukti_edits, evidence, paket  # noqa: E402  (only analysts need the write side)

editor_user = auth.viewer()
tabs = st.tabs([t("kesiapan.tab_overview"), t("kesiapan.tab_items"), t("kesiapan.tab_date"), t("kesiapan.tab_files")])
with tabs[0]:
    overview()


def _report_errors(result) -> None:
    for p in result.report.errors:
        st.error(md_text(f"{p.column}: {p.message}" if p.column else p.message), icon=":material/error:")


STATES = view.states()
with tabs[1]:
    options = view.indicator_options(ctx, r)
    nomor = st.selectbox(t("kesiapan.pick_indicator"), list(options), format_func=options.get, key="kes_indicator")
    rows = view.item_rows(ctx, r, nomor)
    gen = st.session_state.get("kes_gen", 0)  # a new editor (fresh from the warehouse) after each save or reload
    ekey = f"kes_editor_{kk}_{year}_{nomor}_{gen}"
    if f"{ekey}_base" not in st.session_state:  # the versions of the items this editor starts from
        st.session_state[f"{ekey}_base"] = queries.evidence_versions(ctx.key, year, kk)
    text_table(view.item_list(ctx, rows), f"kes_items_{nomor}", lang)
    st.markdown(f"**{t('kesiapan.editor_title')}**")
    before = view.editor_rows(rows)
    edited = st.data_editor(
        before,
        key=ekey,
        hide_index=True,
        width="stretch",
        disabled=["item_id"],
        placeholder="",  # an empty due date or note shows empty, not "None"
        column_config={
            "item_id": st.column_config.TextColumn(t("kesiapan.icol_item_id"), width="small"),
            "status": st.column_config.SelectboxColumn(
                t("kesiapan.icol_status"),
                options=STATES,
                required=True,
                format_func=lambda s: view.state_label(s, lang),
                width="small",
            ),
            "tenggat": st.column_config.DateColumn(t("kesiapan.icol_tenggat"), format="DD/MM/YYYY", width="small"),
            "catatan": st.column_config.TextColumn(t("kesiapan.icol_catatan"), width="large"),
            "tautan": st.column_config.TextColumn(t("kesiapan.icol_tautan"), width="medium"),
        },
    )
    changes = view.changed_rows(before, edited)
    st.caption(t("kesiapan.editor_caption"))
    if st.button(
        t("kesiapan.save", n=len(changes)), type="primary", disabled=not changes, key="kes_save", icon=":material/save:"
    ):
        user = auth.require("analis", t("auth.refused_analis"), region=kk)
        base = {c["item_id"]: st.session_state[f"{ekey}_base"].get(c["item_id"]) for c in changes}
        result = bukti_edits.save_items(year, kk, changes, user=user.user, base=base)
        if result.ok:
            st.session_state["kes_gen"] = gen + 1
            st.session_state["kes_saved"] = t("kesiapan.saved", version=result.version)
            st.rerun()
        # kept with the edits as they are until the analyst reloads (someone else saved first, or a value refused)
        st.session_state[f"{ekey}_errors"] = [
            f"{p.column}: {p.message}" if p.column else p.message for p in result.report.errors
        ]
    if refused := st.session_state.get(f"{ekey}_errors"):
        for msg in refused:
            st.error(md_text(msg), icon=":material/sync_problem:")
        if st.button(t("kesiapan.reload"), key="kes_reload", icon=":material/refresh:", help=t("kesiapan.reload_help")):
            st.session_state["kes_gen"] = gen + 1
            st.rerun()

    st.subheader(t("kesiapan.upload_title"))
    st.warning(t("kesiapan.upload_warning"), icon=":material/privacy_tip:")
    item_names = dict(zip(rows["item_id"], rows["item"]))
    item_id = st.selectbox(
        t("kesiapan.upload_item"),
        list(item_names),
        format_func=lambda i: f"{i} · {item_names[i][:90]}",
        key=f"kes_upload_item_{nomor}",
    )
    ugen = st.session_state.get("kes_ugen", 0)
    upload = st.file_uploader(
        t("kesiapan.upload_file"),
        key=f"kes_upload_{ugen}",
        help=t("kesiapan.upload_help", mb=fmt_int(evidence.MAX_BYTES / 1024 / 1024, lang)),
    )
    if st.button(t("kesiapan.upload_button"), disabled=upload is None, key="kes_upload_go", icon=":material/upload:"):
        user = auth.require("analis", t("auth.refused_analis"), region=kk)
        try:
            result = bukti_edits.attach(year, kk, item_id, upload.getvalue(), upload.name, user=user.user)
        except evidence.EvidenceError as exc:  # the type refused, or too large: helper's Indonesian sentence
            st.error(md_text(exc), icon=":material/block:")
        else:
            if result.ok:
                st.session_state["kes_ugen"] = ugen + 1
                st.session_state["kes_gen"] = gen + 1
                shown = md_text(upload.name)
                st.session_state["kes_saved"] = t("kesiapan.uploaded", name=shown, version=result.version)
                st.rerun()
            _report_errors(result)

    st.subheader(t("kesiapan.files_title"))
    attached = view.files(ctx, r)
    attached = attached[attached["item_id"].isin(rows["item_id"])]
    if not len(attached):
        st.caption(t("kesiapan.files_none"))
    else:
        text_table(view.files_table(ctx, attached), f"kes_files_{nomor}", lang)
        labels = {
            (row.item_id, row.sha256): f"{row.item_id} · {row.nama_berkas} ({fmt_int(row.ukuran / 1024, lang)} KB)"
            for row in attached.itertuples()
        }
        pick = st.selectbox(t("kesiapan.files_pick"), list(labels), format_func=labels.get, key="kes_file_pick")
        name = attached[(attached["item_id"] == pick[0]) & (attached["sha256"] == pick[1])]["nama_berkas"].iloc[0]
        st.download_button(
            t("kesiapan.files_download"),
            lambda: evidence.open_bytes(pick[1]),
            file_name=name,
            key="kes_file_dl",
            icon=":material/download:",
            on_click=audit.record,
            args=("unduh", editor_user.user, editor_user.role, f"bukti {pick[0]} {pick[1][:12]}"),
        )

with tabs[2]:
    st.subheader(t("kesiapan.date_title"))
    dates = queries.evaluation_dates(ctx.key, year, kk)
    stages = ["evaluasi_mandiri", "verifikasi_administrasi", "verifikasi_lapangan", "final"]
    if len(dates):
        text_table(view.dates_table(ctx, dates), "kes_dates", lang)
    with st.form("kes_date_form"):
        a, b = st.columns(2)
        stage = a.selectbox(
            t("kesiapan.date_stage"),
            stages,
            index=stages.index(r.target.tahap) if r.target.tahap in stages else 0,
            format_func=lambda s: view.stage_label(s, lang),
            key="kes_date_stage",
        )
        day = b.date_input(
            t("kesiapan.date_day"), value=r.target.tanggal or today, format="DD/MM/YYYY", key="kes_date_day"
        )
        if st.form_submit_button(t("kesiapan.date_save"), type="primary"):
            user = auth.require("analis", t("auth.refused_analis"), region=kk)
            result = bukti_edits.set_date(year, kk, stage, day, user=user.user)
            if result.ok:
                st.session_state["kes_saved"] = t("kesiapan.date_saved", version=result.version)
                st.rerun()
            _report_errors(result)
    st.caption(t("kesiapan.date_caption", stage=view.stage_label(r.target.tahap, lang)))

with tabs[3]:
    st.subheader(t("kesiapan.reminder_title"))
    st.caption(t("kesiapan.reminder_caption"))
    st.download_button(
        t("kesiapan.reminder_button"),
        lambda: view.reminder_xlsx(ctx, r, today),
        file_name=view.reminder_name(ctx, r, today),
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="kes_reminder",
        icon=":material/notifications:",
        on_click=audit.record,
        args=("unduh", editor_user.user, editor_user.role, "pengingat bukti per OPD"),
    )
    st.subheader(t("kesiapan.package_title"))
    st.caption(t("kesiapan.package_caption"))

    def _package() -> bytes:
        import io

        buf = io.BytesIO()
        paket.build(year, kk, buf)
        return buf.getvalue()

    st.download_button(
        t("kesiapan.package_button"),
        _package,
        file_name=f"paket_bukti_kla_{year}_{today:%Y%m%d}.zip",
        mime="application/zip",
        key="kes_package",
        icon=":material/folder_zip:",
        on_click=audit.record,
        args=("unduh", editor_user.user, editor_user.role, f"paket bukti {year}"),
    )
