"""Figures as pure functions of data frames (no Streamlit, no SQL): easy to test and to export."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from kla.fmt import fmt_int, plotly_separators
from kla.privacy import SUPPRESSED, is_small

PRIMARY = "#0B6E6E"
ACCENT = "#E07A1F"
GRID = "#E3E9E8"
FONT = dict(family="Source Sans Pro, DejaVu Sans, sans-serif", size=16, color="#1B2B2B")


def _layout(fig: go.Figure, lang: str, y_title: str, x_title: str) -> go.Figure:
    fig.update_layout(
        separators=plotly_separators(lang), font=FONT, margin=dict(l=10, r=10, t=10, b=10), height=360,
        plot_bgcolor="white", paper_bgcolor="white", showlegend=False,
        xaxis=dict(title=x_title, dtick=1, showgrid=False), yaxis=dict(title=y_title, gridcolor=GRID, rangemode="tozero"),
    )
    return fig


def cases_per_year(df: pd.DataFrame, lang: str, public: bool, y_title: str, x_title: str) -> go.Figure:
    """Bars of cases per year; in public view years with 1-4 cases get no bar and a "<5" label."""
    df = df.copy()
    small = df["kasus"].map(is_small) if public else pd.Series(False, index=df.index)
    heights = df["kasus"].where(~small, 0)
    labels = [SUPPRESSED if s else fmt_int(n, lang) for n, s in zip(df["kasus"], small)]
    fig = go.Figure(go.Bar(
        x=df["tahun"], y=heights, text=labels, textposition="outside", marker_color=PRIMARY,
        hovertemplate="%{x}: %{text}<extra></extra>", cliponaxis=False,
    ))
    return _layout(fig, lang, y_title, x_title)


def kla_score_trend(scores: pd.DataFrame, bands: pd.DataFrame, lang: str, y_title: str, x_title: str) -> go.Figure:
    """The total score per year against the category bands' lower bounds."""
    fig = go.Figure(go.Scatter(
        x=scores["tahun"], y=scores["nilai"], mode="lines+markers+text", line=dict(color=PRIMARY, width=4),
        marker=dict(size=11), text=[fmt_int(v, lang) for v in scores["nilai"]], textposition="top center",
        hovertemplate="%{x}: %{y:,.1f}<extra></extra>",
    ))
    for _, band in bands.iterrows():
        fig.add_hline(y=band["skor_min"], line=dict(color=ACCENT, dash="dash", width=1.5),
                      annotation_text=band["kategori"], annotation_position="right",
                      annotation_font=dict(size=13, color=ACCENT))
    lo = min(scores["nilai"].min() if len(scores) else 500, 500) - 20
    fig = _layout(fig, lang, y_title, x_title)
    fig.update_yaxes(range=[lo, 1000], rangemode=None)
    fig.update_layout(margin=dict(l=10, r=80, t=10, b=10))
    return fig
