"""Kesiapan evaluasi figures as pure functions of frames (no Streamlit, no SQL), like kla/charts.py.

Names (OPD, clusters, states) are plain text and escaped here for plotly (fmt.plot_text). Labels are the program's
own formatted counts.
"""

from __future__ import annotations

import plotly.graph_objects as go

from kla import palette
from kla.charts import FONT
from kla.fmt import fmt_int, plot_text, plotly_separators

# The colour of each evidence state, from done to not started: green for accepted, teal and blue for the steps on
# the way, red for "perlu perbaikan" (sent back), grey for nothing yet. Unknown states get the neutral grey.
STATE_COLORS = {
    "diterima": palette.GOOD,
    "diperiksa": palette.PRIMARY,
    "diunggah": palette.CATEGORICAL[2],
    "perlu_perbaikan": palette.DANGER,
    "belum": palette.NEUTRAL,
}
OTHER = palette.NEUTRAL  # a state outside the list
ORDER = ("diterima", "diperiksa", "diunggah", "perlu_perbaikan", "belum")  # left to right in a stacked bar


def state_bars(
    names: list[str],
    counts: dict[str, list[int]],
    state_names: dict[str, str],
    lang: str,
    value_title: str,
    row_px: int = 40,
    legend: bool = True,
) -> go.Figure:
    """One horizontal bar per row (a cluster or an OPD), stacked by evidence state (accepted first), in the order
    given (top to bottom), with "accepted / total" beside each bar. `counts`: state -> count per row; a state
    missing from ORDER is drawn after the known ones. `legend` False: no legend in the figure (the page draws its own,
    which wraps on a phone; plotly's stacks up over a narrow plot)."""
    rows = [plot_text(n) for n in names]
    states = [s for s in ORDER if s in counts] + [s for s in counts if s not in ORDER]
    fig = go.Figure()
    for state in states:
        values = [int(v) for v in counts[state]]
        color = STATE_COLORS.get(state, OTHER)
        fig.add_trace(
            go.Bar(
                y=rows,
                x=values,
                orientation="h",
                name=plot_text(state_names.get(state, state)),
                marker_color=color,
                text=[fmt_int(v, lang) if v else "" for v in values],
                textposition="inside",
                insidetextanchor="middle",
                textangle=0,
                textfont=dict(color=palette.on(color)),
                hovertemplate="%{y} · %{fullData.name}: %{x}<extra></extra>",
            )
        )
    totals = [sum(int(counts[s][i]) for s in states) for i in range(len(rows))]
    done = [int(v) for v in counts.get("diterima", [0] * len(rows))]
    fig.update_layout(
        separators=plotly_separators(lang),
        font=FONT,
        plot_bgcolor=palette.BACKGROUND,
        paper_bgcolor=palette.BACKGROUND,
        barmode="stack",
        showlegend=legend,
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0, traceorder="normal", font=dict(size=15)),
        uniformtext=dict(minsize=13, mode="hide"),  # a count that does not fit its segment is left out, not shrunk
        margin=dict(l=10, r=40, t=50 if legend else 10, b=10),
        height=max(200, row_px * len(rows) + (110 if legend else 70)),
        annotations=[
            dict(
                x=total,
                y=row,
                xref="x",
                yref="y",
                text=f"{fmt_int(d, lang)} / {fmt_int(total, lang)}",
                showarrow=False,
                xanchor="left",
                xshift=6,
                font=dict(size=16, color=palette.TEXT),
            )
            for row, total, d in zip(rows, totals, done, strict=True)
        ],
    )
    # tick labels dark and 15 px: Streamlit's theme would draw them about 12 px grey
    fig.update_yaxes(
        autorange="reversed", title=None, type="category", automargin=True, tickfont=dict(size=15, color=palette.TEXT)
    )
    fig.update_xaxes(
        title=value_title,
        gridcolor=palette.GRID,
        range=[0, max(totals, default=1) * 1.3],  # room for the "accepted / total" label beside the longest bar
        tickfont=dict(size=14, color=palette.TEXT),
        title_font=dict(size=15, color=palette.TEXT),
    )
    return fig
