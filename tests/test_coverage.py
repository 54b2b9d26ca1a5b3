"""kla.coverage on tiny synthetic squares (built in metres, stored in WGS84) and the real Kendari map."""

from __future__ import annotations

import math
import time

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, Polygon, box

from kla.coverage import METRIC_CRS, by_kecamatan, candidates, coverage, greedy_sites
from tests.conftest import GEO

X0, Y0 = 500_000.0, 9_560_000.0  # UTM 51S, near Kendari
KENDARI = GEO / "kendari_kelurahan.geojson"  # shipped in data/publik/batas


def square(ix: float, iy: float = 0.0, size: float = 1000.0) -> Polygon:
    """A size x size square whose lower-left corner is (ix, iy) km from (X0, Y0)."""
    x, y = X0 + ix * 1000.0, Y0 + iy * 1000.0
    return box(x, y, x + size, y + size)


def areas(rows: list[tuple[str, str, float, Polygon]]) -> gpd.GeoDataFrame:
    """(kode, kode_kecamatan, anak, metric geometry) rows -> the GeoDataFrame coverage() takes (WGS84)."""
    kode, kec, anak, geom = zip(*rows)
    gdf = gpd.GeoDataFrame({"kode": kode, "kode_kecamatan": kec, "anak": anak}, geometry=list(geom), crs=METRIC_CRS)
    return gdf.to_crs("EPSG:4326")


def points(*xy: tuple[float, float]) -> pd.DataFrame:
    """Metric (x, y) points -> a lat/lon frame."""
    if not xy:
        return pd.DataFrame({"lat": [], "lon": []})
    wgs = gpd.GeoSeries([Point(x, y) for x, y in xy], crs=METRIC_CRS).to_crs("EPSG:4326")
    return pd.DataFrame({"lat": wgs.y.to_numpy(), "lon": wgs.x.to_numpy()})


def centre(poly: Polygon) -> tuple[float, float]:
    c = poly.centroid
    return c.x, c.y


def disc_area(r: float) -> float:
    """Area of the 64-gon that buffer(r, quad_segs=16) builds."""
    return Point(0, 0).buffer(r, quad_segs=16).area


A, B, FAR = square(0), square(1), square(3)  # A and B share the edge x = X0 + 1000; FAR is 2 km from A


# --- coverage ---------------------------------------------------------------------------------------------


def test_small_disc_inside_a_square_covers_its_area_share():
    res = coverage(areas([("a", "k1", 1000.0, A)]), points(centre(A)), 100)
    share = math.pi * 100**2 / 1e6
    assert res.loc[0, "persen_terjangkau"] == pytest.approx(100 * share, rel=0.005)
    assert res.loc[0, "persen_terjangkau"] == pytest.approx(100 * disc_area(100) / 1e6, rel=1e-6)
    assert res.loc[0, "anak_terjangkau"] == pytest.approx(1000 * disc_area(100) / 1e6, rel=1e-6)
    assert res.loc[0, "luas_m2"] == pytest.approx(1e6, rel=1e-6)


def test_point_on_a_shared_edge_splits_its_disc_in_half():
    res = coverage(areas([("a", "k1", 800.0, A), ("b", "k1", 800.0, B)]), points((X0 + 1000, Y0 + 500)), 100)
    half = 100 * disc_area(100) / 2 / 1e6
    assert res["persen_terjangkau"].tolist() == pytest.approx([half, half], rel=1e-6)
    assert res.loc[0, "anak_terjangkau"] == pytest.approx(res.loc[1, "anak_terjangkau"], rel=1e-6)


def test_radius_covers_one_square_fully_and_not_a_far_one():
    res = coverage(areas([("a", "k1", 300.0, A), ("f", "k1", 200.0, FAR)]), points(centre(A)), 710)
    assert res["persen_terjangkau"].tolist() == pytest.approx([100.0, 0.0], abs=1e-6)
    assert res["anak_terjangkau"].tolist() == pytest.approx([300.0, 0.0], abs=1e-6)
    assert res["anak_tak_terjangkau"].tolist() == pytest.approx([0.0, 200.0], abs=1e-6)


def test_overlapping_points_are_not_counted_twice():
    res = coverage(areas([("a", "k1", 1000.0, A)]), points(centre(A), centre(A)), 100)
    assert res.loc[0, "persen_terjangkau"] == pytest.approx(100 * disc_area(100) / 1e6, rel=1e-6)


def test_no_points_means_nothing_covered_and_missing_children_count_as_zero():
    res = coverage(areas([("a", "k1", 1000.0, A), ("b", "k2", float("nan"), B)]), points(), 500)
    assert list(res.columns) == [
        "kode",
        "kode_kecamatan",
        "anak",
        "luas_m2",
        "persen_terjangkau",
        "anak_terjangkau",
        "anak_tak_terjangkau",
    ]
    assert res["persen_terjangkau"].tolist() == [0.0, 0.0]
    assert res["anak"].tolist() == [1000.0, 0.0]
    assert res["anak_tak_terjangkau"].tolist() == [1000.0, 0.0]


def test_empty_and_zero_area_geometries_get_zero_percent():
    flat = Polygon([(X0, Y0), (X0 + 10, Y0), (X0 + 20, Y0)])
    res = coverage(
        areas([("e", "k1", 50.0, Polygon()), ("z", "k1", 50.0, flat), ("a", "k1", 50.0, A)]), points(centre(A)), 2000
    )
    assert res["persen_terjangkau"].tolist() == pytest.approx([0.0, 0.0, 100.0], abs=1e-6)
    assert res["anak_tak_terjangkau"].tolist() == pytest.approx([50.0, 50.0, 0.0], abs=1e-6)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.floats(-1000, 3000), st.floats(-1000, 2000)), max_size=5), st.floats(1, 1500))
def test_shares_stay_in_range_and_children_add_up(offsets, radius):
    res = coverage(
        areas([("a", "k1", 120.0, A), ("b", "k1", 80.0, B)]),
        points(*[(X0 + dx, Y0 + dy) for dx, dy in offsets]),
        radius,
    )
    assert res["persen_terjangkau"].between(0, 100).all()
    assert (res["anak_terjangkau"] + res["anak_tak_terjangkau"]).tolist() == pytest.approx([120.0, 80.0])


# --- by_kecamatan -----------------------------------------------------------------------------------------


def test_by_kecamatan_weights_by_children():
    res = coverage(
        areas([("a", "k1", 300.0, A), ("f", "k1", 100.0, FAR), ("g", "k2", 0.0, square(6))]), points(centre(A)), 710
    )
    kec = by_kecamatan(res)
    assert list(kec.columns) == [
        "kode_kecamatan",
        "anak",
        "anak_terjangkau",
        "anak_tak_terjangkau",
        "persen_anak_terjangkau",
    ]
    k1 = kec.set_index("kode_kecamatan").loc["k1"]
    assert k1["anak"] == 400.0
    assert k1["anak_terjangkau"] == pytest.approx(300.0)
    assert k1["anak_tak_terjangkau"] == pytest.approx(100.0)
    assert k1["persen_anak_terjangkau"] == pytest.approx(75.0)  # not the unweighted mean of 100 % and 0 %
    assert np.isnan(kec.set_index("kode_kecamatan").loc["k2", "persen_anak_terjangkau"])


# --- candidates -------------------------------------------------------------------------------------------


def metric_points(c: pd.DataFrame) -> gpd.GeoSeries:
    return gpd.GeoSeries(gpd.points_from_xy(c["lon"], c["lat"]), crs="EPSG:4326").to_crs(METRIC_CRS)


def test_centroid_candidates_lie_inside_their_area():
    ell = shapely.union_all([square(0), square(1), square(1, 1)])  # an L: its centroid could fall outside
    gdf = areas([("l", "k1", 1.0, ell), ("f", "k1", 1.0, FAR)])
    c = candidates(gdf)
    assert list(c.columns) == ["lat", "lon", "kode"] and c["kode"].tolist() == ["l", "f"]
    for pt, geom in zip(metric_points(c), [ell, FAR]):
        assert geom.distance(pt) < 1e-6


def test_grid_candidates_lie_inside_the_areas():
    rows = [("a", "k1", 1.0, A), ("b", "k1", 1.0, B), ("c", "k2", 1.0, square(1, 1)), ("f", "k2", 1.0, FAR)]
    c = candidates(areas(rows), mode="grid", spacing_m=250)
    assert len(c) == 4 * 16  # a 4 x 4 grid in every 1 km square, none in the gaps
    geoms = dict((r[0], r[3]) for r in rows)
    union = shapely.union_all(list(geoms.values()))
    for pt, kode in zip(metric_points(c), c["kode"]):
        assert union.distance(pt) < 1e-6
        assert geoms[kode].distance(pt) < 1e-6
    assert c["kode"].value_counts().to_dict() == {"a": 16, "b": 16, "c": 16, "f": 16}


def test_unknown_mode_is_an_error():
    with pytest.raises(ValueError):
        candidates(areas([("a", "k1", 1.0, A)]), mode="hex")


# --- greedy_sites -----------------------------------------------------------------------------------------

SMALL, BIG, MID = square(0), square(3), square(6)  # 2 km apart; radius 710 covers one square from its centre


def three_areas() -> gpd.GeoDataFrame:
    return areas([("small", "k1", 100.0, SMALL), ("big", "k1", 500.0, BIG), ("mid", "k2", 200.0, MID)])


def centre_cands() -> pd.DataFrame:
    c = points(centre(SMALL), centre(BIG), centre(MID))
    c["kode"] = ["small", "big", "mid"]
    return c


def test_greedy_picks_the_most_populous_area_first_and_stops_when_nothing_is_left():
    sites = greedy_sites(three_areas(), points(), centre_cands(), 710, k=10)
    assert list(sites.columns) == ["urutan", "lat", "lon", "kode", "anak_tambahan"]
    assert sites["urutan"].tolist() == [1, 2, 3]  # stopped early: k=10 but three sites cover everyone
    assert sites["kode"].tolist() == ["big", "mid", "small"]
    assert sites["anak_tambahan"].tolist() == pytest.approx([500.0, 200.0, 100.0], rel=1e-6)
    assert sites.loc[0, "lat"] == centre_cands().loc[1, "lat"]


def test_greedy_counts_existing_points_and_earlier_sites_as_covered():
    cands = pd.concat([centre_cands(), centre_cands().iloc[[1]]], ignore_index=True)  # "big" twice
    sites = greedy_sites(three_areas(), points(centre(MID)), cands, 710, k=10)
    assert sites["kode"].tolist() == ["big", "small"]  # mid is covered already; the second "big" adds nothing
    assert sites["anak_tambahan"].tolist() == pytest.approx([500.0, 100.0], rel=1e-6)


def test_greedy_second_pick_gets_only_the_part_not_yet_covered():
    wide = box(X0, Y0, X0 + 4000, Y0 + 1000)  # 4000 children on 4 km2: 1e-3 children per m2
    c0, c1 = Point(X0 + 1000, Y0 + 500), Point(X0 + 1300, Y0 + 500)
    cands = points((c0.x, c0.y), (c1.x, c1.y))
    sites = greedy_sites(areas([("w", "k1", 4000.0, wide)]), points(), cands, 400, k=2)
    b0, b1 = c0.buffer(400, quad_segs=16), c1.buffer(400, quad_segs=16)
    assert sites.loc[0, "anak_tambahan"] == pytest.approx(1e-3 * b0.area, rel=1e-6)
    assert sites.loc[1, "anak_tambahan"] == pytest.approx(1e-3 * b1.difference(b0).area, rel=1e-6)
    assert sites["anak_tambahan"].sum() == pytest.approx(1e-3 * b0.union(b1).area, rel=1e-6)


def test_greedy_ties_go_to_the_lowest_candidate_index():
    cands = points(centre(BIG), centre(BIG))
    cands["kode"] = ["first", "second"]
    assert greedy_sites(three_areas(), points(), cands, 710, k=1)["kode"].tolist() == ["first"]


def test_greedy_gains_match_coverage():
    cands = candidates(three_areas(), mode="grid", spacing_m=250)
    existing = points(centre(SMALL))
    sites = greedy_sites(three_areas(), existing, cands, 300, k=6)
    before = coverage(three_areas(), existing, 300)["anak_terjangkau"].sum()
    after = coverage(three_areas(), pd.concat([existing, sites[["lat", "lon"]]]), 300)["anak_terjangkau"].sum()
    assert sites["anak_tambahan"].sum() == pytest.approx(after - before, rel=1e-6)
    assert (np.diff(sites["anak_tambahan"]) <= 1e-9).all()  # greedy gains never grow


@pytest.mark.parametrize(
    "k, cands", [(0, centre_cands()), (-1, centre_cands()), (3, pd.DataFrame({"lat": [], "lon": [], "kode": []}))]
)
def test_greedy_without_work_returns_an_empty_frame(k, cands):
    sites = greedy_sites(three_areas(), points(), cands, 710, k=k)
    assert sites.empty and list(sites.columns) == ["urutan", "lat", "lon", "kode", "anak_tambahan"]


# --- the real Kendari boundaries --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def kendari() -> gpd.GeoDataFrame:
    gdf = gpd.read_file(KENDARI)
    kode = gdf["kode_kemendagri"].astype(str)  # e.g. 74.71.01.1005; the kecamatan is 74.71.01
    return gpd.GeoDataFrame(
        {"kode": kode, "kode_kecamatan": kode.str[:8], "anak": 1000.0}, geometry=gdf.geometry, crs=gdf.crs
    )


def test_kendari_one_point_covers_part_of_its_kelurahan(kendari):
    cands = candidates(kendari)
    assert len(cands) == len(kendari)
    res = coverage(kendari, cands.iloc[[0]], 500)
    assert res.loc[res["kode"] == cands.loc[0, "kode"], "persen_terjangkau"].item() > 0
    assert res["persen_terjangkau"].between(0, 100).all()
    kec = by_kecamatan(res)
    assert kec["anak"].sum() == 1000.0 * len(kendari)


def test_kendari_greedy_is_quick_on_a_grid(kendari):
    cands = candidates(kendari, mode="grid", spacing_m=1000)
    assert 100 < len(cands) < 1000
    start = time.perf_counter()
    sites = greedy_sites(kendari, points(), cands, 1000, k=10)
    assert time.perf_counter() - start < 10
    assert len(sites) == 10 and (np.diff(sites["anak_tambahan"]) <= 1e-9).all()
