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
MIN_VALUES_SMALL = 3  # a "<5" keeps at least 3 possible values
MIN_VALUES_OTHER = 2  # any other hidden cell is never determined


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


@dataclass(frozen=True)
class Compiled:
    """The lines as flat arrays, for propagation over all of them at once (numpy, no Python loop per line)."""

    cell: np.ndarray  # member -> cell
    line: np.ndarray  # member -> line
    part: np.ndarray  # member is a part (else the line's total)
    total: np.ndarray  # line -> its total's cell
    cover: np.ndarray  # line -> multi-valued
    starts: np.ndarray  # line -> index of its first part in the parts-only order
    n_lines: int


def compile_lines(lines: Sequence[Line]) -> Compiled:
    cell, line, part = [], [], []
    for i, ln in enumerate(lines):
        cell += [*ln.parts, ln.total]
        line += [i] * (len(ln.parts) + 1)
        part += [True] * len(ln.parts) + [False]
    cell_a, line_a, part_a = (
        np.array(cell, dtype=np.int64),
        np.array(line, dtype=np.int64),
        np.array(part, dtype=bool),
    )
    counts = np.bincount(line_a[part_a], minlength=len(lines))
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    return Compiled(
        cell_a,
        line_a,
        part_a,
        np.array([ln.total for ln in lines], dtype=np.int64),
        np.array([ln.cover for ln in lines], dtype=bool),
        starts,
        len(lines),
    )


def _groups(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(distinct cells, an order that groups equal cells, where each group starts in that order)."""
    order = np.argsort(cells, kind="stable")
    distinct, starts = np.unique(cells[order], return_index=True)
    return distinct, order, starts


def propagate(
    lines: Sequence[Line] | Compiled, lo: np.ndarray, hi: np.ndarray, rounds: int = 500
) -> tuple[np.ndarray, np.ndarray]:
    """Tighten [lo, hi] over every line until nothing changes (integer cells)."""
    c = lines if isinstance(lines, Compiled) else compile_lines(lines)
    lo, hi = lo.astype(float).copy(), hi.astype(float).copy()
    if not c.n_lines:
        return lo, hi
    pc, pl = c.cell[c.part], c.line[c.part]  # the parts, grouped by line in order
    n = c.n_lines
    t_cells, t_order, t_starts = _groups(c.total)  # to take the tightest bound per cell
    p_cells, p_order, p_starts = _groups(pc)
    for _ in range(rounds):
        p_lo, p_hi = lo[pc], hi[pc]
        inf = np.isinf(p_hi)
        s_lo = np.bincount(pl, weights=p_lo, minlength=n)
        s_hi = np.bincount(pl, weights=np.where(inf, 0.0, p_hi), minlength=n)
        n_inf = np.bincount(pl, weights=inf.astype(float), minlength=n)
        t_lo, t_hi = lo[c.total], hi[c.total]
        has_parts = np.bincount(pl, minlength=n) > 0
        max_lo = np.zeros(n)
        if len(pc):
            max_lo[has_parts] = np.maximum.reduceat(p_lo, c.starts[has_parts])
        # totals: within the parts' sum (a multi-valued total: at most the sum, at least its largest part)
        new_t_lo = np.where(c.cover, max_lo, s_lo)
        new_t_hi = np.where(n_inf == 0, s_hi, np.inf)
        # parts: the total less the others (a multi-valued part: at most its total)
        others_inf = n_inf[pl] - inf
        new_p_lo = np.where(others_inf == 0, t_lo[pl] - (s_hi[pl] - np.where(inf, 0.0, p_hi)), -np.inf)
        new_p_hi = np.where(c.cover[pl], t_hi[pl], t_hi[pl] - (s_lo[pl] - p_lo))
        lo2, hi2 = lo.copy(), hi.copy()
        with np.errstate(invalid="ignore"):
            for cells, order, starts, new_lo, new_hi in (
                (t_cells, t_order, t_starts, new_t_lo, new_t_hi),
                (p_cells, p_order, p_starts, np.ceil(new_p_lo - 1e-9), np.floor(new_p_hi + 1e-9)),
            ):
                lo2[cells] = np.maximum(lo2[cells], np.maximum.reduceat(new_lo[order], starts))
                hi2[cells] = np.minimum(hi2[cells], np.minimum.reduceat(new_hi[order], starts))
        if np.array_equal(lo2, lo) and np.array_equal(hi2, hi):
            break
        lo, hi = lo2, hi2
    return lo, hi


def exposed(status: np.ndarray, lo: np.ndarray, hi: np.ndarray, values: np.ndarray, n_cells: int) -> np.ndarray:
    """Hidden cells an attacker has narrowed too far: a count of 1-4 to fewer than 3 values, any other to one.
    A hidden zero may be pinned down (zeros are published as they are); atoms (past n_cells) are not shown."""
    v = values[:n_cells]
    need = np.where((v > 0) & (v < THRESHOLD), MIN_VALUES_SMALL, MIN_VALUES_OTHER)
    narrow = (status[:n_cells] != OK) & (hi[:n_cells] - lo[:n_cells] + 1 < need) & (v != 0)
    return np.flatnonzero(narrow)


def _rank(cells, values: np.ndarray, cost: np.ndarray, degree: np.ndarray) -> list[int]:
    """Cells to hide next, best first: the least important (`cost`), through few other lines (each must then
    hide one more), a count of 5 or more before a zero, the smallest (the least information lost)."""
    return sorted(set(cells), key=lambda c: (cost[c], degree[c], values[c] < THRESHOLD, values[c] == 0, values[c], c))


def _widen(
    cell: int,
    lines_of: dict[int, list[Line]],
    lines: Compiled,
    values: np.ndarray,
    status: np.ndarray,
    cost: np.ndarray,
    degree: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    n_cells: int,
    lookahead: int = 4,
) -> bool:
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
    for pick in _rank(near + far, values, cost, degree)[:lookahead]:
        status[pick] = SECONDARY
        lo2, hi2 = propagate(lines, *known_bounds(values, status))
        if cell not in exposed(status, lo2, hi2, values, n_cells):
            return True
        status[pick] = OK
    if near:  # no look ahead: the cheapest cell of a narrowing line, unless that is a count of cases and a
        best = _rank(near, values, cost, degree)[0]  # cheaper cell widens one of the line's hidden cells
        cheaper = [c for c in far if cost[c] < cost[best]]
        status[_rank(cheaper, values, cost, degree)[0] if cheaper else best] = SECONDARY
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
    if ln.cover:  # sum(parts) >= total >= each part
        rest = [c for c in others if c != ln.total]
        if cell == ln.total:
            a, b = lo[others].max(initial=0), hi[others].sum()
        else:
            a, b = lo[ln.total] - hi[rest].sum(), hi[ln.total]
    elif cell == ln.total:
        a, b = lo[others].sum(), hi[others].sum()
    else:
        rest = [c for c in others if c != ln.total]
        a, b = lo[ln.total] - hi[rest].sum(), hi[ln.total] - lo[rest].sum()
    return a >= lo[cell] - 1e-9 or b <= hi[cell] + 1e-9


def protect(
    values: np.ndarray,
    lines: Sequence[Line],
    cost: np.ndarray | None = None,
    checker=None,
    n_cells: int | None = None,
    max_rounds: int = 100_000,
) -> np.ndarray:
    """Status (OK / PRIMARY / SECONDARY) of every cell, protected over all lines together.

    Values past `n_cells` are atoms: true counts no table shows (a kecamatan's cases of one year and category),
    which the lines tie to the cells they make up; a viewer knows only that they are >= 0.

    `cost` ranks cells by how much hiding them costs the reader (higher: hidden last). `checker(status) ->
    exposed cell indices` is an optional stronger attack (the LP) run after propagation finds nothing; what it
    exposes is repaired the same way.
    """
    values = np.asarray(values, dtype=np.int64)
    n_cells = len(values) if n_cells is None else n_cells
    cost = np.zeros(len(values)) if cost is None else np.asarray(cost)
    status = primary(values)
    status[n_cells:] = SECONDARY
    lines_of: dict[int, list[Line]] = {c: [] for c in range(len(values))}
    for ln in lines:
        for c in ln.cells:
            lines_of[c].append(ln)
    degree = np.array([len(lines_of[c]) for c in range(len(values))])
    compiled = compile_lines(lines)
    for _ in range(max_rounds):
        lo, hi = propagate(compiled, *known_bounds(values, status))
        bad = exposed(status, lo, hi, values, n_cells)
        if not len(bad) and checker is not None:
            bad = checker(status[:n_cells])
            lo, hi = known_bounds(values, status)
        if not len(bad):
            return status[:n_cells]
        # the first exposed cell with a look ahead; the others of this round far from it, plainly
        touched: set[int] = set()
        for k, cell in enumerate(int(c) for c in bad):
            if cell in touched:
                continue
            before = status.copy()
            if not _widen(
                cell, lines_of, compiled, values, status, cost, degree, lo, hi, n_cells, lookahead=4 if k == 0 else 0
            ):
                raise RuntimeError("small-count protection cannot hide another cell")
            for changed in np.flatnonzero(before != status):
                touched.update(c for ln in lines_of[int(changed)] for c in ln.cells)
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
        return csr_matrix(
            (np.concatenate(data), (np.concatenate(r_idx), np.concatenate(c_idx))), shape=(len(rows), k.n_atoms)
        )  # duplicates add up

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
