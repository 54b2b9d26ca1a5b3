"""Column rules declared as data (data/reference/aturan_kolom/<dataset>.csv): what a cell of a column must be.

One row per column: its kind (jenis), whether a blank cell is refused (isi), the controlled list a
word must come from (daftar, in kategori_data.csv), the range a number, year or date must lie in (min, maks), how
messages name the column (label) and what is expected (harapan). `read_row` applies every rule of a dataset to one
row of a table and reports every bad cell, naming the file, sheet, Excel row, column, value and what was
expected; the dataset's module keeps only what spans cells (areas, totals, duplicates, dates in order).

Kinds:
    teks      text, kept as written (stripped)
    bilangan  a whole number; units of a count ("35 orang") are read when `daftar` names what is counted
    angka     a number, decimals allowed, in the file's decimal style (1.234,5 or 1,234.5)
    tahun     a year (a whole number), by default 2006 to next year
    kategori  a word of the list `daftar` ("tahap_kla:final|verifikasi_lapangan": only those words;
              "kelompok_kla:-Total": all but those); an unknown word gets the nearest known one as a hint
    ya_tidak  Ya/Tidak (the list ya_tidak unless `daftar` says another): True or False
    tanggal   a day (day/month order decided per column, see date_orders); a month alone is refused
    bulan     a month, or a day kept as its month (stored as the first of the month)
    tautan    a full web address starting with http:// or https://
    indikator the number of one of the 24 KLA indicators (indikator.csv): 5, "5.", "Indikator 5"

harapan may name the accepted words as {daftar}. min and maks are numbers, or for years and dates `tahun_ini`,
`tahun_depan`, `hari_ini`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache

from etl import reference, values
from etl.problems import Report

KINDS = ("teks", "bilangan", "angka", "tahun", "kategori", "ya_tidak", "tanggal", "bulan", "tautan", "indikator")
INDICATOR_RE = re.compile(r"^\s*(?:indikator\s*)?(\d{1,2})\s*[.)]?\s*$", re.I)
URL_RE = re.compile(r"^https?://[^\s/]+\.[^\s]+$", re.I)
RELATIVE = ("tahun_ini", "tahun_depan", "hari_ini")


@dataclass(frozen=True)
class Rule:
    dataset: str
    column: str
    kind: str
    filled: bool  # a blank cell is an error
    vocabulary: str | None
    among: tuple[str, ...] | None  # only these words of the list ("tahap_kla:evaluasi_mandiri|final")
    low: str | None
    high: str | None
    label: str
    expected: str

    def bound(self, which: str, today: dt.date):
        """The rule's min or maks as a value of its kind (None: no bound)."""
        raw = self.low if which == "min" else self.high
        if raw is None:
            if self.kind == "tahun":
                return 2006 if which == "min" else today.year + 1
            return None
        if raw == "tahun_ini":
            return today.year
        if raw == "tahun_depan":
            return today.year + 1
        if raw == "hari_ini":
            return today
        if self.kind in ("tanggal", "bulan"):
            return dt.date.fromisoformat(raw)
        return float(raw) if "." in raw else int(raw)


@cache
def rules(dataset: str) -> tuple[Rule, ...]:
    """The declared rules of a dataset, in file order; checked against kolom.csv (a rule names a known column)."""
    known = {c.name for c in reference.columns(dataset)}
    out = []
    path = reference.REFERENCE_DIR / "aturan_kolom" / f"{dataset}.csv"
    for row in reference.read_csv_rows(f"aturan_kolom/{dataset}.csv") if path.exists() else ():
        kind = row["jenis"].strip()
        if kind not in KINDS:
            raise ValueError(f"aturan_kolom/{dataset}.csv: jenis {kind!r} tidak dikenal ({row['kolom']})")
        if row["kolom"] not in known:
            raise ValueError(
                f"aturan_kolom/{dataset}.csv: kolom {row['kolom']!r} tidak ada di kolom.csv untuk {dataset}"
            )
        vocabulary, _, subset = (row["daftar"].strip() or ("ya_tidak" if kind == "ya_tidak" else "")).partition(":")
        vocabulary = vocabulary or None
        among = tuple(v.strip() for v in subset.removeprefix("-").split("|")) if subset else None
        if subset.startswith("-"):  # "kelompok_kla:-Total": every word of the list but these
            among = tuple(v for v in reference.category_values(vocabulary) if v not in among)
        if among and not set(among) <= set(reference.category_values(vocabulary)):
            raise ValueError(f"aturan_kolom/{dataset}.csv: {subset!r} bukan kata daftar {vocabulary!r}")
        if kind in ("kategori", "ya_tidak") and not reference.category_values(vocabulary):
            raise ValueError(f"aturan_kolom/{dataset}.csv: daftar {vocabulary!r} tidak ada di kategori_data.csv")
        out.append(
            Rule(
                dataset=dataset,
                column=row["kolom"],
                kind=kind,
                filled=row["isi"].strip() == "wajib",
                vocabulary=vocabulary,
                among=among,
                low=row["min"].strip() or None,
                high=row["maks"].strip() or None,
                label=row["label"].strip(),
                expected=row["harapan"].strip(),
            )
        )
    return tuple(out)


def rule(dataset: str, column: str) -> Rule:
    return next(r for r in rules(dataset) if r.column == column)


def date_orders(table, dataset: str, report: Report) -> dict:
    """The day/month order of every date column the dataset declares (common.date_orders: per column, from all its
    cells; a column that mixes the two orders is reported once)."""
    from etl.sources.common import date_orders as orders

    return orders(table, tuple(r.column for r in rules(dataset) if r.kind in ("tanggal", "bulan")), report)


def read_row(table, rec: dict, dataset: str, ctx, report: Report, orders: dict | None = None) -> tuple[bool, dict]:
    """(ok, {column: value}) of one row: every declared column converted by its rule (None when blank or absent).
    Every bad cell is reported, not only the first; `ok` is False when any was."""
    ok, got = True, {}
    for r in rules(dataset):
        good, got[r.column] = read_cell(table, rec, r, ctx, report, orders)
        ok = ok and good
    return ok, got


def read_cell(table, rec: dict, r: Rule, ctx, report: Report, orders: dict | None = None) -> tuple[bool, object]:
    """(ok, value) of one cell by its rule; a bad cell is reported where it is."""
    from etl.sources.common import allowed, is_blank, where

    present = r.column in table.columns
    raw = rec.get(r.column) if present else None
    if is_blank(raw):
        if not r.filled:
            return True, None
        words = ", ".join(r.among) if r.among else allowed(r.vocabulary) if r.vocabulary else ""
        listed = f"salah satu dari: {words}" if words and r.kind != "bilangan" else ""
        expected = f" Yang diharapkan {_words(r, r.expected) or listed}." if r.expected or listed else ""
        report.error(f"{r.label} kosong.{expected}", **where(table, rec, r.column if present else None, value=None))
        return False, None
    try:
        value = READERS[r.kind](r, raw, table, ctx, (orders or {}).get(r.column, values.DAY_FIRST))
    except Refused as exc:
        if exc.message:  # else already reported once for the whole column (a date column of mixed orders)
            report.error(exc.message, **where(table, rec, r.column))
        return False, None
    if value is None and r.filled:  # a cell that reads as nothing ("-", "–"): blank, whatever it shows
        report.error(f"{r.label} kosong.{_expected(r)}", **where(table, rec, r.column))
        return False, None
    return True, value


class Refused(Exception):
    """A cell that breaks its rule; `message` says why and what is expected (Indonesian)."""

    def __init__(self, message: str | None):
        super().__init__(message)
        self.message = message


def _expected(r: Rule) -> str:
    return f" Yang diharapkan {_words(r, r.expected)}." if r.expected else ""


def _words(r: Rule, expected: str) -> str:
    """The expected text with {daftar} replaced by the words the rule accepts."""
    if "{daftar}" not in expected:
        return expected
    from etl.sources.common import allowed

    return expected.replace("{daftar}", ", ".join(r.among) if r.among else allowed(r.vocabulary))


def _text(r, raw, table, ctx, order):
    from etl.sources.common import text

    return text(raw)


def _word(r, raw, table, ctx, order):
    from etl.sources.common import hint

    word = reference.match_category(r.vocabulary, raw)
    if word is None or (r.among and word not in r.among):
        listed = _words(r, r.expected) or f"salah satu dari: {_words(r, '{daftar}')}"
        raise Refused(f"{r.label} tidak dikenal.{hint(r.vocabulary, raw, r.among)} Yang diharapkan {listed}.")
    return (word == "Ya") if r.kind == "ya_tidak" else word


def _link(r, raw, table, ctx, order):
    from etl.sources.common import text

    link = text(raw)
    if not URL_RE.match(link):
        raise Refused(f"{r.label} harus alamat web lengkap yang diawali http:// atau https://, tanpa spasi.")
    return link


def _indicator(r, raw, table, ctx, order):
    from etl.sources.common import text

    m = INDICATOR_RE.match(text(raw) or "")
    catalog = _indicator_numbers()
    if not m or int(m.group(1)) not in catalog:
        more = f", {r.expected}" if r.expected else ""
        raise Refused(f"{r.label} tidak dikenal; yang diharapkan angka 1 sampai {max(catalog)}{more}.")
    return int(m.group(1))


@cache
def _indicator_numbers() -> frozenset[int]:
    return frozenset(row["nomor"] for row in reference.indicator_catalog())


def _number(r, raw, table, ctx, order):
    from etl.sources.common import why

    try:
        if r.kind == "angka":
            n = values.parse_number(raw, table.decimal, table.thousands)
        elif r.kind == "bilangan" and r.vocabulary:
            n = values.parse_count(raw, table.decimal, table.thousands, counts=r.vocabulary)
        else:
            n = values.parse_int(raw, table.decimal, table.thousands)
    except ValueError as exc:
        raise Refused(f"{r.label} bukan angka{why(exc)}.{_expected(r)}") from None
    return None if n is None else _in_range(r, n, ctx)


def _date(r, raw, table, ctx, order):
    if order is None:  # the column mixes day/month and month/day: reported once by date_orders
        raise Refused(None)
    example = "15/03/2025" + (" atau bulan, misalnya Maret 2025" if r.kind == "bulan" else "")
    expected = r.expected or f"tanggal, misalnya {example}"
    try:
        got = values.read_date(raw, order)
    except ValueError as exc:
        raise Refused(f"{r.label} tidak dapat dibaca ({exc}); yang diharapkan {expected}.") from None
    if got is None:
        return None
    if got.month_only and r.kind == "tanggal":
        raise Refused(f"{r.label} hanya menyebut bulan; tulis tanggal lengkapnya, misalnya 15/03/2025.")
    return _in_range(r, got.date.replace(day=1) if r.kind == "bulan" else got.date, ctx, shown=got.date)


READERS = {
    "teks": _text,
    "kategori": _word,
    "ya_tidak": _word,
    "tautan": _link,
    "indikator": _indicator,
    "bilangan": _number,
    "angka": _number,
    "tahun": _number,
    "tanggal": _date,
    "bulan": _date,
}


def _fmt(value) -> str:
    if isinstance(value, dt.date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, float):
        return (f"{value:g}").replace(".", ",")
    return str(value)


def _in_range(r: Rule, value, ctx, shown=None):
    """The value, after the rule's min and maks; a date after today is "di masa depan"."""
    today = ctx.today
    low, high = r.bound("min", today), r.bound("maks", today)
    shown = _fmt(value if shown is None else shown)
    if low is not None and value < low:
        if low == 0:
            raise Refused(f"{r.label} tidak boleh negatif.")
        if high is None:
            raise Refused(f"{r.label} {shown} kurang dari {_fmt(low)}.")
        raise Refused(f"{r.label} {shown} di luar rentang {_fmt(low)}-{_fmt(high)}.")
    if high is not None and value > high:
        if r.high == "hari_ini":
            raise Refused(f"{r.label} ({shown}) ada di masa depan.")
        if low is None:
            raise Refused(f"{r.label} {shown} lebih dari {_fmt(high)}.")
        raise Refused(f"{r.label} {shown} di luar rentang {_fmt(low)}-{_fmt(high)}.")
    return value
