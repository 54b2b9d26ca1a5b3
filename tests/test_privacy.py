"""Suppression: no shown cell is 1-4, and no hidden value can be derived from what is shown."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from kla.privacy import OK, PRIMARY, Protected, protect, protect_series


def derivable(p: Protected, row_totals: bool, col_totals: bool) -> list[tuple[int, int]]:
    """Hidden cells whose exact value follows from the shown ones by linear algebra over the lines."""
    status = p.status.to_numpy()
    hidden = [tuple(c) for c in np.argwhere(status != OK)]
    if not hidden:
        return []
    index = {c: k for k, c in enumerate(hidden)}
    n_rows, n_cols = status.shape
    lines = []
    if row_totals:
        lines += [[(i, j) for j in range(n_cols)] for i in range(n_rows)]
    if col_totals:
        lines += [[(i, j) for i in range(n_rows)] for j in range(n_cols)]
    rows = []
    for line in lines:  # sum(cells) - total = 0, the hidden terms are the unknowns
        coeff = np.zeros(len(hidden))
        for c in line:
            if c in index:
                coeff[index[c]] += -1.0 if c == line[-1] else 1.0
        if coeff.any():
            rows.append(coeff)
    if not rows:
        return []
    a = np.array(rows)
    rank = np.linalg.matrix_rank(a)
    out = []
    for c, k in index.items():
        unit = np.zeros(len(hidden))
        unit[k] = 1.0
        if np.linalg.matrix_rank(np.vstack([a, unit])) == rank:
            out.append(c)
    return out


counts = st.integers(min_value=0, max_value=40).map(lambda n: n if n % 3 else n % 6)  # many small values


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1, 6).flatmap(
        lambda r: st.integers(1, 6).flatmap(
            lambda c: st.lists(st.lists(counts, min_size=c, max_size=c), min_size=r, max_size=r)
        )
    )
)
def test_table_public_view_hides_small_counts_and_cannot_be_undone(cells):
    frame = pd.DataFrame(cells)
    p = protect(frame, public=True)
    values, status = p.counts.to_numpy(), p.status.to_numpy()
    shown = values[status == OK]
    assert not ((shown > 0) & (shown < 5)).any()
    assert (status[(values > 0) & (values < 5)] == PRIMARY).all()
    assert derivable(p, True, True) == []
    assert p.counts.iloc[-1, -1] == frame.to_numpy().sum()


@settings(max_examples=300, deadline=None)
@given(st.lists(counts, min_size=1, max_size=12))
def test_series_with_total(values):
    p = protect_series(pd.Series(values), public=True)
    status = p.status.to_numpy()
    shown = p.counts.to_numpy()[status == OK]
    assert not ((shown > 0) & (shown < 5)).any()
    assert derivable(p, False, True) == []


def test_example_and_analyst_view():
    frame = pd.DataFrame({"2024": [3, 10, 12], "2025": [7, 8, 9]}, index=["A", "B", "C"])
    p = protect(frame)
    shown = p.shown()
    assert shown.loc["A", "2024"] == "<5"
    assert (shown == "*").to_numpy().sum() >= 2  # the row and the column of the 3 each lose one more cell
    exact = protect(frame, public=False).shown()
    assert exact.loc["A", "2024"] == 3 and exact.loc["Jumlah", "Jumlah"] == 49
