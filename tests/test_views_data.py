"""kla/views/data.py and kla/views/admin.py against the sample warehouse: the load history, the stale datasets,
an upload's problems and what it would change, the quality panel's lines (against SQL, names escaped for
Markdown, hidden case cells never flagged), and the admin tables."""

from __future__ import annotations

import datetime as dt
import shutil
import statistics

import pandas as pd
import pytest

from etl import audit, loader, sessions, users, warehouse
from kla import cases, db
from kla.fmt import fmt_datetime, fmt_int, md_text
from kla.i18n import t
from kla.views import Context
from kla.views import admin as admin_view
from kla.views import data as view
from tests.conftest import ADMIN, ANALIS, add_accounts, sql, xlsx_bytes

REGION = "74.71"
HOSTILE = "Baruga *<b>tebal</b>* [x](http://a.b)"


def context(year: int = 2025, public: bool = False, lang: str = "id") -> Context:
    return Context(
        key=db.current_key(),
        version=warehouse.current_version(),
        year=year,
        kecamatan=None,
        kecamatan_name=None,
        lang=lang,
        public=public,
        region=REGION,
        region_name="Kota Kendari",
    )


@pytest.fixture()
def sample(sample_data_dir, monkeypatch):
    """The shared sample warehouse, read only."""
    monkeypatch.setenv("KLA_DATA_DIR", str(sample_data_dir))
    return sample_data_dir


def rbra_file(tmp_path, rows, name="rbra_baru.xlsx"):
    head = ["Nama", "Kecamatan", "Kelurahan", "Latitude", "Longitude", "Status", "Tahun"]
    path = tmp_path / name
    path.write_bytes(xlsx_bytes(head, rows, "DATA RBRA BARU"))
    return path


# --- history, stale datasets, templates ------------------------------------------------------------
@pytest.mark.parametrize("lang", ["id", "en"])
def test_history_table_is_meta_load_with_translated_headers(sample, lang):
    styler = view.history_table(context(lang=lang))
    shown = styler.data
    truth = sql(sample, "SELECT * FROM meta_load ORDER BY loaded_at DESC")
    assert list(shown.columns) == [
        t(f"data.hcol_{c}", lang=lang)
        for c in ("when", "user", "dataset", "file", "hash", "read", "loaded", "rejected", "dropped", "version", "note")
    ]
    assert set(shown[t("data.hcol_note", lang=lang)]) == {""}  # no JUMLAH difference accepted in the sample
    assert len(shown) == len(truth)
    assert shown[t("data.hcol_when", lang=lang)].tolist() == [fmt_datetime(v, lang) for v in truth["loaded_at"]]
    assert shown[t("data.hcol_hash", lang=lang)].tolist() == [h[:12] for h in truth["file_sha256"]]
    assert shown[t("data.hcol_version", lang=lang)].tolist() == truth["version"].tolist()
    assert shown[t("data.hcol_loaded", lang=lang)].tolist() == truth["rows_loaded"].tolist()
    assert "Nama Korban, NIK" in shown[t("data.hcol_dropped", lang=lang)].tolist()  # the sample drops PII columns


def test_stale_table_lists_never_loaded_and_old_datasets(sample):
    ctx = context()
    loaded = set(sql(sample, "SELECT DISTINCT dataset FROM meta_load")["dataset"])
    fresh = view.stale_table(ctx, 12, dt.date(2026, 12, 2))
    shown = dict(zip(fresh[t("data.hcol_dataset", lang="id")], fresh[t("data.q_last", lang="id")]))
    never = t("data.q_never", lang="id")
    assert shown and all(v == never for v in shown.values())
    assert not set(shown) & loaded  # everything loaded is recent
    later = view.stale_table(ctx, 12, dt.date(2040, 1, 1))  # everything is old by then
    last = sql(sample, "SELECT dataset, max(loaded_at) AS t FROM meta_load GROUP BY 1")
    shown = dict(zip(later[t("data.hcol_dataset", lang="id")], later[t("data.q_last", lang="id")]))
    assert loaded <= set(shown)
    for name, when in zip(last["dataset"], last["t"]):
        assert shown[name] == fmt_datetime(when, "id")


def test_template_list_names_every_template():
    from etl import templates

    rows = view.template_list()
    assert [r[0] for r in rows] == list(templates.TEMPLATES)
    assert ("rbra", "rbra — Ruang Bermain Ramah Anak (RBRA)", "templat_rbra.xlsx") in rows


# --- an upload: problems and changes ---------------------------------------------------------------
def test_problems_table_and_facts_of_a_bad_upload(own_sample, tmp_path):
    bad = [
        ["Taman Uji Korumba", "Kendri", "Korumba", -3.9712, 122.5105, "Proses", 2025],
        ["Taman Uji Dua", "Mandonga", "Korumba", "abc", 122.5105, "entah", 2025],
    ]
    path = rbra_file(tmp_path, bad, "rbra_kecamatan.xlsx")
    report = loader.check("rbra", [path]).report
    table = view.problems_table(report, "id")
    assert list(table.columns) == [
        t(f"data.pcol_{c}", lang="id") for c in ("jenis", "berkas", "sheet", "baris", "kolom", "nilai", "pesan")
    ]
    assert len(table) == len(report.errors) + len(report.warnings)
    assert set(table["Baris (Excel)"]) == {3, 4} and '"Kendri"' in table["Nilai"].tolist()
    assert list(view.problems_table(report, "en").columns) == [t(f"data.pcol_{c}", lang="en") for c in report.rows()[0]]
    facts = view.read_facts(report, "id")
    assert facts.startswith(t("data.read_facts", lang="id", rows="2", rejected=fmt_int(report.rows_rejected, "id")))


def test_read_facts_escapes_dropped_headers():
    class Report:
        rows_read, rows_rejected = 1234, 0
        dropped_columns = ["NIK", "<b>Nama</b> *Ibu*"]

    facts = view.read_facts(Report(), "id")
    assert facts.startswith("1.234 baris dibaca, 0 baris ditolak. ")
    assert '"NIK", "&#60;b&#62;Nama&#60;/b&#62; &#42;Ibu&#42;"' in facts and "<b>" not in facts


def test_changes_view_of_a_good_upload_matches_the_warehouse(own_sample, tmp_path):
    path = rbra_file(tmp_path, [["Taman Uji Korumba", "Mandonga", "Korumba", -3.9712, 122.5105, "Proses", 2025]])
    result = loader.check("rbra", [path])
    assert result.ok
    changes = loader.preview(result)
    rows, totals = view.changes_view(context(), changes)
    rows, totals = rows.data, totals.data
    assert list(rows.columns) == [
        t(f"data.vcol_{c}", lang="id") for c in ("ukuran", "tahun", "wilayah", "sebelum", "sesudah", "selisih")
    ]
    n = sql(own_sample, "SELECT count(*) AS n FROM fact_rbra WHERE kode_kecamatan = '74.71.01' AND tahun = 2025")["n"][
        0
    ]
    row = rows[(rows["Ukuran"] == "RBRA") & (rows["Wilayah"] == "Mandonga") & (rows["Tahun"] == "2025")]
    assert row[["Sebelum", "Sesudah", "Selisih"]].iloc[0].tolist() == [n, n + 1, 1]
    # the city's figure of the year beside the kecamatan's, and the totals are the city's (issue 21: 51 -> 57,
    # not only the rows the load touches)
    city = sql(own_sample, "SELECT count(*) AS n FROM fact_rbra WHERE tahun = 2025")["n"][0]
    assert city > n
    whole = rows[(rows["Ukuran"] == "RBRA") & (rows["Wilayah"] == "Kota") & (rows["Tahun"] == "2025")]
    assert whole[["Sebelum", "Sesudah", "Selisih"]].iloc[0].tolist() == [city, city + 1, 1]
    assert totals.set_index("Ukuran").loc["RBRA", ["Sebelum", "Sesudah", "Selisih"]].tolist() == [city, city + 1, 1]
    assert warehouse.list_versions()[-1] == warehouse.current_version()  # nothing written


def test_changes_view_names_the_city_and_the_levels(sample):
    ctx = context()
    changes = pd.DataFrame(
        {
            "tabel": ["fact_nilai_indikator", "geo_batas", "fact_rbra"],
            "ukuran": ["nilai KLA", "batas wilayah", "RBRA"],
            "tahun": [2024.0, float("nan"), 2025.0],
            "wilayah": pd.Series([None, "kelurahan", "74.71.99"], dtype=object),  # no area: the whole city
            "sebelum": [10.0, 0.0, 1.0],
            "sesudah": [12.0, 64.0, 2.0],
            "selisih": [2.0, 64.0, 1.0],
        }
    )
    rows, _ = view.changes_view(ctx, changes)
    shown = rows.data
    assert shown["Wilayah"].tolist() == ["Kota", t("peta.level_kelurahan", lang="id"), "74.71.99"]
    assert shown["Tahun"].tolist() == ["2024", "", "2025"]
    assert "2,0" in rows.to_html()  # numbers in the reader's format


def test_committed_text():
    class Done:
        version = "v0042"

        class report:  # noqa: N801 - stands in for an attribute
            rows_loaded = 12345

    assert view.committed_text(Done(), "id") == "Tersimpan: 12.345 baris, versi data v0042."


# --- the quality panel ------------------------------------------------------------------------------
PARTIAL_2025 = t(
    "data.q_partial_cases", lang="id", through="data s.d. Oktober 2025", months="November–Desember", year=2025
)  # the sample's register ends in October 2025 (issue 21: the quality panel lists the gap)


def test_a_complete_sample_has_no_missing_lines(sample):
    assert view.missing_lines(context()) == [PARTIAL_2025]
    assert view.bullets([], "id") == t("data.q_ok", lang="id")
    assert view.bullets(["a", "b"], "id") == "- a\n- b"


def _publish(change_sql: list[str]):
    def change(con, version):
        for statement in change_sql:
            con.execute(statement)

    warehouse.publish(change, action="load")


def test_missing_lines_against_sql_and_names_escaped(own_sample):
    _publish(
        [
            "DELETE FROM fact_penduduk WHERE kode_kecamatan = '74.71.03' AND tahun = 2022",
            "DELETE FROM fact_penduduk WHERE tahun = 2021",
            "DELETE FROM fact_kasus WHERE year(bulan_pelaporan) = 2020",
            "DELETE FROM fact_nilai_indikator WHERE tahun = 2023 AND nomor > 12",
            f"UPDATE dim_wilayah SET nama = '{HOSTILE}' WHERE kode = '74.71.03'",
        ]
    )
    lines = view.missing_lines(context())
    assert lines == [
        t("data.q_missing_pop", lang="id", year=2021, which=t("data.q_all_kec", lang="id")),
        t("data.q_missing_pop", lang="id", year=2022, which=md_text(HOSTILE)),
        t("data.q_missing_cases", lang="id", year=2020),
        PARTIAL_2025,
        t("data.q_missing_ind", lang="id", year=2023, n=12),
    ]
    assert "<b>" not in "".join(lines) and "](" not in "".join(lines)
    en = view.missing_lines(context(lang="en"))
    assert en[0] == t("data.q_missing_pop", lang="en", year=2021, which=t("data.q_all_kec", lang="en"))


def test_population_jumps_against_sql(own_sample):
    _publish(
        ["UPDATE fact_penduduk SET jumlah_anak = jumlah_anak * 2 WHERE kode_kecamatan = '74.71.05' AND tahun = 2024"]
    )
    kids = sql(
        own_sample,
        "SELECT tahun, sum(jumlah_anak) AS n FROM fact_penduduk WHERE kode_kecamatan = '74.71.05' GROUP BY 1",
    ).set_index("tahun")["n"]
    lines = view.outlier_lines(context(), 1e9, 0.2, 500.0)  # no case outlier can pass this factor
    expected = [
        t(
            "data.q_pop_jump",
            lang="id",
            name="Kendari Barat",
            y0=y0,
            y1=y0 + 1,
            a=fmt_int(kids[y0], "id"),
            b=fmt_int(kids[y0 + 1], "id"),
            pct=f"{(kids[y0 + 1] - kids[y0]) / kids[y0] * 100:+.0f}%",
        )
        for y0 in (2023, 2024)
    ]
    assert lines == expected
    assert "+100%" in lines[0] and "(31.096)" in lines[0]


def test_case_outliers_against_sql(sample):
    year = 2025
    counts = sql(
        sample,
        "SELECT kode_kecamatan AS k, count(*) AS n FROM fact_kasus WHERE year(bulan_pelaporan) = ? GROUP BY 1",
        [year],
    ).set_index("k")["n"]
    kids = sql(
        sample,
        "SELECT kode_kecamatan AS k, sum(jumlah_anak) AS n FROM fact_penduduk WHERE tahun = ? GROUP BY 1",
        [year],
    ).set_index("k")["n"]
    names = view.kecamatan_names(context())
    rates = {k: counts.get(k, 0) / kids[k] * 1000 for k in names}
    median = statistics.median(rates.values())
    factor = 1.2
    high = sorted(((r / median, k) for k, r in rates.items() if r / median > factor), reverse=True)
    lines = [x for x in view.outlier_lines(context(year), factor, 10.0, 500.0) if x.startswith("Kasus per")]
    assert lines == [
        t("data.q_case_outlier", lang="id", name=names[k], times=f"{x:.1f}".replace(".", ","), factor=factor)
        for x, k in high
    ]
    assert lines  # the sample has some


def test_public_case_outliers_never_name_a_hidden_cell(sample):
    ctx = context(public=True)
    years = sql(sample, "SELECT DISTINCT year(bulan_pelaporan) AS y FROM fact_kasus")["y"]
    table = cases.kecamatan_year(ctx.key, "pelaporan", int(years.min()), ctx.year, None, True, REGION)
    hidden = {k for k, v in table.visible()[ctx.year].items() if v != v}
    names = view.kecamatan_names(ctx)
    lines = view.outlier_lines(ctx, 0.0, 10.0, 500.0)  # every visible rate above 0 x median
    flagged = {k for k, n in names.items() if any(f"Kecamatan {n} " in x for x in lines)}
    assert flagged and not flagged & hidden


def test_far_rbra_points_are_named_escaped(geo_data_dir, tmp_path, monkeypatch):
    data = tmp_path / "data"
    shutil.copytree(geo_data_dir, data)
    monkeypatch.setenv("KLA_DATA_DIR", str(data))
    rid = sql(data, "SELECT rbra_id FROM fact_rbra WHERE kode_kelurahan IS NOT NULL ORDER BY rbra_id LIMIT 1")
    rid = rid["rbra_id"][0]
    _publish(
        [
            f"UPDATE fact_rbra SET nama = 'Taman *Jauh* <i>', latitude = -3.90, longitude = 122.40 "
            f"WHERE rbra_id = '{rid}'"
        ]
    )
    kel = sql(
        data,
        "SELECT w.nama FROM fact_rbra r JOIN dim_wilayah w ON w.kode = r.kode_kelurahan WHERE r.rbra_id = ?",
        [rid],
    )["nama"][0]
    lines = view.outlier_lines(context(), 1e9, 10.0, 500.0)
    far = [x for x in lines if "Taman" in x and "Jauh" in x]
    assert len(far) == 1
    assert far[0].startswith(f'RBRA "{md_text("Taman *Jauh* <i>")}" tercatat di Kelurahan {md_text(kel)}, tetapi')
    assert "<i>" not in far[0]


def test_total_row_warnings_escape_the_file_name(sample, monkeypatch):
    warn = pd.DataFrame(
        {
            "dataset": ["penduduk", "kasus", "rbra"],
            "file_name": ["<b>anak</b>.xlsx", "kasus.xlsx", "rbra.xlsx"],
            "loaded_at": [dt.datetime(2025, 1, 1)] * 3,
            "warning_text": ["Baris JUMLAH tidak cocok", "baris total beda", "kolom kosong"],
        }
    )
    monkeypatch.setattr(view.queries, "latest_warnings", lambda key: warn)
    assert view.total_row_warnings(context()) == [
        ("penduduk: &#60;b&#62;anak&#60;/b&#62;.xlsx", "Baris JUMLAH tidak cocok"),
        ("kasus: kasus.xlsx", "baris total beda"),
    ]
    monkeypatch.undo()
    monkeypatch.setenv("KLA_DATA_DIR", str(sample))
    truth = sql(
        sample,
        """
        SELECT m.dataset, m.file_name, m.warning_text FROM meta_load m
        WHERE m.warnings > 0 AND m.loaded_at = (SELECT max(loaded_at) FROM meta_load l WHERE l.dataset = m.dataset)
          AND regexp_matches(m.warning_text, '(?i)JUMLAH|TOTAL') ORDER BY m.dataset""",
    )
    assert view.total_row_warnings(context()) == [
        (f"{d}: {md_text(f)}", w) for d, f, w in zip(truth["dataset"], truth["file_name"], truth["warning_text"])
    ]


# --- admin ------------------------------------------------------------------------------------------
def test_audit_table_filters_and_translates(own_sample):
    audit.record("unduh", "ani.dp3a", "analis", "daftar masalah")
    audit.record("kembalikan", "admin.dp3a", "admin", "v0002 -> v0001")
    audit.record("unduh", "ani.dp3a", "analis", "laporan")
    events = audit.read(limit=2000)
    actions = admin_view.audit_actions(events)
    assert actions == sorted({e["aksi"] for e in events}) and {"kembalikan", "unduh"} <= set(actions)
    full = admin_view.audit_table(events, [], "id")
    assert list(full.columns) == ["Waktu", "Pengguna", "Peran", "Aksi", "Rincian"]
    assert len(full) == len(events)
    assert full["Rincian"].tolist()[:3] == ["laporan", "v0002 -> v0001", "daftar masalah"]  # newest first
    # times as the reader writes them, not ISO (issue 21 item 5)
    first = dt.datetime.fromisoformat(events[0]["waktu"])
    assert full["Waktu"].iloc[0] == fmt_datetime(first, "id") and "T" not in full["Waktu"].iloc[0]
    assert admin_view.audit_table(events, [], "en")[t("admin.col_waktu", lang="en")].iloc[0] == fmt_datetime(
        first, "en"
    )
    only = admin_view.audit_table(events, ["kembalikan", "unduh"], "id")
    assert set(only["Aksi"]) == {"kembalikan", "unduh"}
    assert only["Rincian"].tolist() == [e["rincian"] for e in events if e["aksi"] in ("kembalikan", "unduh")]
    assert admin_view.audit_actions([]) == [] and len(admin_view.audit_table([], [], "id")) == 0
    assert list(admin_view.audit_table(events, [], "en").columns) == [
        t(f"admin.col_{c}", lang="en") for c in ("waktu", "pengguna", "peran", "aksi", "rincian")
    ]


def test_accounts_table_and_locked(own_sample):
    add_accounts(own_sample)
    accounts = users.listing()
    table = admin_view.accounts_table(accounts, "id")
    assert list(table.columns) == [
        t(f"admin.col_{c}", lang="id") for c in ("pengguna", "nama", "peran", "wilayah", "gagal", "terkunci")
    ]
    assert set(table["Pengguna"]) >= {ANALIS[0], ADMIN[0]}
    assert table.set_index("Pengguna").loc[ANALIS[0], "Peran"] == "analis"
    assert admin_view.locked_accounts(accounts) == []
    locked = [
        {**a, "gagal": users.MAX_ATTEMPTS, "terkunci": True} if a["pengguna"] == ANALIS[0] else a for a in accounts
    ]
    assert admin_view.locked_accounts(locked) == [ANALIS[0]]
    assert admin_view.locked_accounts([]) == []


def test_sessions_table(own_sample):
    for old in sessions.listing():  # the shared sample may hold sessions of earlier tests
        sessions.revoke_user(old.user)
    sessions.create("ani.dp3a", "10.0.0.1", "Mozilla/5.0 " + "x" * 100)
    sessions.create("admin.dp3a", "10.0.0.2", "curl")
    sessions.create("ani.dp3a", "10.0.0.3", "Firefox")
    live = sessions.listing()
    table = admin_view.sessions_table(live, "id")
    assert list(table.columns) == [
        t(f"admin.col_{c}", lang="id") for c in ("pengguna", "masuk", "terakhir", "klien", "peramban")
    ]
    assert len(table) == 3
    first = live[0]
    assert table.iloc[0].tolist() == [
        first.user,
        fmt_datetime(dt.datetime.fromtimestamp(first.created), "id"),
        fmt_datetime(dt.datetime.fromtimestamp(first.seen), "id"),
        first.client,
        first.agent[:60],
    ]
    assert max(table["Peramban"].str.len()) == 60
    assert admin_view.session_users(live) == ["admin.dp3a", "ani.dp3a"]
    empty = admin_view.sessions_table([], "en")
    assert len(empty) == 0 and list(empty.columns)[0] == t("admin.col_pengguna", lang="en")
