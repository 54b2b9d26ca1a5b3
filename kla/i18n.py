"""Texts in Bahasa Indonesia (default) and English, looked up per call.

Never a process-global gettext or locale: all sessions share one process. The language lives in
the session (st.session_state["lang"]), chosen from ?lang= in the URL, then the sidebar switch.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent / "locales"
LANGUAGES = {"id": "Bahasa Indonesia", "en": "English"}
DEFAULT = "id"


def _flatten(tree: dict, prefix: str = "") -> dict[str, str]:
    out = {}
    for key, value in tree.items():
        full = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, full + "."))
        else:
            out[full] = value
    return out


@cache
def catalog(lang: str) -> dict[str, str]:
    """The texts of `lang`: locales/<lang>.toml, then each locales/<lang>/<feature>.toml (a feature's own texts,
    e.g. kesiapan.toml). A key defined twice is an error, never a silent override."""
    out: dict[str, str] = {}
    for path in [LOCALE_DIR / f"{lang}.toml", *sorted((LOCALE_DIR / lang).glob("*.toml"))]:
        with open(path, "rb") as fh:
            part = _flatten(tomllib.load(fh))
        twice = sorted(set(part) & set(out))
        if twice:
            raise KeyError(f"{path.name}: keys already defined in another {lang} catalog file: {twice[:5]}")
        out.update(part)
    return out


def current_language() -> str:
    try:
        import streamlit as st

        lang = st.session_state.get("lang", DEFAULT)
    except Exception:  # outside a Streamlit script run
        lang = DEFAULT
    return lang if lang in LANGUAGES else DEFAULT


def t(key: str, lang: str | None = None, **kwargs) -> str:
    """The text for `key` in the session's language (English falls back to Indonesian)."""
    lang = lang or current_language()
    text = catalog(lang).get(key)
    if text is None:
        text = catalog(DEFAULT)[key]
    return text.format(**kwargs) if kwargs else text


def value(list_name: str, word, lang: str | None = None):
    """A data word of a controlled list (data/reference/kategori_data.csv: "Fisik", "Rumah Tangga", "Lengkap")
    in the reader's language: the data keeps the Indonesian word, English reads "Physical" ([nilai.<list>] in
    en.toml). A word without a translation, and anything that is not text, stays as it is."""
    if not isinstance(word, str):
        return word
    lang = lang or current_language()
    if lang == DEFAULT:
        return word
    return catalog(lang).get(f"nilai.{list_name}.{word}", word)
