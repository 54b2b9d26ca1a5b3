"""What app.py hands every page: the data key, filters, language, viewer role."""

from __future__ import annotations

import gc
import re
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


TEXT_TABLE_ROWS = 60  # up to this many rows a table is shown whole (longer ones scroll as a grid)
LONG_TEXT = 30  # a column with a text longer than this many characters gets LONG_TEXT_WIDTH at least
# A sentence column stays readable: 11rem on a phone (the table scrolls sideways in its box there), shrinking to
# 6rem on a wide screen, where the whole table should fit its column (11rem at 390 px, 6rem from 1280 px).
LONG_TEXT_WIDTH = "clamp(6rem, calc(14rem - 10vw), 11rem)"
CELL_PADDING = "padding: 4px 5px !important"  # Streamlit's 16 px left padding makes year columns too wide
# a column whose every cell reads as a number ("1.234", "12,5%", "<5", "*", "—"): right-aligned, never broken
NUMBER_LIKE = re.compile(r"^(?:[<>]?[+−-]?\d[\d.,]*\s?%?|[*—-]|)$")


def _styler_cells(styler):
    """A pandas Styler's cells as it shows them: (display text, CSS) per cell, both DataFrames shaped like its
    data. pandas has no public reader for either; these are the two it fills for to_html, the same ones
    Streamlit reads when it draws a Styler (streamlit/elements/lib/pandas_styler_utils.py)."""
    import pandas as pd

    styler._compute()  # runs the Styler's map/apply functions: fills .ctx, {(row, col): [(property, value)]}
    data = styler.data
    shown = pd.DataFrame(
        [[styler._display_funcs[(i, j)](v) for j, v in enumerate(row)] for i, row in enumerate(data.itertuples(False))],
        index=data.index,
        columns=data.columns,
        dtype=object,
    )
    css = pd.DataFrame("", index=data.index, columns=data.columns, dtype=object)
    for (i, j), props in styler.ctx.items():
        css.iat[i, j] = "; ".join(f"{k}: {v}" for k, v in props if k)
    # pandas' default display of a missing value is the word ("None", "nan"): an empty cell instead
    missing = data.isna().to_numpy() & shown.isin(["None", "nan", "NaN", "<NA>", "NaT"]).to_numpy()
    return shown.mask(missing, ""), css


def _frame_cells(data, lang: str, plain=()):
    """A DataFrame's cells as text (numbers by Babel, those of the `plain` columns as digits: years; missing
    values empty), with no CSS of their own."""
    import numbers

    import pandas as pd

    from kla.fmt import fmt_dec, fmt_int

    def cell(v):
        if isinstance(v, str):
            return v
        if v is None or (pd.api.types.is_scalar(v) and pd.isna(v)):
            return ""
        if isinstance(v, numbers.Number) and not isinstance(v, bool):
            return fmt_int(v, lang) if float(v).is_integer() else fmt_dec(v, 1, lang)
        return str(v)

    shown = data.map(cell).astype(object)
    for c in plain:
        shown[c] = [cell(v) if isinstance(v, str) or pd.isna(v) else str(int(v)) for v in data[c]]
    return shown, pd.DataFrame("", index=data.index, columns=data.columns, dtype=object)


def text_table(
    frame, key: str, lang: str, max_rows: int = TEXT_TABLE_ROWS, index: bool = False, plain: tuple = ()
) -> None:
    """A table with every word shown: an HTML table (st.table) that wraps its text, instead of the grid that
    cuts a cell at its width (issue 21).

    A Styler keeps its formats and its cell colours (status, traffic lights); a DataFrame's numbers are written
    by Babel. st.table reads Markdown, so every cell, header and index label goes through md_text (a file's or
    a name's words never become markup); the only CSS is the Styler's own (made by the app from fixed colours)
    and the app's below. Number columns are right-aligned and never broken; a column of sentences keeps a
    readable width. In a narrow window (a phone) a table wider than the page scrolls sideways inside its own
    box, the page does not. `index`: the frame's index (kecamatan names) is shown as its first column;
    `plain`: a DataFrame's columns of numbers written as digits, without separators (years). A
    table longer than `max_rows` scrolls as a grid with its text columns wide. Either way the key is the
    element's: the table sits in a container with it (CSS class st-key-<key>), the grid is st.dataframe(key=).
    """
    import pandas as pd

    from kla.fmt import md_text

    styler, data = (frame, frame.data) if hasattr(frame, "data") and hasattr(frame, "format") else (None, frame)
    if len(data) > max_rows:
        wide = {
            c: st.column_config.TextColumn(width="large")
            for c in data.columns
            if pd.api.types.is_object_dtype(data[c]) or pd.api.types.is_string_dtype(data[c])
        }
        st.dataframe(
            styler if styler is not None else data, hide_index=not index, width="stretch", key=key, column_config=wide
        )
        return
    shown, css = _styler_cells(styler) if styler is not None else _frame_cells(data, lang, plain)
    heads = [  # headers wrap too
        {"selector": "th", "props": f"white-space: normal; vertical-align: bottom; {CELL_PADDING}"},
        {"selector": "td", "props": CELL_PADDING},
    ]
    for j, column in enumerate(shown.columns):  # the app's CSS after the Styler's (Streamlit's own is inline)
        texts = shown[column].astype(str)
        if (
            pd.api.types.is_numeric_dtype(data[column]) and not pd.api.types.is_bool_dtype(data[column])
        ) or texts.str.match(NUMBER_LIKE).all():
            extra = "text-align: right !important; white-space: nowrap"
            heads.append({"selector": f"th.col{j}", "props": "text-align: right !important"})
        elif texts.str.len().max() > LONG_TEXT:  # a long word (a file's SHA) breaks inside that width
            extra = f"min-width: {LONG_TEXT_WIDTH}; overflow-wrap: anywhere"
        else:
            continue
        css.iloc[:, j] = [f"{c}; {extra}" if c else extra for c in css.iloc[:, j]]
    shown = shown.map(md_text)
    shown.columns = [md_text(c) for c in data.columns]
    shown.index = pd.Index([md_text(i) for i in data.index], name=md_text(data.index.name) if index else None)
    css.columns, css.index = shown.columns, shown.index
    table = shown.style.apply(lambda _: css, axis=None).set_table_styles(heads)
    with st.container(key=key):
        st.table(table, hide_index=not index, border="horizontal")
