"""Numbers and dates in the reader's language (Indonesian: 1.234.567,8). st.metric does not format."""

from __future__ import annotations

import datetime as dt
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
