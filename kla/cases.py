"""Case counts as every page shows them: one kecamatan x year table, protected once.

Ringkasan, the Kekerasan page (and later the map and exports) read their per-year and per-kecamatan
case counts from this one protected table, so a count hidden in one view is hidden in all of them.
"""

from __future__ import annotations

import pandas as pd

from kla import queries
from kla.privacy import TOTAL, Protected, protect


def kecamatan_year(key: str, basis: str, y0: int, y1: int, bentuk: tuple[str, ...] | None,
                   public: bool, region: str | None = None, unit_len: int = 8) -> Protected:
    """Cases per unit of the region (rows: every kecamatan of a kab/kota, or every kab/kota of a province, or
    every province) and year (columns, every year of the range), with totals."""
    counts = queries.case_counts(key, ("kecamatan", "tahun"), basis, y0, y1, region, bentuk, unit_len)
    kec = queries.units(key, region, unit_len)["kode"].tolist()
    table = (counts.pivot_table(index="kecamatan", columns="tahun", values="n", aggfunc="sum", fill_value=0)
             .reindex(index=kec, columns=list(range(y0, y1 + 1)), fill_value=0))
    table.index.name, table.columns.name = None, None
    return protect(table, public=public)


def per_year(p: Protected, kec: str | None) -> tuple[pd.Series, pd.Series]:
    """(visible counts with NaN where hidden, shown labels) per year for the city or one kecamatan."""
    row = kec if kec else TOTAL
    years = [c for c in p.counts.columns if c != TOTAL]
    return p.visible().loc[row, years], p.shown().loc[row, years]
