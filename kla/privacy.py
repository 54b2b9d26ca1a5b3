"""Protected figures: counts with, per cell, OK / PRIMARY ("<5") / SECONDARY ("*"), and how they are labelled.

Public case figures come from kla.publication, protected together over every table a viewer can get (a count
1-4 shows as "<5"; cells that would let anyone work one back show as "*"). `protect` here guards one table on
its own: analysts' exact tables go through it with public=False (they keep the Protected shape), and the privacy
audit uses its public mode as the control that the attack must break. Rates built on a hidden count are hidden.
Nobody sees case rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

THRESHOLD = 5
SUPPRESSED = "<5"
COMPLEMENT = "*"
OK, PRIMARY, SECONDARY = 0, 1, 2
TOTAL = "Jumlah"


@dataclass
class Protected:
    """Counts (totals included when asked for) and, per cell, OK / PRIMARY / SECONDARY."""

    counts: pd.DataFrame
    status: pd.DataFrame

    def shown(self) -> pd.DataFrame:
        """What a viewer sees: the count, "<5", or "*"."""
        out = self.counts.astype(object).copy()
        out[self.status == PRIMARY] = SUPPRESSED
        out[self.status == SECONDARY] = COMPLEMENT
        return out

    def visible(self) -> pd.DataFrame:
        """Counts with hidden cells as NaN (for charts: no bar is drawn for them)."""
        return self.counts.astype(float).where(self.status == OK)

    def labels(self, fmt) -> pd.DataFrame:
        """Cell texts for charts and tables, numbers formatted by `fmt`."""
        out = self.counts.astype(object).map(fmt)
        out[self.status == PRIMARY] = SUPPRESSED
        out[self.status == SECONDARY] = COMPLEMENT
        return out

    @property
    def any_hidden(self) -> bool:
        return bool((self.status != OK).to_numpy().any())


def _lines(n_rows: int, n_cols: int, row_totals: bool, col_totals: bool) -> list[list[tuple[int, int]]]:
    """Each equation a viewer can write: the cells of a row or column, its total cell last."""
    lines = []
    if row_totals:
        lines += [[(i, j) for j in range(n_cols)] for i in range(n_rows)]
    if col_totals:
        lines += [[(i, j) for i in range(n_rows)] for j in range(n_cols)]
    return lines


def _hide_one_more(line: list[tuple[int, int]], values: np.ndarray, status: np.ndarray) -> None:
    """Hide a second entry of a line: the smallest count of 5 or more, else the smallest non-zero one."""
    candidates = [c for c in line if status[c] == OK]
    inner = [c for c in candidates if c != line[-1]] or candidates
    inner.sort(key=lambda c: (values[c] < THRESHOLD, values[c] == 0, values[c]))
    status[inner[0]] = SECONDARY


def _derivable(status: np.ndarray, lines: list[list[tuple[int, int]]]) -> list[tuple[int, int]]:
    """Hidden cells whose exact value follows from the shown cells and totals (linear algebra)."""
    hidden = [tuple(int(x) for x in c) for c in np.argwhere(status != OK)]
    if not hidden:
        return []
    index = {c: k for k, c in enumerate(hidden)}
    rows = []
    for line in lines:
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
    eye = np.eye(len(hidden))
    return [c for c, k in index.items() if np.linalg.matrix_rank(np.vstack([a, eye[k]])) == rank]


def protect(counts: pd.DataFrame, public: bool = True, row_totals: bool = True, col_totals: bool = True) -> Protected:
    """Add the totals asked for, then apply primary and complementary suppression (public only).

    `row_totals` adds a "Jumlah" column (each row's sum); `col_totals` adds a "Jumlah" row.
    """
    table = counts.fillna(0).astype(np.int64).copy()
    if row_totals:
        table[TOTAL] = table.sum(axis=1)
    if col_totals:
        table.loc[TOTAL] = table.sum(axis=0)
    values = table.to_numpy()
    status = np.zeros(values.shape, dtype=np.int8)
    if public:
        status[(values > 0) & (values < THRESHOLD)] = PRIMARY
        lines = _lines(*values.shape, row_totals, col_totals)
        while True:
            line = next((ln for ln in lines if sum(status[c] != OK for c in ln) == 1), None)
            if line is None:
                exposed = _derivable(status, lines)
                if not exposed:
                    break
                line = next(ln for ln in lines if exposed[0] in ln and any(status[c] == OK for c in ln))
            _hide_one_more(line, values, status)
    return Protected(counts=table, status=pd.DataFrame(status, index=table.index, columns=table.columns))


def protect_series(counts: pd.Series, public: bool = True, total: bool = True) -> Protected:
    """A one-dimensional breakdown; with `total` its sum is a shown total (a line to protect)."""
    frame = counts.to_frame("n")
    return protect(frame, public=public, row_totals=False, col_totals=total)


def rate(count, denominator, per: float = 1000.0, hidden: bool = False):
    """A rate per `per`; None when its count is hidden or the denominator is missing."""
    if hidden or not denominator or count is None or count != count:
        return None
    return count * per / denominator
