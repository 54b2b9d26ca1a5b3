"""A second kab/kota next to Kendari: reference regions loaded as data, names resolved in the load's
kab/kota, codes as the national key, and every page working for each kab/kota and for the province.

The second kab/kota is test data: Kota Baubau (74.72) with three kecamatan whose codes, points and
square boundaries are made up for this test (not official data).
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import REPO, run_etl, sql
from tests.figures import figure
from tests.tables import tables

APP = "../app.py"
BAUBAU = "74.72"
KEC = {
    "74.72.01": ("Betoambari", -5.55, 122.55),
    "74.72.02": ("Wolio", -5.45, 122.65),
    "74.72.03": ("Murhum", -5.35, 122.55),
}  # squares of 0.09 degrees around these points
CASES = {"74.72.01": 7, "74.72.02": 2, "74.72.03": 6}  # Wolio's 2 is hidden from the public


def write_csv(path: Path, rows: list[list]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, delimiter=";").writerows(rows)
    return path


def year_of(data_dir) -> int:
    return int(sql(data_dir, "SELECT max(tahun) AS y FROM fact_penduduk")["y"].iloc[0])


def baubau_files(folder: Path, year: int) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    wilayah = [
        ["Kode", "Nama", "Level", "Lintang", "Bujur"],
        ["74", "Sulawesi Tenggara", "provinsi", "", ""],
        ["74.71", "Kota Kendari", "kota", "-3.9985", "122.5430"],  # a region, not a JUMLAH row
        [BAUBAU, "Kota Baubau", "kota", "-5.47", "122.61"],
    ]
    wilayah += [[k, n, "kecamatan", str(lat), str(lon)] for k, (n, lat, lon) in KEC.items()]
    wilayah += [["74.72.01.1001", "Katobengke", "kelurahan", "-5.55", "122.55"]]
    penduduk = [["DATA ANAK KOTA BAUBAU (UJI)"], ["Tahun", "Kecamatan", "Jenis Kelamin", "Kelompok Umur", "Jumlah"]]
    for code, (name, _, _) in KEC.items():
        for sex in "LP":
            penduduk.append([year, name.upper(), sex, "0-4", f"{1000 + int(code[-1]) * 100}"])
    kasus = [
        [
            "No Register",
            "Tanggal Kejadian",
            "Tanggal Pelaporan",
            "Kode Kecamatan",
            "Jenis Kelamin",
            "Usia",
            "Bentuk Kekerasan",
        ]
    ]
    for code, n in CASES.items():
        kasus += [[f"BB/{code}/{i}", f"02/03/{year}", f"05/03/{year}", code, "P", 9, "Psikis"] for i in range(n)]
    rbra = [
        ["Nama", "Kode Kecamatan", "Kelurahan", "Latitude", "Longitude", "Status"],
        ["Taman Katobengke", "74.72.01", "Katobengke", "-5,56", "122,56", "RBRA"],
    ]
    indikator = [["Kode Kab/Kota", "Tahun", "No", "Nilai"]] + [[BAUBAU, year, i, 20] for i in range(1, 25)]
    features = []
    for code, (name, lat, lon) in KEC.items():
        h = 0.045
        ring = [[lon - h, lat - h], [lon + h, lat - h], [lon + h, lat + h], [lon - h, lat + h], [lon - h, lat - h]]
        features.append(
            {
                "type": "Feature",
                "properties": {"kode_kemendagri": code, "kecamatan": name},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    batas = folder / "baubau_kecamatan.geojson"
    batas.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return {
        "wilayah": write_csv(folder / "wilayah_baubau.csv", wilayah),
        "penduduk": write_csv(folder / "penduduk_baubau.csv", penduduk),
        "kasus": write_csv(folder / "kasus_baubau.csv", kasus),
        "rbra": write_csv(folder / "rbra_baubau.csv", rbra),
        "indikator": write_csv(folder / "indikator_baubau.csv", indikator),
        "batas": batas,
    }


@pytest.fixture(scope="module")
def two_cities(tmp_path_factory, geo_data_dir) -> Path:
    data = tmp_path_factory.mktemp("two") / "data"
    shutil.copytree(geo_data_dir, data)
    year = year_of(data)
    files = baubau_files(data.parent / "in", year)
    before = {
        t: sql(data, f"SELECT count(*) AS n FROM {t}")["n"].iloc[0]
        for t in ("fact_penduduk", "fact_kasus", "fact_rbra", "fact_nilai_indikator")
    }
    run_etl(data, "load", "wilayah", str(files["wilayah"]))
    run_etl(data, "load", "--wilayah", BAUBAU, "penduduk", str(files["penduduk"]))
    for name in ("kasus", "rbra", "indikator", "batas"):
        run_etl(data, "load", name, str(files[name]))
    after = {
        t: sql(data, f"SELECT count(*) AS n FROM {t} WHERE {col} LIKE '74.71%'")["n"].iloc[0]
        for t, col in (
            ("fact_penduduk", "kode_kecamatan"),
            ("fact_kasus", "kode_kecamatan"),
            ("fact_rbra", "kode_kecamatan"),
            ("fact_nilai_indikator", "kode_wilayah"),
        )
    }
    assert after == before  # Kendari's rows are untouched by the second kab/kota
    return data


def test_second_kabkota_is_stored_under_its_codes(two_cities):
    year = year_of(two_cities)
    kids = sql(
        two_cities,
        "SELECT kode_kecamatan AS k, sum(jumlah_anak) AS n FROM fact_penduduk "
        "WHERE tahun = ? AND kode_kecamatan LIKE '74.72%' GROUP BY 1 ORDER BY 1",
        [year],
    )
    assert dict(zip(kids["k"], kids["n"])) == {"74.72.01": 2200, "74.72.02": 2400, "74.72.03": 2600}
    cases = sql(
        two_cities,
        "SELECT kode_kecamatan AS k, count(*) AS n FROM fact_kasus WHERE kode_kecamatan LIKE '74.72%' GROUP BY 1",
    )
    assert dict(zip(cases["k"], cases["n"])) == CASES
    rbra = sql(two_cities, "SELECT kode_kelurahan FROM fact_rbra WHERE kode_kecamatan = '74.72.01'")
    assert rbra["kode_kelurahan"].tolist() == ["74.72.01.1001"]
    scores = sql(
        two_cities,
        "SELECT kode_wilayah, sum(nilai) AS n FROM fact_nilai_indikator WHERE tahun = ? GROUP BY 1 ORDER BY 1",
        [year],
    )
    assert scores[scores["kode_wilayah"] == BAUBAU]["n"].iloc[0] == 480
    outlines = sql(two_cities, "SELECT kode, level FROM geo_batas WHERE level IN ('kabkota', 'provinsi') ORDER BY kode")
    assert list(zip(outlines["kode"], outlines["level"])) == [
        ("74", "provinsi"),
        ("74.71", "kabkota"),
        ("74.72", "kabkota"),
    ]
    warnings = sql(two_cities, "SELECT warnings FROM meta_load WHERE dataset = 'wilayah'")["warnings"].tolist()
    assert warnings == [0]
    # the reference regions of Kendari are still there after the loaded ones
    n = sql(two_cities, "SELECT count(*) AS n FROM dim_wilayah WHERE kode LIKE '74.71.%' AND level = 'kecamatan'")
    assert n["n"].iloc[0] == 11


def test_names_resolve_in_the_load_kabkota_and_codes_must_be_known(tmp_path, two_cities):
    data = tmp_path / "data"
    shutil.copytree(two_cities, data)
    current = (data / "warehouse" / "CURRENT").read_text()
    year = year_of(data)
    kendari_name = write_csv(
        tmp_path / "p.csv",
        [["Tahun", "Kecamatan", "Jenis Kelamin", "Kelompok Umur", "Jumlah"], [year, "Mandonga", "L", "0-4", 10]],
    )
    proc = run_etl(data, "load", "--wilayah", BAUBAU, "penduduk", str(kendari_name), check=False)
    assert proc.returncode == 1
    assert "Kecamatan tidak dikenal" in proc.stdout and "Betoambari" in proc.stdout and "p.csv" in proc.stdout
    # the same name in Kendari (the configured kab/kota) loads
    assert run_etl(data, "check", "penduduk", str(kendari_name)).returncode == 0
    bad = write_csv(
        tmp_path / "k.csv",
        [
            [
                "No Register",
                "Tanggal Kejadian",
                "Tanggal Pelaporan",
                "Kode Kecamatan",
                "Kecamatan",
                "Jenis Kelamin",
                "Usia",
                "Bentuk Kekerasan",
            ],
            ["X1", f"01/02/{year}", f"02/02/{year}", "74.99.01", "", "L", 5, "Fisik"],
            ["X2", f"01/02/{year}", f"02/02/{year}", "74.72.02", "Betoambari", "L", 5, "Fisik"],
            ["X3", f"01/02/{year}", f"02/02/{year}", "7472", "", "L", 5, "Fisik"],
        ],
    )
    proc = run_etl(data, "load", "kasus", str(bad), check=False)
    assert proc.returncode == 1
    out = proc.stdout
    assert "Kode kecamatan tidak dikenal" in out and "74.99.01" in out and "python -m etl load wilayah" in out
    assert "tidak cocok dengan kodenya: 74.72.02 adalah Kecamatan Wolio" in out
    assert "kode 74.72 adalah kota" in out
    assert "baris 2" in out.lower() or "Baris 2" in out
    assert (data / "warehouse" / "CURRENT").read_text() == current  # nothing written
    unknown = run_etl(data, "check", "--wilayah", "74.99", "penduduk", str(kendari_name), check=False)
    assert unknown.returncode == 2 and "74.99 tidak dikenal" in unknown.stderr + unknown.stdout


def open_page(monkeypatch, data_dir, page: str, region: str | None) -> AppTest:
    monkeypatch.setenv("KLA_DATA_DIR", str(data_dir))
    at = AppTest.from_file(APP, default_timeout=120)
    if region is not None:  # before the first run: AppTest runs the frame (app.py) on the first run only
        at.session_state["wilayah"] = region
    at.run()
    at.frame_selectboxes = {s.key: s for s in at.selectbox}
    if page != "ringkasan":
        at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


@pytest.mark.usefixtures("fresh_streamlit_caches")
@pytest.mark.parametrize("page", ["ringkasan", "progres", "peta", "kekerasan", "presentasi"])
@pytest.mark.parametrize("region", ["74.71", BAUBAU, "74"])
def test_every_page_works_for_each_kabkota_and_the_province(monkeypatch, two_cities, page, region):
    at = open_page(monkeypatch, two_cities, page, region)
    chooser = at.frame_selectboxes["wilayah"]
    assert chooser.options == ["Prov. Sulawesi Tenggara", "· Kota Kendari", "· Kota Baubau"]
    assert chooser.value == region
    if page == "presentasi":  # the deck opens on the region's key-figure cards
        name = {"74.71": "Kota Kendari", BAUBAU: "Kota Baubau", "74": "Sulawesi Tenggara"}[region]
        assert any("Anak-anak" in m.value and name in m.value for m in at.markdown)
        assert any("kla-kpi" in m.value for m in at.markdown)
    else:  # every page shows its figures (Progres of a province opens on its ranking)
        assert at.get("plotly_chart") or at.dataframe or at.table


@pytest.mark.usefixtures("fresh_streamlit_caches")
def test_figures_follow_the_region(monkeypatch, two_cities):
    year = year_of(two_cities)
    at = open_page(monkeypatch, two_cities, "ringkasan", BAUBAU)
    assert metrics(at)["Jumlah anak 0-17 tahun"] == "7.200"
    kendari = int(
        sql(
            two_cities,
            "SELECT sum(jumlah_anak) AS n FROM fact_penduduk WHERE tahun = ? AND kode_kecamatan LIKE '74.71.%'",
            [year],
        )["n"].iloc[0]
    )
    at = open_page(monkeypatch, two_cities, "ringkasan", "74")
    assert metrics(at)["Jumlah anak 0-17 tahun"] == f"{kendari + 7200:,}".replace(",", ".")
    # the province map draws its two kab/kota from their dissolved outlines, with their children
    at = open_page(monkeypatch, two_cities, "peta", "74")
    data = figure(at.get("plotly_chart")[0])["data"]
    shown = {loc: z for tr in data if tr["type"] == "choroplethmap" for loc, z in zip(tr["locations"], tr["z"])}
    assert shown == {"74.71": float(kendari), "74.72": 7200.0}
    # Kekerasan per kab/kota: Baubau's 15 cases; per kecamatan in Baubau: Wolio's 2 hidden from the public
    at = open_page(monkeypatch, two_cities, "kekerasan", BAUBAU)
    table = tables(at)[0]  # the per-kecamatan table (the only table on the page)
    column = table[str(year)]
    assert column["Wolio"] == "<5" and column.iloc[-1] == "15"  # the total is Baubau's, not the province's
    # a second cell hides Wolio's count from being worked out of the total (complementary suppression)
    assert "*" in column[["Betoambari", "Murhum"]].tolist()
    # Progres of the province ranks both kab/kota; Baubau's 480 points
    at = open_page(monkeypatch, two_cities, "progres", "74")
    ranking = tables(at)[0]  # the ranking comes first
    assert set(ranking["Kabupaten/kota"]) == {"Kota Kendari", "Kota Baubau"}


@pytest.mark.usefixtures("fresh_streamlit_caches")
def test_one_kabkota_has_no_region_selector(monkeypatch, sample_data_dir):
    at = open_page(monkeypatch, sample_data_dir, "ringkasan", None)
    assert "wilayah" not in at.frame_selectboxes
    assert "Kota Kendari" in at.markdown[1].value or any("Kota Kendari" in m.value for m in at.markdown)


@pytest.mark.usefixtures("fresh_streamlit_caches")
def test_an_analyst_of_one_kabkota_is_exact_and_may_load_only_there(monkeypatch, tmp_path, two_cities):
    """Issue 17: an account belongs to a region. Kendari's analyst sees Baubau as the public does and cannot load
    or edit there; a province analyst sees both exactly."""
    from etl import sessions
    from kla import auth

    data = tmp_path / "data"
    shutil.copytree(two_cities, data)
    for name, wilayah in (("ani.kendari", "74.71"), ("budi.prov", "74")):
        subprocess.run(
            [sys.executable, "-m", "etl", "user", "add", name, "--wilayah", wilayah, "--password-stdin"],
            cwd=REPO,
            env={**os.environ, "KLA_DATA_DIR": str(data)},
            input="rahasia-wilayah-1\n",
            text=True,
            check=True,
            capture_output=True,
        )

    def page_as(user, page, region):
        monkeypatch.setenv("KLA_DATA_DIR", str(data))
        at = AppTest.from_file(APP, default_timeout=120)
        at.session_state["wilayah"] = region
        at.session_state[auth.TEST_TOKEN] = sessions.create(user, "apptest")
        at.run()
        at.switch_page(f"pages/{page}.py").run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    at = page_as("ani.kendari", "kekerasan", BAUBAU)
    assert tables(at)[0][str(year_of(data))]["Wolio"] == "<5"  # Baubau: the public view
    at = page_as("ani.kendari", "kekerasan", "74.71")
    assert "<5" not in tables(at)[0].astype(str).to_numpy()  # Kendari: exact
    at = page_as("budi.prov", "kekerasan", BAUBAU)
    assert tables(at)[0][str(year_of(data))]["Wolio"] == "2"  # the province analyst: exact
    at = page_as("ani.kendari", "data", BAUBAU)
    assert any("wilayah 74.71" in e.value for e in at.error) and not at.file_uploader
    at = page_as("ani.kendari", "data", "74.71")
    assert at.file_uploader and not at.error
    at = page_as("ani.kendari", "progres", BAUBAU)
    assert not [b for b in at.button if (b.key or "").startswith("FormSubmitter:tl_new")]


def test_a_load_with_rows_outside_the_accounts_region_is_refused(two_cities, tmp_path, monkeypatch):
    """The server-side half of the region scope: a file with Kode columns can name any kecamatan."""
    from etl import loader, warehouse

    data = tmp_path / "data"
    shutil.copytree(two_cities, data)
    monkeypatch.setenv("KLA_DATA_DIR", str(data))
    files = baubau_files(tmp_path / "in", year_of(data))
    before = warehouse.current_version()
    refused = loader.load("kasus", [files["kasus"]], user="ani.kendari", within="74.71")
    assert not refused.ok and warehouse.current_version() == before
    text = " ".join(p.message for p in refused.report.problems)
    assert "di luar wilayah kerja akun Anda (74.71)" in text and "74.72.01" in text
    assert loader.load("kasus", [files["kasus"]], user="budi.prov", within="74").ok
