"""Per-area figures for the map: children, RBRA, cases, ratings, coverage; cached per data version.

Assembles query results (kla/queries.py) with the pure coverage functions (kla/coverage.py). Children
of a kecamatan whose population source has no kelurahan are spread over its kelurahan by area.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import streamlit as st

from etl import names, settings
from etl.names import LEVEL_OF_LEN
from kla import cases, coverage, queries


def has_boundaries(key: str, level: str, area: str | None = None) -> bool:
    return len(queries.boundaries(key, level, area)) > 0


@st.cache_data(show_spinner=False, max_entries=64)
def extent(key: str, level: str, area: str | None = None) -> tuple[list[float], list[float]]:
    """(lats, lons) of the corners of the region's boundaries at a level: what the map should show."""
    b = queries.boundaries(key, level, area)
    if not len(b):
        return [], []
    minx, miny, maxx, maxy = shapely.total_bounds(shapely.from_wkb([bytes(g) for g in b["geom_wkb"]]))
    return [miny, maxy], [minx, maxx]


@st.cache_data(show_spinner=False, max_entries=16)
def areas(key: str, year: int, level: str, area: str | None = None) -> gpd.GeoDataFrame:
    """Boundaries of a level in the region (full geometry) with the year's children."""
    b = queries.boundaries(key, level, area)
    geom = shapely.from_wkb([bytes(g) for g in b["geom_wkb"]])
    gdf = gpd.GeoDataFrame(b[["kode", "nama", "kode_kecamatan", "luas_km2"]].copy(), geometry=geom, crs="EPSG:4326")
    kids = queries.children_by_area(key, year, area)
    if level == "kecamatan":
        per = kids.groupby("kode_kecamatan")["anak"].sum()
        gdf["anak"] = gdf["kode"].map(per).astype(float)
        return gdf
    direct = kids[kids["level"] == "kelurahan"].set_index("kode")["anak"]
    gdf["anak"] = gdf["kode"].map(direct).astype(float)
    # kecamatan reported without kelurahan: spread over that kecamatan's kelurahan by area
    for _, row in kids[kids["level"] == "kecamatan"].iterrows():
        mask = (gdf["kode_kecamatan"] == row["kode_kecamatan"]) & gdf["anak"].isna()
        total = gdf.loc[mask, "luas_km2"].sum()
        if total > 0:
            gdf.loc[mask, "anak"] = row["anak"] * gdf.loc[mask, "luas_km2"] / total
    return gdf


@st.cache_data(show_spinner=False, max_entries=32)
def coverage_table(key: str, year: int, radius_m: float, level: str, area: str | None = None) -> pd.DataFrame:
    """Coverage per area of the level (kode, nama, anak, persen_terjangkau, ...)."""
    gdf = areas(key, year, level, area)
    pts = queries.rbra_points(key, year, area)
    out = coverage.coverage(gdf, pts, radius_m)
    return out.assign(nama=gdf["nama"].to_numpy())


@st.cache_data(show_spinner=False, max_entries=16)
def unplaced(key: str, year: int, level: str, area: str | None = None) -> pd.DataFrame:
    """Children of the units that have no polygon at the level (kode, nama, level, kode_kecamatan, anak): Kendari's
    Kel. Wundumbatu. They still count in the kecamatan and city coverage (kecamatan_coverage), spread over their
    kecamatan; the page names them under the map."""
    kids = queries.children_by_area(key, year, area)
    shapes = queries.boundaries(key, level, area)
    if level == "kecamatan":
        missing = kids[~kids["kode_kecamatan"].isin(shapes["kode"])]
    else:  # a kelurahan without polygon, or a kecamatan's figure with none of its kelurahan drawn (areas())
        missing = kids[
            ((kids["level"] == "kelurahan") & ~kids["kode"].isin(shapes["kode"]))
            | ((kids["level"] == "kecamatan") & ~kids["kode_kecamatan"].isin(shapes["kode_kecamatan"]))
        ]
    missing = missing[missing["anak"] > 0]
    ref = pd.concat([queries.regions(key, lvl, area) for lvl in ("kecamatan", "kelurahan")])
    names_of = dict(zip(ref["kode"], ref["nama"]))
    return missing.assign(nama=missing["kode"].map(names_of).fillna(missing["kode"]))[
        ["kode", "nama", "level", "kode_kecamatan", "anak"]
    ].reset_index(drop=True)


@st.cache_data(show_spinner=False, max_entries=32)
def kecamatan_coverage(key: str, year: int, radius_m: float, level: str, area: str | None = None) -> pd.DataFrame:
    """Coverage per kecamatan (coverage.by_kecamatan) with every child of the kecamatan, those of a unit without
    polygon too (unplaced): the kecamatan figures and the city share (page card and meeting slide) come from here."""
    return coverage.by_kecamatan(coverage_table(key, year, radius_m, level, area), unplaced(key, year, level, area))


@st.cache_data(show_spinner=False, max_entries=32)
def rbra_reach(key: str, year: int, radius_m: float, area: str | None = None) -> pd.Series:
    """Children within radius_m of each RBRA on its own (rbra_id -> children; NaN without coordinates), children of
    units without polygon spread over their kecamatan's surface as in kecamatan_coverage."""
    pts = queries.rbra_points(key, year, area)
    level = coverage_level(key, area)
    if level is None or not len(pts):
        return pd.Series(np.nan, index=pts["rbra_id"], dtype=float)
    gdf = areas(key, year, level, area)[["kode", "kode_kecamatan", "anak", "geometry"]]
    extra = unplaced(key, year, level, area).groupby("kode_kecamatan")["anak"].sum()
    if len(extra):  # one more area per kecamatan: its whole surface, holding the children without polygon
        whole = gdf.dissolve("kode_kecamatan").reindex(extra.index).dropna(subset=["geometry"])
        whole = gpd.GeoDataFrame(
            {"kode": whole.index, "kode_kecamatan": whole.index, "anak": extra.reindex(whole.index).to_numpy()},
            geometry=whole.geometry.to_numpy(),
            crs=gdf.crs,
        )
        gdf = pd.concat([gdf, whole], ignore_index=True)
    return pd.Series(coverage.children_within(gdf, pts, radius_m), index=pts["rbra_id"].to_numpy())


def coverage_level(key: str, area: str | None = None) -> str | None:
    """The finest level with boundaries in the region (coverage is computed there and summed up)."""
    for level in ("kelurahan", "kecamatan"):
        if has_boundaries(key, level, area):
            return level
    return None


@st.cache_data(show_spinner=False, max_entries=32)
def kecamatan_metrics(key: str, year: int, radius_m: float, public: bool, area: str | None = None) -> pd.DataFrame:
    """One row per unit of the region (kecamatan of a kab/kota; kab/kota of a province; provinces): every map
    metric (NaN where it cannot be computed or is suppressed)."""
    if names.unit_len(area) != 8:
        return _unit_metrics(key, year, public, area)
    kec = queries.regions(key, "kecamatan", area)[["kode", "nama", "lat", "lon"]].copy()
    kids = queries.children_by_area(key, year, area).groupby("kode_kecamatan")["anak"].sum()
    kec["anak"] = kec["kode"].map(kids).astype(float)
    rbra = queries.rbra_points(key, year, area)
    kec["rbra"] = kec["kode"].map(rbra.groupby("kode_kecamatan").size()).fillna(0).astype(int)
    standar = rbra[~rbra["status"].isin(queries.STANDARDISED_EXCLUDED)].groupby("kode_kecamatan").size()
    kec["rbra_standar"] = kec["kode"].map(standar).fillna(0).astype(int)
    kec["anak_per_rbra"] = kec["anak"] / kec["rbra"].replace(0, np.nan)
    kec["rbra_per_1000"] = kec["rbra"] / kec["anak"] * 1000
    # cases from the same protected kecamatan x year table as the other pages
    years = queries.case_years(key, "pelaporan")
    if years and min(years) <= year:
        # the very call Ringkasan makes: the same protected table, the same hidden cells
        table = cases.kecamatan_year(key, "pelaporan", min(years), max(max(years), year), None, public, area)
        shown, visible = table.shown()[year], table.visible()[year]
        kec["kasus_label"] = kec["kode"].map(shown).astype(object)
        kec["kasus"] = kec["kode"].map(visible).astype(float)
    else:
        kec["kasus_label"], kec["kasus"] = None, np.nan
    kec["kasus_per_1000"] = kec["kasus"] / kec["anak"] * 1000
    level = coverage_level(key, area)
    if level:
        cov = kecamatan_coverage(key, year, radius_m, level, area).set_index("kode_kecamatan")
        kec["persen_terjangkau"] = kec["kode"].map(cov["persen_anak_terjangkau"]).astype(float)
        kec["anak_tak_terjangkau"] = kec["kode"].map(cov["anak_tak_terjangkau"]).astype(float)
    else:
        kec["persen_terjangkau"], kec["anak_tak_terjangkau"] = np.nan, np.nan
    rating = queries.latest_kecamatan_rating(key, year, area).set_index("kode_kecamatan")
    kec["kategori"] = kec["kode"].map(rating["kategori"]) if len(rating) else None
    kec["tahun_penilaian"] = kec["kode"].map(rating["tahun_penilaian"]) if len(rating) else None
    return kec


@st.cache_data(show_spinner=False, max_entries=32)
def kelurahan_metrics(key: str, year: int, radius_m: float, area: str | None = None) -> pd.DataFrame:
    """One row per kelurahan with boundaries: children, RBRA, coverage (no case figures: too small)."""
    cov = coverage_table(key, year, radius_m, "kelurahan", area)
    rbra = queries.rbra_points(key, year, area)
    cov = cov.assign(rbra=cov["kode"].map(rbra.groupby("kode_kelurahan").size()).fillna(0).astype(int))
    cov["anak_per_rbra"] = cov["anak"] / cov["rbra"].replace(0, np.nan)
    cov["rbra_per_1000"] = cov["rbra"] / cov["anak"].replace(0, np.nan) * 1000
    return cov


@st.cache_data(show_spinner=False, max_entries=32)
def sites(key: str, year: int, radius_m: float, k: int, mode: str, area: str | None = None) -> pd.DataFrame:
    """Greedy proposals for k new RBRA at the finest level with boundaries, with the kelurahan's name."""
    level = coverage_level(key, area)
    if level is None or k <= 0:
        return pd.DataFrame(columns=[*coverage.SITE_COLUMNS, "nama"])
    gdf = areas(key, year, level, area)
    cands = coverage.candidates(gdf, mode=mode, spacing_m=float(settings.get("peta", "grid_m")))
    out = coverage.greedy_sites(gdf, queries.rbra_points(key, year, area), cands, radius_m, k)
    return out.assign(nama=out["kode"].map(dict(zip(gdf["kode"], gdf["nama"]))))


@st.cache_data(show_spinner=False, max_entries=32)
def reach_outline(key: str, year: int, radius_m: float, area: str | None = None) -> dict | None:
    """The area within radius_m of any RBRA as a small GeoJSON geometry (a light layer on the map)."""
    pts = queries.rbra_points(key, year, area).dropna(subset=["lat", "lon"])
    if not len(pts):
        return None
    crs = coverage.metric_crs(areas(key, year, "kecamatan", area)) if area else coverage.METRIC_CRS
    metric = gpd.GeoSeries(gpd.points_from_xy(pts["lon"], pts["lat"]), crs="EPSG:4326").to_crs(crs)
    union = shapely.union_all(metric.buffer(radius_m, quad_segs=8).to_numpy())
    wgs = gpd.GeoSeries([union], crs=crs).to_crs("EPSG:4326").iloc[0]
    wgs = shapely.set_precision(wgs.simplify(0.0002), 1e-5)
    return shapely.geometry.mapping(wgs)


def _unit_metrics(key: str, year: int, public: bool, area: str | None) -> pd.DataFrame:
    """Province and national maps: one row per kab/kota or province (no coverage, no kecamatan rating)."""
    unit_len = names.unit_len(area)
    units = queries.units(key, area)[["kode", "nama"]].copy()
    pts = queries.regions(key, LEVEL_OF_LEN[unit_len], area).set_index("kode")
    kec_pts = queries.regions(key, "kecamatan", area)
    mean_pts = kec_pts.assign(unit=kec_pts["kode"].str[:unit_len]).groupby("unit")[["lat", "lon"]].mean()
    for col in ("lat", "lon"):  # the region's own point, else the mean of its kecamatan points
        units[col] = units["kode"].map(pts[col]).fillna(units["kode"].map(mean_pts[col])).astype(float)
    kids = queries.children_by_kecamatan(key, year, area).set_index("kecamatan")["anak"]
    units["anak"] = units["kode"].map(kids).astype(float)
    rbra = queries.rbra_by_unit(key, year, area).set_index("kode")
    units["rbra"] = units["kode"].map(rbra["rbra"]).fillna(0).astype(int)
    units["rbra_standar"] = units["kode"].map(rbra["standar"]).fillna(0).astype(int)
    units["anak_per_rbra"] = units["anak"] / units["rbra"].replace(0, np.nan)
    units["rbra_per_1000"] = units["rbra"] / units["anak"] * 1000
    years = queries.case_years(key, "pelaporan")
    if years and min(years) <= year:
        table = cases.kecamatan_year(key, "pelaporan", min(years), max(max(years), year), None, public, area)
        units["kasus_label"] = units["kode"].map(table.shown()[year]).astype(object)
        units["kasus"] = units["kode"].map(table.visible()[year]).astype(float)
    else:
        units["kasus_label"], units["kasus"] = None, np.nan
    units["kasus_per_1000"] = units["kasus"] / units["anak"] * 1000
    units["persen_terjangkau"], units["anak_tak_terjangkau"] = np.nan, np.nan
    units["kategori"], units["tahun_penilaian"] = None, None
    return units
