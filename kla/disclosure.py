"""Small-count protection of linked tables, and the attack that checks it.

A publication is a set of cells (counts) and lines: equations `sum(parts) = total` that a viewer can
write down because both sides are shown somewhere (a row and its total, a kecamatan and its kab/kota,
the years and the all-years total, the categories of a breakdown and the number of cases). Cells that
two tables share are one cell here, so suppression in one table holds in every other.

- Primary suppression: every count from 1 to 4 is hidden ("<5"). A viewer knows such a cell is 1-4.
- Complementary suppression: bounds are propagated over all lines at once (interval constraint
  propagation: what a careful attacker does by hand, subtraction by subtraction). While some hidden
  cell is narrowed to fewer than 3 possible values (a "<5") or to one value (any other hidden cell),
  one more cell of a line through it is hidden ("*": hidden, its size not said). Where every cell of
  those lines is hidden already, the "<5" bounds themselves narrow it (a "<5" total over "<5" parts):
  one of those cells is then shown as "*" instead of "<5".
- `lp_ranges` is the stronger attack: for each hidden cell, the least and greatest value it can take
  over all the equations together (linear programming with HiGHS). The publication uses it to check
  and repair what propagation left; the tests use it as the audit, with equations they write
  themselves from what the pages show.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

THRESHOLD = 5
OK, PRIMARY, SECONDARY = 0, 1, 2
MIN_VALUES_SMALL = 3   # a "<5" keeps at least 3 possible values
MIN_VALUES_OTHER = 2   # any other hidden cell is never determined


@dataclass(frozen=True)
class Line:
    """sum(values[parts]) == values[total]; with `cover`, the parts are categories of a multi-valued breakdown
    (forms of violence): every case has at least one, none more than once, so sum(parts) >= total >= each part."""

    parts: tuple[int, ...]
    total: int
    cover: bool = False

    @property
    def cells(self) -> tuple[int, ...]:
        return (*self.parts, self.total)


def primary(values: np.ndarray) -> np.ndarray:
    status = np.zeros(len(values), dtype=np.int8)
    status[(values > 0) & (values < THRESHOLD)] = PRIMARY
    return status


def known_bounds(values: np.ndarray, status: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """What a viewer knows of each cell before combining anything: shown value, 1-4, or >= 0."""
    lo = np.where(status == OK, values, np.where(status == PRIMARY, 1, 0)).astype(float)
    hi = np.where(status == OK, values, np.where(status == PRIMARY, THRESHOLD - 1, np.inf)).astype(float)
    return lo, hi


def propagate(lines: Sequence[Line], lo: np.ndarray, hi: np.ndarray, rounds: int = 50) -> tuple[np.ndarray,
                                                                                               np.ndarray]:
    """Tighten [lo, hi] over every line until nothing changes (integer cells)."""
    lo, hi = lo.copy(), hi.copy()
    active = [ln for ln in lines if any(lo[c] != hi[c] for c in ln.cells)]
    for _ in range(rounds):
        changed = False
        for ln in active:
            parts = list(ln.parts)
            p_lo, p_hi = lo[parts], hi[parts]
            unbounded = np.isinf(p_hi)
            n_inf = int(unbounded.sum())
            s_lo, s_hi_finite = p_lo.sum(), p_hi[~unbounded].sum()
            t = ln.total
            if ln.cover:  # total <= sum of parts, each part <= total
                if not n_inf and s_hi_finite < hi[t]:
                    hi[t], changed = s_hi_finite, True
                if p_lo.max(initial=0) > lo[t]:
                    lo[t], changed = p_lo.max(), True
                for k, c in enumerate(parts):
                    if lo[c] == hi[c]:
                        continue
                    if n_inf - int(unbounded[k]) == 0:
                        new_lo = lo[t] - (s_hi_finite - (0.0 if unbounded[k] else p_hi[k]))
                        if new_lo > lo[c]:
                            lo[c], changed = np.ceil(new_lo - 1e-9), True
                    if hi[t] < hi[c]:
                        hi[c], changed = hi[t], True
                continue
            # the total lies within the sum of the parts' bounds
            if s_lo > lo[t]:
                lo[t], changed = s_lo, True
            if not n_inf and s_hi_finite < hi[t]:
                hi[t], changed = s_hi_finite, True
            # each part: the total minus the others
            for k, c in enumerate(parts):
                if lo[c] == hi[c]:
                    continue
                if n_inf - int(unbounded[k]) == 0:
                    new_lo = lo[t] - (s_hi_finite - (0.0 if unbounded[k] else p_hi[k]))
                    if new_lo > lo[c]:
                        lo[c], changed = np.ceil(new_lo - 1e-9), True
                new_hi = hi[t] - (s_lo - p_lo[k])
                if new_hi < hi[c]:
                    hi[c], changed = np.floor(new_hi + 1e-9), True
        if not changed:
            break
    return lo, hi


def exposed(status: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Hidden cells an attacker has narrowed too far."""
    need = np.where(status == PRIMARY, MIN_VALUES_SMALL, MIN_VALUES_OTHER)
    return np.flatnonzero((status != OK) & (hi - lo + 1 < need))


def _implied(ln: Line, cell: int, lo: np.ndarray, hi: np.ndarray) -> tuple[float, float]:
    """The range of `cell` that this line alone gives, from the other cells' bounds."""
    others = [c for c in ln.cells if c != cell]
    if cell == ln.total:
        return lo[others].sum(), hi[others].sum()
    rest = [c for c in others if c != ln.total]
    t = ln.total
    return lo[t] - hi[rest].sum(), hi[t] - lo[rest].sum()


def _rank(cells, values: np.ndarray, cost: np.ndarray, degree: np.ndarray) -> list[int]:
    """Cells to hide next, best first: the least important (`cost`), through few other lines (each must then
    hide one more), a count of 5 or more before a zero, the smallest (the least information lost)."""
    return sorted(set(cells), key=lambda c: (cost[c], degree[c], values[c] < THRESHOLD, values[c] == 0, values[c], c))


def _widen(cell: int, lines_of: dict[int, list[Line]], lines: Sequence[Line], values: np.ndarray,
           status: np.ndarray, cost: np.ndarray, degree: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> bool:
    """Widen what an attacker knows of an exposed cell.

    The lines that narrow it (whose own range for it reaches its bounds) are where a cell must be hidden; the
    cells of the lines through their hidden cells widen it too. The cheapest candidate that frees the cell
    is hidden, else the cheapest of the narrowing lines. When all of those are hidden already, the narrowing
    comes from the "<5" bounds themselves (a "<5" total over "<5" parts): one of those cells is then shown as
    "*" (hidden, size not said) instead of "<5".
    """
    culprits = [ln for ln in lines_of.get(cell, []) if _tight(ln, cell, lo, hi)]
    near = [c for ln in culprits for c in ln.cells if status[c] == OK]
    hidden = {c for ln in culprits for c in ln.cells if status[c] != OK and c != cell}
    far = [c for h in hidden for ln in lines_of[h] for c in ln.cells if status[c] == OK]
    for pick in _rank(near + far, values, cost, degree)[:12]:
        status[pick] = SECONDARY
        lo2, hi2 = propagate(lines, *known_bounds(values, status))
        if cell not in exposed(status, lo2, hi2):
            return True
        status[pick] = OK
    if near:
        status[_rank(near, values, cost, degree)[0]] = SECONDARY
        return True
    smalls = [cell] if status[cell] == PRIMARY else [c for ln in culprits for c in ln.cells if status[c] == PRIMARY]
    if smalls:
        status[smalls[0]] = SECONDARY
        return True
    seen, frontier = {cell}, [cell, *hidden]
    while frontier:  # further out: the nearest cell still shown (zeros included) is hidden, else a "<5" becomes "*"
        near = [c for h in frontier for ln in lines_of[h] for c in ln.cells]
        shown = [c for c in near if status[c] == OK]
        if shown:
            status[_rank(shown, values, cost, degree)[0]] = SECONDARY
            return True
        smalls = [c for c in near if status[c] == PRIMARY]
        if smalls:
            status[smalls[0]] = SECONDARY
            return True
        seen.update(frontier)
        frontier = list(dict.fromkeys(c for c in near if c not in seen))
    return False


def _tight(ln: Line, cell: int, lo: np.ndarray, hi: np.ndarray) -> bool:
    """Whether this line alone bounds `cell` as tightly as everything together does."""
    others = [c for c in ln.cells if c != cell]
    if cell == ln.total:
        a, b = lo[others].sum(), hi[others].sum()
    else:
        rest = [c for c in others if c != ln.total]
        a, b = lo[ln.total] - hi[rest].sum(), hi[ln.total] - lo[rest].sum()
    return a >= lo[cell] - 1e-9 or b <= hi[cell] + 1e-9


def protect(values: np.ndarray, lines: Sequence[Line], cost: np.ndarray | None = None, checker=None,
            max_rounds: int = 100_000) -> np.ndarray:
    """Status (OK / PRIMARY / SECONDARY) of every cell, protected over all lines together.

    `cost` ranks cells by how much hiding them costs the reader (higher: hidden last). `checker(status) ->
    exposed cell indices` is an optional stronger attack (the LP) run after propagation finds nothing; what it
    exposes is repaired the same way.
    """
    values = np.asarray(values, dtype=np.int64)
    cost = np.zeros(len(values)) if cost is None else np.asarray(cost)
    status = primary(values)
    lines_of: dict[int, list[Line]] = {c: [] for c in range(len(values))}
    for ln in lines:
        for c in ln.cells:
            lines_of[c].append(ln)
    degree = np.array([len(lines_of[c]) for c in range(len(values))])
    for _ in range(max_rounds):
        lo, hi = propagate(lines, *known_bounds(values, status))
        bad = exposed(status, lo, hi)
        if not len(bad) and checker is not None:
            bad = checker(status)
            lo, hi = known_bounds(values, status)
        if not len(bad):
            return status
        if not _widen(int(bad[0]), lines_of, lines, values, status, cost, degree, lo, hi):
            raise RuntimeError("small-count protection cannot hide another cell")  # every line fully hidden
    raise RuntimeError("small-count protection did not converge")


# --- The attack: linear programming over the true cells ------------------------------------------
@dataclass
class Knowledge:
    """Everything a viewer has: each shown number or hidden cell as a sum of true (atomic) counts.

    `rows[i]` lists the atoms whose sum is quantity i; `known[i]` is its shown value, or None when hidden
    (then `small[i]` says whether it was shown as "<5"). Extra constraints on atoms: `equal` holds
    (atoms, atoms) pairs with equal sums (a breakdown adds up to the cases), `at_most` pairs (a ≤ b).
    """

    n_atoms: int
    rows: list[np.ndarray]
    known: list[float | None]
    small: list[bool]
    equal: list[tuple[np.ndarray, np.ndarray]]
    at_most: list[tuple[np.ndarray, np.ndarray]]


def lp_ranges(k: Knowledge, which: Sequence[int] | None = None) -> dict[int, tuple[float, float]]:
    """Least and greatest value of each hidden quantity (or of `which`) over everything known."""
    from scipy.optimize import linprog
    from scipy.sparse import csr_matrix

    def matrix(rows: list[tuple[np.ndarray, np.ndarray]]) -> csr_matrix | None:
        """One row per (plus atoms, minus atoms) pair: sum(plus) - sum(minus)."""
        if not rows:
            return None
        r_idx, c_idx, data = [], [], []
        for r, (plus, minus) in enumerate(rows):
            for atoms, sign in ((plus, 1.0), (minus, -1.0)):
                r_idx.append(np.full(len(atoms), r))
                c_idx.append(np.asarray(atoms, dtype=np.int64))
                data.append(np.full(len(atoms), sign))
        return csr_matrix((np.concatenate(data), (np.concatenate(r_idx), np.concatenate(c_idx))),
                          shape=(len(rows), k.n_atoms))  # duplicates add up

    none = np.array([], dtype=np.int64)
    eq, eq_rhs, ub, ub_rhs = [], [], [], []
    for atoms, value, small in zip(k.rows, k.known, k.small):
        if value is not None:
            eq.append((atoms, none))
            eq_rhs.append(float(value))
        elif small:
            ub += [(atoms, none), (none, atoms)]
            ub_rhs += [THRESHOLD - 1.0, -1.0]
    for a, b in k.equal:
        eq.append((a, b))
        eq_rhs.append(0.0)
    for a, b in k.at_most:
        ub.append((a, b))
        ub_rhs.append(0.0)
    a_eq, a_ub = matrix(eq), matrix(ub)
    b_eq = np.array(eq_rhs) if eq else None
    b_ub = np.array(ub_rhs) if ub else None
    targets = [i for i, v in enumerate(k.known) if v is None] if which is None else list(which)
    out = {}
    for i in targets:
        c = np.bincount(k.rows[i], minlength=k.n_atoms).astype(float)
        ends = []
        for sign in (1.0, -1.0):  # minimise, then maximise
            res = linprog(sign * c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
            if res.status == 3:  # unbounded: only a maximum can be
                ends.append(np.inf)
            elif res.status != 0:
                raise RuntimeError(f"privacy audit LP failed: {res.message}")
            else:
                ends.append(sign * res.fun)
        out[i] = (ends[0], ends[1])
    return out


def too_narrow(k: Knowledge, ranges: dict[int, tuple[float, float]]) -> list[int]:
    """Hidden quantities an attacker narrows too far: a "<5" to fewer than 3 values, any other to one."""
    bad = []
    for i, (lo, hi) in ranges.items():
        need = MIN_VALUES_SMALL if k.small[i] else MIN_VALUES_OTHER
        if np.floor(hi + 1e-6) - np.ceil(lo - 1e-6) + 1 < need:
            bad.append(i)
    return bad
