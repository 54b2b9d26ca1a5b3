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
    usia      an age in whole years: 12, "16 Tahun", "15 tahun 3 bulan" (15), "9 bulan" (0); the unit words are
              satuan_nilai.csv's of kind umur (values.parse_age_years); min and maks in years
    kategori  a word of the list `daftar` ("tahap_kla:final|verifikasi_lapangan": only those words;
              "kelompok_kla:-Total": all but those); an unknown word gets the nearest known one as a hint
    kategori_banyak  one or more words of the list `daftar` in one cell ("Fisik, Psikis dan Seksual",
              values.split_multi): the list of the distinct words, in the cell's order; each unknown word is
              reported on its own
    ya_tidak  Ya/Tidak (the list ya_tidak unless `daftar` says another): True or False
    tanggal   a day (day/month order decided per column, see date_orders); a month alone is refused
    bulan     a month, or a day kept as its month (stored as the first of the month)
    tanggal_bulan  a day, or a month alone kept as its first day ("Agustus 2021": 2021-08-01); a day is kept
    tautan    a full web address starting with http:// or https://
    indikator the number of one of the 24 KLA indicators (indikator.csv): 5, "5.", "Indikator 5"
    kode_wilayah  a Kemendagri region code as offices write it (names.normalise_code: "74.71.01", "7471011005",
              "74 71 01 1005"), stored dotted; whether the code is known is the dataset's (it spans the reference)
    koordinat a latitude or longitude (values.parse_coordinate): decimal degrees with "." or ",", or degrees, minutes
              and seconds with the hemisphere (3°58'12" LS); a column lat/latitude or lon/longitude refuses the
              other axis

harapan may name the accepted words as {daftar}. min and maks are numbers, or for years and dates `tahun_ini`,
`tahun_depan`, `hari_ini` (dates as 2000-01-01).

An optional last column `lainnya` (kategori and kategori_banyak only) names the word stored for a word that is not
on the list ("Lainnya"): the cell is kept as that word with a warning instead of refused. A file without the
column, or an empty cell, refuses an unknown word.

`check` judges one raw value without a table, (value, findings): what a table-wide path (kasus's DuckDB
columns) runs once per distinct value; `read_cell` is `check` for one cell of a row, reporting each finding
where the cell is.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache

from etl import reference, values
from etl.problems import ERROR, WARNING, Report

KINDS = (
    "teks",
    "bilangan",
    "angka",
    "tahun",
    "usia",
    "kategori",
    "kategori_banyak",
    "ya_tidak",
    "tanggal",
    "bulan",
    "tanggal_bulan",
    "tautan",
    "indikator",
    "kode_wilayah",
    "koordinat",
)
DATE_KINDS = ("tanggal", "bulan", "tanggal_bulan")
WORD_KINDS = ("kategori", "kategori_banyak", "ya_tidak")
INDICATOR_RE = re.compile(r"^\s*(?:indikator\s*)?(\d{1,2})\s*[.)]?\s*$", re.I)
URL_RE = re.compile(r"^https?://[^\s/]+\.[^\s]+$", re.I)
RELATIVE = ("tahun_ini", "tahun_depan", "hari_ini")
AXES = {"lat": "lat", "latitude": "lat", "lon": "lon", "longitude": "lon"}  # koordinat: the axis a column holds


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
    fallback: str | None = None  # the word stored for an unknown word, with a warning (None: refused)

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
        if self.kind in DATE_KINDS:
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
        if kind in WORD_KINDS and not reference.category_values(vocabulary):
            raise ValueError(f"aturan_kolom/{dataset}.csv: daftar {vocabulary!r} tidak ada di kategori_data.csv")
        fallback = (row.get("lainnya") or "").strip() or None  # an optional column: most files have none
        if fallback and kind not in ("kategori", "kategori_banyak"):
            raise ValueError(f"aturan_kolom/{dataset}.csv: lainnya hanya untuk kategori ({row['kolom']})")
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
                fallback=fallback,
            )
        )
    return tuple(out)


def rule(dataset: str, column: str) -> Rule:
    return next(r for r in rules(dataset) if r.column == column)


def date_orders(table, dataset: str, report: Report) -> dict:
    """The day/month order of every date column the dataset declares (common.date_orders: per column, from all its
    cells; a column that mixes the two orders is reported once)."""
    from etl.sources.common import date_orders as orders

    return orders(table, tuple(r.column for r in rules(dataset) if r.kind in DATE_KINDS), report)


def read_row(table, rec: dict, dataset: str, ctx, report: Report, orders: dict | None = None) -> tuple[bool, dict]:
    """(ok, {column: value}) of one row: every declared column converted by its rule (None when blank or absent).
    Every bad cell is reported, not only the first; `ok` is False when any was."""
    cells = read_cells(table, rec, dataset, ctx, report, orders)
    return all(ok for ok, _ in cells.values()), {c: value for c, (_, value) in cells.items()}


def read_cells(table, rec: dict, dataset: str, ctx, report: Report, orders: dict | None = None) -> dict:
    """{column: (ok, value)} of one row by every declared rule (read_cell), for a module that needs to know which
    cell was refused (angka_publik: a refused date gives no year); every bad cell is reported."""
    return {r.column: read_cell(table, rec, r, ctx, report, orders) for r in rules(dataset)}


def read_cell(table, rec: dict, r: Rule, ctx, report: Report, orders: dict | None = None) -> tuple[bool, object]:
    """(ok, value) of one cell by its rule (`check`); every finding is reported where the cell is."""
    present = r.column in table.columns
    raw = rec.get(r.column) if present else None
    order = (orders or {}).get(r.column, values.DAY_FIRST)
    value, findings = check(r, raw, ctx, order, table.decimal, table.thousands)
    report_findings(findings, table, rec, r.column if present else None, report)
    return not any(f.level == ERROR for f in findings), value


@dataclass(frozen=True)
class Finding:
    """A problem of one cell. message None: an error already reported once for the whole column (a date column of
    mixed day/month orders); kind: the message without the cell's content (Problem.kind); blank: the cell is
    empty, named without a value."""

    level: str  # ERROR or WARNING
    message: str | None
    kind: str | None = None
    blank: bool = False


def check(
    r: Rule, raw, ctx, order: str | None = values.DAY_FIRST, decimal: str = ",", thousands: str | None = "."
) -> tuple[object, list[Finding]]:
    """(value, findings) of one raw cell value by its rule, without a table: value is None when a finding is an
    error (or the cell is blank); a warning keeps the value (an unknown word stored as the rule's `lainnya`).
    `order` is the cell's column's day/month order (None: the column's orders conflict); decimal and thousands
    its file's number style."""
    from etl.sources.common import allowed, is_blank

    if is_blank(raw):
        if not r.filled:
            return None, []
        words = ", ".join(r.among) if r.among else allowed(r.vocabulary) if r.vocabulary else ""
        listed = f"{_how_many(r)} dari: {words}" if words and r.kind != "bilangan" else ""
        expected = f" Yang diharapkan {_words(r, r.expected) or listed}." if r.expected or listed else ""
        return None, [Finding(ERROR, f"{r.label} kosong.{expected}", blank=True)]
    cell = _Cell(ctx, order, decimal, thousands, [])
    try:
        value = READERS[r.kind](r, raw, cell)
    except Refused as exc:
        return None, [*cell.findings, Finding(ERROR, exc.message)]
    if any(f.level == ERROR for f in cell.findings):
        return None, cell.findings
    if value is None and r.filled:  # a cell that reads as nothing ("-", "–"): blank, whatever it shows
        return None, [Finding(ERROR, f"{r.label} kosong.{_expected(r)}")]
    return value, cell.findings


def report_findings(findings: list[Finding], table, rec: dict, column: str | None, report: Report) -> None:
    """Report the findings of one cell (`check`) where it is: file, sheet, Excel row, column, value."""
    from etl.sources.common import where

    for f in findings:
        if f.message is None:  # reported once for the whole column
            continue
        place = where(table, rec, column, value=None) if f.blank else where(table, rec, column)
        if f.kind:
            place["kind"] = f.kind
        report.add(f.level, f.message, **place)


@dataclass
class _Cell:
    """What a reader needs besides the rule and the raw value; it adds its warnings (and errors that are not the
    only one, a list's unknown words) to `findings`."""

    ctx: object
    order: str | None
    decimal: str
    thousands: str | None
    findings: list[Finding]


class Refused(Exception):
    """A cell that breaks its rule; `message` says why and what is expected (Indonesian)."""

    def __init__(self, message: str | None):
        super().__init__(message)
        self.message = message


def _how_many(r: Rule) -> str:
    return "satu atau lebih" if r.kind == "kategori_banyak" else "salah satu"


def _expected(r: Rule) -> str:
    return f" Yang diharapkan {_words(r, r.expected)}." if r.expected else ""


def _words(r: Rule, expected: str) -> str:
    """The expected text with {daftar} replaced by the words the rule accepts."""
    if "{daftar}" not in expected:
        return expected
    from etl.sources.common import allowed

    return expected.replace("{daftar}", ", ".join(r.among) if r.among else allowed(r.vocabulary))


def _text(r, raw, cell):
    from etl.sources.common import text

    return text(raw)


def _known(r: Rule, raw) -> str | None:
    word = reference.match_category(r.vocabulary, raw)
    return None if word is None or (r.among and word not in r.among) else word


def _word(r, raw, cell):
    word = _one_word(r, raw, cell)
    return (word == "Ya") if r.kind == "ya_tidak" and word is not None else word


def _word_list(r, raw, cell):
    """The distinct words of a cell of several (values.split_multi), in order; None for a cell of separators."""
    out = []
    for part in values.split_multi(raw):
        word = _one_word(r, part, cell, shown=f' "{part}"')
        if word is not None and word not in out:
            out.append(word)
    return out or None


def _one_word(r, raw, cell, shown: str = "") -> str | None:
    """The list's word for one word of a cell. An unknown one is the rule's fallback word (with its warning), else
    None after its error joins cell.findings; `shown` names the word in the message when a cell holds several."""
    from etl.sources.common import hint, text

    word = _known(r, raw)
    if word is not None:
        return word
    if r.fallback:
        cell.findings.append(_kept(r, text(raw)))
        return r.fallback
    listed = _words(r, r.expected) or f"{_how_many(r)} dari: {_words(r, '{daftar}')}"
    message = f"{r.label}{shown} tidak dikenal.{hint(r.vocabulary, raw, r.among)} Yang diharapkan {listed}."
    kind = f"{r.label} tidak dikenal. Yang diharapkan {listed}." if shown else None  # without the cell's word
    cell.findings.append(Finding(ERROR, message, kind=kind))
    return None


def _kept(r: Rule, part: str) -> Finding:
    """The warning for an unknown word kept as the rule's fallback word."""
    from etl.sources.common import hint

    said = f'dicatat sebagai "{r.fallback}".'
    listed = _words(r, "{daftar}")
    near = hint(r.vocabulary, part, r.among)
    return Finding(
        WARNING,
        f'Nilai "{part}" tidak ada dalam daftar dan {said}{near} Yang diharapkan: {listed}.',
        kind=f"Nilai tidak ada dalam daftar dan {said} Yang diharapkan: {listed}.",
    )


def _link(r, raw, cell):
    from etl.sources.common import text

    link = text(raw)
    if not URL_RE.match(link):
        raise Refused(f"{r.label} harus alamat web lengkap yang diawali http:// atau https://, tanpa spasi.")
    return link


def _indicator(r, raw, cell):
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


def _number(r, raw, cell):
    from etl.sources.common import why

    try:
        if r.kind == "angka":
            n = values.parse_number(raw, cell.decimal, cell.thousands)
        elif r.kind == "bilangan" and r.vocabulary:
            n = values.parse_count(raw, cell.decimal, cell.thousands, counts=r.vocabulary)
        else:
            n = values.parse_int(raw, cell.decimal, cell.thousands)
    except ValueError as exc:
        raise Refused(f"{r.label} bukan angka{why(exc)}.{_expected(r)}") from None
    return None if n is None else _in_range(r, n, cell.ctx)


AGE_REASONS = {"harus bilangan bulat": "bukan bilangan bulat", "bukan angka": "bukan angka"}


def _age(r, raw, cell):
    """Whole years (values.parse_age_years: the unit words of satuan_nilai.csv, "9 bulan" is 0)."""
    try:
        age = values.parse_age_years(raw)
    except ValueError as exc:
        what = AGE_REASONS.get(str(exc), f"tidak dapat dibaca ({exc})")  # a unit that is not one of age ("16 kg")
        raise Refused(f"{r.label} {what}.{_expected(r)}") from None
    if age is None:
        return None
    return _in_range(r, age, cell.ctx)


def _date(r, raw, cell):
    if cell.order is None:  # the column mixes day/month and month/day: reported once by date_orders
        raise Refused(None)
    example = "15/03/2025" + (" atau bulan, misalnya Maret 2025" if r.kind != "tanggal" else "")
    expected = r.expected or f"tanggal, misalnya {example}"
    try:
        got = values.read_date(raw, cell.order)
    except ValueError as exc:
        raise Refused(f"{r.label} tidak dapat dibaca ({exc}); yang diharapkan {expected}.") from None
    if got is None:
        return None
    if got.month_only and r.kind == "tanggal":
        raise Refused(f"{r.label} hanya menyebut bulan; tulis tanggal lengkapnya, misalnya 15/03/2025.")
    return _in_range(r, got.date.replace(day=1) if r.kind == "bulan" else got.date, cell.ctx, shown=got.date)


def _region_code(r, raw, cell):
    from etl.names import normalise_code

    kode = normalise_code(raw)
    if kode is None:
        raise Refused(f"{r.label} tidak dapat dibaca.{_expected(r)}")
    return kode


def _coordinate(r, raw, cell):
    try:
        return values.parse_coordinate(raw, AXES.get(r.column))
    except ValueError as exc:
        raise Refused(f"{r.label} tidak dapat dibaca ({exc}).{_expected(r)}") from None


READERS = {
    "teks": _text,
    "kode_wilayah": _region_code,
    "koordinat": _coordinate,
    "kategori": _word,
    "kategori_banyak": _word_list,
    "ya_tidak": _word,
    "tautan": _link,
    "indikator": _indicator,
    "bilangan": _number,
    "angka": _number,
    "tahun": _number,
    "usia": _age,
    "tanggal": _date,
    "bulan": _date,
    "tanggal_bulan": _date,
}


def _fmt(value) -> str:
    if isinstance(value, dt.date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, float):
        return (f"{value:g}").replace(".", ",")
    return str(value)


def _in_range(r: Rule, value, ctx, shown=None):
    """The value, after the rule's min and maks (a date after today is "di masa depan"); a refusal says what is
    expected when the rule says it (harapan)."""
    try:
        return _bounded(r, value, ctx, shown)
    except Refused as exc:
        raise Refused(f"{exc.message}{_expected(r)}") from None


def _bounded(r: Rule, value, ctx, shown=None):
    today = ctx.today
    low, high = r.bound("min", today), r.bound("maks", today)
    shown = _fmt(value if shown is None else shown)
    if low is not None and value < low:
        if isinstance(low, dt.date):
            raise Refused(f"{r.label} ({shown}) sebelum {_fmt(low)}; periksa penulisan tahunnya.")
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
