"""What app.py hands every page: the data key, filters, language, viewer role."""

from __future__ import annotations

import gc
import sys
from dataclasses import replace

import streamlit as st

from kla.views import Card, Context

__all__ = ["Context", "context", "freeze_long_lived", "metric"]


def context(page_file: str) -> Context:
    """The frame's context (app.py runs before every page: st.navigation, see the end of app.py)."""
    from kla import auth  # the role is read where it is used, on every page run (not trusted from the frame)

    ctx = st.session_state["_ctx"]
    return replace(ctx, public=not auth.viewer().exact(ctx.region))


def metric(container, card: Card, height: int | None = None, border: bool = True) -> None:
    """Lay out a view's metric card (kla.views.Card) as st.metric in a column or container."""
    container.metric(
        card.label,
        card.value,
        delta=card.delta,
        delta_color=card.delta_color,
        delta_arrow="off" if card.neutral else "auto",
        help=card.help,
        border=border,
        height=height if height is not None else "content",
    )


_modules_frozen = 0


def freeze_long_lived() -> None:
    """Move the objects of newly imported libraries out of the garbage collector's reach.

    Streamlit runs a full gc.collect() after every script run (runner.postScriptGC). Most of the ~170,000
    objects it walks are imported library code (plotly's validators, pandas, geopandas) that lives as long as
    the server: that walk was about half the server's CPU per page view (bench/browser.py). After a run that
    imported something new, the heap is collected once and what is left is frozen (gc.freeze); page data
    created later is still collected as usual.
    """
    global _modules_frozen
    if len(sys.modules) != _modules_frozen:
        if not _modules_frozen:  # at exit everything is collectable again (a binding library checks for leaks)
            import atexit

            atexit.register(gc.unfreeze)
        gc.collect()
        gc.freeze()
        _modules_frozen = len(sys.modules)


TEXT_TABLE_ROWS = 60  # up to this many rows a table of sentences is shown whole (longer ones scroll)


def text_table(frame, key: str, lang: str, max_rows: int = TEXT_TABLE_ROWS) -> None:
    """A table whose cells are sentences (a file's problems, the load history): every word shown, wrapped, as
    an HTML table (st.table) instead of the grid that cuts a cell at its width. st.table reads Markdown, so each
    text cell and header goes through md_text (a file's words never become markup), and numbers are written by
    Babel. A longer table scrolls as a dataframe with its text columns wide. `frame` may be a Styler (its data)."""
    import numbers

    from kla.fmt import fmt_dec, fmt_int, md_text

    styler, data = (frame, frame.data) if hasattr(frame, "data") and hasattr(frame, "format") else (None, frame)
    if len(data) > max_rows:
        wide = {c: st.column_config.TextColumn(width="large") for c in data.columns if data[c].dtype == object}
        st.dataframe(
            styler if styler is not None else data, hide_index=True, width="stretch", key=key, column_config=wide
        )
        return

    def cell(v):
        if isinstance(v, str):
            return md_text(v)
        if v is None or (isinstance(v, float) and v != v):
            return ""
        if isinstance(v, numbers.Number) and not isinstance(v, bool):
            return fmt_int(v, lang) if float(v).is_integer() else fmt_dec(v, 1, lang)
        return md_text(v)

    shown = data.map(cell)
    shown.columns = [md_text(c) for c in data.columns]
    st.table(shown, hide_index=True, border="horizontal")
