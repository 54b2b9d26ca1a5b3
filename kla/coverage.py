"""Service coverage as pure functions (no Streamlit, no SQL): who lives within a radius of a site.

Children are assumed to be spread evenly over each area (kelurahan), so the children reached in an area
are its children times the share of its surface that lies within the radius of some site.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

METRIC_CRS = "EPSG:32751"  # UTM 51S, metres: Kendari's zone (and the fallback); other areas use their own zone
QUAD_SEGS = 16
MIN_GAIN = 1e-6  # children; a greedy step adding less than this counts as adding nothing

SITE_COLUMNS = ["urutan", "lat", "lon", "kode", "anak_tambahan"]


def metric_crs(areas: gpd.GeoDataFrame) -> str:
    """The UTM zone (metres) of the areas' centre: 51S (EPSG:32751) for Kendari. Areas already in metres keep theirs."""
    if areas.crs is not None and not areas.crs.is_geographic:
        return areas.crs.to_string()
    geoms = areas.geometry[~(areas.geometry.is_empty | areas.geometry.isna())]
    if not len(geoms):
        return METRIC_CRS
    minx, miny, maxx, maxy = geoms.total_bounds
    lon, lat = (minx + maxx) / 2, (miny + maxy) / 2
    zone = min(max(int((lon + 180) // 6) + 1, 1), 60)
    return f"EPSG:{(32700 if lat < 0 else 32600) + zone}"


def _metric_areas(areas: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(geometries in the areas' UTM zone, their areas in m2 with 0 for empty/missing, children with NaN as 0)."""
    geoms = areas.geometry.to_crs(metric_crs(areas)).to_numpy()
    luas = np.nan_to_num(shapely.area(geoms), nan=0.0)
    anak = pd.to_numeric(areas["anak"], errors="coerce").fillna(0.0).to_numpy(dtype=float)
    return geoms, luas, anak


def _metric_points(points: pd.DataFrame, crs: str) -> np.ndarray:
    """Points (lat, lon in WGS84; rows with a missing coordinate dropped) as geometries in `crs`."""
    pts = points.dropna(subset=["lat", "lon"])
    return gpd.GeoSeries(gpd.points_from_xy(pts["lon"], pts["lat"]), crs="EPSG:4326").to_crs(crs).to_numpy()


def _buffers(points: pd.DataFrame, radius_m: float, crs: str) -> np.ndarray:
    return shapely.buffer(_metric_points(points, crs), radius_m, quad_segs=QUAD_SEGS)


def coverage(areas: gpd.GeoDataFrame, points: pd.DataFrame, radius_m: float) -> pd.DataFrame:
    """Share of each area, and of its children, within radius_m of any point.

    Children are assumed evenly spread over each area, so anak_terjangkau = anak * share. Missing anak
    counts as 0; no points, or an empty / zero-area geometry, gives 0 %.
    """
    geoms, luas, anak = _metric_areas(areas)
    covered = np.zeros(len(geoms))
    buffers = _buffers(points, radius_m, metric_crs(areas)) if len(points) else np.array([])
    if len(buffers):
        reach = shapely.union_all(buffers)
        covered = np.nan_to_num(shapely.area(shapely.intersection(geoms, reach)), nan=0.0)
    share = np.divide(covered, luas, out=np.zeros(len(geoms)), where=luas > 0).clip(0.0, 1.0)
    return pd.DataFrame(
        {
            "kode": areas["kode"].to_numpy(),
            "kode_kecamatan": areas["kode_kecamatan"].to_numpy(),
            "anak": anak,
            "luas_m2": luas,
            "persen_terjangkau": 100.0 * share,
            "anak_terjangkau": anak * share,
            "anak_tak_terjangkau": anak * (1.0 - share),
        }
    )


def children_within(areas: gpd.GeoDataFrame, points: pd.DataFrame, radius_m: float) -> np.ndarray:
    """Children within radius_m of each point on its own (what one site serves; a child near two sites counts for
    both), in the order of `points`; NaN for a point without coordinates. Children evenly spread over each area."""
    out = np.full(len(points), np.nan)
    located = points[["lat", "lon"]].notna().all(axis=1).to_numpy()
    if not located.any():
        return out
    geoms, luas, anak = _metric_areas(areas)
    weight = np.divide(anak, luas, out=np.zeros(len(geoms)), where=luas > 0)  # children per m2
    bufs = _buffers(points, radius_m, metric_crs(areas))  # the located points, in order
    b_idx, a_idx = shapely.STRtree(geoms).query(bufs, predicate="intersects")
    pieces = shapely.area(shapely.intersection(bufs[b_idx], geoms[a_idx]))
    out[located] = np.bincount(b_idx, weights=weight[a_idx] * pieces, minlength=len(bufs))
    return out


def by_kecamatan(result: pd.DataFrame, unplaced: pd.DataFrame | None = None) -> pd.DataFrame:
    """coverage() summed per kecamatan; persen_anak_terjangkau is children-weighted (NaN without children).

    `unplaced` (kode_kecamatan, anak): children of units that have no polygon (Kendari's Kel. Wundumbatu). They
    still count: spread evenly over their kecamatan's surface, like every child is over its area, so the share
    reached is the share of the kecamatan's surface within the radius (none when the kecamatan has no surface).
    """
    cols = ["anak", "anak_terjangkau", "anak_tak_terjangkau"]
    frame = result.assign(_luas_terjangkau=result["luas_m2"] * result["persen_terjangkau"] / 100.0)
    g = frame.groupby("kode_kecamatan", sort=True)[[*cols, "luas_m2", "_luas_terjangkau"]].sum()
    if unplaced is not None and len(unplaced):
        extra = unplaced.groupby("kode_kecamatan")["anak"].sum().astype(float)
        g = g.reindex(g.index.union(extra.index), fill_value=0.0)
        share = np.divide(
            g["_luas_terjangkau"], g["luas_m2"], out=np.zeros(len(g)), where=g["luas_m2"].to_numpy() > 0
        ).clip(0.0, 1.0)
        add = extra.reindex(g.index, fill_value=0.0)
        g["anak"] += add
        g["anak_terjangkau"] += add * share
        g["anak_tak_terjangkau"] += add * (1.0 - share)
    g = g[cols].rename_axis("kode_kecamatan").reset_index()
    g["persen_anak_terjangkau"] = (100.0 * g["anak_terjangkau"] / g["anak"]).where(g["anak"] > 0)
    return g


def candidates(areas: gpd.GeoDataFrame, mode: str = "centroid", spacing_m: float = 500) -> pd.DataFrame:
    """Candidate sites (lat, lon in WGS84, kode of the area holding them).

    "centroid": one representative point per area (inside it); "grid": a regular grid with spacing_m
    over the areas' bounds, keeping the points inside an area (the first one when on a shared edge).
    """
    crs = metric_crs(areas)
    geoms = areas.geometry.to_crs(crs).to_numpy()
    kode = areas["kode"].to_numpy()
    keep = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if mode == "centroid":
        pts, kode = shapely.point_on_surface(geoms[keep]), kode[keep]
    elif mode == "grid":
        if spacing_m <= 0:
            raise ValueError("spacing_m must be > 0")
        if not keep.any():
            return pd.DataFrame({"lat": [], "lon": [], "kode": []})
        minx, miny, maxx, maxy = shapely.total_bounds(geoms[keep])
        xs = np.arange(minx + spacing_m / 2, maxx, spacing_m)
        ys = np.arange(miny + spacing_m / 2, maxy, spacing_m)
        xx, yy = np.meshgrid(xs, ys)
        grid = shapely.points(xx.ravel(), yy.ravel())
        pt_idx, area_idx = shapely.STRtree(geoms).query(grid, predicate="intersects")
        first = pd.Series(area_idx).groupby(pt_idx).min()  # lowest area index per grid point
        pts, kode = grid[first.index.to_numpy()], kode[first.to_numpy()]
    else:
        raise ValueError(f"unknown mode {mode!r} (use 'centroid' or 'grid')")
    wgs = gpd.GeoSeries(pts, crs=crs).to_crs("EPSG:4326")
    return pd.DataFrame({"lat": wgs.y.to_numpy(), "lon": wgs.x.to_numpy(), "kode": kode})


def greedy_sites(
    areas: gpd.GeoDataFrame, points: pd.DataFrame, cands: pd.DataFrame, radius_m: float, k: int
) -> pd.DataFrame:
    """Choose up to k candidate sites, one at a time, each adding the most children not yet covered.

    Children are evenly spread over each area, so a site's gain is the sum over areas of
    anak * area(its buffer in the area, minus what is already covered) / area(area). Existing points
    count as covered from the start. Ties go to the lowest candidate position; stops early when no
    candidate adds more than MIN_GAIN children.
    """
    cands = cands.dropna(subset=["lat", "lon"]).reset_index(drop=True)
    if k <= 0 or len(cands) == 0:
        return pd.DataFrame({c: [] for c in SITE_COLUMNS})
    geoms, luas, anak = _metric_areas(areas)
    weight = np.divide(anak, luas, out=np.zeros(len(geoms)), where=luas > 0)  # children per m2
    crs = metric_crs(areas)
    bufs = _buffers(cands, radius_m, crs)

    # Piece p = candidate b_idx[p]'s buffer inside area a_idx[p] (areas with children only), minus what
    # is covered already; choosing a site subtracts its pieces from the other pieces in the same areas.
    b_idx, a_idx = shapely.STRtree(geoms).query(bufs, predicate="intersects")
    useful = weight[a_idx] > 0
    b_idx, a_idx = b_idx[useful], a_idx[useful]
    pieces = shapely.intersection(bufs[b_idx], geoms[a_idx])
    if len(points):
        pieces = shapely.difference(pieces, shapely.union_all(_buffers(points, radius_m, crs)))
    in_area = {a: np.flatnonzero(a_idx == a) for a in np.unique(a_idx)}

    rows = []
    for step in range(1, k + 1):
        gains = np.bincount(b_idx, weights=weight[a_idx] * shapely.area(pieces), minlength=len(bufs))
        best = int(np.argmax(gains))  # first maximum = lowest candidate position
        if gains[best] <= MIN_GAIN:
            break
        row = cands.loc[best]
        rows.append((step, row["lat"], row["lon"], row.get("kode"), float(gains[best])))
        for p in np.flatnonzero(b_idx == best):
            others = in_area[a_idx[p]]
            others = others[b_idx[others] != best]
            pieces[others] = shapely.difference(pieces[others], pieces[p])
        pieces[b_idx == best] = shapely.Polygon()
    return pd.DataFrame(rows, columns=SITE_COLUMNS)
