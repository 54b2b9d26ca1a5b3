"""Recap figures next to the case register: which source covers which period, side by side, never merged.

The register is used where it covers a period (it has cases reported in that year); a recap otherwise.
Where two sources give different figures for the same period and area, both are shown with their sources.
"""

from __future__ import annotations

import pandas as pd

from kla import queries
from kla.privacy import suppress_count

REGISTER = "Register kasus (dasbor)"


def register_count(key: str, start, end, kode: str | None = None) -> int | None:
    """Register cases of an area reported within [start, end], or None when the register does not cover that year."""
    months = queries.register_months(key, kode)
    if not len(months):
        return None
    bulan = pd.to_datetime(months["bulan"]).dt.date
    years = {d.year for d in bulan}
    if start.year not in years:
        return None
    inside = (bulan >= start.replace(day=1)) & (bulan <= end)
    return int(months.loc[inside, "n"].sum())


def comparison(key: str, public: bool, kode: str = "74.71") -> pd.DataFrame:
    """One row per period: each source's figure (shown as the viewer may see it) and whether they differ."""
    totals = queries.recap_totals(key)
    totals = totals[totals["kode_wilayah"] == kode]
    if not len(totals):
        return pd.DataFrame()
    rows = []
    for (start, end), group in totals.groupby(["periode_awal", "periode_akhir"], sort=True):
        row = {"periode": group["periode"].iloc[0], "periode_awal": start, "periode_akhir": end}
        figures = {}
        for _, r in group.iterrows():
            col = f"{r['sumber']} ({r['satuan']})"
            row[col] = suppress_count(int(r["jumlah"]), public)
            figures[col] = int(r["jumlah"])
        reg = register_count(key, pd.Timestamp(start).date(), pd.Timestamp(end).date(), kode)
        if reg is not None:
            col = f"{REGISTER} (kasus)"
            row[col] = suppress_count(reg, public)
            figures[col] = reg
        row["_berbeda"] = len(set(figures.values())) > 1
        row["_sumber"] = len(figures)
        rows.append(row)
    return pd.DataFrame(rows)


def year_figures(key: str, year: int, public: bool, kode: str | None = "74.71") -> list[tuple[str, str, str, object]]:
    """The recap totals of an area for a calendar year (whole-year or partial periods) as (source, unit, period,
    shown)."""
    totals = queries.recap_totals(key)
    totals = totals[(totals["kode_wilayah"] == kode) & (totals["tahun"] == year)]
    return [(r["sumber"], r["satuan"], r["periode"], suppress_count(int(r["jumlah"]), public))
            for _, r in totals.iterrows()]


def main_source(key: str) -> str | None:
    """The source with the most periods (the default for charts), ties by name."""
    totals = queries.recap_totals(key)
    if not len(totals):
        return None
    counts = totals.groupby("sumber").size().reset_index(name="n").sort_values(["n", "sumber"], ascending=[False, True])
    return counts["sumber"].iloc[0]
