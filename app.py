"""Dasbor KLA: router and shared frame (language, filters, data version, sample banner).

Pages live in pages/ and stay thin; every query is in kla/queries.py. A missing or damaged
warehouse gets a friendly page, never a traceback. `streamlit run app.py` serves it as an st.App (the bottom of
this file), which adds the login endpoints.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import streamlit as st

from etl import settings, warehouse
from etl.names import regions as reference_regions
from etl.warehouse import WarehouseError
from kla import auth, db, fmt, palette, queries
from kla.i18n import LANGUAGES, t
from kla.shell import Context, freeze_long_lived

warehouse.private_files()  # every file this server creates is owner-only (0600): KLA_DATA_DIR holds case data

# A local icon: ":material/..." or emoji page icons are fetched from the internet by the browser.
ICON = Path(__file__).resolve().parent / "kla" / "assets" / "favicon.png"
HOME = reference_regions().scope_name  # the configured kab/kota (pengaturan.toml [wilayah]), e.g. Kota Kendari

ALL = "semua"  # the kecamatan filter's "whole city" option

# Each page: (file, title key in the catalogs, icon, lowest role that sees it in the menu). Adding a page
# is one line. The menu only hides: every protected page also refuses on the server (kla/auth.require).
PAGES = [
    ("pages/ringkasan.py", "nav.ringkasan", ":material/dashboard:", "publik"),
    ("pages/progres.py", "nav.progres", ":material/trending_up:", "publik"),
    ("pages/kesiapan.py", "kesiapan.nav", ":material/fact_check:", "publik"),
    ("pages/peta.py", "nav.peta", ":material/map:", "publik"),
    ("pages/kekerasan.py", "nav.kekerasan", ":material/shield_person:", "publik"),
    ("pages/partisipasi.py", "partisipasi.nav", ":material/groups:", "publik"),
    ("pages/presentasi.py", "nav.presentasi", ":material/co_present:", "publik"),
    ("pages/data.py", "nav.data", ":material/database:", "analis"),
    ("pages/admin.py", "nav.admin", ":material/admin_panel_settings:", "admin"),
    ("pages/masuk.py", "nav.masuk", ":material/login:", "publik"),
]

STYLE = f"""
<style>
[data-testid="stMetricValue"] {{ font-size: 2.4rem; font-weight: 700; }}
[data-testid="stMetricLabel"] p {{ font-size: 1.05rem; }}
.kla-sub {{ color: {palette.MUTED}; margin-top: -0.6rem; }}
</style>
"""


def preset(key: str, options: list, default, label=str) -> None:
    """The value a sidebar filter starts with: the session's while it is still an option, else the link's
    (?tahun=2022: the widget is bound to the URL, so a shared link opens the same view; the URL holds the
    option as shown, `label`), else `default`."""
    if key in st.session_state:
        if st.session_state[key] not in options:
            st.session_state[key] = default
    elif st.query_params.get(key) not in {label(o) for o in options}:
        st.session_state[key] = default


def choose_language():
    """The language selector; returns (language, the sidebar's header slot: filled once the region is known).
    The language travels in the link as ?lang=id|en (its code, not its name)."""
    if "lang" not in st.session_state:
        wanted = st.query_params.get("lang")
        st.session_state["lang"] = wanted if wanted in LANGUAGES else "id"
    head = st.sidebar.container()
    st.sidebar.selectbox(t("app.language"), list(LANGUAGES), format_func=LANGUAGES.get, key="lang")
    if st.session_state["lang"] != "id" or "lang" in st.query_params:
        st.query_params["lang"] = st.session_state["lang"]
    return st.session_state["lang"], head


def home_name(key: str | None) -> str:
    """The name of the region this deployment serves (pengaturan.toml [wilayah]), from the warehouse when loaded."""
    configured = settings.region()
    if not configured:
        return "Indonesia"
    name = queries.region_names(key).get(configured) if key else None
    if name and "." not in configured:
        return t("app.province", name=name)
    return name or HOME


def explain_and_stop(title: str, body: str) -> None:
    st.title(t("app.title", wilayah=fmt.md_text(HOME)))
    st.header(title)
    st.markdown(body)
    st.stop()


def open_warehouse() -> str:
    try:
        key = db.current_key()
    except WarehouseError as exc:
        explain_and_stop(t("empty.broken_title"), t("empty.broken_body", message=fmt.md_text(exc)))
    if key is None:
        explain_and_stop(t("empty.title"), t("empty.body", path=warehouse.warehouse_dir()))
    try:
        if queries.schema_missing(key):  # a warehouse built by an older release: a new version with the new schema
            warehouse.upgrade(user="dasbor")
            key = db.current_key()
        queries.load_status(key)
    except WarehouseError as exc:
        explain_and_stop(t("empty.broken_title"), t("empty.broken_body", message=fmt.md_text(exc)))
    except duckdb.Error as exc:
        msg = f"Versi {db.version_of(key)} tidak dapat dibuka: {exc}"
        explain_and_stop(t("empty.broken_title"), t("empty.broken_body", message=fmt.md_text(msg)))
    return key


NATIONAL = "nasional"  # the region filter's "all of Indonesia" option


def region_filter(key: str) -> tuple[str | None, str]:
    """The region shown: the configured one, or a choice when the warehouse holds several kab/kota.

    Options: Indonesia (when several provinces), each province, each kab/kota with data.
    """
    names = queries.region_names(key)
    configured = settings.region() or None
    data = queries.data_regions(key)
    if len(data) <= 1:
        region = data["kode"].iloc[0] if len(data) else configured
        return region, names.get(region, region or "Indonesia")
    options = [NATIONAL] if data["provinsi"].nunique() > 1 else []
    for prov, group in data.groupby("provinsi", sort=True):
        options += [prov, *group["kode"]]
    labels = {NATIONAL: t("app.national"), **{c: names.get(c, c) for c in options if c != NATIONAL}}
    for prov, pname in zip(data["provinsi"], data["provinsi_nama"]):
        labels[prov] = t("app.province", name=pname)
    labels.update({c: "· " + labels[c] for c in data["kode"]})
    default = (configured or NATIONAL) if (configured or NATIONAL) in options else options[0]
    wanted = st.session_state.pop("_wilayah_next", None)  # a drill-down from the map of a province or Indonesia
    if wanted in options:
        st.session_state["wilayah"] = wanted
    preset("wilayah", options, default, labels.get)
    code = st.sidebar.selectbox(
        t("app.region"),
        options,
        key="wilayah",
        format_func=labels.get,
        help=t("app.region_help"),
        bind="query-params",
    )
    region = None if code == NATIONAL else code
    return region, labels[code].lstrip("· ")


def sidebar_filters(key: str, lang: str, region: str | None, region_name: str) -> tuple[int, str | None, str | None]:
    st.sidebar.subheader(t("app.filters"))
    years = queries.population_years(key) or queries.years(key) or [2025]
    preset("tahun", years, years[0])
    year = st.sidebar.selectbox(t("app.year"), years, key="tahun", bind="query-params")
    if region is None or "." not in region:  # a province or Indonesia: the units are kab/kota or provinces
        return int(year), None, None
    kec = queries.kecamatan(key, region)
    names = dict(zip(kec["kode"], kec["nama"]))
    options = [ALL, *names]  # not None: a selectbox showing None falls back to its "Choose an option" placeholder
    all_label = t("app.all_kecamatan", wilayah=region_name)  # resolved now: format_func may run outside this run
    shown = lambda c: all_label if c == ALL else names[c]  # noqa: E731
    preset("kecamatan", options, ALL, shown)
    code = st.sidebar.selectbox(
        t("app.kecamatan"),
        options,
        key="kecamatan",
        format_func=shown,
        bind="query-params",
    )
    return int(year), (None if code == ALL else code), names.get(code)


def data_banners(key: str, lang: str, page, public: bool) -> None:
    created = queries.version_created(key)
    st.sidebar.caption(t("app.version", version=db.version_of(key), when=fmt.fmt_datetime(created, lang)))
    st.sidebar.caption(":material/wifi_off: " + t("app.offline"))
    sample = list(queries.sample_datasets(key))  # datasets that still hold synthetic rows, whatever came last
    st.session_state["_sample"] = sample
    if sample and page.url_path != "presentasi":  # the slides carry the mark in their footer instead
        # no command line for public viewers: they cannot load data, and the words would mean nothing to them
        banner = "app.sample_banner_public" if public else "app.sample_banner"
        st.warning(t(banner, datasets=", ".join(sample)), icon=":material/science:")


def main() -> None:
    st.set_page_config(page_title=f"Dasbor KLA {HOME}", page_icon=str(ICON), layout="wide")
    st.markdown(STYLE, unsafe_allow_html=True)
    lang, head = choose_language()
    key = open_warehouse()
    with head:
        home = home_name(key)
        st.markdown(f"### {t('app.title', wilayah=fmt.md_text(home))}")
        st.caption(t("app.subtitle", wilayah=fmt.md_text(home)))
    region, region_name = region_filter(key)
    st.session_state["_wilayah_nama"] = region_name
    year, code, name = sidebar_filters(key, lang, region, region_name)
    viewer = auth.viewer()
    if not viewer.public:
        st.sidebar.caption(
            ":material/person: " + t("app.signed_in", name=fmt.md_text(viewer.name), role=t(f"auth.role_{viewer.role}"))
        )
    st.session_state["_ctx"] = Context(
        key=key,
        version=db.version_of(key),
        year=year,
        kecamatan=code,
        kecamatan_name=name,
        lang=lang,
        public=not viewer.exact(region),
        region=region,
        region_name=region_name,
    )
    # Pages above the viewer's role stay registered but hidden: a direct URL runs the page, which refuses.
    pages = [
        st.Page(
            path,
            title=t("nav.keluar") if path.endswith("masuk.py") and not viewer.public else t(title),
            icon=icon,
            default=i == 0,
            visibility="visible" if viewer.can(role) else "hidden",
        )
        for i, (path, title, icon, role) in enumerate(PAGES)
    ]
    page = st.navigation(pages)
    data_banners(key, lang, page, public=not viewer.exact(region))
    page.run()
    freeze_long_lived()


if __name__ == "__main__":  # Streamlit runs this file as the script of every session
    try:
        main()
    except Exception as exc:  # a version found damaged while the frame or a page read it: the explanation page
        message = db.failure_message(exc)
        if message is None:
            raise
        explain_and_stop(t("empty.broken_title"), t("empty.broken_body", message=fmt.md_text(message)))
else:
    # `streamlit run app.py` imports this module to find the ASGI app: Streamlit plus the login endpoints
    # (kla/account.py) behind a guard that drops developer-only websocket messages (kla/guard.py).
    from starlette.middleware import Middleware
    from streamlit.runtime.pages_manager import PagesManager

    from kla import account, glyphs, guard

    # A pages/ folder beside the main script switches Streamlit into its legacy multipage mode
    # (PagesManager.uses_pages_directory, a process-wide flag set when the first session starts and cleared
    # only by st.navigation). Until some run had called st.navigation, the first session after a start ran
    # pages/x.py alone, or app.py inside the legacy wrapper with other widget ids: two script runs per new
    # session. This app always navigates with st.navigation, so the flag is cleared before any session.
    PagesManager.uses_pages_directory = False
    app = st.App(
        Path(__file__).resolve(),
        routes=[*account.routes(), *glyphs.routes()],  # the map's style and font (kla/glyphs.py): names offline
        middleware=[Middleware(guard.DropDeveloperMessages)],
    )
