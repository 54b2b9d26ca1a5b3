"""What app.py hands every page: the data key, filters, language, viewer role."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st


@dataclass(frozen=True)
class Context:
    key: str                 # current warehouse version file (cache key of every query)
    version: str
    year: int
    kecamatan: str | None    # Kemendagri code, None for the whole city
    kecamatan_name: str | None
    lang: str
    public: bool


def context() -> Context:
    return st.session_state["_ctx"]
