"""The tables a page shows, read back from AppTest. Tables of text are st.table (kla.shell.text_table): their
cells, headers and index labels are Markdown-escaped (md_text); here they are read back as the text shown."""

from __future__ import annotations

import html

import pandas as pd


def unescape(v):
    return html.unescape(v).replace("\u2060", "") if isinstance(v, str) else v


def tables(at) -> list[pd.DataFrame]:
    """Every st.table on the page, in page order, as the text it shows; then every st.dataframe (a grid: a
    table longer than text_table's max_rows, or a page's own grid) as it is."""
    out = []
    for d in at.table:
        frame = d.value.map(unescape)
        frame.columns = [unescape(c) for c in frame.columns]
        frame.index = pd.Index([unescape(i) for i in frame.index], name=unescape(frame.index.name))
        out.append(frame)
    return out + [d.value for d in at.dataframe]


def table_with(at, column: str) -> pd.DataFrame:
    """The first table on the page with this column."""
    return next(f for f in tables(at) if column in f.columns)


def number(text, lang: str = "id") -> float:
    """A shown number back as a number ("1.234,5" -> 1234.5, "80%" -> 80.0); a dash or nothing -> NaN."""
    if not isinstance(text, str):
        return float(text)
    text = text.strip().rstrip("%").strip()
    if text in ("", "—"):
        return float("nan")
    thousands, decimal = (".", ",") if lang == "id" else (",", ".")
    return float(text.replace(thousands, "").replace(decimal, "."))
