"""Numbers and dates in the reader's language (Indonesian: 1.234.567,8). st.metric does not format.

Also: data-derived text (names of regions, RBRA, OPD, indicators, files, users; tasks) put into Markdown, an
HTML template or a plotly label shows as typed, never as markup (md_text, plot_text; issue 17).
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal

LOCALES = {"id": "id_ID", "en": "en_US"}
DASH = "—"


def _loc(lang: str) -> str:
    return LOCALES.get(lang, "id_ID")


# Babel parses the pattern and rounds with Decimal on every call (~0.1 ms): tables and charts format the
# same values on every rerun, so the results are remembered.
@lru_cache(maxsize=1 << 16)
def _decimal(value, pattern: str, locale: str) -> str:
    return format_decimal(value, format=pattern, locale=locale)


def fmt_int(value, lang: str = "id") -> str:
    if value is None or value != value:
        return DASH
    return _decimal(round(value), "#,##0", _loc(lang))


def fmt_dec(value, digits: int = 1, lang: str = "id") -> str:
    if value is None or value != value:
        return DASH
    return _decimal(float(value), "#,##0." + "0" * digits, _loc(lang))


def fmt_signed(value, lang: str = "id") -> str:
    if value is None or value != value:
        return DASH
    return ("+" if value > 0 else "") + fmt_int(value, lang)


def fmt_date(value: dt.date, lang: str = "id") -> str:
    return format_date(value, format="long", locale=_loc(lang))


def fmt_datetime(value: dt.datetime, lang: str = "id") -> str:
    return format_datetime(value, format="d MMMM y HH.mm" if lang == "id" else "d MMMM y HH:mm", locale=_loc(lang))


def plotly_separators(lang: str = "id") -> str:
    """plotly's `separators`: decimal then thousands."""
    return ",." if lang == "id" else ".,"


def styled(df, lang: str = "id", digits: int = 1, integers=(), percents=()):
    """A pandas Styler showing every number in the reader's format (sorting keeps the numbers).

    One format() call with a formatter per column: a second call would reset the other columns to
    pandas' default six decimals (pandas issue 61269).
    """
    import pandas as pd

    formats = {}
    for col in df.columns:
        if col in percents:
            formats[col] = lambda v: DASH if pd.isna(v) else fmt_int(v, lang) + "%"
        elif col in integers:
            formats[col] = lambda v: DASH if pd.isna(v) else fmt_int(v, lang)
        elif pd.api.types.is_float_dtype(df[col]):
            formats[col] = lambda v: DASH if pd.isna(v) else fmt_dec(v, digits, lang)
        elif pd.api.types.is_integer_dtype(df[col]):
            formats[col] = lambda v: DASH if pd.isna(v) else fmt_int(v, lang)
    return df.style.format(formats)


# --- data-derived text in markup ------------------------------------------------------------------
# Characters that make Markdown (CommonMark + GFM + Streamlit's directives, math and emoji) or HTML do
# something: tags and entities, emphasis, code, links and images, math, headings, tables, autolinks.
_MD_SPECIAL = re.compile(r"[&<>\"'\\`*_~\[\]$#|:@]")
_MD_LINE_START = re.compile(r"^\s*(\d{1,9}[.)](?=\s|$)|[-+=])")  # "1. " "2) " "-" "+" "=": a list, a rule, a heading
# GFM turns http://…, www.… and a@b.c into links after the references are decoded (remark-gfm works on the text):
# an invisible word joiner (U+2060) before the ":" / "." / "@" keeps the text as it reads and makes no link.
_AUTOLINK = re.compile(r"(?i)(?:(?<=http)|(?<=https)|(?<=mailto)|(?<=xmpp))(?=:)|(?<=www)(?=\.)|(?=@)")
WORD_JOINER = "\u2060"
_PLOT_SPECIAL = re.compile(r"[&<>]")


def md_text(value) -> str:
    """Text for st.markdown / caption / subheader / metric / error / widget labels and for the HTML templates
    shown with unsafe_allow_html: it displays exactly as written and is never markup.

    Each special character becomes a numeric character reference (&#60; for <). Markdown decodes those to
    plain text and never reads them as structure, and a browser decodes them the same way inside an HTML
    block, so one escape serves both. Line breaks become spaces (a value never starts a block); a URL or an
    e-mail address gets an invisible word joiner, so GFM makes no link of it. Only for text rendered as
    Markdown or HTML: selectbox options, dataframes, files and plotly need none (plotly has plot_text).
    """
    if value is None:
        return ""
    text = str(value).replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
    text = _AUTOLINK.sub(WORD_JOINER, text)
    text = _MD_SPECIAL.sub(lambda m: f"&#{ord(m.group())};", text)
    match = _MD_LINE_START.match(text)
    if match:
        text = f"{text[: match.end() - 1]}&#{ord(text[match.end() - 1])};{text[match.end() :]}"  # its last character
    return text


def plot_text(value) -> str:
    """Text for plotly labels (text, hover, tick labels, legend names, titles): plotly reads <b>, <br>, <a href>,
    <span style> and entities in them; this shows the text as written."""
    if value is None:
        return ""
    return _PLOT_SPECIAL.sub(lambda m: {"&": "&amp;", "<": "&lt;", ">": "&gt;"}[m.group()], str(value))
