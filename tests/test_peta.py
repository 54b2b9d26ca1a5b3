"""Peta: the figure's areas and values equal SQL, coverage equals an independent geopandas
calculation on the real Kendari boundaries, an injected map selection opens the panel, and the map
works without boundaries."""

from __future__ import annotations

import re

import geopandas as gpd
import pytest
from streamlit.testing.v1 import AppTest

from kla import glyphs, maps
from kla.fmt import fmt_int
from kla.privacy import protect
from tests.conftest import GEO, sql
from tests.figures import figure
from tests.tables import tables

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


def is_rbra(tr) -> bool:
    """An RBRA trace of the map (its points carry "rbra:<id>")."""
    custom = tr.get("customdata") or [""]
    return tr["type"] == "scattermap" and str(custom[0]).startswith(maps.RBRA_PREFIX)


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
    pts = [tr for tr in data if is_rbra(tr)]
    got = sorted((round(a, 6), round(b, 6)) for tr in pts for a, b in zip(tr["lat"], tr["lon"]))
    rb = sql(
        geo_data_dir,
        "SELECT latitude, longitude FROM fact_rbra WHERE latitude IS NOT NULL AND (tahun IS NULL OR tahun <= ?)",
        [year],
    )
    assert got == sorted((round(a, 6), round(b, 6)) for a, b in zip(rb["latitude"], rb["longitude"]))
    layout = figure(at.get("plotly_chart")[0])["layout"]
    assert layout["map"]["style"] == glyphs.STYLE_URL  # offline by default: this app's style, no tiles,
    assert glyphs.style("#FFFFFF")["sources"] == {} and glyphs.style("#FFFFFF")["glyphs"] == glyphs.URL  # its glyphs


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
    """Children within radius of an RBRA, straight from the shipped GeoJSON with geopandas: every child of the
    warehouse, those of a kelurahan without a polygon (Wundumbatu) spread evenly over their kecamatan's polygon in
    kendari_kecamatan.geojson."""
    kel = gpd.read_file(GEO / "kendari_kelurahan.geojson").to_crs(32751)
    kec = gpd.read_file(GEO / "kendari_kecamatan.geojson").to_crs(32751)
    code = next(c for c in kel.columns if c.startswith("kode"))
    kids = sql(
        data_dir,
        "SELECT kode_wilayah AS kode, kode_kecamatan, sum(jumlah_anak) AS n FROM fact_penduduk WHERE tahun = ? "
        "AND level = 'kelurahan' GROUP BY ALL",
        [year],
    ).set_index("kode")
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
    kel["anak"] = kel[code].map(kids["n"]).fillna(0)
    kel["share"] = kel.geometry.intersection(reach).area / kel.geometry.area
    reached = (kel["anak"] * kel["share"]).sum()
    unplaced = kids[~kids.index.isin(kel[code])]
    assert list(unplaced.index) == ["74.71.04.1021"]  # Wundumbatu, in Kec. Poasia
    kec["share"] = kec.geometry.intersection(reach).area / kec.geometry.area
    kec_share = kec.set_index("kode_kemendagri")["share"]
    reached += sum(n * kec_share[k] for k, n in zip(unplaced["kode_kecamatan"], unplaced["n"]))
    return float(reached / kids["n"].sum() * 100)


@pytest.mark.parametrize("radius", [500, 1000])
def test_city_coverage_equals_independent_geopandas(monkeypatch, geo_data_dir, radius):
    at = open_map(monkeypatch, geo_data_dir, {"peta_radius": radius})
    year = year_of(geo_data_dir)
    caption = next(c.value for c in at.caption if c.value.startswith("Seluruh kota"))
    pct = int(re.search(r"(\d+)%", caption).group(1))
    expected = independent_coverage(geo_data_dir, year, radius)
    assert abs(pct - expected) <= 0.5 + 1e-9, caption
    card = next(m for m in at.metric if m.label == f"Anak dalam {fmt_int(radius)} m dari RBRA")  # the headline
    assert card.value == f"{pct}%"
    total = sql(geo_data_dir, "SELECT sum(jumlah_anak) AS n FROM fact_penduduk WHERE tahun = ?", [year])["n"].iloc[0]
    assert card.delta.endswith(f" dari {fmt_int(total)} anak")  # every child of the city, Wundumbatu's too
    proposals = tables(at)[-1]
    assert len(proposals) == 3
    gains = [int(g.replace(".", "")) for g in proposals["Tambahan anak terjangkau"]]  # shown as "3.011"
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
    assert panel["Jumlah anak"] == fmt_int(kids)
    kel_table = tables(at)[0]
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
    notes = [i.value for i in at.info if i.value.startswith("Batas wilayah resmi belum dimuat")]
    assert notes and not any("python -m" in n for n in notes)  # the public gets no command line
    options = at.selectbox(key="peta_metric").options
    assert "Jumlah anak" in options and "% anak dalam radius RBRA" not in options


def test_a_tapped_rbra_shows_its_detail_and_opens_its_kecamatan(monkeypatch, geo_data_dir):
    year = year_of(geo_data_dir)
    rb = sql(
        geo_data_dir,
        "SELECT r.rbra_id, r.nama, r.status, r.tahun, kc.nama AS kec, kl.nama AS kel FROM fact_rbra r "
        "JOIN dim_wilayah kc ON kc.kode = r.kode_kecamatan JOIN dim_wilayah kl ON kl.kode = r.kode_kelurahan "
        "WHERE r.latitude IS NOT NULL AND (r.tahun IS NULL OR r.tahun <= ?) ORDER BY r.rbra_id LIMIT 1",
        [year],
    ).iloc[0]
    tap = {"selection": {"points": [{"customdata": f"{maps.RBRA_PREFIX}{rb['rbra_id']}"}]}}
    at = open_map(monkeypatch, geo_data_dir, {"peta_map": tap})
    shown = " ".join(m.value for m in at.markdown)
    assert f"**{rb['nama']}**" in shown
    assert f"Kel. {rb['kel']}, Kec. {rb['kec']}" in shown and f"Status: {rb['status']}" in shown
    assert "Anak dalam 500 m dari RBRA ini: **" in shown
    assert f"Kec. {rb['kec']}" in [h.value for h in at.subheader]  # its kecamatan's panel opens too


def test_the_unit_without_a_polygon_is_named_under_the_map(monkeypatch, geo_data_dir):
    at = open_map(monkeypatch, geo_data_dir)
    year = year_of(geo_data_dir)
    n = sql(
        geo_data_dir,
        "SELECT sum(jumlah_anak) AS n FROM fact_penduduk WHERE tahun = ? AND kode_wilayah = '74.71.04.1021'",
        [year],
    )["n"].iloc[0]
    notes = [m.value for m in at.markdown if "tidak punya batas wilayah" in m.value]
    assert notes == [
        f"Kel. Wundumbatu tidak punya batas wilayah di peta; {fmt_int(n)} anaknya tetap dihitung dalam angka "
        "cakupan, dianggap tersebar merata di Kec. Poasia."
    ]


def _fields(buf: bytes):
    """(field number, value) of a protobuf message: varints as int, length-delimited as bytes."""
    i = 0
    while i < len(buf):
        key, i = _varint(buf, i)
        if key & 7 == 0:
            value, i = _varint(buf, i)
        else:
            n, i = _varint(buf, i)
            value, i = buf[i : i + n], i + n
        yield key >> 3, value


def _varint(buf: bytes, i: int) -> tuple[int, int]:
    shift = value = 0
    while True:
        byte = buf[i]
        value |= (byte & 0x7F) << shift
        i, shift = i + 1, shift + 7
        if not byte & 0x80:
            return value, i


def test_the_map_font_covers_every_region_name_and_draws_glyphs():
    """The glyph files the app serves (kla/glyphs.py) in MapLibre's format: one fontstack per block, each glyph an
    SDF bitmap of (width + 6) x (height + 6) bytes, inside the outline above MapLibre's edge (192), outside below."""
    import csv

    from tests.conftest import REPO

    glyph_ids, bitmaps = set(), {}
    for start, end in glyphs.RANGES:
        path = glyphs.file_of(glyphs.FONT, f"{start}-{end}")
        assert path is not None and glyphs.file_of("Open Sans Regular", f"{start}-{end}") is None
        ((_, stack),) = list(_fields(path.read_bytes()))
        fields = list(_fields(stack))
        assert fields[0] == (1, glyphs.FONT.encode()) and fields[1] == (2, f"{start}-{end}".encode())
        for _, glyph in (f for f in fields if f[0] == 3):
            g = dict(_fields(glyph))
            assert start <= g[1] <= end
            if g.get(3):
                assert len(g[2]) == (g[3] + 6) * (g[4] + 6)
            glyph_ids.add(g[1])
            bitmaps[g[1]] = g
    assert glyphs.file_of(glyphs.FONT, "512-767") is None
    with open(REPO / "data" / "reference" / "wilayah.csv", encoding="utf-8") as fh:
        chars = {ord(c) for row in csv.DictReader(fh) for c in row["nama"]}
    assert chars <= glyph_ids, sorted(chr(c) for c in chars - glyph_ids)
    bar = bitmaps[ord("I")]  # a solid bar: its middle is inside, the border outside
    w, h = bar[3] + 6, bar[4] + 6
    assert bar[2][(h // 2) * w + w // 2] > 192 and bar[2][0] < 100
    assert bitmaps[ord(" ")].get(3, 0) == 0 and bitmaps[ord(" ")][7] > 0  # a space: only its advance


@pytest.mark.skipif(not glyphs.SYSTEM_TTF.is_file(), reason="DejaVu Sans Bold (fonts-dejavu-core) is not installed")
def test_the_glyph_files_are_what_the_builder_makes(tmp_path):
    """kla/assets/glyphs is the output of `python -m kla.glyphs` on DejaVu Sans Bold, byte for byte."""
    for path in glyphs.build(glyphs.SYSTEM_TTF, tmp_path):
        assert path.read_bytes() == (glyphs.ASSETS / path.name).read_bytes(), path.name
