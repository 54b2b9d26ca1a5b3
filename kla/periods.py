"""The period a dataset covers, and what that means for a year shown beside a full one.

The case register is monthly: its last month of report is the end of its coverage. A year that ends before
December is partial ("data s.d. Oktober 2025"), and comparing it with the full year before compares 10 months
with 12. Every card, chart and slide that shows such a year marks it and compares it over the same months,
as Our World in Data and DHIS2 mark incomplete periods.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from babel.dates import get_month_names

from kla import cases, queries
from kla.fmt import fmt_signed
from kla.i18n import t


@dataclass(frozen=True)
class Coverage:
    """First and last month a monthly dataset holds (the first day of each month)."""

    first: dt.date
    last: dt.date

    def months(self, year: int) -> int:
        """How many months of `year` the data covers, from January (0 before the data, 12 for a full year)."""
        if year > self.last.year:
            return 0
        return self.last.month if year == self.last.year else 12

    def partial(self, year: int) -> bool:
        """True when the year is the data's last and stops before December."""
        return year == self.last.year and self.last.month < 12


def case_coverage(key: str) -> Coverage | None:
    """The case register's coverage by month of report (the dataset's, not an area's: a kecamatan without a
    case in October is not data that stops in September); None without a register."""
    first, last = queries.register_span(key)
    if last is None:
        return None
    return Coverage(first, last)


def month_name(month: int, lang: str, short: bool = False) -> str:
    """The month's name as Babel writes it in the language ("Oktober", "Okt"; "October", "Oct")."""
    return get_month_names("abbreviated" if short else "wide", locale="id" if lang == "id" else "en")[month]


def through(cov: Coverage, lang: str) -> str:
    """'data s.d. Oktober 2025'."""
    return t("periods.through", lang=lang, month=month_name(cov.last.month, lang), year=cov.last.year)


def span(months: int, lang: str) -> str:
    """'Jan–Okt' for the first `months` months of a year."""
    if months >= 12:
        return ""
    if months == 1:
        return month_name(1, lang, short=True)
    return f"{month_name(1, lang, short=True)}–{month_name(months, lang, short=True)}"


def year_label(year: int, cov: Coverage | None, lang: str) -> str:
    """'2025 (Jan–Okt)' for a partial year, else '2025'."""
    if cov is None or not cov.partial(year):
        return str(year)
    return f"{year} ({span(cov.months(year), lang)})"


def year_delta(
    key: str,
    basis: str,
    year: int,
    this,
    prev,
    area: str | None,
    bentuk: tuple[str, ...] | None,
    public: bool,
    lang: str,
) -> tuple[str | None, str | None]:
    """(delta text, note) for a year's shown count `this` against the year before (`prev`, shown).

    A full year: "+4 dibanding 2024". A partial year: compared with the same months of the year before
    ("+16 dibanding Jan–Okt 2024"), and a note saying the year is partial; when those months are protected
    for a public viewer, no delta and a note saying why. Hidden counts ("<5") get no delta."""
    cov = case_coverage(key)
    if isinstance(this, str):
        return None, None
    if cov is None or not cov.partial(year):
        if prev is None or isinstance(prev, str):
            return None, None
        return t("ringkasan.cases_delta", lang=lang, delta=fmt_signed(this - prev, lang), prev=year - 1), None
    n = cov.months(year)
    months_text = span(n, lang)
    note = t("periods.partial_note", lang=lang, year=year, through=through(cov, lang), prev=year - 1, span=months_text)
    if year - 1 < cov.first.year:  # no year before in the register: nothing to compare with
        return None, note
    before = cases.first_months(key, basis, year - 1, n, area, bentuk, public)
    if before is None:  # a month of the year before is protected for this viewer: say why there is no delta
        hidden = t(
            "periods.same_months_hidden",
            lang=lang,
            year=year,
            through=through(cov, lang),
            span=months_text,
            prev=year - 1,
        )
        return None, hidden
    delta = t(
        "periods.same_months_delta", lang=lang, delta=fmt_signed(this - before, lang), span=months_text, prev=year - 1
    )
    return delta, note


def mark_years(bars, cov: Coverage | None, lang: str):
    """Bars named by year with the partial year named "2025 (Jan–Okt)" and marked (Bars.partial, Bars.note);
    a year after the data's last gets no bar (it is not 0, there is no data yet)."""
    if cov is None:
        return bars
    names, values, labels, partial = [], [], [], []
    for name, value, text in zip(bars.names, bars.values, bars.labels):
        year = int(name) if str(name).isdigit() else None
        if year is not None and year > cov.last.year:
            continue
        names.append(year_label(year, cov, lang) if year is not None else name)
        values.append(value)
        labels.append(text)
        partial.append(year is not None and cov.partial(year))
    note = t("periods.chart_note", lang=lang, year=cov.last.year, through=through(cov, lang)) if any(partial) else None
    return type(bars)(names, values, labels, partial if any(partial) else None, note)
