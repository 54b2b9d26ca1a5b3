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
