"""Map figures as pure functions: choropleth (boundaries) or bubbles (points), names, reach, RBRA, proposals.

Offline by default: the style (OFFLINE_STYLE) has no tile source, and a map with names switches to the app's own
style (NAMES_STYLE), whose glyphs kla/glyphs.py serves: nothing is fetched from the internet. The areas are
coloured in five distinct classes of a colour-blind-safe scale (kla.palette); the service reach is drawn over them.

`hover` texts are plotly pseudo-HTML built by the caller (<b>, <br>): the caller escapes every name in them
with fmt.plot_text. Trace names (legend) and the names on the map are escaped here. Every clickable point carries
its key in customdata ("rbra:<id>", "usulan:<n>", an area code), which selected_location() returns.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import shapely

from kla import glyphs, palette
from kla.fmt import plot_text, plotly_separators

OFFLINE_STYLE = "white-bg"  # plotly's plain background: nothing to fetch (the meeting deck's PNGs draw it too)
NAMES_STYLE = glyphs.STYLE_URL  # the same served by this app with its glyphs: a map with names in the browser
ONLINE_STYLE = "carto-positron"  # only when the user switches the basemap on (needs internet)
LABEL_FONT = glyphs.FONT
LABEL_SIZE = 13  # px: readable on a phone, small enough for Kendari's 11 kecamatan at city zoom
MAP_HEIGHT = 500  # px: the city (about 350 x 320 px at the zoom of view_of) over both legends; on a 390x844 phone
# and a 1280x720 projector the whole city is on the first screen
RBRA_SIZE = 9  # px: a 500 m reach (about 15 px across at city zoom) shows as a ring around it
CATEGORY_ORDER = ["Pratama", "Madya", "Nindya", "Utama", "KLA"]
CATEGORY_COLORS = [palette.KATEGORI[c] for c in CATEGORY_ORDER]
RBRA_PREFIX, PROPOSAL_PREFIX = "rbra:", "usulan:"  # customdata of a point (an area's is its code)


@dataclass(frozen=True)
class Metric:
    name: str  # column in the metrics frame
    colors: tuple[str, ...]  # the classes' colours, light to dark (kla.palette); empty for the categories
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
    "kategori": Metric("kategori", (), False, 0, kecamatan_only=True, categorical=True),
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
    span = max(np.nanmax(lats) - np.nanmin(lats), np.nanmax(lons) - np.nanmin(lons), 0.01) * 1.15
    zoom = float(np.clip(np.log2(400 * 360 / (512 * span)), 3, 15))  # the span fills about 400 px (fits a phone)
    return {
        "center": {
            "lat": float(np.nanmean([np.nanmin(lats), np.nanmax(lats)])),
            "lon": float(np.nanmean([np.nanmin(lons), np.nanmax(lons)])),
        },
        "zoom": round(zoom, 2),
    }


NICE_STEPS = (1, 2, 2.5, 3, 4, 5, 6, 7.5, 8, 10)  # class widths a reader can say, times a power of ten


def class_edges(values, n: int = 5) -> np.ndarray:
    """n + 1 edges of n equal classes of a round width (NICE_STEPS) from a multiple of it, covering every value:
    the legend reads "5.000 7.500 10.000 ..." or "0 20 40 ...". Without values: 0 to 1."""
    finite = np.asarray(values, float)
    finite = finite[np.isfinite(finite)]
    if not len(finite):
        return np.linspace(0.0, 1.0, n + 1)
    lo, hi = float(finite.min()), float(finite.max())
    raw = max((hi - lo) / n, abs(hi) * 0.05) or 1.0  # one value (or all 0): classes around it
    power = 10.0 ** np.floor(np.log10(raw))
    for k in (1, 10):  # the first round width whose classes reach the highest value
        for m in NICE_STEPS:
            step = m * power * k
            start = np.floor(lo / step) * step
            if start + n * step >= hi:
                return np.round(start + step * np.arange(n + 1), 10)
    return np.linspace(lo, hi, n + 1)


def class_colors(z: np.ndarray, edges: np.ndarray, colors) -> list[str | None]:
    """The colour each value is drawn in (None where it has none: drawn as no data)."""
    idx = np.clip(np.searchsorted(edges, z, side="right") - 1, 0, len(colors) - 1)
    return [None if np.isnan(v) else colors[i] for v, i in zip(z, idx)]


def _values(frame: pd.DataFrame, metric: Metric) -> tuple[np.ndarray, dict]:
    """Numeric values for the colour (categories as 1..5), the stepped colour scale with its range and colorbar
    settings, and the colour of each row ("fill", None without a value)."""
    if metric.categorical:
        codes = frame[metric.name].map({c: i + 1 for i, c in enumerate(CATEGORY_ORDER)}).astype(float).to_numpy()
        n = len(CATEGORY_ORDER)
        scale = []
        for i, color in enumerate(CATEGORY_COLORS):
            scale += [[i / n, color], [(i + 1) / n, color]]
        fill = [None if np.isnan(c) else CATEGORY_COLORS[int(c) - 1] for c in codes]
        return codes, dict(
            colorscale=scale,
            zmin=0.5,
            zmax=n + 0.5,
            colorbar=dict(tickvals=list(range(1, n + 1)), ticktext=CATEGORY_ORDER),
            fill=fill,
        )
    vals = frame[metric.name].astype(float).to_numpy()
    edges = class_edges(vals, len(metric.colors))
    lo, hi = edges[0], edges[-1]
    scale = []
    for i, color in enumerate(metric.colors):  # a step per class: the legend shows each class's own colour
        scale += [[(edges[i] - lo) / (hi - lo), color], [(edges[i + 1] - lo) / (hi - lo), color]]
    return vals, dict(
        colorscale=scale,
        zmin=float(lo),
        zmax=float(hi),
        colorbar=dict(tickvals=[float(e) for e in edges], tickformat=",~r"),
        fill=class_colors(vals, edges, metric.colors),
    )


LEGEND_PX = 92  # the points' legend under the map: up to four rows of two entries
COLORBAR_PX = 62  # the colour legend above it: the metric's name, the classes, their edges


def _colorbar(title: str, extra: dict, height: int) -> dict:
    """The horizontal colour legend under the map, above the points' legend: the metric's name over its classes."""
    return dict(
        title=dict(text=title, side="top"),
        orientation="h",
        x=0.05,  # room for the first edge's label
        xanchor="left",
        yref="container",
        y=(LEGEND_PX + 4) / height,
        yanchor="bottom",
        thickness=14,
        len=0.85,
        **{"tickformat": ",~r", **extra},
    )


def _base_layout(fig: go.Figure, view: dict, basemap: bool, lang: str, height: int) -> go.Figure:
    """Map style and view, both legends under the map (never over it: on a phone plotly's toolbar and a wrapped
    legend would cover the city), the reader's number format."""
    fig.update_layout(
        map=dict(style=ONLINE_STYLE if basemap else OFFLINE_STYLE, center=view["center"], zoom=view["zoom"]),
        margin=dict(l=0, r=0, t=0, b=LEGEND_PX + COLORBAR_PX + 8),
        height=height,
        separators=plotly_separators(lang),
        legend=dict(
            orientation="h",
            yref="container",
            y=0,
            yanchor="bottom",
            x=0,
            entrywidth=0.5,  # two entries a row at every width: the height below stays LEGEND_PX
            entrywidthmode="fraction",
            font=dict(size=14),
            bgcolor=palette.BACKGROUND,
        ),
        font=dict(family="Source Sans Pro, DejaVu Sans, sans-serif", size=14, color=palette.TEXT),
        hoverlabel=dict(font=dict(size=15, color=palette.TEXT), bgcolor=palette.BACKGROUND),
        paper_bgcolor=palette.BACKGROUND,
        clickmode="event+select",
    )
    return fig


def legends_beside(fig: go.Figure) -> go.Figure:
    """For a wide frame (the meeting slide): the points' legend down the right edge and the colour legend under the
    map, placed relative to the plot, so they stay put when the deck changes the figure's height."""
    fig.update_layout(
        margin=dict(t=0, b=COLORBAR_PX, l=0, r=0),
        legend=dict(
            orientation="v",
            yref="paper",
            y=1,
            yanchor="top",
            x=1,
            xanchor="right",
            entrywidth=None,
            font=dict(size=18),  # read from the back of the room, like every slide text
        ),
    )
    fig.update_traces(
        colorbar=dict(yref="paper", y=-0.02, yanchor="top", x=0.5, xanchor="center", len=0.6),
        selector=lambda tr: tr.type == "choroplethmap" and tr.showscale is not False,
    )
    fig.update_traces(
        marker_colorbar=dict(yref="paper", y=-0.02, yanchor="top", x=0.5, xanchor="center", len=0.6),
        selector=lambda tr: tr.type == "scattermap" and tr.marker.showscale,
    )
    return fig


def _keep(opacity: float) -> dict:
    """selected/unselected settings that leave a trace as it is: a tap selects without fading the map."""
    return dict(selected=dict(marker=dict(opacity=opacity)), unselected=dict(marker=dict(opacity=opacity)))


def choropleth(
    shapes: pd.DataFrame,
    frame: pd.DataFrame,
    metric: Metric,
    hover: list[str],
    title: str,
    view: dict,
    lang: str,
    basemap: bool = False,
    height: int = MAP_HEIGHT,
) -> go.Figure:
    """Areas coloured by the metric. `frame` has kode (same order as nothing in particular) and the metric;
    `hover` is one preformatted text per row of `frame`. Areas without a value are drawn grey."""
    geo = feature_collection(shapes)
    z, colors = _values(frame, metric)
    colors.pop("fill")
    has = ~np.isnan(z)
    opacity = 0.85 if basemap else 1.0
    line = dict(color=palette.AREA_LINE, width=1)
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
                marker=dict(line=line, opacity=opacity),
                text=np.asarray(hover, dtype=object)[~has],
                hovertemplate="%{text}<extra></extra>",
                name="—",
                showlegend=False,
                **_keep(opacity),
            )
        )
    fig.add_trace(
        go.Choroplethmap(
            geojson=geo,
            featureidkey=FEATURE_KEY,
            locations=frame["kode"][has],
            z=z[has],
            marker=dict(opacity=opacity, line=line),
            text=np.asarray(hover, dtype=object)[has],
            hovertemplate="%{text}<extra></extra>",
            name=title,
            colorbar=_colorbar(title, colors.pop("colorbar", {}), height),
            **colors,
            **_keep(opacity),
        )
    )
    return _base_layout(fig, view, basemap, lang, height)


def fill_colors(frame: pd.DataFrame, metric: Metric) -> list[str]:
    """The colour each row's area is drawn in (grey without a value): what a name on it must contrast with."""
    return [c or palette.NO_DATA for c in _values(frame, metric)[1]["fill"]]


def bubbles(
    frame: pd.DataFrame,
    metric: Metric,
    hover: list[str],
    title: str,
    view: dict,
    lang: str,
    basemap: bool = False,
    height: int = MAP_HEIGHT,
) -> go.Figure:
    """Without boundaries: a circle at each region's reference point, sized and coloured by the metric."""
    z, colors = _values(frame, metric)
    colors.pop("fill")
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
                colorbar=_colorbar(title, colors.get("colorbar", {}), height),
            ),
            **_keep(0.85),
        )
    )
    return _base_layout(fig, view, basemap, lang, height)


def add_labels(fig: go.Figure, lats, lons, names, backgrounds, position: str = "middle center") -> go.Figure:
    """Names on the map at the given points, dark or white by what reads on the colour under each (palette.on);
    drawn with the app's own glyphs (NAMES_STYLE: in a browser served by this app, not in kaleido's PNGs). MapLibre
    leaves out a name that would overlap another (it shows when zoomed in). Not clickable: a tap goes to the area
    or point under the name."""
    frame = pd.DataFrame({"lat": lats, "lon": lons, "nama": names, "bg": backgrounds}).dropna(subset=["lat", "lon"])
    frame["ink"] = frame["bg"].fillna(palette.BACKGROUND).map(palette.on)  # None: on the page's white
    if fig.layout.map.style == OFFLINE_STYLE:
        fig.update_layout(map_style=NAMES_STYLE)  # the glyphs from this app (a basemap brings its own)
    for ink, group in frame.groupby("ink", sort=True):
        fig.add_trace(
            go.Scattermap(
                lat=group["lat"],
                lon=group["lon"],
                mode="text",
                text=[plot_text(n) for n in group["nama"]],
                textfont=dict(family=LABEL_FONT, size=LABEL_SIZE, color=ink),
                textposition=position,
                hoverinfo="skip",
                showlegend=False,
                name="",
            )
        )
    return fig


def add_rbra(fig: go.Figure, points: pd.DataFrame, hover: list[str], status_names: dict[str, str]) -> go.Figure:
    """RBRA as points coloured by standardisation status (one legend entry per status, in the order of the status
    ladder). Each point's customdata is "rbra:<rbra_id>" (selected_location)."""
    pts = points.assign(_hover=hover).dropna(subset=["lat", "lon"])
    ladder = list(palette.RBRA_STATUS)
    order = sorted(pts["status"].dropna().unique(), key=lambda s: (ladder.index(s) if s in ladder else len(ladder), s))
    ids = pts["rbra_id"] if "rbra_id" in pts else pd.Series(range(len(pts)), index=pts.index)
    for rank, status in enumerate(order):
        group = pts[pts["status"] == status]
        fig.add_trace(
            go.Scattermap(
                lat=group["lat"],
                lon=group["lon"],
                mode="markers",
                legendrank=100 + rank,  # the ladder first; the reach's longer entry last
                name=plot_text(status_names.get(status, status)),
                marker=dict(size=RBRA_SIZE, color=palette.RBRA_STATUS.get(status, palette.RBRA_OTHER), opacity=1.0),
                text=group["_hover"],
                customdata=[f"{RBRA_PREFIX}{i}" for i in ids[group.index]],
                hovertemplate="%{text}<extra></extra>",
                **_keep(1.0),
            )
        )
    return fig


def add_proposals(fig: go.Figure, sites: pd.DataFrame, hover: list[str], name: str) -> go.Figure:
    """Proposed sites as large points; customdata "usulan:<rank>"."""
    if len(sites):
        fig.add_trace(
            go.Scattermap(
                lat=sites["lat"],
                lon=sites["lon"],
                mode="markers",
                name=name,
                legendrank=200,
                text=hover,
                customdata=[f"{PROPOSAL_PREFIX}{int(n)}" for n in sites["urutan"]],
                marker=dict(size=18, color=palette.PROPOSAL, opacity=0.95),
                hovertemplate="%{text}<extra></extra>",
                **_keep(0.95),
            )
        )
    return fig


def _rings(outline: dict) -> tuple[list, list]:
    """lat and lon of every outer ring of a (Multi)Polygon GeoJSON geometry, rings separated by None."""
    geom = shapely.geometry.shape(outline)
    lats, lons = [], []
    for poly in getattr(geom, "geoms", [geom]):
        if poly.is_empty or not hasattr(poly, "exterior"):
            continue
        x, y = poly.exterior.xy
        lons += [*x, None]
        lats += [*y, None]
    return lats, lons


def add_reach(fig: go.Figure, outline: dict | None, name: str) -> go.Figure:
    """The area within the service radius, drawn over the areas and under the points: a light fill with a dark
    outline, so it shows on every area colour (one legend entry)."""
    if outline:
        lats, lons = _rings(outline)
        fig.add_trace(
            go.Scattermap(
                lat=lats,
                lon=lons,
                mode="lines",
                fill="toself",
                fillcolor=palette.REACH_FILL,
                line=dict(color=palette.REACH, width=1.5),
                name=name,
                hoverinfo="skip",
            )
        )
    return fig


def selected_location(event) -> str | None:
    """What a tap on the map selected: an area's code, "rbra:<id>" or "usulan:<n>" (read dict-style: AppTest
    injects a plain dict)."""
    if not event:
        return None
    try:
        points = event["selection"]["points"]
    except (KeyError, TypeError):
        return None
    for p in points or []:
        custom = p.get("customdata")
        if isinstance(custom, list | tuple) and custom:
            custom = custom[0]
        loc = p.get("location") or (custom if isinstance(custom, str) else None)
        if loc:
            return str(loc)
    return None


# --- Partisipasi anak (issue 23) ------------------------------------------------------------------
def category_areas(
    shapes: pd.DataFrame,
    frame: pd.DataFrame,
    classes: list[tuple[str, str, str]],
    hover: list[str],
    view: dict,
    lang: str,
    height: int = MAP_HEIGHT,
) -> go.Figure:
    """Areas coloured by a category, one legend entry per class (the Forum Anak map: active, inactive, none).
    `frame` has kode and kategori (a class key); `classes` is (key, legend name, colour) in legend order; `hover`
    one preformatted text per row of `frame`. Each area's customdata is its code (selected_location)."""
    geo = feature_collection(shapes)
    line = dict(color=palette.AREA_LINE, width=1)
    texts = np.asarray(hover, dtype=object)
    fig = go.Figure()
    for rank, (key, name, color) in enumerate(classes):
        mask = (frame["kategori"] == key).to_numpy()
        if not mask.any():
            continue
        fig.add_trace(
            go.Choroplethmap(
                geojson=geo,
                featureidkey=FEATURE_KEY,
                locations=frame["kode"][mask],
                z=np.zeros(mask.sum()),
                showscale=False,
                colorscale=[[0, color], [1, color]],
                marker=dict(line=line, opacity=1.0),
                text=texts[mask],
                hovertemplate="%{text}<extra></extra>",
                name=plot_text(name),
                showlegend=True,
                legendrank=rank,
                **_keep(1.0),
            )
        )
    fig = _base_layout(fig, view, False, lang, height)
    fig.update_layout(margin=dict(l=0, r=0, t=0, b=LEGEND_PX // 2 + 8))
    return fig
