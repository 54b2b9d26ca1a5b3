"""Halaman Data: upload a bad and a good file (errors shown, nothing written; preview, one new version),
content-sniffed types, templates that open with calamine, carry dropdowns and load, racing commits,
rollback, and the quality checks."""

from __future__ import annotations

import datetime as dt
import threading

import openpyxl
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook
from streamlit.testing.v1 import AppTest

from etl import loader, templates, warehouse
from kla import quality
from tests.conftest import ADMIN, add_accounts, sign_in, xlsx_bytes

APP = "../app.py"
HEAD = ["Nama", "Kecamatan", "Kelurahan", "Latitude", "Longitude", "Status", "Tahun"]


def rbra_xlsx(rows) -> bytes:
    return xlsx_bytes(HEAD, rows, "DATA RBRA BARU")


GOOD = [["Taman Uji Korumba", "Mandonga", "Korumba", -3.9712, 122.5105, "Proses", 2025]]
BAD = [
    ["Taman Uji Korumba", "Kendri", "Korumba", -3.9712, 122.5105, "Proses", 2025],
    ["Taman Uji Dua", "Mandonga", "Korumba", "abc", 122.5105, "entah", 2025],
]


def open_data(monkeypatch, data_dir, account=None) -> AppTest:
    monkeypatch.setenv("KLA_DATA_DIR", str(data_dir))
    add_accounts(data_dir)
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    if account:
        sign_in(at, account)
    else:
        sign_in(at)
    at.switch_page("pages/data.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def frame_with(at, column: str) -> pd.DataFrame:
    """The first dataframe or table on the page that has this column (AppTest finds them by position). Tables of
    sentences are st.table (kla.shell.text_table): their cells are Markdown-escaped, read back here."""
    for d in at.dataframe:
        if column in d.value.columns:
            return d.value
    for d in at.table:
        if column in d.value.columns:
            return d.value.map(unescape)
    raise StopIteration(column)


def unescape(v):
    import html

    return html.unescape(v).replace("\u2060", "") if isinstance(v, str) else v


def state(data_dir) -> tuple:
    files = sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in (data_dir / "warehouse").iterdir())
    return warehouse.current_version(), files


@pytest.mark.usefixtures("fresh_streamlit_caches")
def test_bad_upload_shows_every_problem_and_writes_nothing(monkeypatch, own_sample):
    before = state(own_sample)
    at = open_data(monkeypatch, own_sample)
    at.file_uploader(key="upload_0").set_value(
        ("rbra_kecamatan.xlsx", rbra_xlsx(BAD), "application/octet-stream")
    ).run()
    assert not at.exception
    assert at.selectbox(key="upload_dataset_0").value == "rbra"  # recognised from the headers
    assert any("galat" in e.value and "Tidak ada data yang disimpan" in e.value for e in at.error)
    problems = frame_with(at, "Pesan")
    assert set(problems["Baris (Excel)"]) == {"3", "4"}  # rows as Excel shows them (title + header above)
    assert '"Kendri"' in problems["Nilai"].tolist()
    assert any("Kecamatan" == c for c in problems["Kolom"])
    assert all(problems["Berkas"] == "rbra_kecamatan.xlsx")
    assert "commit_0" not in [b.key for b in at.button]  # no way to commit while there are errors
    assert state(own_sample) == before


@pytest.mark.usefixtures("fresh_streamlit_caches")
def test_good_upload_previews_then_commits_one_version(monkeypatch, own_sample):
    versions = warehouse.list_versions()
    at = open_data(monkeypatch, own_sample)
    at.file_uploader(key="upload_0").set_value(("rbra_baru.xlsx", rbra_xlsx(GOOD), "application/octet-stream")).run()
    assert not at.exception and not at.error
    preview = frame_with(at, "Wilayah")
    row = preview[(preview["Ukuran"] == "RBRA") & (preview["Wilayah"] == "Mandonga") & (preview["Tahun"] == "2025")]
    con = warehouse.connect_current()
    n = con.execute("SELECT count(*) FROM fact_rbra WHERE kode_kecamatan = '74.71.01' AND tahun = 2025").fetchone()[0]
    con.close()
    assert row[["Sebelum", "Sesudah", "Selisih"]].iloc[0].tolist() == [n, n + 1, 1]
    assert warehouse.list_versions() == versions  # the preview wrote nothing
    at.button(key="commit_0").click().run()
    assert not at.exception
    assert len(warehouse.list_versions()) == len(versions) + 1
    assert any("Tersimpan" in s.value for s in at.success)
    con = warehouse.connect_current()
    last = con.execute(
        "SELECT dataset, file_name, rows_loaded FROM meta_load ORDER BY loaded_at DESC LIMIT 1"
    ).fetchone()
    assert con.execute("SELECT count(*) FROM fact_rbra WHERE nama = 'Taman Uji Korumba'").fetchone()[0] == 1
    con.close()
    assert last == ("rbra", "rbra_baru.xlsx", 1)
    history = frame_with(at, "Sidik (SHA-256)")
    assert history["Berkas"].iloc[0] == "rbra_baru.xlsx"


@pytest.mark.parametrize(
    "name,content,expected",
    [
        ("laporan.xlsx", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(2000), "bukan"),
        ("rusak.xlsx", b"PK\x03\x04" + bytes(range(256)) * 20, "rusak"),
        ("kosong.csv", b"", "kosong"),
    ],
)
def test_file_content_decides_the_type(tmp_path, monkeypatch, name, content, expected):
    monkeypatch.setenv("KLA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KLA_SALT", "x")
    path = tmp_path / name
    path.write_bytes(content)
    result = loader.check("rbra", [path])
    text = result.report.to_text()
    assert not result.ok and name in text and expected in text.lower(), text


def test_a_renamed_file_is_recognised_by_its_headers(tmp_path, monkeypatch):
    monkeypatch.setenv("KLA_DATA_DIR", str(tmp_path / "data"))
    path = tmp_path / "data_penduduk.csv"  # an xlsx with a misleading name
    path.write_bytes(rbra_xlsx(GOOD))
    assert loader.guess_dataset([path]) == "rbra"


@pytest.mark.parametrize("dataset", sorted(templates.TEMPLATES))
def test_templates_open_with_calamine_carry_dropdowns_and_load(tmp_path, monkeypatch, dataset):
    monkeypatch.setenv("KLA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KLA_SALT", "x")
    path = tmp_path / f"templat_{dataset}.xlsx"
    path.write_bytes(templates.template(dataset))
    wb = CalamineWorkbook.from_path(str(path))
    assert wb.sheet_names[:2] == ["Petunjuk", "Data"]
    rows = wb.get_sheet_by_name("Data").to_python()
    assert rows[0] == [templates.header_of(dataset, c) for c, _, _ in templates.TEMPLATES[dataset]]
    assert "Petunjuk" in wb.sheet_names and any("NIK" in str(r) for r in wb.get_sheet_by_name("Petunjuk").to_python())
    ws = openpyxl.load_workbook(path)["Data"]
    lists = [c for c, _, lst in templates.TEMPLATES[dataset] if lst]
    assert len(ws.data_validations.dataValidation) == len(lists)
    for dv in ws.data_validations.dataValidation:
        assert dv.type == "list" and dv.formula1.startswith("=Daftar!")
    if dataset in ("kasus", "rbra", "penduduk"):
        daftar = wb.get_sheet_by_name("Daftar").to_python()
        assert any("Mandonga" in r for r in daftar)
    result = loader.load(dataset, [path])  # the example row loads as it stands
    assert result.ok, result.report.to_text()
    assert loader.guess_dataset([path]) == dataset


def test_two_commits_racing_from_threads_both_land(own_sample, tmp_path):
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    a.write_bytes(rbra_xlsx([["Taman Balap A", "Mandonga", "Korumba", -3.9712, 122.5105, "Proses", 2025]]))
    b.write_bytes(rbra_xlsx([["Taman Balap B", "Kadia", "Kadia", -3.99, 122.51, "Proses", 2025]]))
    versions = warehouse.list_versions()
    results, errors = [], []
    barrier = threading.Barrier(2)

    def commit(path):
        try:
            barrier.wait()
            results.append(loader.load("rbra", [path], user=path.stem))
        except Exception as exc:  # noqa: BLE001 - the test reports it
            errors.append(exc)

    threads = [threading.Thread(target=commit, args=(p,)) for p in (a, b)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(120)
    assert not errors and all(r.ok for r in results) and len(results) == 2
    assert len(set(warehouse.list_versions()) - set(versions)) == 2  # two new ones (the oldest may be pruned)
    assert sorted(r.version for r in results) == warehouse.list_versions()[-2:]
    con = warehouse.connect_current()
    names = {r[0] for r in con.execute("SELECT nama FROM fact_rbra WHERE nama LIKE 'Taman Balap%'").fetchall()}
    con.close()
    assert names == {"Taman Balap A", "Taman Balap B"}  # neither lost


@pytest.mark.usefixtures("fresh_streamlit_caches")
def test_rollback_from_the_page(monkeypatch, own_sample, tmp_path):
    path = tmp_path / "r.xlsx"
    path.write_bytes(rbra_xlsx(GOOD))
    before = warehouse.current_version()
    assert loader.load("rbra", [path]).ok
    at = open_data(monkeypatch, own_sample, ADMIN)
    at.selectbox(key="rollback_pick").set_value(before).run()
    assert at.button(key="rollback_go").disabled
    at.checkbox(key="rollback_sure").check().run()
    at.button(key="rollback_go").click().run()
    assert not at.exception
    assert warehouse.current_version() == before
    assert any(before in s.value for s in at.success)


def test_quality_checks():
    presence = pd.DataFrame(
        {
            "tahun": [2023, 2023, 2024, 2024, 2025],
            "kode_kecamatan": ["A", "B", "A", "B", "A"],
            "anak": [100, 200, 130, 205, 131],
        }
    )
    missing = quality.missing_population(presence, ["A", "B"], [2023, 2024, 2025])
    assert missing.values.tolist() == [[2025, "B"]]
    jumps = quality.population_jumps(presence, 0.2)
    assert jumps[["kode_kecamatan", "tahun"]].values.tolist() == [["A", 2024]]
    status = pd.DataFrame(
        {"dataset": ["penduduk", "kasus"], "loaded_at": [dt.datetime(2024, 1, 1), dt.datetime(2025, 10, 1)]}
    )
    old = quality.stale(status, dt.date(2025, 11, 1), 12)
    assert old.set_index("dataset").loc["penduduk", "masalah"] == "lama"
    assert "kasus" not in set(old["dataset"]) and "rbra" in set(old["dataset"])
    kec = pd.DataFrame(
        {"nama": list("ABCDE"), "anak": [1000] * 5, "kasus_per_1000": [1.0, 1.2, 0.9, 4.0, float("nan")]}
    )
    assert quality.case_rate_outliers(kec, 3.0)["nama"].tolist() == ["D"]


def test_rbra_outside_its_kelurahan_is_flagged():
    import geopandas as gpd
    from shapely.geometry import box

    kel = gpd.GeoDataFrame(
        {"kode": ["K1", "K2"]},
        geometry=[box(122.50, -4.00, 122.51, -3.99), box(122.51, -4.00, 122.52, -3.99)],
        crs="EPSG:4326",
    )
    pts = pd.DataFrame(
        {
            "nama": ["in", "edge", "far"],
            "kode_kelurahan": ["K1", "K1", "K1"],
            "lat": [-3.995, -3.995, -3.995],
            "lon": [122.505, 122.5105, 122.518],
        }
    )
    out = quality.rbra_outside_kelurahan(pts, kel)
    assert out["nama"].tolist() == ["far"] and 700 < out["jarak_m"].iloc[0] < 1000
