"""The personal-data pre-filters are supersets of pii.find (issue 20): whatever find() calls a NIK, phone number or
e-mail address, the cheap Python test (pii._CANDIDATE) and DuckDB's (pii.SQL_CANDIDATE, which spares the columnar
path's 1M-row columns the Python rules) let through. A filter that dropped one would let a personal number load."""

from __future__ import annotations

import random

import duckdb
import pytest

from etl import pii
from tests.test_pii import EMAILS, NIK_SPELLINGS, ORDINARY, PHONES

SEPARATORS = ["", " ", "-", ".", " - ", " . ", "  ", "   ", "(", ") ", "\u2013", "\u00a0", "\t"]


def _spellings(rng: random.Random, n: int) -> list[str]:
    """Phone numbers and NIKs written as offices write them: split into groups by any separator, inside text."""
    out = []
    for _ in range(n):
        kind = rng.choice(["08", "62", "+62", "628", "8", "nik", "digits"])
        if kind == "nik":
            digits = "".join(rng.choice("0123456789") for _ in range(16))
        elif kind == "digits":
            digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(6, 20)))
        else:
            digits = {"08": "08", "62": "62", "+62": "62", "628": "628", "8": "8"}[kind]
            digits += str(rng.randint(1, 9)) + "".join(rng.choice("0123456789") for _ in range(rng.randint(6, 12)))
        groups, i = [], 0
        while i < len(digits):
            k = rng.randint(1, 6)
            groups.append(digits[i : i + k])
            i += k
        body = groups[0] + "".join(rng.choice(SEPARATORS) + g for g in groups[1:])
        if kind == "+62":
            body = "+" + rng.choice(["", " "]) + body
        out.append(rng.choice(["", "HP ", "Telp: ", "B/2024/", "no. "]) + body + rng.choice(["", " (ibu)", ";", "x"]))
    return out


@pytest.fixture(scope="module")
def con():
    c = duckdb.connect()
    yield c
    c.close()


def _sql_candidate(con, values: list[str]) -> list[bool]:
    cond = pii.SQL_CANDIDATE.format(c="v")
    rows = con.execute(
        f"SELECT k, {cond} FROM (SELECT unnest(?::VARCHAR[]) AS v, unnest(range(?)) AS k) ORDER BY k",
        [values, len(values)],
    ).fetchall()
    return [bool(ok) for _, ok in rows]


def test_every_personal_spelling_passes_both_filters(con):
    """The tests' spellings and 20,000 generated ones (seeded): each one find() reports is a candidate for both."""
    values = [*NIK_SPELLINGS, *PHONES, *EMAILS, *_spellings(random.Random(20), 20_000)]
    found = [v for v in values if pii.find(v)]
    assert len(found) > 3_000  # the generator does write personal numbers: the assertions below are not vacuous
    sql = dict(zip(found, _sql_candidate(con, found)))
    missed_py = [v for v in found if v.isascii() and not pii._CANDIDATE.search(v)]
    missed_sql = [v for v in found if not sql[v]]
    assert not missed_py, missed_py[:10]
    assert not missed_sql, missed_sql[:10]


def test_register_numbers_with_08_inside_are_not_candidates(con):
    """A register number such as B/2024/0810000 holds "08" then digits, too few for a phone number: neither filter
    sends it to the Python rules (in the national bench register, 90,000 of them did)."""
    ordinary = ["B/2024/0810000", "REG-0812-001", "62.08.13.2008", "Desa Sintetis 62.08.13.2008", *ORDINARY]
    assert not [v for v in ordinary if pii.find(v)]
    assert _sql_candidate(con, ordinary[:4]) == [False] * 4
    assert not [v for v in ordinary[:4] if pii._CANDIDATE.search(v)]
