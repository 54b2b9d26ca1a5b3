"""Map figures as pure functions: choropleth (boundaries) or bubbles (points), RBRA, proposals.

Offline by default: MapLibre's `white-bg` style has no tile source. No text labels on the map (they make
MapLibre fetch glyphs from the internet); names are in the hover and in the tables.

`hover` texts are plotly pseudo-HTML built by the caller (<b>, <br>): the caller escapes every name in them
with fmt.plot_text. Trace names (legend) are escaped here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from kla import palette
from kla.fmt import plot_text, plotly_separators

OFFLINE_STYLE = "white-bg"
ONLINE_STYLE = "carto-positron"  # only when the user switches the basemap on (needs internet)
CATEGORY_ORDER = ["Pratama", "Madya", "Nindya", "Utama", "KLA"]
CATEGORY_COLORS = [palette.KATEGORI[c] for c in CATEGORY_ORDER]


@dataclass(frozen=True)
class Metric:
    name: str  # column in the metrics frame
    colorscale: str
    reverse: bool  # True when a lower value is better
    digits: int
    kecamatan_only: bool = False
    categorical: bool = False


METRICS = {
    "anak": Metric("anak", palette.SEQUENTIAL_GOOD, False, 0),
    "anak_per_rbra": Metric("anak_per_rbra", palette.SEQUENTIAL_BAD, True, 0),
    "rbra_per_1000": Metric("rbra_per_1000", palette.SEQUENTIAL_GOOD, False, 2),
    "kasus_per_1000": Metric("kasus_per_1000", palette.SEQUENTIAL_BAD, True, 2, kecamatan_only=True),
    "persen_terjangkau": Metric("persen_terjangkau", palette.SEQUENTIAL_GOOD, False, 0),
    "kategori": Metric("kategori", "", False, 0, kecamatan_only=True, categorical=True),
}


@lru_cache(maxsize=1 << 14)
def _geometry(text: str) -> dict:
    # The same stored text comes back from the cached boundaries on every rerun: parse it once. Callers
    # never change the dict (plotly copies a trace's geojson when the trace is added).
    return json.loads(text)


FEATURE_KEY = "properties.kode"  # not the feature id: MapLibre reads "74.71" and "74.72" as the number 74 and
# drew neither kab/kota of a province map (kecamatan codes are no numbers)


def feature_collection(frame: pd.DataFrame) -> dict:
    """GeoJSON FeatureCollection from rows with kode and geojson (display geometry text); kode in properties."""
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"kode": k}, "geometry": _geometry(g)}
            for k, g in zip(frame["kode"], frame["geojson"])
        ],
    }


def view_of(lats, lons) -> dict:
    """Centre and zoom that fit the points (degrees; Kendari fits at about zoom 10.8)."""
    lats, lons = np.asarray(lats, float), np.asarray(lons, float)
    if not len(lats):
        return {"center": {"lat": -3.99, "lon": 122.52}, "zoom": 10.5}
    span = max(np.nanmax(lats) - np.nanmin(lats), np.nanmax(lons) - np.nanmin(lons), 0.01) * 1.25
    zoom = float(np.clip(np.log2(420 * 360 / (512 * span)), 3, 15))  # the span fills about 420 px (fits a phone)
    return {
        "center": {
            "lat": float(np.nanmean([np.nanmin(lats), np.nanmax(lats)])),
            "lon": float(np.nanmean([np.nanmin(lons), np.nanmax(lons)])),
        },
        "zoom": round(zoom, 2),
    }


def _values(frame: pd.DataFrame, metric: Metric) -> tuple[np.ndarray, dict]:
    """Numeric values for the colour (categories as 1..5) and extra colorbar settings."""
    if metric.categorical:
        codes = frame[metric.name].map({c: i + 1 for i, c in enumerate(CATEGORY_ORDER)}).astype(float).to_numpy()
        n = len(CATEGORY_ORDER)
        scale = []
        for i, color in enumerate(CATEGORY_COLORS):
            scale += [[i / n, color], [(i + 1) / n, color]]
        return codes, dict(
            colorscale=scale,
            zmin=0.5,
            zmax=n + 0.5,
            colorbar=dict(tickvals=list(range(1, n + 1)), ticktext=CATEGORY_ORDER),
        )
    vals = frame[metric.name].astype(float).to_numpy()
    return vals, dict(colorscale=metric.colorscale, reversescale=False)


def _base_layout(fig: go.Figure, view: dict, basemap: bool, lang: str, height: int) -> go.Figure:
    fig.update_layout(
        map=dict(style=ONLINE_STYLE if basemap else OFFLINE_STYLE, center=view["center"], zoom=view["zoom"]),
        margin=dict(l=0, r=0, t=0, b=70),
        height=height,
        separators=plotly_separators(lang),
        legend=dict(orientation="h", yanchor="top", y=0.99, x=0.01, bgcolor=palette.LEGEND_BACKGROUND),
        font=dict(family="Source Sans Pro, DejaVu Sans, sans-serif", size=14),
        paper_bgcolor=palette.BACKGROUND,
        clickmode="event+select",
    )
    return fig


def choropleth(
    shapes: pd.DataFrame,
    frame: pd.DataFrame,
    metric: Metric,
    hover: list[str],
    title: str,
    view: dict,
    lang: str,
    basemap: bool = False,
    height: int = 620,
) -> go.Figure:
    """Areas coloured by the metric. `frame` has kode (same order as nothing in particular) and the metric;
    `hover` is one preformatted text per row of `frame`. Areas without a value are drawn grey."""
    geo = feature_collection(shapes)
    z, colors = _values(frame, metric)
    has = ~np.isnan(z)
    fig = go.Figure()
    if (~has).any():
        fig.add_trace(
            go.Choroplethmap(
                geojson=geo,
                featureidkey=FEATURE_KEY,
                locations=frame["kode"][~has],
                z=np.zeros((~has).sum()),
                showscale=False,
                colorscale=[[0, palette.NO_DATA], [1, palette.NO_DATA]],
                marker=dict(line=dict(color=palette.BACKGROUND, width=1.5)),
                text=np.asarray(hover, dtype=object)[~has],
                hovertemplate="%{text}<extra></extra>",
                name="—",
                showlegend=False,
            )
        )
    fig.add_trace(
        go.Choroplethmap(
            geojson=geo,
            featureidkey=FEATURE_KEY,
            locations=frame["kode"][has],
            z=z[has],
            marker=dict(opacity=0.85, line=dict(color=palette.BACKGROUND, width=1.5)),
            text=np.asarray(hover, dtype=object)[has],
            hovertemplate="%{text}<extra></extra>",
            name=title,
            colorbar=dict(
                title=dict(text=title, side="top"),
                orientation="h",
                x=0.5,
                xanchor="center",
                y=0,
                yanchor="top",
                thickness=12,
                len=0.7,
                tickformat=",~r",
                **colors.pop("colorbar", {}),
            ),
            **colors,
        )
    )
    return _base_layout(fig, view, basemap, lang, height)


def bubbles(
    frame: pd.DataFrame,
    metric: Metric,
    hover: list[str],
    title: str,
    view: dict,
    lang: str,
    basemap: bool = False,
    height: int = 620,
) -> go.Figure:
    """Without boundaries: a circle at each region's reference point, sized and coloured by the metric."""
    z, colors = _values(frame, metric)
    finite = np.where(np.isnan(z), 0, z)
    top = np.nanmax(finite) if len(finite) and np.nanmax(finite) > 0 else 1
    sizes = 14 + 36 * np.sqrt(finite / top) if not metric.categorical else np.full(len(z), 30)
    fig = go.Figure(
        go.Scattermap(
            lat=frame["lat"],
            lon=frame["lon"],
            mode="markers",
            text=hover,
            hovertemplate="%{text}<extra></extra>",
            customdata=frame["kode"],
            name=title,
            showlegend=False,
            marker=dict(
                size=sizes,
                color=z,
                opacity=0.85,
                cmin=colors.get("zmin"),
                cmax=colors.get("zmax"),
                colorscale=colors["colorscale"],
                showscale=True,
                colorbar=dict(
                    title=dict(text=title, side="top"),
                    orientation="h",
                    x=0.5,
                    xanchor="center",
                    y=0,
                    yanchor="top",
                    thickness=12,
                    len=0.7,
                    tickformat=",~r",
                    **colors.get("colorbar", {}),
                ),
            ),
        )
    )
    return _base_layout(fig, view, basemap, lang, height)


def add_rbra(fig: go.Figure, points: pd.DataFrame, hover: list[str], status_names: dict[str, str]) -> go.Figure:
    """RBRA as points coloured by standardisation status (one legend entry per status)."""
    pts = points.assign(_hover=hover).dropna(subset=["lat", "lon"])
    for status, group in pts.groupby("status", sort=False):
        fig.add_trace(
            go.Scattermap(
                lat=group["lat"],
                lon=group["lon"],
                mode="markers",
                name=plot_text(status_names.get(status, status)),
                marker=dict(size=11, color=palette.RBRA_STATUS.get(status, palette.RBRA_OTHER)),
                text=group["_hover"],
                hovertemplate="%{text}<extra></extra>",
            )
        )
    return fig


def add_proposals(fig: go.Figure, sites: pd.DataFrame, hover: list[str], name: str) -> go.Figure:
    if len(sites):
        fig.add_trace(
            go.Scattermap(
                lat=sites["lat"],
                lon=sites["lon"],
                mode="markers",
                name=name,
                text=hover,
                marker=dict(size=20, color=palette.PROPOSAL, opacity=0.9),
                hovertemplate="%{text}<extra></extra>",
            )
        )
    return fig


def add_reach(fig: go.Figure, outline: dict | None) -> go.Figure:
    """The area within the service radius as a light fill under the points."""
    if outline:
        fig.update_layout(
            map_layers=[
                dict(
                    sourcetype="geojson", source=outline, type="fill", below="traces", color=palette.REACH, opacity=0.12
                )
            ]
        )
    return fig


def selected_location(event) -> str | None:
    """The area code a map click selected, read dict-style (AppTest injects a plain dict)."""
    if not event:
        return None
    try:
        points = event["selection"]["points"]
    except (KeyError, TypeError):
        return None
    for p in points or []:
        loc = p.get("location") or (p.get("customdata") if isinstance(p.get("customdata"), str) else None)
        if loc:
            return str(loc)
    return None
