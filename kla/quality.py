"""Data quality checks for the Data page (pure functions of query results)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from etl.sources import DATASETS


def missing_population(presence: pd.DataFrame, kecamatan: list[str], years: list[int]) -> pd.DataFrame:
    """(tahun, kode_kecamatan) pairs with no population rows, for every year in `years`."""
    have = set(zip(presence["tahun"], presence["kode_kecamatan"]))
    rows = [(y, k) for y in years for k in kecamatan if (y, k) not in have]
    return pd.DataFrame(rows, columns=["tahun", "kode_kecamatan"])


def missing_years(present: list[int], years: list[int]) -> list[int]:
    return [y for y in years if y not in set(present)]


def stale(status: pd.DataFrame, today: dt.date, months: int) -> pd.DataFrame:
    """Datasets never loaded, or whose last load is older than `months` months."""
    last = dict(zip(status["dataset"], pd.to_datetime(status["loaded_at"])))
    limit = pd.Timestamp(today) - pd.DateOffset(months=months)
    rows = []
    for name in DATASETS:
        when = last.get(name)
        if when is None or pd.isna(when):
            rows.append({"dataset": name, "dimuat": None, "masalah": "belum pernah"})
        elif when < limit:
            rows.append({"dataset": name, "dimuat": when, "masalah": "lama"})
    return pd.DataFrame(rows, columns=["dataset", "dimuat", "masalah"])


def case_rate_outliers(kec: pd.DataFrame, factor: float) -> pd.DataFrame:
    """Kecamatan whose case rate (visible counts only) is more than `factor` times the median rate."""
    rates = kec.dropna(subset=["kasus_per_1000"])
    rates = rates[rates["anak"] > 0]
    if len(rates) < 3:
        return rates.iloc[0:0].assign(kali_median=[])
    median = rates["kasus_per_1000"].median()
    if not median:
        return rates.iloc[0:0].assign(kali_median=[])
    out = rates.assign(kali_median=rates["kasus_per_1000"] / median)
    return out[out["kali_median"] > factor].sort_values("kali_median", ascending=False)


def population_jumps(presence: pd.DataFrame, share: float) -> pd.DataFrame:
    """Year-on-year changes of a kecamatan's children larger than `share` (0.2 = 20 %)."""
    p = presence.sort_values(["kode_kecamatan", "tahun"]).copy()
    p["sebelumnya"] = p.groupby("kode_kecamatan")["anak"].shift()
    p["tahun_sebelumnya"] = p.groupby("kode_kecamatan")["tahun"].shift()
    p = p.dropna(subset=["sebelumnya"])
    p = p[p["tahun"] - p["tahun_sebelumnya"] == 1]
    p["perubahan"] = (p["anak"] - p["sebelumnya"]) / p["sebelumnya"]
    return p[p["perubahan"].abs() > share].reset_index(drop=True)


def rbra_outside_kelurahan(points: pd.DataFrame, kelurahan) -> pd.DataFrame:
    """RBRA whose point lies more than 100 m outside the boundary of the kelurahan it is recorded in.

    `kelurahan` is a GeoDataFrame (kode, geometry, WGS84). A swapped coordinate or a wrong kelurahan
    shows up here; points without a boundary to compare with are skipped.
    """
    import geopandas as gpd

    from kla.coverage import METRIC_CRS

    pts = points.dropna(subset=["lat", "lon"])
    pts = pts[pts["kode_kelurahan"].isin(set(kelurahan["kode"]))]
    if not len(pts):
        return pts.assign(jarak_m=[])
    shapes = kelurahan.set_index("kode").geometry.to_crs(METRIC_CRS)
    where = gpd.GeoSeries(gpd.points_from_xy(pts["lon"], pts["lat"]), crs="EPSG:4326").to_crs(METRIC_CRS)
    dist = [shapes.loc[k].distance(p) for k, p in zip(pts["kode_kelurahan"], where)]
    out = pts.assign(jarak_m=dist)
    return out[out["jarak_m"] > 100].sort_values("jarak_m", ascending=False)


def year_span(years: list[int]) -> list[int]:
    """Every year from the first to the last year with any data (gaps included); empty when there is none."""
    return list(range(min(years), max(years) + 1)) if years else []


def thin_indicator_years(presence: pd.DataFrame, years: list[int], minimum: int = 24) -> list[tuple[int, int]]:
    """(year, indicators valued) for the years in `years` with fewer than `minimum` KLA indicators valued."""
    counts = [(y, int(presence.loc[presence["tahun"] == y, "indikator"].sum())) for y in years]
    return [(y, n) for y, n in counts if n < minimum]


def total_row_warnings(warnings: pd.DataFrame) -> pd.DataFrame:
    """The latest loads' warnings that speak of a JUMLAH/TOTAL row (a file's totals that did not add up)."""
    return warnings[warnings["warning_text"].str.contains("JUMLAH|TOTAL", case=False, na=False)]
