"""Ringkasan: the key figures of a year and area, the cases per year and the KLA score over the years.

The meeting deck's first slides (kla.slides) are built from the same functions.
"""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go

from kla import cases, charts, periods, queries, recap
from kla.fmt import fmt_dec, fmt_int, fmt_signed, md_text
from kla.i18n import t
from kla.privacy import TOTAL
from kla.scoring import Standing, standing
from kla.views import Bars, Card, Context, label, progres, publik, row_bars


@dataclass(frozen=True)
class Score:
    """The latest KLA score of the area up to the year, and the category it falls in."""

    year: int
    kabkota: int  # how many kab/kota it is the mean of (1 for a kab/kota)
    standing: Standing
    stage: str | None  # the evaluation stage of the score (None: stages differ between the kab/kota)


def score(ctx: Context) -> Score | None:
    """The latest score up to ctx.year (a province or Indonesia: the mean of its kab/kota), None without one."""
    scores = queries.kla_scores(ctx.key, ctx.region)
    scored = scores[scores["tahun"] <= ctx.year]
    if not len(scored):
        return None
    last = scored.iloc[-1]
    stage = last["tahap"] if isinstance(last["tahap"], str) else None
    return Score(
        int(last["tahun"]),
        int(last["kabkota"]),
        standing(float(last["nilai"]), queries.category_bands(ctx.key)),
        stage,
    )


def cases_per_year(ctx: Context) -> Bars:
    """Cases per year of report over every year of the register (and up to ctx.year) in the area, protected
    from the one kecamatan x year table (the same cells as on the Kekerasan page)."""
    years = queries.case_years(ctx.key, "pelaporan") or [ctx.year]
    table = cases.kecamatan_year(
        ctx.key, "pelaporan", min(years), max(max(years), ctx.year), None, ctx.public, ctx.region
    )
    return row_bars(table, ctx.kecamatan or TOTAL, ctx.lang)


def case_count(bars: Bars, year: int):
    """A year's shown count from the bars (a number, "<5" or "*"), None when the year is not in them."""
    if str(year) not in bars.names:
        return None  # (a year after the register's last is in the bars, as 0)
    i = bars.names.index(str(year))
    return bars.labels[i] if bars.values[i] != bars.values[i] else int(bars.values[i])


def score_cards(ctx: Context) -> list[Card]:
    """Score and category (the first two cards)."""
    lang, s = ctx.lang, score(ctx)
    if s is None:
        return [
            Card(t("ringkasan.score", lang=lang), t("ringkasan.no_data", lang=lang)),
            Card(t("ringkasan.category", lang=lang), t("ringkasan.no_data", lang=lang)),
        ]
    several = ctx.region_level != "kabkota"  # a province or Indonesia: the mean of its kab/kota
    st_ = s.standing
    # the category only from a final result (Progres says where it comes from); the mean of many is an estimate
    cat = progres.category(ctx, ctx.region if not several else None, s.year, st_, s.stage if not several else None)
    to_next = (
        t(
            "ringkasan.to_next",
            lang=lang,
            points=fmt_dec(st_.points_to_next, 1, lang),
            category=md_text(st_.next_category),
        )
        if st_.next_category
        else t("ringkasan.top_category", lang=lang)
    )
    return [
        Card(
            t(
                "ringkasan.score_mean_label"
                if several
                else "ringkasan.score_city_label"  # a kecamatan chosen: the score stays the city's, and says so
                if ctx.kecamatan
                else "ringkasan.score_label",
                lang=lang,
                year=s.year,
                n=s.kabkota,
                wilayah=md_text(ctx.region_name),
            ),
            fmt_dec(st_.score, 1, lang),
            delta=to_next,
            help=t("ringkasan.score_mean_help" if several else "ringkasan.score_help", lang=lang),
        ),
        Card(
            t("ringkasan.category_city", lang=lang, wilayah=md_text(ctx.region_name))
            if ctx.kecamatan and not several
            else t("ringkasan.category", lang=lang),
            cat.text,
            delta=cat.note,
            help=t("ringkasan.category_rule_help", lang=lang),
        ),
    ]


def case_card(ctx: Context) -> tuple[Card, str | None]:
    """The year's cases (from the register; without a register for the year, the main recap source's figure,
    saying whose and which unit) and a caption listing the other recap sources' figures for the year."""
    lang = ctx.lang
    figures = recap.year_figures(ctx.key, ctx.year, ctx.public, ctx.region)
    covered = ctx.year in queries.case_years(ctx.key, "pelaporan")
    first = None
    if covered or not figures or ctx.kecamatan:
        per_year = cases_per_year(ctx)
        n, prev = case_count(per_year, ctx.year), case_count(per_year, ctx.year - 1)
        n = 0 if n is None else n
        # a partial year (data s.d. Oktober) is compared with the same months of the year before
        delta, period_note = periods.year_delta(
            ctx.key, "pelaporan", ctx.year, n, prev, ctx.area, None, ctx.public, lang
        )
        help_text = t("ringkasan.cases_help", lang=lang)
        card = Card(
            t(
                "ringkasan.cases_label",
                lang=lang,
                year=periods.year_label(ctx.year, periods.case_coverage(ctx.key), lang),
            ),
            label(n, lang),
            delta=delta,
            help=f"{help_text} {period_note}" if period_note else help_text,
            delta_color="inverse",
        )
    else:  # no register for this year: the recap
        main = recap.main_source(ctx.key)
        first = next((f for f in figures if f[0] == main), figures[0])
        source, unit, period, value = first
        card = Card(
            t("ringkasan.cases_recap_label", lang=lang, period=md_text(period)),
            label(value, lang),
            delta=t("ringkasan.cases_recap_source", lang=lang, source=md_text(source), unit=md_text(unit)),
            help=t("ringkasan.cases_recap_help", lang=lang),
        )
    others = [f for f in figures if f is not first] if figures and not ctx.kecamatan else []
    if not others:
        return card, None
    listed = "; ".join(
        f"{md_text(src)}: {md_text(label(v, lang))} {md_text(unit)} ({md_text(per)})" for src, unit, per, v in others
    )
    return card, t("ringkasan.cases_other_sources", lang=lang) + " " + listed


def area_cards(ctx: Context) -> list[Card]:
    """Children, RBRA and children per RBRA (the bottom row)."""
    lang = ctx.lang
    children = queries.children(ctx.key, ctx.year, ctx.area)
    children_prev = queries.children(ctx.key, ctx.year - 1, ctx.area)
    total, standard = queries.rbra_counts(ctx.key, ctx.year, ctx.area)
    per_rbra = children / total if children and total else None
    return [
        Card(
            t("ringkasan.children", lang=lang),
            fmt_int(children, lang) if children is not None else t("ringkasan.no_data", lang=lang),
            delta=fmt_signed(children - children_prev, lang) if children is not None and children_prev else None,
            help=t("ringkasan.children_help", lang=lang),
            delta_color="normal",
        ),
        Card(
            t("ringkasan.rbra", lang=lang),
            fmt_int(total, lang),
            delta=t("ringkasan.rbra_standard", lang=lang, n=fmt_int(standard, lang)),
            help=t("ringkasan.rbra_help", lang=lang),
        ),
        Card(t("ringkasan.per_rbra", lang=lang), fmt_int(per_rbra, lang), help=t("ringkasan.per_rbra_help", lang=lang)),
    ]


def notes(ctx: Context) -> list[str]:
    """The words under the cards: the published child figures (with source and date: the cards' population is
    the loaded data, often synthetic), an estimated population, figures that stay the city's."""
    out = [] if ctx.kecamatan else publik.published(ctx, "anak_0_17")[:1]  # the newest
    if queries.population_estimated(ctx.key, ctx.year):
        out.append(":material/info: " + t("app.estimate_note", lang=ctx.lang, year=ctx.year))
    if ctx.kecamatan:
        out.append(t("ringkasan.city_only", lang=ctx.lang))
    return out


def cases_chart(ctx: Context) -> tuple[go.Figure, str]:
    """Cases per year from the register; with no register at all, the main recap source's totals, saying so."""
    lang = ctx.lang
    main = recap.main_source(ctx.key)
    if queries.case_years(ctx.key, "pelaporan") or main is None:
        b = periods.mark_years(cases_per_year(ctx), periods.case_coverage(ctx.key), lang)
        caption = " ".join(x for x in (t("ringkasan.chart_cases_caption", lang=lang), b.note) if x)
    else:
        totals = queries.recap_totals(ctx.key)
        mine = totals[(totals["sumber"] == main) & (totals["kode_wilayah"] == ctx.region)]
        shown = [recap.shown(ctx.key, r, ctx.public) for r in mine.to_dict("records")]
        b = Bars(
            mine["periode"].tolist(),
            [float("nan") if isinstance(v, str) else v for v in shown],
            [label(v, lang) for v in shown],
        )
        caption = t(
            "ringkasan.chart_cases_recap_caption", lang=lang, source=md_text(main), unit=md_text(mine["satuan"].iloc[0])
        )
    fig = charts.protected_bars(
        b.names, b.values, b.labels, lang, t("ringkasan.axis_cases", lang=lang), horizontal=False, partial=b.partial
    )
    return fig, caption


def score_chart(ctx: Context) -> go.Figure:
    """The KLA score per year against the category bands."""
    lang = ctx.lang
    return charts.kla_score_trend(
        queries.kla_scores(ctx.key, ctx.region),
        queries.category_bands(ctx.key),
        lang,
        t("ringkasan.axis_score", lang=lang),
        t("ringkasan.axis_year", lang=lang),
    )
