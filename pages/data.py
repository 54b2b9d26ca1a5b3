"""Data: upload OPD files (checked, previewed, committed through the same loader as the CLI), load
history and rollback, Excel templates, data quality."""

import datetime as dt

import pandas as pd
import streamlit as st

from etl import audit, loader, settings, templates, warehouse
from etl.preview import totals as preview_totals
from etl.sources import DATASETS
from etl.uploads import staged
from etl.warehouse import WarehouseError
from kla import auth, db, geodata, quality, queries
from kla.fmt import fmt_datetime, fmt_int, md_text, styled
from kla.i18n import t
from kla.shell import context

UPLOAD_TYPES = ["xlsx", "xlsm", "xls", "ods", "csv", "txt", "geojson", "json", "gpkg", "zip"]
ctx = context(__file__)
# names in an uploaded file are looked up in the kab/kota chosen in the sidebar (files with Kode columns work anywhere)
scope = ctx.region if ctx.region_level == "kabkota" else "default"
target = ctx.region if ctx.region_level == "kabkota" else (settings.region() or None)  # the kab/kota a load changes
# the server refuses, not only the menu; an analyst of one region loads only there
viewer = auth.require("analis", t("auth.refused_analis"), region=target)
lang = ctx.lang
key = db.current_key() or ctx.key  # this page changes the data: always read the version just published
st.title(t("data.title"))
st.markdown(f'<p class="kla-sub">{t("data.lead")}</p>', unsafe_allow_html=True)
names = dict(zip(queries.kecamatan(key, ctx.region)["kode"], queries.kecamatan(key, ctx.region)["nama"]))
tabs = st.tabs([t("data.tab_upload"), t("data.tab_history"), t("data.tab_templates"), t("data.tab_quality")])


def _dataset_label(name: str) -> str:
    return f"{name} — {loader.dataset_module(name).TITLE}"


def _problem_table(report) -> pd.DataFrame:
    rows = pd.DataFrame(report.rows())
    if not len(rows):
        return rows
    rows = rows.rename(columns={c: t(f"data.pcol_{c}") for c in rows.columns})
    return rows


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
            format_func=_dataset_label,
            help=t("data.dataset_guess", name=guess) if guess else t("data.dataset_no_guess"),
        )
        check_sig = (dataset, signature)
        if st.session_state.get("_check_sig") != check_sig:
            with st.spinner(t("data.checking")), staged(uploads) as (paths, shown_names):
                st.session_state["_check"] = loader.check(dataset, paths, display_names=shown_names, scope=scope)
            st.session_state["_check_sig"] = check_sig
        result = st.session_state["_check"]
        report = result.report
        facts = t("data.read_facts", rows=fmt_int(report.rows_read, lang), rejected=fmt_int(report.rows_rejected, lang))
        if report.dropped_columns:
            # headers, file and region names come from the uploaded file: md_text keeps them text in Markdown
            facts += " " + t("data.dropped", columns=", ".join(f'"{md_text(c)}"' for c in report.dropped_columns))
        st.caption(facts)
        if report.has_errors:
            st.error(t("data.has_errors", n=len(report.errors), w=len(report.warnings)), icon=":material/error:")
            st.dataframe(_problem_table(report), hide_index=True, width="stretch", key="upload_problems")
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
        else:
            if report.warnings:
                st.warning(t("data.has_warnings", n=len(report.warnings)), icon=":material/warning:")
                st.dataframe(_problem_table(report), hide_index=True, width="stretch", key="upload_warnings")
            changes = loader.preview(result)
            st.subheader(t("data.preview_title"))
            if not len(changes):
                st.info(t("data.no_change"))
            else:
                region = {**names, **{k: t(f"peta.level_{k}") for k in ("kecamatan", "kelurahan")}}
                view = changes.assign(
                    wilayah=changes["wilayah"].map(lambda c: region.get(c, c) if c else t("data.city")),
                    tahun=changes["tahun"].map(lambda y: "" if pd.isna(y) else str(int(y))),
                )
                view = view.drop(columns=["tabel"])
                view = view.rename(columns={c: t(f"data.vcol_{c}") for c in view.columns})
                st.dataframe(styled(view, lang), hide_index=True, width="stretch", key="upload_preview")
                tot = preview_totals(changes)
                st.dataframe(
                    styled(tot.rename(columns={c: t(f"data.vcol_{c}") for c in tot.columns}), lang),
                    hide_index=True,
                    width="stretch",
                    key="upload_totals",
                )
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
                        )
                except WarehouseError as exc:
                    st.error(t("data.commit_failed", message=md_text(exc)), icon=":material/error:")
                else:
                    if done.ok:
                        st.session_state["_upload_done"] = t(
                            "data.committed", version=done.version, rows=fmt_int(done.report.rows_loaded, lang)
                        )
                        st.session_state["_upload_gen"] = gen + 1
                        for k in ("_check_sig", "_guess_sig"):
                            st.session_state.pop(k, None)
                        st.rerun()
                    st.error(t("data.has_errors", n=len(done.report.errors), w=len(done.report.warnings)))
            st.caption(t("data.commit_note"))

# --- history and rollback ---------------------------------------------------------------------------
with tabs[1]:
    st.subheader(t("data.history_title"))
    hist = queries.load_history(key)
    view = pd.DataFrame(
        {
            t("data.hcol_when"): [fmt_datetime(v, lang) for v in hist["loaded_at"]],
            t("data.hcol_user"): hist["user_name"],
            t("data.hcol_dataset"): hist["dataset"],
            t("data.hcol_file"): hist["file_name"],
            t("data.hcol_hash"): hist["file_sha256"].str.slice(0, 12),
            t("data.hcol_read"): hist["rows_read"],
            t("data.hcol_loaded"): hist["rows_loaded"],
            t("data.hcol_rejected"): hist["rows_rejected"],
            t("data.hcol_dropped"): hist["dropped_columns"],
            t("data.hcol_version"): hist["version"],
        }
    )
    st.dataframe(styled(view, lang), hide_index=True, width="stretch", key="history_table")
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
    for i, name in enumerate(templates.TEMPLATES):
        cols[i % 3].download_button(
            _dataset_label(name),
            _template(name),
            file_name=f"templat_{name}.xlsx",
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
    old = quality.stale(queries.load_status(key), dt.date.today(), months)
    st.markdown(f"**{t('data.q_stale', months=months)}**")
    if len(old):
        st.dataframe(
            pd.DataFrame(
                {
                    t("data.hcol_dataset"): old["dataset"],
                    t("data.q_last"): [
                        t("data.q_never") if pd.isna(v) else fmt_datetime(v, lang) for v in old["dimuat"]
                    ],
                }
            ),
            hide_index=True,
            width="stretch",
            key="q_stale",
        )
    else:
        st.caption(t("data.q_ok"))

    all_years = queries.years(key)
    span = list(range(min(all_years), max(all_years) + 1)) if all_years else []
    st.markdown(f"**{t('data.q_missing')}**")
    presence = queries.population_presence(key)
    presence = presence[presence["kode_kecamatan"].isin(names)]  # the region chosen in the sidebar
    missing = quality.missing_population(presence, list(names), span)
    lines = []
    for year, group in missing.groupby("tahun"):
        which = (
            t("data.q_all_kec")
            if len(group) == len(names)
            else ", ".join(md_text(names[k]) for k in group["kode_kecamatan"])
        )
        lines.append(t("data.q_missing_pop", year=int(year), which=which))
    for y in quality.missing_years(queries.case_years(key, "pelaporan"), span):
        lines.append(t("data.q_missing_cases", year=y))
    ind = queries.indicator_presence(key)
    for y in span:
        n = int(ind.loc[ind["tahun"] == y, "indikator"].sum())
        if n < 24:
            lines.append(t("data.q_missing_ind", year=y, n=n))
    st.markdown("\n".join(f"- {line}" for line in lines) if lines else t("data.q_ok"))

    st.markdown(f"**{t('data.q_jumlah')}**")
    warn = queries.latest_warnings(key)
    jumlah = warn[warn["warning_text"].str.contains("JUMLAH|TOTAL", case=False, na=False)]
    if len(jumlah):
        for _, r in jumlah.iterrows():
            with st.expander(f"{r['dataset']}: {md_text(r['file_name'])}"):
                st.text(r["warning_text"])
    else:
        st.caption(t("data.q_jumlah_ok"))

    st.markdown(f"**{t('data.q_outliers', year=ctx.year)}**")
    factor = settings.get("data", "lonjakan_kasus")
    kec = geodata.kecamatan_metrics(key, ctx.year, float(settings.get("peta", "radius_m")), ctx.public, ctx.region)
    high = quality.case_rate_outliers(kec, factor)
    lines = [
        t(
            "data.q_case_outlier",
            name=md_text(r["nama"]),
            times=f"{r['kali_median']:.1f}".replace(".", ","),
            factor=factor,
        )
        for _, r in high.iterrows()
    ]
    share = settings.get("data", "lonjakan_penduduk")
    for _, r in quality.population_jumps(presence, share).iterrows():
        lines.append(
            t(
                "data.q_pop_jump",
                name=md_text(names.get(r["kode_kecamatan"], r["kode_kecamatan"])),
                y0=int(r["tahun_sebelumnya"]),
                y1=int(r["tahun"]),
                a=fmt_int(r["sebelumnya"], lang),
                b=fmt_int(r["anak"], lang),
                pct=f"{r['perubahan'] * 100:+.0f}%",
            )
        )
    if geodata.has_boundaries(key, "kelurahan", ctx.region):
        far = quality.rbra_outside_kelurahan(
            queries.rbra_points(key, ctx.year, ctx.region), geodata.areas(key, ctx.year, "kelurahan", ctx.region)
        )
        for _, r in far.iterrows():
            lines.append(
                t(
                    "data.q_rbra_outside",
                    name=md_text(r["nama"]),
                    kel=md_text(r["kelurahan"]),
                    m=fmt_int(r["jarak_m"], lang),
                )
            )
    st.markdown("\n".join(f"- {line}" for line in lines) if lines else t("data.q_ok"))
