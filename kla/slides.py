"""The meeting material: one list of slides for the Presentasi page, the PPTX and the PDF.

Built from the same queries, protected tables and figure functions as the pages, so a public
viewer's slides are suppressed exactly like the pages. No Streamlit calls here except the cached
queries (safe from the download thread).

A slide's figure is its page's figure with every text at 18 px and dark (kla.charts.slide_fonts); a long table
(the late tasks) goes on continuation slides, so a slide lists everything it counts; every slide carries its deck's
marking (public, or restricted to the task force) and file_name() names the download after it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go

from etl import names, settings
from kla import charts, periods
from kla.fmt import fmt_dec, fmt_int
from kla.i18n import t
from kla.views import Context, kesiapan, label, partisipasi, peta, progres, ringkasan


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
    mark: str = ""  # "Publik" or "TERBATAS — ...": which deck this slide belongs to (marking), on every slide
    restricted: bool = False  # of the exact deck (small counts, task text): the mark is drawn as a warning


LATE_ROWS = 7  # late tasks per slide: what fits 1280x720 in 18 px type (the rest go on continuation slides)
LATE_OPD_ROWS = 8  # OPD per slide in the public deck
PRIORITY_ROWS = 8  # the priority indicators listed


def marking(public: bool, lang: str) -> str:
    """The marking every slide of a deck carries: the public deck says so; the exact one (small counts and task
    text shown) is restricted to the task force and must not be forwarded."""
    return t("slides.mark_public" if public else "slides.mark_exact", lang=lang)


def file_name(region_name: str, year: int, public: bool, version: str, today: dt.date, ext: str, lang: str) -> str:
    """The download's name says which deck it is: "bahan-rapat-KLA-Kota-Kendari-2025-publik-v0010-20261201.pptx"
    or "...-terbatas-...", so the exact deck is not forwarded by mistake for the public one."""
    region = re.sub(r"[^A-Za-z0-9]+", "-", region_name).strip("-") or "Indonesia"
    which = t("slides.file_public" if public else "slides.file_exact", lang=lang)
    return f"{t('slides.file_stem', lang=lang)}-{region}-{year}-{which}-{version}-{today:%Y%m%d}.{ext}"


def pages(table: pd.DataFrame | None, rows: int) -> list[pd.DataFrame | None]:
    """A table cut into as few slides of at most `rows` rows as hold it, evenly filled (8 rows in 7s: 4 and 4, not
    7 and a lonely 1); every row on exactly one slide, in order. [None] for no rows."""
    if table is None or not len(table):
        return [None]
    n = -(-len(table) // rows)  # slides needed
    size, extra = divmod(len(table), n)  # the first `extra` slides take one row more
    starts = [k * size + min(k, extra) for k in range(n + 1)]
    return [table.iloc[a:b].reset_index(drop=True) for a, b in zip(starts, starts[1:])]


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
        # the year as the cards name it: "2025 (Jan–Okt)" while the register stops before December
        (
            t("ringkasan.cases_label", lang=lang, year=periods.year_label(year, periods.case_coverage(key), lang)),
            label(this_year, lang),
        ),
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
                figure=charts.slide_fonts(ringkasan.score_chart(ctx)),
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
                figure=charts.slide_fonts(groups.figure),
                notes=t("progres.groups_caption", lang=lang) + " " + source,
            )
        )
        # 4. the indicators that add the most: the first rows of Progres's "24 indikator" table
        top = progres.priorities(ctx, progres.indicators(ctx, kk, ey), PRIORITY_ROWS)
        if len(top.table):
            out.append(
                Slide(
                    t("slides.priority_title", lang=lang, year=ey),
                    t(
                        f"slides.priority_sub_{top.basis}",
                        lang=lang,
                        n=len(top.table),
                        points=fmt_dec(top.gain, 1, lang),
                    ),
                    table=top.table,
                    notes=t("progres.table_caption", lang=lang) + " " + source,
                )
            )

    # readiness for the evaluation (issue 22): evidence accepted per cluster, the OPD with the most missing items;
    # counts only, never a file name or note (the same in both decks)
    ready = kesiapan.slide(ctx, kk, today)
    if ready is not None:
        fig = charts.slide_fonts(ready.figure)
        out.append(Slide(ready.title, ready.subtitle, figure=fig, table=ready.table, notes=ready.notes + " " + source))

    # 5. map of RBRA and coverage: Peta's map and city share
    radius = float(settings.get("peta", "radius_m"))
    fig, metric_name, sub = peta.slide_map(ctx, radius)
    out.append(
        Slide(
            t("slides.map_title", lang=lang, year=year),
            sub,
            figure=fig,
            table=peta.slide_names(ctx, radius, metric_name),  # the kecamatan names beside the map (issue 21)
            notes=" ".join(
                n
                for n in (
                    t(f"peta.caption_{metric_name}", lang=lang, radius=fmt_int(radius, lang)),
                    peta.unplaced_note(ctx, radius, markdown=False),  # a unit without polygon: named, counted
                    source,
                )
                if n
            ),
        )
    )

    # 6. violence trend (protected): Ringkasan's chart
    fig, caption = ringkasan.cases_chart(ctx)
    fig = charts.slide_fonts(fig)
    fig.update_layout(height=520)
    out.append(
        Slide(
            t("slides.cases_title", lang=lang),
            t("slides.cases_sub", lang=lang, year=year, n=label(this_year, lang)),
            figure=fig,
            notes=caption + " " + source,
        )
    )

    # children's participation (issue 23): Forum Anak per level and the share of proposals taken up per cycle;
    # counts and statuses only, never a proposal's text (the same in both decks)
    pa = partisipasi.slide(ctx)
    if pa is not None:
        out.append(Slide(pa.title, pa.subtitle, figure=pa.figure, table=pa.table, notes=pa.notes + " " + source))

    # 7. overdue follow-ups: every late task counted is listed (continuation slides when long); the public deck
    # per OPD (task text is free text: analysts only)
    late = progres.late_followups(ctx, kk, today) if kk else None
    if late is not None and late.n_tasks:
        chunks = pages(late.table, LATE_OPD_ROWS if public else LATE_ROWS)
        for n, chunk in enumerate(chunks, start=1):
            title = t("slides.late_title", lang=lang)
            if len(chunks) > 1:
                title = t("slides.late_title_page", lang=lang, title=title, page=n, pages=len(chunks))
            out.append(
                Slide(
                    title,
                    t(
                        "slides.late_sub_public" if public else "slides.late_sub",
                        lang=lang,
                        n=late.n_late,
                        total=late.n_open,
                    ),
                    table=chunk,
                    notes=t("progres.tl_caption", lang=lang) + " " + source,
                )
            )
    mark = marking(public, lang)
    for slide in out:
        slide.mark, slide.restricted = mark, not public
    return out
