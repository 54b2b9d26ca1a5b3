"""The attacker of the privacy audit: everything a public viewer can get, as equations over the true counts.

It does not trust the publication's own bookkeeping. It asks the functions the pages call (kla.cases' public
path) for every filter state the pages offer, reads what they show ("<5", "*" or a number), and writes each
shown figure from its definition (which cases it counts: area, years, category) as a sum of atoms, the cases
of one kecamatan, year and category. Then, for every hidden figure, linear programming (kla.disclosure.lp_ranges,
HiGHS) finds the least and greatest value it can take given everything shown, with "<5" known to be 1-4.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from kla import cases, disclosure
from kla.privacy import PRIMARY, SECONDARY, TOTAL

PARTITIONS = ("kelompok_umur", "jenis_kelamin", "tempat_kejadian", "hubungan_pelaku", "disabilitas", "bulan")
MULTI = ("bentuk", "layanan")


@dataclass
class Attacker:
    kecamatan: list[str]
    years: list[int]
    categories: dict[str, list]
    figures: dict[tuple, object] = field(default_factory=dict)  # definition -> what was shown
    truth: dict[tuple, int] = field(default_factory=dict)  # definition -> true value (truth_check fills it)

    def see(self, family: str, category, area: str, years, shown) -> None:
        """One figure a viewer got: the cases of `family`/`category` in `area` over `years`."""
        definition = (family, category, area, tuple(y for y in years if y in self.years))
        before = self.figures.get(definition)
        if before is not None and not isinstance(before, str) and not isinstance(shown, str):
            assert before == shown, f"one figure, two values: {definition} {before} {shown}"
        if before is None or isinstance(before, str):
            self.figures[definition] = shown if before is None or not isinstance(shown, str) else before

    def knowledge(self) -> tuple[disclosure.Knowledge, list[tuple]]:
        atom: dict[tuple, int] = {}

        def ids(members) -> np.ndarray:
            return np.array([atom.setdefault(m, len(atom)) for m in members], dtype=np.int64)

        defs = list(self.figures)
        rows = []
        for fam, cat, area, years in defs:
            members = [(fam, cat, k, y) for k in self.kecamatan if k.startswith(area) for y in years]
            rows.append(ids(members))
        equal, at_most = [], []
        for fam, cats in self.categories.items():
            for k in self.kecamatan:
                for y in self.years:
                    n = ids([("n", None, k, y)])
                    parts = ids([(fam, c, k, y) for c in cats])
                    if not cats:
                        continue
                    if fam in PARTITIONS:
                        equal.append((parts, n))
                    else:
                        at_most.append((n, parts))
                        at_most += [(ids([(fam, c, k, y)]), n) for c in cats]
        known = [None if isinstance(v, str) else float(v) for v in self.figures.values()]
        small = [v == "<5" for v in self.figures.values()]
        return disclosure.Knowledge(len(atom), rows, known, small, equal, at_most), defs

    def exposed(self) -> list[tuple[tuple, object, tuple[float, float]]]:
        """Hidden figures narrowed too far: (definition, shown, (least, greatest)). A "<5" or a hidden figure
        whose truth is 1-4 keeps at least 3 possible values; any other hidden figure is never determined, except
        a true zero (zeros are published as they are: pinning a hidden one down tells what a shown 0 tells)."""
        k, defs = self.knowledge()
        ranges = disclosure.lp_ranges(k)
        out = []
        for i, (lo, hi) in ranges.items():
            true = self.truth.get(defs[i])
            values = np.floor(hi + 1e-6) - np.ceil(lo - 1e-6) + 1
            small = k.small[i] or (true is not None and 1 <= true <= 4)
            if (small and values < disclosure.MIN_VALUES_SMALL) or (not small and true != 0 and values < 2):
                out.append((defs[i], self.figures[defs[i]], (lo, hi)))
        return out


def label(p, row, col="n"):
    s = p.status.loc[row, col]
    if s == PRIMARY:
        return "<5"
    if s == SECONDARY:
        return "*"
    return int(p.counts.loc[row, col])


def attacker_of(pub, kecamatan: list[str], dims=(*PARTITIONS[:-1], *MULTI)) -> Attacker:
    """An attacker who knows the region's kecamatan and the categories the pages list."""
    return Attacker(sorted(kecamatan), list(pub.years), {f: list(pub.categories[f]) for f in (*dims, "bulan")})


def collect(
    attacker: Attacker,
    pub,
    region: str | None,
    units: list[str],
    slider: tuple[int, int],
    dims=(*PARTITIONS[:-1], *MULTI),
    kecamatan_views: bool = True,
) -> Attacker:
    """Every public figure of the Kekerasan, Ringkasan, Peta and deck views of a region (its units: kecamatan of a
    kab/kota, kab/kota of a province), for every range of the year slider, the whole region and (with
    kecamatan_views) each unit chosen in the sidebar."""
    region = region or ""
    lo, hi = slider
    areas = [region, *units] if kecamatan_views else [region]
    for y0 in range(lo, hi + 1):
        for y1 in range(y0, hi + 1):
            table = cases.public_table(pub, units, region, y0, y1)
            for row in [*units, TOTAL]:
                area = region if row == TOTAL else row
                for col in [*range(y0, y1 + 1), TOTAL]:
                    years = range(y0, y1 + 1) if col == TOTAL else [col]
                    attacker.see("n", None, area, years, label(table, row, col))
            for area in areas:
                for dim in dims:
                    p = cases.public_breakdown(pub, dim, y0, y1, area, total=dim not in MULTI)
                    if p is None:
                        continue
                    for c in p.counts.index:
                        fam, cat = ("n", None) if c == TOTAL else (dim, c)
                        attacker.see(fam, cat, area, range(y0, y1 + 1), label(p, c))
    for y in range(lo, hi + 1):
        for area in areas:
            p = cases.public_months(pub, y, area)
            if p is None:
                continue
            for m in p.counts.index:
                fam, cat = ("n", None) if m == TOTAL else ("bulan", m)
                attacker.see(fam, cat, area, [y], label(p, m))
    return attacker


def truth_check(attacker: Attacker, atoms) -> None:
    """Every shown number equals the truth; every "<5" is 1-4 (atoms: family, kategori, kecamatan, tahun, n)."""
    counts = {
        (r.family, r.kategori if r.family != "n" else None, r.kecamatan, int(r.tahun)): int(r.n)
        for r in atoms.itertuples(index=False)
    }
    for (fam, cat, area, years), shown in attacker.figures.items():
        true = sum(counts.get((fam, cat, k, y), 0) for k in attacker.kecamatan if k.startswith(area) for y in years)
        attacker.truth[(fam, cat, area, years)] = true
        if shown == "<5":
            assert 1 <= true <= 4, (fam, cat, area, years, true)
        elif shown != "*":
            assert shown == true, (fam, cat, area, years, shown, true)
