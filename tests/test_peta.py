"""Peta: the figure's areas and values equal SQL, coverage equals an independent geopandas
calculation on the real Kendari boundaries, an injected map selection opens the panel, and the map
works without boundaries."""

from __future__ import annotations

import re

import geopandas as gpd
import pytest
from streamlit.testing.v1 import AppTest

from kla.privacy import protect
from tests.conftest import GEO, sql
from tests.figures import figure

APP = "../app.py"
pytestmark = pytest.mark.usefixtures("fresh_streamlit_caches")


def open_map(monkeypatch, data_dir, state=None) -> AppTest:
    monkeypatch.setenv("KLA_DATA_DIR", str(data_dir))
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    for k, v in (state or {}).items():
        at.session_state[k] = v
    at.switch_page("pages/peta.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def traces(at):
    return figure(at.get("plotly_chart")[0])["data"]


def year_of(data_dir) -> int:
    return int(sql(data_dir, "SELECT max(tahun) AS y FROM fact_penduduk")["y"].iloc[0])


def test_choropleth_children_and_rbra_points_equal_sql(monkeypatch, geo_data_dir):
    at = open_map(monkeypatch, geo_data_dir)
    year = year_of(geo_data_dir)
    data = traces(at)
    areas = [tr for tr in data if tr["type"] == "choroplethmap"]
    shown = {loc: z for tr in areas for loc, z in zip(tr["locations"], tr["z"])}
    truth = sql(
        geo_data_dir,
        "SELECT kode_kecamatan AS k, sum(jumlah_anak) AS n FROM fact_penduduk WHERE tahun = ? GROUP BY 1",
        [year],
    )
    assert shown == dict(zip(truth["k"], truth["n"].astype(float)))
    assert len(shown) == 11
    pts = [tr for tr in data if tr["type"] == "scattermap" and tr.get("name") != "Usulan lokasi baru"]
    got = sorted((round(a, 6), round(b, 6)) for tr in pts for a, b in zip(tr["lat"], tr["lon"]))
    rb = sql(
        geo_data_dir,
        "SELECT latitude, longitude FROM fact_rbra WHERE latitude IS NOT NULL AND (tahun IS NULL OR tahun <= ?)",
        [year],
    )
    assert got == sorted((round(a, 6), round(b, 6)) for a, b in zip(rb["latitude"], rb["longitude"]))
    layout = figure(at.get("plotly_chart")[0])["layout"]
    assert layout["map"]["style"] == "white-bg"  # offline by default


def test_case_rate_map_is_suppressed_like_the_other_pages(monkeypatch, geo_data_dir):
    at = open_map(monkeypatch, geo_data_dir, {"peta_metric": "kasus_per_1000"})
    year = year_of(geo_data_dir)
    shown = {
        loc: z
        for tr in traces(at)
        if tr["type"] == "choroplethmap" and tr["name"] != "—"
        for loc, z in zip(tr["locations"], tr["z"])
    }
    counts = sql(
        geo_data_dir,
        "SELECT kode_kecamatan AS k, year(bulan_pelaporan) AS y, count(*) AS n FROM fact_kasus GROUP BY ALL",
    )
    kec = sql(geo_data_dir, "SELECT kode FROM dim_wilayah WHERE level = 'kecamatan' ORDER BY kode")["kode"].tolist()
    years = list(range(int(counts["y"].min()), max(int(counts["y"].max()), year) + 1))
    table = counts.pivot_table(index="k", columns="y", values="n", aggfunc="sum", fill_value=0).reindex(
        index=kec, columns=years, fill_value=0
    )
    visible = protect(table, public=True).visible()[year]
    kids = sql(
        geo_data_dir,
        "SELECT kode_kecamatan AS k, sum(jumlah_anak) AS n FROM fact_penduduk WHERE tahun = ? GROUP BY 1",
        [year],
    ).set_index("k")["n"]
    expected = {k: visible[k] / kids[k] * 1000 for k in kec if visible[k] == visible[k]}
    assert set(shown) == set(expected)
    assert all(abs(shown[k] - expected[k]) < 1e-9 for k in expected)
    for tr in traces(at):  # no hover text shows a count from 1 to 4
        for text in tr.get("text") or []:
            assert not re.search(r"Kasus \d{4}: [1-4](<|$)", str(text)), text


def independent_coverage(data_dir, year, radius):
    """Children within radius of an RBRA, straight from the shipped GeoJSON with geopandas."""
    kel = gpd.read_file(GEO / "kendari_kelurahan.geojson").to_crs(32751)
    code = next(c for c in kel.columns if c.startswith("kode"))
    kids = sql(
        data_dir,
        "SELECT kode_wilayah AS kode, sum(jumlah_anak) AS n FROM fact_penduduk WHERE tahun = ? "
        "AND level = 'kelurahan' GROUP BY 1",
        [year],
    ).set_index("kode")["n"]
    rb = sql(
        data_dir,
        "SELECT latitude, longitude FROM fact_rbra WHERE latitude IS NOT NULL AND (tahun IS NULL OR tahun <= ?)",
        [year],
    )
    reach = (
        gpd.GeoSeries(gpd.points_from_xy(rb["longitude"], rb["latitude"]), crs=4326)
        .to_crs(32751)
        .buffer(radius, quad_segs=16)
        .union_all()
    )
    kel["anak"] = kel[code].map(kids).fillna(0)
    kel["share"] = kel.geometry.intersection(reach).area / kel.geometry.area
    return float((kel["anak"] * kel["share"]).sum() / kel["anak"].sum() * 100)


@pytest.mark.parametrize("radius", [500, 1000])
def test_city_coverage_equals_independent_geopandas(monkeypatch, geo_data_dir, radius):
    at = open_map(monkeypatch, geo_data_dir, {"peta_radius": radius})
    year = year_of(geo_data_dir)
    caption = next(c.value for c in at.caption if c.value.startswith("Seluruh kota"))
    pct = int(re.search(r"(\d+)%", caption).group(1))
    assert abs(pct - independent_coverage(geo_data_dir, year, radius)) <= 0.5 + 1e-9, caption
    proposals = at.dataframe[-1].value
    assert len(proposals) == 3
    gains = proposals["Tambahan anak terjangkau"].tolist()
    assert gains == sorted(gains, reverse=True) and gains[0] > 0


def test_injected_selection_opens_the_kecamatan_panel(monkeypatch, geo_data_dir):
    at = open_map(monkeypatch, geo_data_dir, {"peta_map": {"selection": {"points": [{"location": "74.71.01"}]}}})
    assert "Kec. Mandonga" in [h.value for h in at.subheader]
    year = year_of(geo_data_dir)
    panel = {m.label: m.value for m in at.metric}
    kids = sql(
        geo_data_dir,
        "SELECT sum(jumlah_anak) AS n FROM fact_penduduk WHERE tahun = ? AND kode_kecamatan = '74.71.01'",
        [year],
    )["n"].iloc[0]
    from kla.fmt import fmt_int

    assert panel["Jumlah anak"] == fmt_int(kids)
    kel_table = at.dataframe[0].value
    names = sql(geo_data_dir, "SELECT nama FROM geo_batas WHERE level = 'kelurahan' AND kode LIKE '74.71.01.%'")
    assert sorted(kel_table["Nama"]) == sorted(names["nama"])


def test_kelurahan_level_when_kelurahan_boundaries_are_loaded(monkeypatch, geo_data_dir):
    at = open_map(monkeypatch, geo_data_dir, {"peta_level": "kelurahan", "peta_metric": "persen_terjangkau"})
    locs = [loc for tr in traces(at) if tr["type"] == "choroplethmap" for loc in tr["locations"]]
    assert len(locs) == 64 and all(loc.count(".") == 3 for loc in locs)


def test_without_boundaries_bubbles_and_a_note(monkeypatch, no_geo_data_dir):
    at = open_map(monkeypatch, no_geo_data_dir)
    data = traces(at)
    assert not any(tr["type"] == "choroplethmap" for tr in data)
    bubbles = data[0]
    assert bubbles["type"] == "scattermap" and len(bubbles["lat"]) == 11
    assert any("python -m etl load batas" in i.value for i in at.info)
    options = at.selectbox(key="peta_metric").options
    assert "Jumlah anak" in options and "% anak dalam radius RBRA" not in options
