"""Recap figures next to the case register: which source covers which period, side by side, never merged.

The register is used where it covers a period (it has cases reported in that year); a recap otherwise.
Where two sources give different figures for the same period and area, both are shown with their sources.

Public viewers see a recap protected as a whole (kla.disclosure): each period's categories add up to its total,
so a "<5" among them gets a complement. The register's figure beside a recap period is, for them, a cell of the
publication: shown for whole calendar years only (a half-year beside the register's year would give the other
half by subtraction).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from kla import disclosure, publication, queries
from kla.disclosure import OK, PRIMARY, Line
from kla.privacy import COMPLEMENT, SUPPRESSED

REGISTER = "Register kasus (dasbor)"


RECAP_KEY = ["sumber", "satuan", "kode_wilayah", "periode_awal", "periode_akhir", "dimensi", "kategori"]


@st.cache_data(show_spinner=False, max_entries=4)
def _status(key: str) -> dict[tuple, int]:
    """OK / PRIMARY / SECONDARY of every recap figure, protected together per source, area and period."""
    df = queries.recap_rows(key)
    if not len(df):
        return {}
    keys = [_key(r) for _, r in df.iterrows()]
    lines = []
    values = df["jumlah"].astype(np.int64).to_numpy()
    period = ["sumber", "satuan", "kode_wilayah", "periode_awal", "periode_akhir"]
    for _, group in df.groupby(period):
        total = group[group["dimensi"] == "total"]
        if not len(total):
            continue
        t_idx = int(total.index[0])
        for _, parts in group[group["dimensi"] != "total"].groupby("dimensi"):
            if parts["jumlah"].sum() == values[t_idx]:  # a partition of the period's total
                lines.append(Line(tuple(int(i) for i in parts.index), t_idx))
    cost = np.where(df["dimensi"].to_numpy() == "total", 10.0, 0.0)
    status = disclosure.protect(values, lines, cost=cost)
    return dict(zip(keys, (int(s) for s in status)))


def _key(row) -> tuple:
    return tuple(
        pd.Timestamp(row[c]).date().isoformat() if c.startswith("periode_") else str(row[c]) for c in RECAP_KEY
    )


def shown(key: str, row, public: bool):
    """A recap figure as the viewer may see it: the number, "<5" or "*"."""
    n = int(row["jumlah"])
    if not public:
        return n
    s = _status(key)[_key(row)]
    return n if s == OK else SUPPRESSED if s == PRIMARY else COMPLEMENT


def public_register_count(key: str, start, end, area: str | None) -> int | str | None:
    """The register's figure for [start, end] from the publication: whole calendar years only, else None."""
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    if not (start.month == 1 and start.day == 1 and end.month == 12 and end.day == 31):
        return None
    pub = publication.of_version(key)
    if start.year not in pub.years:
        return None
    value, s = pub.span("n", None, area, start.year, end.year)
    return int(value) if s == OK else SUPPRESSED if s == PRIMARY else COMPLEMENT


def register_count(key: str, start, end, area: str | None = None) -> int | None:
    """Register cases of an area reported within [start, end], or None when the register does not cover that year."""
    months = queries.register_months(key, area)
    if not len(months):
        return None
    bulan = pd.to_datetime(months["bulan"]).dt.date
    years = {d.year for d in bulan}
    if start.year not in years:
        return None
    inside = (bulan >= start.replace(day=1)) & (bulan <= end)
    return int(months.loc[inside, "n"].sum())


def comparison(key: str, public: bool, area: str | None) -> pd.DataFrame:
    """One row per period: each source's figure (shown as the viewer may see it) and whether they differ."""
    totals = queries.recap_totals(key)
    totals = totals[totals["kode_wilayah"] == area]
    if not len(totals):
        return pd.DataFrame()
    rows = []
    for (start, end), group in totals.groupby(["periode_awal", "periode_akhir"], sort=True):
        row = {"periode": group["periode"].iloc[0], "periode_awal": start, "periode_akhir": end}
        figures = {}
        for _, r in group.iterrows():
            col = f"{r['sumber']} ({r['satuan']})"
            row[col] = shown(key, r, public)
            figures[col] = row[col]
        reg = (
            public_register_count(key, start, end, area)
            if public
            else register_count(key, pd.Timestamp(start).date(), pd.Timestamp(end).date(), area)
        )
        if reg is not None:
            col = f"{REGISTER} (kasus)"
            row[col] = reg
            figures[col] = reg
        row["_berbeda"] = len(set(figures.values())) > 1
        row["_sumber"] = len(figures)
        rows.append(row)
    return pd.DataFrame(rows)


def year_figures(key: str, year: int, public: bool, area: str | None) -> list[tuple[str, str, str, object]]:
    """The recap totals of an area for a calendar year (whole-year or partial periods) as (source, unit, period,
    shown)."""
    totals = queries.recap_totals(key)
    totals = totals[(totals["kode_wilayah"] == area) & (totals["tahun"] == year)]
    return [(r["sumber"], r["satuan"], r["periode"], shown(key, r, public)) for _, r in totals.iterrows()]


def main_source(key: str) -> str | None:
    """The source with the most periods (the default for charts), ties by name."""
    totals = queries.recap_totals(key)
    if not len(totals):
        return None
    counts = totals.groupby("sumber").size().reset_index(name="n").sort_values(["n", "sumber"], ascending=[False, True])
    return counts["sumber"].iloc[0]


def breakdown_series(key: str, df: pd.DataFrame, public: bool, label) -> dict[str, tuple[list, list]]:
    """Per category of a recap breakdown (rows of queries.recap_breakdown): (values, labels) per period, the
    largest category first; hidden figures have no value, only their label."""
    order = df.drop_duplicates("periode")["periode"].tolist()
    cats = df.groupby("kategori")["jumlah"].sum().sort_values(ascending=False).index.tolist()
    cells = {(r["kategori"], r["periode"]): shown(key, r, public) for _, r in df.iterrows()}
    series = {}
    for cat in cats:
        vals = [cells.get((cat, per), 0) for per in order]
        series[cat] = ([None if isinstance(v, str) else v for v in vals], [label(v) for v in vals])
    return series
