"""What app.py hands every page: the data key, filters, language, viewer role."""

from __future__ import annotations

import gc
import sys
from dataclasses import dataclass, replace

import streamlit as st

from etl import names


@dataclass(frozen=True)
class Context:
    key: str  # current warehouse version file (cache key of every query)
    version: str
    year: int
    kecamatan: str | None  # Kemendagri code, None for the whole region
    kecamatan_name: str | None
    lang: str
    public: bool
    region: str | None  # the kab/kota (or province "74", or None = Indonesia) being viewed
    region_name: str

    @property
    def area(self) -> str | None:
        """What the figures cover: the kecamatan when one is chosen, else the region (None = Indonesia)."""
        return self.kecamatan or self.region

    @property
    def region_level(self) -> str | None:
        """kabkota | provinsi | None (Indonesia)."""
        return names.region_level(self.region)

    @property
    def unit_len(self) -> int:
        """Length of the codes of the region's units: kecamatan (8) in a kab/kota, kab/kota (5), provinces (2)."""
        return names.unit_len(self.region)

    @property
    def unit_level(self) -> str:
        return names.unit_level(self.region)


def context(page_file: str) -> Context:
    """The frame's context (app.py runs before every page: st.navigation, see the end of app.py)."""
    from kla import auth  # the role is read where it is used, on every page run (not trusted from the frame)

    ctx = st.session_state["_ctx"]
    return replace(ctx, public=not auth.viewer().exact(ctx.region))


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
