"""Data: upload OPD files (checked, previewed, committed through the same loader as the CLI), load
history and rollback, Excel templates, data quality."""

from dataclasses import replace

import streamlit as st

from etl import audit, loader, settings, templates, warehouse
from etl.sources import DATASETS
from etl.uploads import staged
from etl.warehouse import WarehouseError
from kla import auth, db
from kla.fmt import md_text
from kla.i18n import t
from kla.shell import context, text_table
from kla.views import data as view

UPLOAD_TYPES = ["xlsx", "xlsm", "xls", "ods", "csv", "txt", "geojson", "json", "gpkg", "zip"]
ctx = context(__file__)
# names in an uploaded file are looked up in the kab/kota chosen in the sidebar (files with Kode columns work anywhere)
scope = ctx.region if ctx.region_level == "kabkota" else "default"
target = ctx.region if ctx.region_level == "kabkota" else (settings.region() or None)  # the kab/kota a load changes
# the server refuses, not only the menu; an analyst of one region loads only there
viewer = auth.require("analis", t("auth.refused_analis"), region=target)
lang = ctx.lang
ctx = replace(ctx, key=db.current_key() or ctx.key)  # this page changes the data: read the version just published
st.title(t("data.title"))
st.markdown(f'<p class="kla-sub">{t("data.lead")}</p>', unsafe_allow_html=True)
tabs = st.tabs([t("data.tab_upload"), t("data.tab_history"), t("data.tab_templates"), t("data.tab_quality")])


# --- upload, check, preview, commit ----------------------------------------------------------------
with tabs[0]:
    if done := st.session_state.pop("_upload_done", None):
        st.success(done, icon=":material/check_circle:")
    gen = st.session_state.setdefault("_upload_gen", 0)
    files = st.file_uploader(
        t("data.upload"), type=UPLOAD_TYPES, accept_multiple_files=True, key=f"upload_{gen}", help=t("data.upload_help")
    )
    if not files:
        st.caption(t("data.upload_hint"))
    else:
        # the bytes stay in memory; on disk only inside staged(), removed when the check or load ends or raises
        uploads = [(f.name, f.getvalue()) for f in files]
        signature = tuple((f.name, f.size, f.file_id) for f in files)
        if st.session_state.get("_guess_sig") != signature:
            with staged(uploads) as (paths, shown_names):
                st.session_state["_guess"] = loader.guess_dataset(paths, shown_names)
            st.session_state["_guess_sig"] = signature
            st.session_state[f"upload_dataset_{gen}"] = st.session_state["_guess"] or DATASETS[0]
        guess = st.session_state["_guess"]
        dataset = st.selectbox(
            t("data.dataset"),
            list(DATASETS),
            key=f"upload_dataset_{gen}",
            format_func=view.dataset_label,
            help=t("data.dataset_guess", name=guess) if guess else t("data.dataset_no_guess"),
        )
        # "Terima selisih JUMLAH" (shown below once the check finds a JUMLAH row that does not add up): the check and
        # the load run with the analyst's choice, as `etl load --terima-selisih` does
        accept = bool(st.session_state.get(f"accept_totals_{gen}", False))
        check_sig = (dataset, signature, accept)
        if st.session_state.get("_check_sig") != check_sig:
            with st.spinner(t("data.checking")), staged(uploads) as (paths, shown_names):
                st.session_state["_check"] = loader.check(
                    dataset, paths, display_names=shown_names, scope=scope, accept_totals=accept
                )
            st.session_state["_check_sig"] = check_sig
        result = st.session_state["_check"]
        report = result.report
        st.caption(view.read_facts(report, lang))  # the dropped headers come from the file: escaped by the view
        if understood := view.understood_markdown(report, lang):  # what was read, before any problem and the commit
            st.markdown(understood)

        def accept_box() -> None:
            if report.total_mismatches:
                st.checkbox(t("data.accept_totals"), key=f"accept_totals_{gen}", help=t("data.accept_totals_help"))

        if report.has_errors:
            st.error(t("data.has_errors", n=len(report.errors), w=len(report.warnings)), icon=":material/error:")
            text_table(
                view.problems_table(report, lang), key="upload_problems", lang=lang
            )  # the whole suggestion, wrapped
            st.download_button(
                t("data.problems_download"),
                report.xlsx_bytes(),
                file_name="masalah_berkas.xlsx",
                on_click=audit.record,
                args=("unduh", viewer.user, viewer.role, "daftar masalah"),
                mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                icon=":material/download:",
                key="upload_problems_xlsx",
            )
            accept_box()
        else:
            if report.warnings:
                st.warning(t("data.has_warnings", n=len(report.warnings)), icon=":material/warning:")
                text_table(view.problems_table(report, lang), key="upload_warnings", lang=lang)
            accept_box()
            changes = loader.preview(result)
            st.subheader(t("data.preview_title"))
            if not len(changes):
                st.info(t("data.no_change"))
            else:
                rows, totals = view.changes_view(ctx, changes)
                st.dataframe(rows, hide_index=True, width="stretch", key="upload_preview")
                st.dataframe(totals, hide_index=True, width="stretch", key="upload_totals")
            if st.button(t("data.commit"), type="primary", key=f"commit_{gen}", icon=":material/publish:"):
                auth.require("analis", t("auth.refused_analis"), region=target)
                try:
                    with st.spinner(t("data.committing")), staged(uploads) as (paths, shown_names):
                        done = loader.load(
                            dataset,
                            paths,
                            user=viewer.user,
                            display_names=shown_names,
                            scope=scope,
                            within=viewer.wilayah,
                            accept_totals=accept,
                        )
                except WarehouseError as exc:
                    st.error(t("data.commit_failed", message=md_text(exc)), icon=":material/error:")
                else:
                    if done.ok:
                        st.session_state["_upload_done"] = view.committed_text(done, lang)
                        st.session_state["_upload_gen"] = gen + 1
                        for k in ("_check_sig", "_guess_sig"):
                            st.session_state.pop(k, None)
                        st.rerun()
                    st.error(t("data.has_errors", n=len(done.report.errors), w=len(done.report.warnings)))
            st.caption(t("data.commit_note"))

# --- history and rollback ---------------------------------------------------------------------------
with tabs[1]:
    st.subheader(t("data.history_title"))
    text_table(view.history_table(ctx), key="history_table", lang=lang)  # its outcome columns whole
    st.caption(t("data.history_caption"))
    st.subheader(t("data.rollback_title"))
    if done := st.session_state.pop("_rollback_done", None):
        st.success(done, icon=":material/check_circle:")
    current = warehouse.current_version()
    versions = warehouse.rollback_targets(current)  # newest first; never-current versions (a killed load) left out
    st.markdown(t("data.current_version", version=current))
    if not viewer.can("admin"):
        st.info(t("auth.rollback_admin_only"), icon=":material/lock:")
    elif not versions:
        st.info(t("data.no_versions"))
    else:
        target = st.selectbox(t("data.rollback_pick"), versions, key="rollback_pick")
        sure = st.checkbox(t("data.rollback_sure", version=target), key="rollback_sure")
        if st.button(t("data.rollback"), disabled=not sure, key="rollback_go", icon=":material/history:"):
            auth.require("admin", t("auth.refused_admin"))
            try:
                warehouse.rollback(target)
                audit.record("kembalikan", viewer.user, viewer.role, f"{current} -> {target}")
            except WarehouseError as exc:
                st.error(md_text(exc))
            else:
                st.session_state["_rollback_done"] = t("data.rolled_back", version=target)
                st.session_state.pop("rollback_sure", None)
                st.rerun()
        st.caption(t("data.rollback_note"))


# --- templates -------------------------------------------------------------------------------------
@st.cache_data(show_spinner=False)
def _template(name: str) -> bytes:
    return templates.template(name)


with tabs[2]:
    st.subheader(t("data.templates_title"))
    st.caption(t("data.templates_lead"))
    cols = st.columns(3)
    for i, (name, label, file_name) in enumerate(view.template_list()):
        cols[i % 3].download_button(
            label,
            _template(name),
            file_name=file_name,
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            icon=":material/table_view:",
            key=f"template_{name}",
            width="stretch",
            on_click="ignore",
        )
    st.caption(t("data.templates_batas"))

# --- data quality ----------------------------------------------------------------------------------
with tabs[3]:
    st.subheader(t("data.quality_title"))
    months = settings.get("data", "kedaluwarsa_bulan")
    old = view.stale_table(ctx, months)
    st.markdown(f"**{t('data.q_stale', months=months)}**")
    if len(old):
        st.dataframe(old, hide_index=True, width="stretch", key="q_stale")
    else:
        st.caption(t("data.q_ok"))

    st.markdown(f"**{t('data.q_missing')}**")
    st.markdown(view.bullets(view.missing_lines(ctx), lang))

    st.markdown(f"**{t('data.q_jumlah')}**")
    jumlah = view.total_row_warnings(ctx)
    if jumlah:
        for title, text in jumlah:
            with st.expander(title):
                st.text(text)
    else:
        st.caption(t("data.q_jumlah_ok"))

    st.markdown(f"**{t('data.q_outliers', year=ctx.year)}**")
    factor = settings.get("data", "lonjakan_kasus")
    share = settings.get("data", "lonjakan_penduduk")
    radius = float(settings.get("peta", "radius_m"))
    st.markdown(view.bullets(view.outlier_lines(ctx, factor, share, radius), lang))
