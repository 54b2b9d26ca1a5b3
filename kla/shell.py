"""What app.py hands every page: the data key, filters, language, viewer role."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import streamlit as st

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Context:
    key: str                 # current warehouse version file (cache key of every query)
    version: str
    year: int
    kecamatan: str | None    # Kemendagri code, None for the whole city
    kecamatan_name: str | None
    lang: str
    public: bool


def context(page_file: str) -> Context:
    """The frame's context. A page opened without the frame goes through app.py first.

    Until some session has called st.navigation, Streamlit serves a pages/ folder in its legacy
    mode: the first visit after a server start with a page URL (/kekerasan) runs that page alone.
    The page then sends the visitor through the frame, which forwards to the page again.
    """
    if "_ctx" not in st.session_state:
        st.session_state["_wanted"] = Path(page_file).resolve().relative_to(REPO).as_posix()
        st.switch_page("app.py")
    from kla import auth  # the role is read where it is used, on every page run (not trusted from the frame)

    return replace(st.session_state["_ctx"], public=auth.viewer().public)
