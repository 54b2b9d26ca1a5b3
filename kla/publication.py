"""The public publication of case counts: every number about cases a public viewer can get, per data version,
protected together.

Public pages, maps, slides, downloads and decks read case figures only from here; they never aggregate
case rows anew. The publication holds, for the register's years (by month of report):

- cases per area and year, and over all years, at every level: kecamatan, kab/kota, province, Indonesia;
- each breakdown (form, age group, sex, place, relation to the perpetrator, service, disability) per
  kab/kota, province and Indonesia per year and over all years, and per kecamatan over all years;
- cases per month of each year, per kab/kota, province and Indonesia.

Every cell is an equation a viewer can combine with the others (kecamatan add up to their kab/kota, years to
all years, categories to the cases), so suppression is done once over all of them (kla.disclosure). A filter
selects cells: a year range's total is shown only when each year of it is shown, or when it spans every year.
Analysts (after login) get exact figures from kla.queries instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import streamlit as st

from kla import disclosure
from kla.disclosure import OK, PRIMARY, SECONDARY, Line

NOT_PUBLISHED = 3  # a cell this publication does not hold (e.g. a kecamatan's breakdown for one year)
ALL = None  # the "year" of an all-years cell
TOTAL = "n"  # the family of plain case counts (one category, None)

# family -> (categories add up to the cases, levels with a cell per year, levels with an all-years cell)
# levels: 0 Indonesia, 1 province, 2 kab/kota, 3 kecamatan
FAMILIES: dict[str, tuple[bool, tuple[int, ...], tuple[int, ...]]] = {
    TOTAL: (False, (0, 1, 2, 3), (0, 1, 2, 3)),
    "bentuk": (False, (0, 1, 2), (0, 1, 2, 3)),
    "kelompok_umur": (True, (0, 1, 2), (0, 1, 2, 3)),
    "jenis_kelamin": (True, (0, 1, 2), (0, 1, 2, 3)),
    "tempat_kejadian": (True, (0, 1, 2), (0, 1, 2, 3)),
    "hubungan_pelaku": (True, (0, 1, 2), (0, 1, 2, 3)),
    "layanan": (False, (0, 1, 2), (0, 1, 2, 3)),
    "disabilitas": (True, (0, 1, 2), (0, 1, 2, 3)),
    "bulan": (True, (0, 1, 2), ()),
}
FIXED_CATEGORIES = {"kelompok_umur": ["0-5", "6-12", "13-17"], "jenis_kelamin": ["P", "L"], "bulan": list(range(1, 13))}
LEVEL_LEN = {0: 0, 1: 2, 2: 5, 3: 8}


def level_of(area: str) -> int:
    return {0: 0, 2: 1, 5: 2, 8: 3}[len(area)]


def parent_of(area: str) -> str:
    return area[: LEVEL_LEN[level_of(area) - 1]]


@dataclass
class Publication:
    years: tuple[int, ...]
    categories: dict[str, list]
    index: dict[tuple, int]
    values: np.ndarray
    status: np.ndarray
    alias: dict[str, str] = field(default_factory=dict)  # an area with a single child is that child

    def area(self, area: str | None) -> str:
        a = area or ""
        while a in self.alias:
            a = self.alias[a]
        return a

    def cell(self, family: str, category, area: str | None, year) -> tuple[float, int]:
        """(value, status) of one cell; value NaN unless shown."""
        i = self.index.get((family, category, self.area(area), year))
        if i is None:
            if year is not ALL and year not in self.years and (family, category, self.area(area), ALL) in self.index:
                return 0.0, OK  # a year the register does not reach: no cases in it
            return float("nan"), NOT_PUBLISHED
        s = int(self.status[i])
        return (float(self.values[i]) if s == OK else float("nan")), s

    def span(self, family: str, category, area: str | None, y0: int, y1: int) -> tuple[float, int]:
        """A cell over the years y0..y1: the all-years cell when the range holds every year of the register;
        else the sum of its years when each of them is shown, or the all-years cell less the years outside the
        range when those are shown (a viewer can subtract that anyway); hidden otherwise."""
        inside = [y for y in self.years if y0 <= y <= y1]
        if inside == list(self.years):
            return self.cell(family, category, area, ALL)
        if not inside:
            return self.cell(family, category, area, y0)
        cells = [self.cell(family, category, area, y) for y in inside]
        if any(s == NOT_PUBLISHED for _, s in cells):
            return float("nan"), NOT_PUBLISHED
        if all(s == OK for _, s in cells):
            return float(sum(v for v, _ in cells)), OK
        whole, s = self.cell(family, category, area, ALL)
        outside = [self.cell(family, category, area, y) for y in self.years if y not in inside]
        if s == OK and all(so == OK for _, so in outside):
            return whole - sum(v for v, _ in outside), OK
        return float("nan"), SECONDARY


# --- building -----------------------------------------------------------------------------------
def _areas(kecamatan: list[str]) -> tuple[list[str], dict[str, str]]:
    """Every area from the kecamatan up to Indonesia, and the aliases of areas with a single child."""
    areas = {""}
    for k in kecamatan:
        areas.update({k[:2], k[:5], k})
    kids: dict[str, set[str]] = {}
    for a in areas:
        if a:
            kids.setdefault(parent_of(a), set()).add(a)
    alias = {a: next(iter(c)) for a, c in kids.items() if len(c) == 1}
    return sorted(areas - set(alias), key=lambda a: (len(a), a)), alias


def build(counts: pd.DataFrame, kecamatan: list[str], years: list[int], lp_limit: int = 1500) -> Publication:
    """The publication of `counts` (columns family, kategori, kecamatan, tahun, n: atoms at kecamatan x year,
    family "n" with kategori None holds the cases), protected as a whole.

    Suppression propagates bounds over the cells and the atoms together. With at most `lp_limit` atoms (a small
    warehouse: few cases, where a few "<5" add up fastest), the LP attack of kla.disclosure also checks the result
    and repairs what it finds; there it takes well under a second. Kendari's sample (3,600 atoms) passes the full
    LP audit on propagation alone (tests/test_privacy_audit.py), where the LP would take 80 s per build.
    """
    kecamatan = sorted(set(kecamatan) | set(counts["kecamatan"]))
    years = sorted(set(years))
    areas, alias = _areas(kecamatan)
    categories = {}
    for fam in FAMILIES:
        seen = counts.loc[counts["family"] == fam, "kategori"].dropna().unique().tolist()
        fixed = FIXED_CATEGORIES.get(fam, [])
        categories[fam] = [None] if fam == TOTAL else fixed + sorted(c for c in seen if c not in fixed)

    # atoms: (family, kategori, kecamatan, tahun) -> n
    atom = {
        (r.family, r.kategori if r.family != TOTAL else None, r.kecamatan, int(r.tahun)): int(r.n)
        for r in counts.itertuples(index=False)
    }
    index: dict[tuple, int] = {}
    values: list[int] = []
    atoms_of: list[list[tuple]] = []

    within = {a: [k for k in kecamatan if k.startswith(a)] for a in areas}

    def add(fam, cat, area, year) -> None:
        ks = within[area]
        ys = years if year is ALL else [year]
        members = [(fam, cat, k, y) for k in ks for y in ys]
        index[(fam, cat, area, year)] = len(values)
        values.append(sum(atom.get(m, 0) for m in members))
        atoms_of.append(members)

    for fam, (_, per_year, all_years) in FAMILIES.items():
        for cat in categories[fam]:
            for area in areas:
                lvl = level_of(area)
                if lvl in per_year:
                    for y in years:
                        add(fam, cat, area, y)
                if lvl in all_years:
                    add(fam, cat, area, ALL)

    lines, summed = _lines(index, areas, years, categories)
    vals = np.array(values, dtype=np.int64)
    checker = None
    n_atoms = len(kecamatan) * len(years) * sum(len(c) for c in categories.values())
    if n_atoms <= lp_limit:
        checker = _lp_checker(index, atoms_of, vals, categories, kecamatan, years)
    # the cases themselves are hidden last: a breakdown cell before a kecamatan's cases, before Indonesia's, a
    # province's and, last of all, a kab/kota's (the unit a task force reads)
    rank = {3: 10, 0: 20, 1: 30, 2: 40}
    cost = np.array([rank[level_of(k[2])] if k[0] == TOTAL else 0 for k in index], dtype=float)
    atom_lines, atom_values = _atom_lines(len(vals), atoms_of, summed, atom, categories, kecamatan, years)
    status = disclosure.protect(
        np.concatenate([vals, atom_values]),
        lines + atom_lines,
        cost=np.concatenate([cost, np.zeros(len(atom_values))]),
        checker=checker,
        n_cells=len(vals),
    )
    return Publication(tuple(years), categories, index, vals, status, alias)


def _atom_lines(
    n_cells: int, atoms_of, summed: set[int], atom: dict, categories: dict, kecamatan: list[str], years: list[int]
) -> tuple[list[Line], np.ndarray]:
    """What ties the cells to the counts no table shows (a kecamatan's cases of one year and category): each cell is
    the sum of its atoms, and a kecamatan-year's categories add up to (or, multi-valued, cover) its cases. With
    these, propagation reasons as the LP attacker does: the "<5" of many small tables add up somewhere."""
    ids: dict[tuple, int] = {}

    def id_of(m) -> int:
        return ids.setdefault(m, n_cells + len(ids))

    # a cell that other cells add up to is tied to its atoms through them
    lines = [
        Line(tuple(id_of(m) for m in members), cell) for cell, members in enumerate(atoms_of) if cell not in summed
    ]
    for fam, (partition, _, _) in FAMILIES.items():
        if fam == TOTAL or not categories[fam]:
            continue
        for k in kecamatan:
            for y in years:
                parts = tuple(id_of((fam, c, k, y)) for c in categories[fam])
                lines.append(Line(parts, id_of((TOTAL, None, k, y)), cover=not partition))
    values = np.zeros(len(ids), dtype=np.int64)
    for m, i in ids.items():
        values[i - n_cells] = atom.get(m, 0)
    return lines, values


def _lines(
    index: dict[tuple, int], areas: list[str], years: list[int], categories: dict
) -> tuple[list[Line], set[int]]:
    """Every equation a viewer can write between cells of the publication, and the cells that are sums of other
    cells of their own kind (units, years)."""
    lines, summed = [], set()
    by_parent: dict[str, list[str]] = {}
    area_set = set(areas)
    for a in areas:
        p = a
        while p:  # past aliases, to the nearest area above that has cells of its own
            p = parent_of(p)
            if p in area_set:
                by_parent.setdefault(p, []).append(a)
                break
    slots = [*years, ALL]
    for fam, (partition, _, _) in FAMILIES.items():
        for cat in categories[fam]:
            for area in areas:
                for y in slots:  # the units of an area add up to it
                    kids = [index.get((fam, cat, k, y)) for k in by_parent.get(area, [])]
                    total = index.get((fam, cat, area, y))
                    if kids and total is not None and None not in kids:
                        lines.append(Line(tuple(kids), total))
                        summed.add(total)
                per = [index.get((fam, cat, area, y)) for y in years]  # the years add up to all years
                total = index.get((fam, cat, area, ALL))
                if total is not None and None not in per:
                    lines.append(Line(tuple(per), total))
                    summed.add(total)
        if fam != TOTAL:
            for area in areas:
                for y in slots:  # the categories add up to the cases (multi-valued: cover them)
                    parts = [index.get((fam, c, area, y)) for c in categories[fam]]
                    total = index.get((TOTAL, None, area, y))
                    if parts and total is not None and None not in parts:
                        lines.append(Line(tuple(parts), total, cover=not partition))
    return lines, summed


def knowledge(index, atoms_of, values, status, categories, kecamatan, years) -> disclosure.Knowledge:
    """What a viewer of this publication knows, as equations over the atoms (for the LP attack)."""
    atom_id: dict[tuple, int] = {}

    def ids(members) -> np.ndarray:
        return np.array([atom_id.setdefault(m, len(atom_id)) for m in members], dtype=np.int64)

    rows = [ids(m) for m in atoms_of]
    equal, at_most = [], []
    for fam, (partition, _, _) in FAMILIES.items():
        if fam == TOTAL or not categories[fam]:
            continue
        for k in kecamatan:
            for y in years:
                cases = ids([(TOTAL, None, k, y)])
                parts = ids([(fam, c, k, y) for c in categories[fam]])
                if partition:
                    equal.append((parts, cases))
                else:  # each case has at least one form/service, none twice
                    at_most.append((cases, parts))
                    at_most += [(ids([(fam, c, k, y)]), cases) for c in categories[fam]]
    known = [float(v) if s == OK else None for v, s in zip(values, status)]
    small = [s == PRIMARY for s in status]
    return disclosure.Knowledge(len(atom_id), rows, known, small, equal, at_most)


def _lp_checker(index, atoms_of, values, categories, kecamatan, years):
    def check(status: np.ndarray) -> np.ndarray:
        k = knowledge(index, atoms_of, values, status, categories, kecamatan, years)
        ranges = disclosure.lp_ranges(k)
        lo, hi = np.zeros(len(values)), np.full(len(values), np.inf)
        for i, (a, b) in ranges.items():
            lo[i], hi[i] = np.ceil(a - 1e-6), np.floor(b + 1e-6)
        return disclosure.exposed(status, lo, hi, values, len(values))  # the same rule as propagation

    return check


@st.cache_resource(max_entries=4, show_spinner=False)
def of_version(key: str) -> Publication:
    """The publication of a warehouse version, built once per version (cached, shared by every session)."""
    from kla import queries  # queries reads the warehouse; build() above stays a pure function

    return build(queries.publication_atoms(key), queries.all_kecamatan(key), queries.case_years(key, "pelaporan"))
