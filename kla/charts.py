"""Figures as pure functions of data frames (no Streamlit, no SQL): easy to test and to export.

Names and categories passed in are plain text (names of kecamatan, OPD, sources, periods...): each function
escapes them for plotly (fmt.plot_text), which would otherwise read <b>, <a href> or <span style> in a tick
label, a legend or a hover. Bar labels (`labels`) are the program's own: formatted numbers and the privacy
marks "<5" / "*" (kla.privacy), left as they are (no tag can form in them).
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from kla import palette
from kla.fmt import fmt_dec, fmt_int, plot_text, plotly_separators

FONT = dict(family="Source Sans Pro, DejaVu Sans, sans-serif", size=16, color=palette.TEXT)


def _layout(fig: go.Figure, lang: str, y_title: str, x_title: str) -> go.Figure:
    fig.update_layout(
        separators=plotly_separators(lang),
        font=FONT,
        margin=dict(l=10, r=10, t=10, b=10),
        height=360,
        plot_bgcolor=palette.BACKGROUND,
        paper_bgcolor=palette.BACKGROUND,
        showlegend=False,
        xaxis=dict(title=x_title, dtick=1, showgrid=False),
        yaxis=dict(title=y_title, gridcolor=palette.GRID, rangemode="tozero"),
    )
    return fig


def kla_score_trend(scores: pd.DataFrame, bands: pd.DataFrame, lang: str, y_title: str, x_title: str) -> go.Figure:
    """The total score per year against the category bands' lower bounds."""
    fig = go.Figure(
        go.Scatter(
            x=scores["tahun"],
            y=scores["nilai"],
            mode="lines+markers+text",
            line=dict(color=palette.PRIMARY, width=4),
            marker=dict(size=11),
            text=[fmt_int(v, lang) for v in scores["nilai"]],
            textposition="top center",
            hovertemplate="%{x}: %{y:,.1f}<extra></extra>",
        )
    )
    # the band lines as one layout update (add_hline per band validated the whole figure each time: 0.2 s), each
    # in its category's colour (as on the map); the names beside them in text colour (a yellow text is unreadable)
    fig.update_layout(
        shapes=[
            dict(
                type="line",
                xref="paper",
                x0=0,
                x1=1,
                yref="y",
                y0=b,
                y1=b,
                line=dict(color=palette.KATEGORI.get(k, palette.ACCENT), dash="dash", width=2),
            )
            for b, k in zip(bands["skor_min"], bands["kategori"])
        ],
        annotations=[
            dict(
                xref="paper",
                x=1,
                yref="y",
                y=b,
                text=plot_text(k),
                showarrow=False,
                xanchor="left",
                font=dict(size=13, color=palette.MUTED),
            )
            for b, k in zip(bands["skor_min"], bands["kategori"])
        ],
    )
    lo = min(scores["nilai"].min() if len(scores) else 500, 500) - 20
    fig = _layout(fig, lang, y_title, x_title)
    fig.update_yaxes(range=[lo, 1000], rangemode=None)
    fig.update_layout(margin=dict(l=10, r=80, t=10, b=10))
    return fig


def protected_bars(
    categories: list[str],
    counts: list,
    labels: list[str],
    lang: str,
    value_title: str,
    horizontal: bool = True,
    color: str = palette.PRIMARY,
    height: int | None = None,
    partial: list[bool] | None = None,
) -> go.Figure:
    """Bars of counts that already went through privacy.protect: hidden ones (NaN) get no bar, only a label.
    A bar of an incomplete period (`partial`) is hatched, as Our World in Data marks one."""
    heights = [0 if c is None or c != c else c for c in counts]
    categories = [plot_text(c) for c in categories]
    bar = go.Bar(
        x=heights if horizontal else categories,
        y=categories if horizontal else heights,
        orientation="h" if horizontal else "v",
        text=labels,
        textposition="outside",
        cliponaxis=False,
        marker_color=color,
        marker_pattern_shape=["/" if p else "" for p in partial] if partial else None,
        marker_pattern_fgcolor=palette.BACKGROUND if partial else None,
        marker_pattern_fillmode="overlay" if partial else None,  # white lines over the bar's colour
        hovertemplate=("%{y}: %{text}" if horizontal else "%{x}: %{text}") + "<extra></extra>",
    )
    fig = go.Figure(bar)
    fig.update_layout(
        separators=plotly_separators(lang),
        font=FONT,
        plot_bgcolor=palette.BACKGROUND,
        paper_bgcolor=palette.BACKGROUND,
        showlegend=False,
        margin=dict(l=10, r=40, t=10, b=10),
        height=height or (max(220, 34 * len(categories) + 60) if horizontal else 340),
    )
    if horizontal:
        fig.update_yaxes(autorange="reversed", title=None)
        fig.update_xaxes(title=value_title, gridcolor=palette.GRID, rangemode="tozero")
    else:
        fig.update_xaxes(title=None, type="category")
        fig.update_yaxes(title=value_title, gridcolor=palette.GRID, rangemode="tozero")
    return fig


def months_this_vs_last(
    months: list[str],
    this: list,
    this_labels: list[str],
    last: list,
    last_labels: list[str],
    this_name: str,
    last_name: str,
    lang: str,
    value_title: str,
) -> go.Figure:
    """Grouped monthly bars: the selected year against the year before (hidden months get no bar)."""
    fig = go.Figure()
    for values, labels, name, color in (
        (last, last_labels, last_name, palette.PRIMARY_LIGHT),
        (this, this_labels, this_name, palette.PRIMARY),
    ):
        fig.add_trace(
            go.Bar(
                x=[plot_text(m) for m in months],
                y=[0 if v != v else v for v in values],
                text=labels,
                name=plot_text(name),
                textposition="outside",
                cliponaxis=False,
                marker_color=color,
                hovertemplate="%{x}: %{text}<extra>%{fullData.name}</extra>",
            )
        )
    fig.update_layout(
        separators=plotly_separators(lang),
        font=FONT,
        plot_bgcolor=palette.BACKGROUND,
        paper_bgcolor=palette.BACKGROUND,
        barmode="group",
        height=340,
        margin=dict(l=10, r=10, t=30, b=10),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0),
    )
    fig.update_yaxes(title=value_title, gridcolor=palette.GRID, rangemode="tozero")
    return fig


def group_bullets(groups: pd.DataFrame, lang: str, value_title: str) -> go.Figure:
    """Per group: a pale bar for the maximum, a solid bar for the score, the percentage as label. A group whose
    maximum is not known (KemenPPPA publishes none) shows its score alone: no bar, no share is made up."""
    names = [plot_text(n) for n in groups["kelompok"]]
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            y=names,
            x=groups["nilai_maks"],
            orientation="h",
            marker_color=palette.PALE,
            width=0.8,
            hovertemplate="%{y}: maks %{x:,.0f}<extra></extra>",
            name="maks",
        )
    )
    labels = [
        f"{fmt_dec(v, 1, lang)} / {fmt_int(m, lang)} ({fmt_int(p, lang)}%)" if m == m else fmt_dec(v, 1, lang)
        for v, m, p in zip(groups["nilai"], groups["nilai_maks"], groups["persen"], strict=True)
    ]
    fig.add_trace(
        go.Bar(
            y=names,
            x=groups["nilai"],
            orientation="h",
            marker_color=palette.PRIMARY,
            width=0.45,
            text=labels,
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{x:,.1f}<extra></extra>",
            name="nilai",
        )
    )
    fig.update_layout(
        separators=plotly_separators(lang),
        font=FONT,
        plot_bgcolor=palette.BACKGROUND,
        paper_bgcolor=palette.BACKGROUND,
        showlegend=False,
        barmode="overlay",
        margin=dict(l=10, r=170, t=10, b=10),
        height=max(260, 50 * len(names) + 60),
    )
    fig.update_yaxes(autorange="reversed", title=None)
    fig.update_xaxes(title=value_title, gridcolor=palette.GRID, rangemode="tozero")
    return fig


def group_trend(scores: pd.DataFrame, lang: str, y_title: str, x_title: str, share: bool = True) -> go.Figure:
    """Each group's score per year: as a percentage of its maximum (`share`, groups differ in size), or in points
    when the maxima are not known."""
    fig = go.Figure()
    colors = palette.CATEGORICAL
    for i, (_name, g) in enumerate(scores.groupby("kelompok_urut", sort=True)):
        label = plot_text(g["kelompok"].iloc[0])
        pct = (g["nilai"] / g["maks"] * 100).round(1) if share else g["nilai"].round(1)
        fig.add_trace(
            go.Scatter(
                x=g["tahun"],
                y=pct,
                mode="lines+markers",
                name=label,
                line=dict(width=3, color=colors[i % len(colors)]),
                marker=dict(size=8),
                hovertemplate="%{fullData.name} %{x}: %{y:,.1f}" + ("%" if share else "") + "<extra></extra>",
            )
        )
    fig = _layout(fig, lang, y_title, x_title)
    fig.update_layout(
        showlegend=True,
        legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0),
        margin=dict(l=10, r=10, t=40, b=10),
    )
    if share:
        fig.update_yaxes(range=[40, 100], rangemode=None, ticksuffix="%")
    return fig


def points_at_stake(names: list[str], points: list[float], lang: str, value_title: str) -> go.Figure:
    """Horizontal bars of points at stake (per OPD or indicator), largest on top."""
    fig = go.Figure(
        go.Bar(
            y=[plot_text(n) for n in names],
            x=points,
            orientation="h",
            marker_color=palette.ACCENT,
            text=[fmt_dec(p, 1, lang) for p in points],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{x:,.1f}<extra></extra>",
        )
    )
    fig.update_layout(
        separators=plotly_separators(lang),
        font=FONT,
        plot_bgcolor=palette.BACKGROUND,
        paper_bgcolor=palette.BACKGROUND,
        showlegend=False,
        margin=dict(l=10, r=50, t=10, b=10),
        height=max(240, 30 * len(names) + 60),
    )
    fig.update_yaxes(autorange="reversed", title=None)
    fig.update_xaxes(title=value_title, gridcolor=palette.GRID, rangemode="tozero")
    return fig


def recap_periods(
    periods: list[str], series: dict[str, tuple[list, list[str]]], lang: str, value_title: str, height: int = 380
) -> go.Figure:
    """Grouped bars per period, one trace per source (or category); hidden values get no bar, only a label."""
    colors = palette.CATEGORICAL
    fig = go.Figure()
    periods = [plot_text(p) for p in periods]
    for i, (name, (values, labels)) in enumerate(series.items()):
        fig.add_trace(
            go.Bar(
                x=periods,
                y=[0 if v is None or v != v else v for v in values],
                text=labels,
                name=plot_text(name),
                textposition="outside",
                cliponaxis=False,
                marker_color=colors[i % len(colors)],
                hovertemplate="%{x}: %{text}<extra>%{fullData.name}</extra>",
            )
        )
    fig.update_layout(
        separators=plotly_separators(lang),
        font=FONT,
        plot_bgcolor=palette.BACKGROUND,
        paper_bgcolor=palette.BACKGROUND,
        barmode="group",
        height=height,
        margin=dict(l=10, r=10, t=40, b=10),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0),
    )
    fig.update_xaxes(type="category", title=None)
    fig.update_yaxes(title=value_title, gridcolor=palette.GRID, rangemode="tozero")
    return fig


# --- the meeting slides ----------------------------------------------------------------------------
SLIDE_FONT_PX = 18  # the least a text on a 1280x720 slide may be, read from the back of Ruang Samaturu


def slide_fonts(fig: go.Figure, size: int = SLIDE_FONT_PX) -> go.Figure:
    """A copy of a page figure for a slide: every text (tick labels, axis titles, legend, annotations, bar and
    point labels, colour bars) at least `size` px and in the text colour, so none is small or grey on the
    projector. Plotly's own and Streamlit's templates set tick fonts of their own (about 12 px, grey): they are
    set here explicitly, which wins over any template. The page figures are left as they are."""
    out = go.Figure(fig)

    def font(current) -> dict:
        return dict(size=max(size, (current.size or 0) if current is not None else 0), color=palette.TEXT)

    out.update_layout(font=dict(size=max(size, out.layout.font.size or 0), color=palette.TEXT))
    out.update_layout(legend_font=font(out.layout.legend.font), hoverlabel_font_size=size)
    for axis in (out.for_each_xaxis, out.for_each_yaxis):
        axis(lambda a: a.update(tickfont=font(a.tickfont), title_font=font(a.title.font), color=palette.TEXT))
    if out.layout.annotations:
        out.update_layout(annotations=[dict(a.to_plotly_json(), font=font(a.font)) for a in out.layout.annotations])
    for trace in out.data:
        if "textfont" in trace:
            inside = getattr(trace, "textposition", None) == "inside"
            trace.textfont = dict(size=font(trace.textfont)["size"], **({} if inside else {"color": palette.TEXT}))
        if "colorbar" in trace:  # a choropleth's scale
            trace.colorbar.update(tickfont=font(trace.colorbar.tickfont), title_font=font(trace.colorbar.title.font))
    return out
