"""Case counts as every page, map, slide and download shows them.

One API, two sources: public viewers get cells of the publication (kla.publication: built and protected once
per data version, so a count hidden in one view is hidden in all of them and no two views subtract to it);
analysts get exact counts of any filter from kla.queries. Public figures are by month of report over all forms
of violence: other bases and form filters are for analysts only, and asking for them publicly is an error.
"""

from __future__ import annotations

import pandas as pd

from kla import publication, queries
from kla.privacy import OK, SECONDARY, TOTAL, Protected, protect, protect_series
from kla.publication import NOT_PUBLISHED

PUBLIC_BASIS = "pelaporan"


def _public(key: str, basis: str, bentuk) -> publication.Publication:
    if basis != PUBLIC_BASIS or bentuk:
        raise ValueError("public case figures are by month of report, over all forms (analysts only otherwise)")
    return publication.of_version(key)


def _status(s: int) -> int:
    return SECONDARY if s == NOT_PUBLISHED else s


def kecamatan_year(
    key: str,
    basis: str,
    y0: int,
    y1: int,
    bentuk: tuple[str, ...] | None,
    public: bool,
    area: str | None = None,
) -> Protected:
    """Cases per unit of the region (rows: every kecamatan of a kab/kota, or every kab/kota of a province, or
    every province) and year (columns, every year of the range), with totals."""
    units = queries.units(key, area)["kode"].tolist()
    years = list(range(y0, y1 + 1))
    if not public:
        counts = queries.case_counts(key, ("kecamatan", "tahun"), basis, y0, y1, area, bentuk)
        table = counts.pivot_table(index="kecamatan", columns="tahun", values="n", aggfunc="sum", fill_value=0).reindex(
            index=units, columns=years, fill_value=0
        )
        table.index.name, table.columns.name = None, None
        return protect(table, public=False)
    return public_table(_public(key, basis, bentuk), units, area, y0, y1)


def public_table(pub: publication.Publication, units: list[str], area: str | None, y0: int, y1: int) -> Protected:
    """kecamatan_year for a public viewer: cells of the publication."""
    rows, cols = [*units, TOTAL], [*range(y0, y1 + 1), TOTAL]
    counts = pd.DataFrame(None, index=rows, columns=cols, dtype=object)
    status = pd.DataFrame(OK, index=rows, columns=cols)
    for row in rows:
        cell_area = area if row == TOTAL else row
        for col in cols:
            value, s = pub.span("n", None, cell_area, y0, y1) if col == TOTAL else pub.cell("n", None, cell_area, col)
            counts.loc[row, col] = int(value) if s == OK else None
            status.loc[row, col] = _status(s)
    return Protected(counts=counts, status=status)


def per_year(p: Protected, area: str | None) -> tuple[pd.Series, pd.Series]:
    """(visible counts with NaN where hidden, shown labels) per year for the city or one kecamatan."""
    row = area if area else TOTAL
    years = [c for c in p.counts.columns if c != TOTAL]
    return p.visible().loc[row, years], p.shown().loc[row, years]


def breakdown(
    key: str,
    dim: str,
    basis: str,
    y0: int,
    y1: int,
    area: str | None,
    bentuk: tuple[str, ...] | None,
    public: bool,
    total: bool = True,
) -> Protected | None:
    """Cases (or forms, services) per category of `dim` over y0..y1 in an area, with the total as its last
    row when `total`. None when the publication holds no such breakdown (a kecamatan's, for part of the years)."""
    if not public:
        df = queries.case_counts(key, (dim,), basis, y0, y1, area, bentuk)
        series = df.set_index(dim)["n"]
        order = publication.FIXED_CATEGORIES.get(dim)
        series = series.reindex(order, fill_value=0) if order else series.sort_values(ascending=False)
        return protect_series(series, public=False, total=total)
    return public_breakdown(_public(key, basis, bentuk), dim, y0, y1, area, total)


def public_breakdown(
    pub: publication.Publication, dim: str, y0: int, y1: int, area: str | None, total: bool = True
) -> Protected | None:
    """breakdown for a public viewer: cells of the publication."""
    cells = {c: pub.span(dim, c, area, y0, y1) for c in pub.categories[dim]}
    if all(s == NOT_PUBLISHED for _, s in cells.values()):
        return None
    if total:
        cells[TOTAL] = pub.span("n", None, area, y0, y1)
    return _series(cells, fixed=dim in publication.FIXED_CATEGORIES)


def months(
    key: str, basis: str, year: int, area: str | None, bentuk: tuple[str, ...] | None, public: bool
) -> Protected | None:
    """Cases per month of a year (rows 1..12, then the year's total); None when not published (a kecamatan)."""
    if not public:
        df = queries.case_counts(key, ("bulan",), basis, year, year, area, bentuk)
        return protect_series(df.set_index("bulan")["n"].reindex(range(1, 13), fill_value=0), public=False)
    return public_months(_public(key, basis, bentuk), year, area)


def first_months(
    key: str, basis: str, year: int, n_months: int, area: str | None, bentuk: tuple[str, ...] | None, public: bool
) -> int | None:
    """Cases in the first `n_months` months of a year (to compare a partial year over the same months). A public
    viewer gets the sum of published monthly cells, or None when one of them is protected or the months are
    not published for the area: never a new figure, so nothing a viewer could subtract to a hidden count."""
    p = months(key, basis, year, area, bentuk, public)
    if p is None:
        return None
    rows = list(range(1, n_months + 1))
    if any(p.status.loc[m, "n"] != OK for m in rows):
        return None
    return int(sum(p.counts.loc[m, "n"] for m in rows))


def public_months(pub: publication.Publication, year: int, area: str | None) -> Protected | None:
    """months for a public viewer: cells of the publication."""
    cells = {m: pub.cell("bulan", m, area, year) for m in range(1, 13)}
    if all(s == NOT_PUBLISHED for _, s in cells.values()):
        return None
    cells[TOTAL] = pub.cell("n", None, area, year)
    return _series(cells, fixed=True)


def _series(cells: dict, fixed: bool) -> Protected:
    """A one-column Protected from (value, status) cells; categories largest first unless their order is fixed."""
    keys = list(cells)
    if not fixed:
        body = [k for k in keys if k != TOTAL]
        body.sort(key=lambda k: (cells[k][1] != OK, -(cells[k][0] if cells[k][1] == OK else 0)))
        keys = body + [k for k in keys if k == TOTAL]
    counts = pd.DataFrame(
        {"n": [int(cells[k][0]) if cells[k][1] == OK else None for k in keys]}, index=keys, dtype=object
    )
    status = pd.DataFrame({"n": [_status(cells[k][1]) for k in keys]}, index=keys)
    return Protected(counts=counts, status=status)
