"""Figures of the Partisipasi Anak page as pure functions (no Streamlit, no SQL), in kla.charts' style.

Names passed in (statuses, cycles, series) are plain text: escaped here with fmt.plot_text. Bar labels are the
program's own formatted numbers. The colours come from kla.palette (Okabe & Ito's colour-blind-safe set).
"""

from __future__ import annotations

import plotly.graph_objects as go

from kla import palette
from kla.charts import FONT
from kla.fmt import fmt_int, plot_text, plotly_separators

# A proposal's status, from not yet decided to realised: grey, light blue, dark blue; rejected in orange. The same
# Okabe & Ito colours as the RBRA ladder (kla.palette), told apart also with colour blindness.
STATUS_COLORS = {
    "diajukan": palette.RBRA_STATUS["Belum Terstandar"],
    "diakomodir": palette.RBRA_STATUS["RBRA"],
    "direalisasikan": palette.RBRA_STATUS["RBRA Madya"],
    "ditolak": palette.RBRA_STATUS["Proses Standardisasi"],
}
STATUS_ORDER = tuple(STATUS_COLORS)
# A kelurahan's forum on the map: active (blue), inactive (orange), none recorded (light grey, named in the legend).
FORUM_COLORS = {
    "aktif": palette.RBRA_STATUS["RBRA Madya"],
    "tidak_aktif": palette.RBRA_STATUS["Proses Standardisasi"],
    "belum": palette.NO_DATA,
}
FORUM_ORDER = tuple(FORUM_COLORS)


def _layout(fig: go.Figure, lang: str, height: int) -> go.Figure:
    fig.update_layout(
        separators=plotly_separators(lang),
        font=FONT,
        plot_bgcolor=palette.BACKGROUND,
        paper_bgcolor=palette.BACKGROUND,
        margin=dict(l=10, r=10, t=40, b=10),
        height=height,
        legend=dict(orientation="h", x=0, y=1.02, yanchor="bottom", font=dict(size=15)),
        hoverlabel=dict(font=dict(size=15, color=palette.TEXT), bgcolor=palette.BACKGROUND),
    )
    return fig


def shares_per_cycle(
    cycles: list[int],
    taken: list[float],
    realised: list[float],
    names: tuple[str, str],
    lang: str,
    value_title: str,
    height: int = 340,
) -> go.Figure:
    """The share of the proposals taken up (accommodated or realised) and realised, per RKPD cycle, side by side:
    percentages (0-100) with their labels above the bars."""
    x = [str(c) for c in cycles]
    fig = go.Figure()
    for values, name, color in ((taken, names[0], palette.RBRA_STATUS["RBRA"]), (realised, names[1], palette.PRIMARY)):
        fig.add_trace(
            go.Bar(
                x=x,
                y=values,
                name=plot_text(name),
                marker_color=color,
                text=[fmt_int(v, lang) + "%" for v in values],
                textposition="outside",
                cliponaxis=False,
                hovertemplate="%{x}: %{text}<extra>" + plot_text(name) + "</extra>",
            )
        )
    fig = _layout(fig, lang, height)
    fig.update_layout(barmode="group", bargap=0.3)
    fig.update_xaxes(type="category", title=None)
    fig.update_yaxes(title=value_title, range=[0, 112], gridcolor=palette.GRID, ticksuffix="%", dtick=25)
    return fig


def status_per_cycle(
    cycles: list[int],
    counts: dict[str, list[int]],
    names: dict[str, str],
    lang: str,
    value_title: str,
    height: int = 340,
) -> go.Figure:
    """Proposals per RKPD cycle, stacked by status (in STATUS_ORDER), each part labelled with its count."""
    x = [str(c) for c in cycles]
    fig = go.Figure()
    for status in STATUS_ORDER:
        if status not in counts:
            continue
        values = counts[status]
        fig.add_trace(
            go.Bar(
                x=x,
                y=values,
                name=plot_text(names.get(status, status)),
                marker_color=STATUS_COLORS[status],
                text=[fmt_int(v, lang) if v else "" for v in values],
                textposition="inside",
                insidetextanchor="middle",
                textangle=0,
                textfont=dict(color=palette.on(STATUS_COLORS[status])),
                hovertemplate="%{x}: %{y}<extra>" + plot_text(names.get(status, status)) + "</extra>",
            )
        )
    fig = _layout(fig, lang, height)
    # the legend in the statuses' order, from submitted to rejected; a part too thin for its label goes without
    fig.update_layout(
        barmode="stack", bargap=0.35, legend_traceorder="normal", uniformtext=dict(minsize=13, mode="hide")
    )
    fig.update_xaxes(type="category", title=None)
    fig.update_yaxes(title=value_title, gridcolor=palette.GRID, rangemode="tozero")
    return fig
