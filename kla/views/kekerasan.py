"""The Kekerasan page as data: key figures, trends, rates per unit, the unit x year table, breakdowns and the
recaps beside the register, protected (kla.cases, kla.recap) and labelled for the viewer.

Every figure comes from the one protected unit x year table of the chosen range (kla.cases.kecamatan_year),
or from kla.cases / kla.recap for months, breakdowns and recaps. `basis` and `bentuk` are the analysts'
filters; public viewers pass PUBLIC_BASIS and no forms (kla.cases refuses anything else for them).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from kla import cases, i18n, periods, queries, recap
from kla.fmt import fmt_dec, md_text
from kla.i18n import t
from kla.privacy import OK, TOTAL, Protected, rate
from kla.views import Bars, Card, Context, bars, cells, label, row_bars

PUBLIC_BASIS = cases.PUBLIC_BASIS
BASES = ["pelaporan", "kejadian"]  # analysts: by month of report or of the incident

# (dimension, one category per case): single ones count cases (with the total as a line to protect), the others
# count forms or services (a case can have several)
BREAKDOWNS = [
    ("bentuk", False),
    ("kelompok_umur", True),
    ("jenis_kelamin", True),
    ("tempat_kejadian", True),
    ("hubungan_pelaku", True),
    ("layanan", False),
    ("disabilitas", True),
]


@dataclass(frozen=True)
class Months:
    """Cases per month of the last year of the range and of the year before, or why there is no chart."""

    this: Bars | None
    last: Bars | None
    info: str | None  # "city only" or "too few to show" (then no chart), else None

    @property
    def shown(self) -> bool:
        return self.info is None


@dataclass(frozen=True)
class Breakdown:
    """One breakdown chart: its dimension (the chart's key), title, bars, unit and caption; without bars, the
    note saying why (a kecamatan's breakdowns are published for the whole period only)."""

    dim: str
    title: str
    bars: Bars | None
    unit: str
    caption: str
    info: str | None = None


@dataclass(frozen=True)
class RecapComparison:
    """The recaps and the register per period: the shown table, whether two sources differ, and the chart
    series (per source: values with None where hidden or missing, labels)."""

    table: pd.DataFrame
    differ: bool
    periods: list[str]
    series: dict[str, tuple[list, list[str]]]


@dataclass(frozen=True)
class RecapBreakdown:
    """A recap source's breakdown by one dimension: per category, its values and labels per period."""

    periods: list[str]
    series: dict[str, tuple[list, list[str]]]
    unit: str  # the axis title
    caption: str


# --- the register --------------------------------------------------------------------------------
def has_register(ctx: Context) -> bool:
    """Whether the register holds cases (else the page shows the recaps only, or nothing)."""
    return bool(queries.case_years(ctx.key, "pelaporan"))


def has_recaps(ctx: Context) -> bool:
    return bool(len(queries.recap_totals(ctx.key)))


def year_range(ctx: Context) -> tuple[int, int, str | None]:
    """(first year the slider offers, last year of the range, a note when that is not the sidebar's year).

    The range always ends at the sidebar's year, so the page and the sidebar never disagree; the slider only
    picks where it starts. A sidebar year before the register's first shows the first, and says so."""
    years = queries.case_years(ctx.key, "pelaporan") or [ctx.year]
    lo = min(years)
    if ctx.year >= lo:
        return lo, ctx.year, None
    return lo, lo, t("kekerasan.year_before_register", lang=ctx.lang, year=ctx.year, first=lo)


def form_options(ctx: Context) -> list[str]:
    """The forms of violence an analyst can filter on."""
    return queries.form_list(ctx.key)


def lead(ctx: Context, basis: str, y0: int, y1: int) -> str:
    """The line under the title (for the HTML lead: the kecamatan's name escaped)."""
    where = t("ringkasan.where_kec", lang=ctx.lang, name=md_text(ctx.kecamatan_name)) if ctx.kecamatan else ""
    basis_name = t(f"kekerasan.basis_{basis}", lang=ctx.lang).lower()
    return t("kekerasan.lead", lang=ctx.lang, y0=y0, y1=y1, where=where, basis=basis_name)


def _table(ctx: Context, basis: str, y0: int, y1: int, bentuk: tuple[str, ...] | None) -> Protected:
    """The protected unit x year table every figure reads: cases per unit of the region and year of y0..y1,
    with totals, as the viewer may see them. Built once per filters and version file (a page run reads it for
    its cards, bars, rates, table and breakdowns); read only."""
    try:
        stat = os.stat(ctx.key)
    except OSError:  # not a file we can check: no reuse
        return cases.kecamatan_year(ctx.key, basis, y0, y1, bentuk, ctx.public, ctx.region)
    return _built_table(ctx.key, stat.st_mtime_ns, stat.st_size, basis, y0, y1, bentuk, ctx.public, ctx.region)


@lru_cache(maxsize=16)
def _built_table(
    key: str,
    mtime_ns: int,  # the file's state is part of the cache key: a file changed in place is read again
    size: int,
    basis: str,
    y0: int,
    y1: int,
    bentuk: tuple[str, ...] | None,
    public: bool,
    area: str | None,
) -> Protected:
    return cases.kecamatan_year(key, basis, y0, y1, bentuk, public, area)


def _row(ctx: Context):
    return ctx.kecamatan or TOTAL


# --- key figures ---------------------------------------------------------------------------------
def cards(ctx: Context, basis: str, y0: int, y1: int, bentuk: tuple[str, ...] | None) -> list[Card]:
    """Cases in the last year (with the change from the year before), cases over the range, and the rate per
    1,000 children in the last year, of the chosen area."""
    lang = ctx.lang
    table = _table(ctx, basis, y0, y1, bentuk)
    shown, row = table.shown(), _row(ctx)
    this = shown.loc[row, y1]
    prev = shown.loc[row, y1 - 1] if y1 - 1 in shown.columns else None
    # a partial year (data s.d. Oktober) is compared with the same months of the year before
    delta, period_note = periods.year_delta(ctx.key, basis, y1, this, prev, ctx.area, bentuk, ctx.public, lang)
    cov = periods.case_coverage(ctx.key)
    children = queries.children(ctx.key, y1, ctx.area)
    r = rate(table.counts.loc[row, y1], children, hidden=table.status.loc[row, y1] != OK)
    return [
        Card(
            t("kekerasan.kpi_year", lang=lang, year=periods.year_label(y1, cov, lang)),
            label(this, lang),
            delta=delta,
            help=" ".join(x for x in (t("kekerasan.kpi_year_help", lang=lang), period_note) if x),
            delta_color="inverse",
        ),
        Card(
            t("kekerasan.kpi_range", lang=lang, y0=y0, y1=y1),
            label(shown.loc[row, TOTAL], lang),
            help=t("kekerasan.kpi_range_help", lang=lang),
        ),
        Card(
            t("kekerasan.kpi_rate", lang=lang, year=periods.year_label(y1, cov, lang)),
            fmt_dec(r, 2, lang) if r is not None else "—",
            help=t("kekerasan.kpi_rate_help", lang=lang),
        ),
    ]


def privacy_note(ctx: Context, basis: str, y0: int, y1: int, bentuk: tuple[str, ...] | None) -> str | None:
    """The note on "<5" and "*" when the table hides any cell."""
    return t("kekerasan.privacy_note", lang=ctx.lang) if _table(ctx, basis, y0, y1, bentuk).any_hidden else None


# --- trends --------------------------------------------------------------------------------------
def per_year(ctx: Context, basis: str, y0: int, y1: int, bentuk: tuple[str, ...] | None) -> Bars:
    """Cases per year of the range in the chosen kecamatan, or in the whole region when ctx.kecamatan is None
    (the meeting slides)."""
    bars = row_bars(_table(ctx, basis, y0, y1, bentuk), _row(ctx), ctx.lang)
    return periods.mark_years(bars, periods.case_coverage(ctx.key), ctx.lang)


def months(ctx: Context, basis: str, y0: int, y1: int, bentuk: tuple[str, ...] | None) -> Months:
    """Cases per month of y1 against y1 - 1; no chart when the months are published for the region only (a
    kecamatan chosen) or when both years are too few to show. A year before the register's first has no bars."""
    lang = ctx.lang
    names = {m: t(f"months.m{m}", lang=lang) for m in range(1, 13)}
    series = {}
    for y in (y1 - 1, y1):
        p = cases.months(ctx.key, basis, y, ctx.area, bentuk, ctx.public)
        series[y] = None if p is None else bars(p, lang, names=names, rows=list(range(1, 13)))
    if series[y1] is not None and series[y1 - 1] is None:  # the year before the register's first: not published
        series[y1 - 1] = Bars(list(names.values()), [float("nan")] * 12, [""] * 12)
    cov = periods.case_coverage(ctx.key)
    if series[y1] is not None and cov is not None and cov.partial(y1):  # months with no data yet: no bar, not 0
        b, last = series[y1], cov.months(y1)
        series[y1] = Bars(
            b.names,
            [v if i < last else float("nan") for i, v in enumerate(b.values)],
            [x if i < last else "" for i, x in enumerate(b.labels)],
            note=t("periods.months_not_yet", lang=lang, month=periods.month_name(last, lang), year=y1),
        )
    status = _table(ctx, basis, y0, y1, bentuk).status
    if series[y1] is None:
        info = t("kekerasan.months_city_only", lang=lang)
    elif all(status.loc[_row(ctx), y] != OK for y in (y1 - 1, y1) if y in status.columns):
        info = t("kekerasan.too_few", lang=lang)
    else:
        info = None
    return Months(series[y1], series[y1 - 1], info)


# --- per unit ------------------------------------------------------------------------------------
def _unit_names(ctx: Context) -> dict[str, str]:
    units = queries.units(ctx.key, ctx.region)
    return dict(zip(units["kode"], units["nama"]))


def rates(ctx: Context, basis: str, y0: int, y1: int, bentuk: tuple[str, ...] | None) -> Bars:
    """Cases per 1,000 children in y1 per unit of the region, highest first; hidden rates (their count is
    hidden) last, with a note instead of a bar."""
    lang = ctx.lang
    table = _table(ctx, basis, y0, y1, bentuk)
    pop = queries.children_by_kecamatan(ctx.key, y1, ctx.region).set_index("kecamatan")["anak"]
    out = []
    for code, name in _unit_names(ctx).items():
        value = rate(table.counts.loc[code, y1], pop.get(code), hidden=table.status.loc[code, y1] != OK)
        out.append((name, value, t("kekerasan.rate_hidden", lang=lang) if value is None else fmt_dec(value, 2, lang)))
    out.sort(key=lambda x: (x[1] is None, -(x[1] or 0)))
    return Bars(
        [n for n, _, _ in out],
        [v if v is not None else float("nan") for _, v, _ in out],
        [lbl for _, _, lbl in out],
    )


def rates_caption(ctx: Context, y1: int) -> str:
    """How the rates are made, and that the year's child population is an estimate where it is."""
    estimated = queries.population_estimated(ctx.key, y1)
    return t("kekerasan.caption_rate", lang=ctx.lang) + (
        " " + t("app.estimate_note", lang=ctx.lang, year=y1) if estimated else ""
    )


def table(ctx: Context, basis: str, y0: int, y1: int, bentuk: tuple[str, ...] | None) -> pd.DataFrame:
    """The unit x year table as shown: units by name (the total row last), years and the total as column
    headers, cells as text ("<5", "*" where hidden)."""
    total = t("kekerasan.total", lang=ctx.lang)
    view = _table(ctx, basis, y0, y1, bentuk).shown()
    view = view.rename(index={**_unit_names(ctx), TOTAL: total}, columns={TOTAL: total})
    view.columns = [str(c) for c in view.columns]
    return cells(view, ctx.lang)


# --- breakdowns ----------------------------------------------------------------------------------
def breakdowns(ctx: Context, basis: str, y0: int, y1: int, bentuk: tuple[str, ...] | None) -> list[Breakdown] | None:
    """One chart per dimension of BREAKDOWNS over the range; None when the area's total over the range is
    hidden (too few cases to break down)."""
    lang = ctx.lang
    if _table(ctx, basis, y0, y1, bentuk).status.loc[_row(ctx), TOTAL] != OK:
        return None
    years = queries.case_years(ctx.key, "pelaporan") or [ctx.year]
    out = []
    for dim, single in BREAKDOWNS:
        p = cases.breakdown(ctx.key, dim, basis, y0, y1, ctx.area, bentuk, ctx.public, total=single)
        title = t(f"kekerasan.by_{dim}", lang=lang)
        unit = t("kekerasan.unit_cases" if single else f"kekerasan.unit_{dim}", lang=lang)
        caption = t("kekerasan.caption_single", lang=lang) if single else t(f"kekerasan.caption_{dim}", lang=lang)
        if p is None:
            info = t("kekerasan.breakdown_all_years", lang=lang, y0=min(years), y1=max(years))
            out.append(Breakdown(dim, title, None, unit, caption, info))
            continue
        if dim == "jenis_kelamin":
            names = {c: t(f"kekerasan.sex_{c}", lang=lang) for c in p.counts.index if c != TOTAL}
        else:  # the list's words in the reader's language ("Rumah Tangga" reads "Household" in English)
            listed = "bentuk_kekerasan" if dim == "bentuk" else dim
            names = {c: i18n.value(listed, c, lang) for c in p.counts.index if c != TOTAL}
        out.append(Breakdown(dim, title, bars(p, lang, names=names), unit, caption))
    return out


# --- recaps beside the register ------------------------------------------------------------------
def _blank(v) -> bool:
    return v is None or (isinstance(v, float) and v != v)


def recap_comparison(ctx: Context) -> RecapComparison | None:
    """Each recap source's figure and the register's per period, as the viewer may see them; None without recaps
    for the region."""
    comp = recap.comparison(ctx.key, ctx.public, ctx.region)
    if not len(comp):
        return None
    lang = ctx.lang
    sources = [c for c in comp.columns if not c.startswith(("periode", "_"))]
    view = comp[["periode", *sources]].copy()
    view[t("kekerasan.recap_note", lang=lang)] = [
        t("kekerasan.recap_differ", lang=lang) if d else "" for d in comp["_berbeda"]
    ]
    view = view.rename(columns={"periode": t("kekerasan.recap_period", lang=lang)})
    series = {}
    for col in sources:
        vals = comp[col].tolist()
        series[col] = (
            [None if isinstance(v, str) or _blank(v) else v for v in vals],
            ["" if _blank(v) else label(v, lang) for v in vals],
        )
    return RecapComparison(cells(view, lang), bool(comp["_berbeda"].any()), comp["periode"].tolist(), series)


def recap_sources(ctx: Context) -> tuple[list[str], int]:
    """The recap sources by name and the position of the main one (the default)."""
    names = sorted(queries.recap_totals(ctx.key)["sumber"].unique())
    return names, names.index(recap.main_source(ctx.key))


def recap_dimensions(ctx: Context, source: str) -> list[str]:
    """The dimensions a source breaks its figures down by (may be none)."""
    return queries.recap_dimensions(ctx.key, source)


def recap_dimension_name(ctx: Context, dim: str) -> str:
    return t(f"kekerasan.by_{dim}", lang=ctx.lang)


def recap_no_breakdown(ctx: Context, source: str) -> str:
    """The caption for a source without breakdowns (its name escaped for Markdown)."""
    return t("kekerasan.recap_no_breakdown", lang=ctx.lang, source=md_text(source))


def recap_breakdown(ctx: Context, source: str, dim: str) -> RecapBreakdown:
    """A source's figures per category of `dim` and period, protected for public viewers (kla.recap)."""
    lang = ctx.lang
    df = queries.recap_breakdown(ctx.key, source, dim, ctx.region)
    unit = df["satuan"].iloc[0]
    order = df.drop_duplicates("periode")["periode"].tolist()
    series = recap.breakdown_series(ctx.key, df, ctx.public, lambda v: label(v, lang))
    listed = "bentuk_kekerasan" if dim == "bentuk" else dim  # the categories in the reader's language
    series = {i18n.value(listed, cat, lang): v for cat, v in series.items()}
    caption = t(
        "kekerasan.recap_breakdown_caption",
        lang=lang,
        source=md_text(source),
        unit=md_text(unit),
        periods=", ".join(md_text(p) for p in order),
    )
    return RecapBreakdown(order, series, t(f"kekerasan.unit_recap_{unit}", lang=lang), caption)
