"""The meeting material: one list of slides for the Presentasi page, the PPTX and the PDF.

Built from the same queries, protected tables and figure functions as the pages, so a public
viewer's slides are suppressed exactly like the pages. No Streamlit calls here except the cached
queries (safe from the download thread).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go

from etl import names, settings
from kla.fmt import fmt_dec, fmt_int
from kla.i18n import t
from kla.views import Context, label, peta, progres, ringkasan


@dataclass
class Slide:
    """Plain text everywhere (the Presentasi page escapes it for its HTML; PPTX and PDF take text as text);
    the figures' labels are plotly text, escaped by kla.charts / here (fmt.plot_text)."""

    title: str
    subtitle: str = ""
    figure: go.Figure | None = None
    kpis: list[tuple[str, str]] = field(default_factory=list)  # (label, value) cards
    table: pd.DataFrame | None = None
    notes: str = ""  # source, unit, version


def build(
    key: str,
    version: str,
    year: int,
    lang: str,
    public: bool,
    today: dt.date | None = None,
    region: str | None = names.CONFIGURED,
    region_name: str | None = None,
) -> list[Slide]:
    """The meeting deck of a region: a kab/kota, a province, or Indonesia (region None); by default the region
    this deployment serves (pengaturan.toml [wilayah])."""
    if region == names.CONFIGURED:
        region = names.default_scope()
        region_name = region_name or names.regions().scope_name
    region_name = region_name or region or "Indonesia"
    today = today or dt.date.today()
    kk = region if names.region_level(region) == "kabkota" else None  # the evaluation belongs to one kab/kota
    source = t("slides.source", lang=lang, version=version, date=today.strftime("%d/%m/%Y"))
    out: list[Slide] = []

    ctx = Context(key, version, year, None, None, lang, public, region, region_name)
    per_year = ringkasan.cases_per_year(ctx)
    this_year = ringkasan.case_count(per_year, year) or 0  # before the register's first year: none
    s = ringkasan.score(ctx)

    # 1. key figures: Ringkasan's cards, as text
    children, rbra, _ = ringkasan.area_cards(ctx)
    kpis = [
        (children.label, children.value),
        (f"{rbra.label} ({rbra.delta})", rbra.value),
        (t("ringkasan.cases_label", lang=lang, year=year), label(this_year, lang)),
    ]
    if s:
        kpis.append(
            (ringkasan.score_cards(ctx)[0].label, f"{fmt_dec(s.standing.score, 1, lang)} · {s.standing.category}")
        )
    out.append(
        Slide(
            t("slides.kpi_title", lang=lang, year=year, wilayah=region_name),
            t("slides.kpi_sub", lang=lang),
            kpis=kpis,
            notes=t("slides.kpi_notes", lang=lang) + " " + source,
        )
    )

    # 2. score and category
    if s:
        st_ = s.standing
        sub = (
            t(
                "slides.score_sub",
                lang=lang,
                score=fmt_dec(st_.score, 1, lang),
                category=st_.category,
                points=fmt_dec(st_.points_to_next, 1, lang),
                next=st_.next_category,
            )
            if st_.next_category
            else t("slides.score_sub_top", lang=lang, score=fmt_dec(st_.score, 1, lang))
        )
        out.append(
            Slide(
                t("slides.score_title", lang=lang),
                sub,
                figure=ringkasan.score_chart(ctx),
                notes=t("ringkasan.chart_score_caption", lang=lang) + " " + source,
            )
        )

    # 3. progress per cluster: Progres's groups
    ey = progres.eval_year(ctx, kk) if kk else None
    if ey is not None:
        groups = progres.groups(ctx, kk, ey)
        out.append(
            Slide(
                t("slides.groups_title", lang=lang, year=ey),
                t("slides.groups_sub", lang=lang, group=groups.weakest, pct=groups.weakest_pct)
                if groups.weakest
                else t("slides.groups_sub_no_max", lang=lang),
                figure=groups.figure,
                notes=t("progres.groups_caption", lang=lang) + " " + source,
            )
        )

    # 4. map of RBRA and coverage: Peta's map and city share
    radius = float(settings.get("peta", "radius_m"))
    fig, metric_name, sub = peta.slide_map(ctx, radius)
    out.append(
        Slide(
            t("slides.map_title", lang=lang, year=year),
            sub,
            figure=fig,
            notes=t(f"peta.caption_{metric_name}", lang=lang, radius=fmt_int(radius, lang)) + " " + source,
        )
    )

    # 5. violence trend (protected): Ringkasan's chart
    fig, caption = ringkasan.cases_chart(ctx)
    fig.update_layout(height=520)
    out.append(
        Slide(
            t("slides.cases_title", lang=lang),
            t("slides.cases_sub", lang=lang, year=year, n=label(this_year, lang)),
            figure=fig,
            notes=caption + " " + source,
        )
    )

    # 6. overdue follow-ups per OPD: Progres's follow-ups
    late = progres.late_followups(ctx, kk, today) if kk else None
    if late is not None and late.n_tasks:
        out.append(
            Slide(
                t("slides.late_title", lang=lang),
                t("slides.late_sub", lang=lang, n=late.n_late, total=late.n_open),
                figure=late.figure,
                table=late.table,
                notes=t("progres.tl_caption", lang=lang) + " " + source,
            )
        )
    return out
