"""Peta: children, RBRA and cases per kecamatan (and kelurahan), service-radius coverage, siting aid.

The headline cards, the map figure with its names and hover texts, the detail of what a tap selected, the note
on units without a polygon, the province / national units table, the drill-down panel of one kecamatan, the
coverage ranking and the siting proposals. The meeting deck's map slide (kla.slides) is built here too
(slide_map), with the same city share (city_reached) as the page's card: children of a unit without a polygon
count in both.

Hover texts are plotly pseudo-HTML (<b>, <br>): every name and label from the data goes through plot_text;
the panel's title is Markdown (md_text).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
from pandas.io.formats.style import Styler

from kla import geodata, maps, queries
from kla.fmt import DASH, fmt_dec, fmt_int, md_text, plot_text, styled
from kla.i18n import t, value
from kla.views import Card, Context, label

NONE = "-"  # "no unit chosen" in the page's selectors (not None: a selectbox shows None as its placeholder)


@dataclass(frozen=True)
class Layers:
    """What the region's data can draw: the map's levels, boundaries, the level coverage is computed at."""

    above: bool  # a province or Indonesia: the units are kab/kota or provinces (dissolved outlines)
    has_kec: bool  # boundaries of the units (else circles at their reference points)
    has_kel: bool  # kelurahan boundaries (a kab/kota only)
    cov_level: str | None  # the finest level with boundaries (None: no coverage, and nothing above a kab/kota)
    levels: list[str]  # the map's levels: the units above a kab/kota, else kecamatan (and kelurahan)


@dataclass(frozen=True)
class Panel:
    """The drill-down panel of one kecamatan: its title (Markdown), cards, kelurahan table and RBRA list."""

    title: str
    cards: list[Card]
    kelurahan: Styler
    rbra: pd.DataFrame  # the year column as numbers (the page shows it without thousands separators)


@dataclass(frozen=True)
class Selected:
    """What a tap on the map selected, as text: a title and one fact per line (Markdown), and the kecamatan whose
    panel it opens (None when there is none)."""

    title: str
    lines: list[str]
    kecamatan: str | None


@dataclass(frozen=True)
class Section:
    """A titled table with its caption; `table` None when there is nothing to list (the caption still is)."""

    title: str
    table: Styler | None
    caption: str


def layers(ctx: Context) -> Layers:
    """What the map of the region can show (the page's controls follow it)."""
    above = ctx.unit_len != 8
    has_kel = not above and geodata.has_boundaries(ctx.key, "kelurahan", ctx.region)
    return Layers(
        above=above,
        has_kec=geodata.has_boundaries(ctx.key, ctx.unit_level, ctx.region),
        has_kel=has_kel,
        cov_level=None if above else geodata.coverage_level(ctx.key, ctx.region),
        levels=[ctx.unit_level] if above else ["kecamatan", "kelurahan"] if has_kel else ["kecamatan"],
    )


def metric_options(ctx: Context, level: str, cov_level: str | None) -> list[str]:
    """The metrics the map can colour by at the level (coverage only with boundaries, no rating above)."""
    above = ctx.unit_len != 8
    return [
        m
        for m, spec in maps.METRICS.items()
        if not (level == "kelurahan" and spec.kecamatan_only)
        and not (m == "persen_terjangkau" and not cov_level)
        and not (above and m == "kategori")
    ]


def _pct(v, lang: str) -> str:
    return DASH if pd.isna(v) else fmt_int(v, lang) + "%"


def units(ctx: Context, radius: float) -> pd.DataFrame:
    """Every map figure per unit of the region (geodata.kecamatan_metrics: NaN where hidden or unknown)."""
    return geodata.kecamatan_metrics(ctx.key, ctx.year, radius, ctx.public, ctx.region)


def unit_names(ctx: Context, radius: float) -> dict[str, str]:
    """Code -> name of the region's units, in the map's order (the selectors' options)."""
    kec = units(ctx, radius)
    return dict(zip(kec["kode"], kec["nama"]))


def rbra_points(ctx: Context) -> pd.DataFrame:
    """Every RBRA as a point, except nationally (tens of thousands: the map shows them per province instead)."""
    return queries.rbra_points(ctx.key, ctx.year, ctx.region or "-")


def kec_hover(r, ctx: Context, radius: float) -> str:
    lang = ctx.lang
    prefix = "" if ctx.unit_len != 8 else t("peta.kec_prefix", lang=lang) + " "
    rating = f"{plot_text(r['kategori'])} ({int(r['tahun_penilaian'])})" if isinstance(r["kategori"], str) else DASH
    return "<br>".join(
        [
            f"<b>{prefix}{plot_text(r['nama'])}</b>",
            f"{t('peta.m_anak', lang=lang)}: {fmt_int(r['anak'], lang)}",
            f"RBRA: {fmt_int(r['rbra'], lang)} ({t('peta.standard_n', lang=lang, n=fmt_int(r['rbra_standar'], lang))})",
            f"{t('peta.m_anak_per_rbra', lang=lang)}: {fmt_int(r['anak_per_rbra'], lang)}",
            f"{t('peta.cases_year', lang=lang, year=ctx.year)}: {plot_text(label(r['kasus_label'], lang))}",
            f"{t('peta.m_kasus_per_1000', lang=lang)}: {fmt_dec(r['kasus_per_1000'], 2, lang)}",
            f"{t('peta.reached', lang=lang, radius=fmt_int(radius, lang))}: {_pct(r['persen_terjangkau'], lang)}",
            f"{t('peta.m_kategori', lang=lang)}: {rating}",
        ]
    )


def kel_hover(r, ctx: Context, radius: float) -> str:
    lang = ctx.lang
    return "<br>".join(
        [
            f"<b>{t('peta.kel_prefix', lang=lang)} {plot_text(r['nama'])}</b>",
            f"{t('peta.m_anak', lang=lang)}: {fmt_int(r['anak'], lang)}",
            f"RBRA: {fmt_int(r['rbra'], lang)}",
            f"{t('peta.m_anak_per_rbra', lang=lang)}: {fmt_int(r['anak_per_rbra'], lang)}",
            f"{t('peta.reached', lang=lang, radius=fmt_int(radius, lang))}: {_pct(r['persen_terjangkau'], lang)}",
        ]
    )


def rbra_hover(r, lang: str) -> str:
    year_txt = DASH if pd.isna(r["tahun"]) else str(int(r["tahun"]))
    return (
        f"<b>{plot_text(r['nama'])}</b><br>{plot_text(value('status_rbra', r['status'], lang))}<br>"
        f"{t('peta.year', lang=lang)}: {year_txt}<br>"
        f"{plot_text(r['kelurahan'] or '')}, {plot_text(r['kecamatan'] or '')}"
    )


def proposal_hover(r, lang: str) -> str:
    return (
        f"<b>{t('peta.proposal', lang=lang, n=int(r['urutan']))}</b><br>{plot_text(r['nama'])}<br>"
        f"{t('peta.gain', lang=lang, n=fmt_int(r['anak_tambahan'], lang))}"
    )


def sites(ctx: Context, radius: float, k: int, mode: str) -> pd.DataFrame:
    """The greedy siting proposals (empty without coverage): drawn on the map and listed by proposals_table()."""
    if not layers(ctx).cov_level:
        return pd.DataFrame()
    return geodata.sites(ctx.key, ctx.year, radius, int(k), mode, ctx.region)


def map_figure(
    ctx: Context,
    level: str,
    metric_name: str,
    radius: float,
    basemap: bool,
    proposals: pd.DataFrame,
    height: int = maps.MAP_HEIGHT,
) -> go.Figure:
    """The page's map: areas coloured by the metric (circles without boundaries), the service reach, every RBRA
    and the siting proposals, each with its hover text."""
    lang, lay = ctx.lang, layers(ctx)
    metric = maps.METRICS[metric_name]
    kec = units(ctx, radius)
    points = rbra_points(ctx)
    if level == "kelurahan":
        frame = geodata.kelurahan_metrics(ctx.key, ctx.year, radius, ctx.region)
        hover = [kel_hover(r, ctx, radius) for _, r in frame.iterrows()]
    else:
        frame = kec
        hover = [kec_hover(r, ctx, radius) for _, r in frame.iterrows()]
    title = t(f"peta.m_{metric_name}", lang=lang)
    if lay.has_kec:
        shapes = queries.boundaries(ctx.key, level, ctx.region)
        view = maps.view_of(*geodata.extent(ctx.key, level, ctx.region))  # the boundaries fill the map
        fig = maps.choropleth(shapes, frame, metric, hover, title, view, lang, basemap, height=height)
    else:
        view = maps.view_of(kec["lat"].dropna(), kec["lon"].dropna())
        located = kec[["lat", "lon"]].notna().all(axis=1)
        fig = maps.bubbles(
            kec.dropna(subset=["lat", "lon"]),
            metric,
            [h for h, ok in zip(hover, located) if ok],
            title,
            view,
            lang,
            basemap,
            height=height,
        )
    if lay.cov_level:
        fig = maps.add_reach(fig, geodata.reach_outline(ctx.key, ctx.year, radius, ctx.region), reach_name(ctx, radius))
    fig = maps.add_rbra(fig, points, [rbra_hover(r, lang) for _, r in points.iterrows()], status_names(points, lang))
    if len(proposals):
        fig = maps.add_proposals(
            fig, proposals, [proposal_hover(r, lang) for _, r in proposals.iterrows()], t("peta.proposals", lang=lang)
        )
    return add_names(fig, ctx, level, frame, metric, lay.has_kec)


def status_names(points: pd.DataFrame, lang: str) -> dict[str, str]:
    """The legend's name of each RBRA status in the reader's language ("RBRA" reads "RBRA (standardised)")."""
    return {s: value("status_rbra", s, lang) for s in points["status"].dropna().unique()}


def reach_name(ctx: Context, radius: float) -> str:
    """The reach layer's legend entry."""
    return t("peta.reach_legend", lang=ctx.lang, radius=fmt_int(radius, ctx.lang))


def add_names(fig: go.Figure, ctx: Context, level: str, frame: pd.DataFrame, metric, areas: bool) -> go.Figure:
    """The units' names on the map, at their reference points (data/reference/wilayah.csv: inside the official
    boundary), each in the ink that reads on its area's colour; under each circle on the map without boundaries.
    A unit without a polygon gets no name on the map (unplaced_note names it under the map)."""
    if level == "kelurahan":
        ref = queries.regions(ctx.key, "kelurahan", ctx.region)[["kode", "lat", "lon"]]
        at = frame[["kode", "nama"]].merge(ref, on="kode", how="left")
    else:
        at = frame[["kode", "nama", "lat", "lon"]]
    if not areas:
        return maps.add_labels(fig, at["lat"], at["lon"], at["nama"], [None] * len(at), "bottom center")
    drawn = set(queries.boundaries(ctx.key, level, ctx.region)["kode"])
    backgrounds = dict(zip(frame["kode"], maps.fill_colors(frame, metric)))
    at = at[at["kode"].isin(drawn)]
    return maps.add_labels(fig, at["lat"], at["lon"], at["nama"], at["kode"].map(backgrounds).tolist())


def parent_kecamatan(ctx: Context, level: str, radius: float, code: str) -> str | None:
    """The kecamatan a clicked area belongs to (itself on the kecamatan map)."""
    if level == "kecamatan":
        return code
    kel = geodata.kelurahan_metrics(ctx.key, ctx.year, radius, ctx.region)
    return dict(zip(kel["kode"], kel["kode_kecamatan"])).get(code)


def map_caption(ctx: Context, metric_name: str, radius: float) -> str:
    """The words under the map: what the metric is, the common note, and the population estimate note."""
    lang = ctx.lang
    estimated = queries.population_estimated(ctx.key, ctx.year)
    return (
        t(f"peta.caption_{metric_name}", lang=lang, radius=fmt_int(radius, lang))
        + " "
        + t("peta.caption_common", lang=lang)
        + (" " + t("app.estimate_note", lang=lang, year=ctx.year) if estimated else "")
    )


def units_table(ctx: Context, radius: float) -> Styler:
    """A province's kab/kota or Indonesia's provinces: children, RBRA, cases (protected) per unit. The frame
    behind the Styler (.data) is what the download gets."""
    lang = ctx.lang
    kec = units(ctx, radius)
    table = kec[["nama", "anak", "rbra", "rbra_standar", "anak_per_rbra", "kasus_label", "kasus_per_1000"]]
    table = table.rename(
        columns={
            "nama": t(f"peta.unit_{ctx.unit_level}", lang=lang),
            "anak": t("peta.col_anak", lang=lang),
            "rbra": "RBRA",
            "rbra_standar": t("peta.col_rbra_standar", lang=lang),
            "anak_per_rbra": t("peta.m_anak_per_rbra", lang=lang),
            "kasus_label": t("peta.cases_year", lang=lang, year=ctx.year),
            "kasus_per_1000": t("peta.m_kasus_per_1000", lang=lang),
        }
    )
    integers = (
        t("peta.col_anak", lang=lang),
        "RBRA",
        t("peta.col_rbra_standar", lang=lang),
        t("peta.m_anak_per_rbra", lang=lang),
    )
    return styled(table, lang, 2, integers=integers)


def _coverage_styled(frame: pd.DataFrame, lang: str) -> Styler:
    return styled(
        frame,
        lang,
        integers=(t("peta.col_anak", lang=lang), t("peta.col_anak_tak_terjangkau", lang=lang)),
        percents=(t("peta.col_persen_terjangkau", lang=lang),),
    )


def _columns(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    return frame.rename(columns={c: t(f"peta.col_{c}", lang=lang) for c in frame.columns})


def panel(ctx: Context, kode: str, radius: float) -> Panel:
    """One kecamatan: its cards (children, RBRA, children per RBRA, reach, protected cases), its kelurahan and
    its RBRA."""
    lang = ctx.lang
    r = units(ctx, radius).set_index("kode").loc[kode]
    reached = t("peta.reached", lang=lang, radius=fmt_int(radius, lang))
    cards = [
        Card(t("peta.m_anak", lang=lang), fmt_int(r["anak"], lang)),
        Card(
            "RBRA", fmt_int(r["rbra"], lang), delta=t("peta.standard_n", lang=lang, n=fmt_int(r["rbra_standar"], lang))
        ),
        Card(t("peta.m_anak_per_rbra", lang=lang), fmt_int(r["anak_per_rbra"], lang)),
        Card(reached, _pct(r["persen_terjangkau"], lang)),
        Card(t("peta.cases_year", lang=lang, year=ctx.year), label(r["kasus_label"], lang)),
    ]
    points = rbra_points(ctx)
    if layers(ctx).has_kel:
        kel = geodata.kelurahan_metrics(ctx.key, ctx.year, radius, ctx.region)
        kel = kel[kel["kode_kecamatan"] == kode]
        view_kel = kel[["nama", "anak", "rbra", "persen_terjangkau", "anak_tak_terjangkau"]]
    else:
        kids = queries.children_by_area(ctx.key, ctx.year, ctx.region)
        ref = queries.regions(ctx.key, "kelurahan", ctx.region)
        kel = ref[ref["kode_kecamatan"] == kode].merge(kids[["kode", "anak"]], on="kode", how="left")
        kel["rbra"] = kel["kode"].map(points.groupby("kode_kelurahan").size()).fillna(0).astype(int)
        view_kel = kel[["nama", "anak", "rbra"]]
    mine = points[points["kode_kecamatan"] == kode][["nama", "kelurahan", "status", "tahun"]]
    mine = mine.assign(status=mine["status"].map(lambda s: value("status_rbra", s, lang)))
    return Panel(
        title=f"{t('peta.kec_prefix', lang=lang)} {md_text(r['nama'])}",
        cards=cards,
        kelurahan=_coverage_styled(_columns(view_kel, lang), lang),
        rbra=_columns(mine, lang),
    )


def city_reached(ctx: Context, radius: float) -> float | None:
    """The share (%) of the region's children within the radius of an RBRA; None without coverage (no
    boundaries, above a kab/kota) or without children."""
    reached = city_children(ctx, radius)
    return reached[0] / reached[1] * 100 if reached and reached[1] else None


def city_children(ctx: Context, radius: float) -> tuple[float, float] | None:
    """(children within the radius, all children) of the region; None without coverage. Every child counts:
    those of a unit without a polygon too (geodata.kecamatan_coverage spreads them over their kecamatan)."""
    cov_level = layers(ctx).cov_level
    if not cov_level:
        return None
    city = geodata.kecamatan_coverage(ctx.key, ctx.year, radius, cov_level, ctx.region)
    return float(city["anak_terjangkau"].sum()), float(city["anak"].sum())


def headline(ctx: Context, radius: float) -> list[Card]:
    """The cards above the map: the share of children within the radius of an RBRA (the page's headline, the same
    figure as slide 4); without coverage the children and RBRA counts."""
    lang = ctx.lang
    points = rbra_points(ctx) if ctx.unit_len == 8 else None
    kec = units(ctx, radius)
    n_rbra = len(points) if points is not None else int(kec["rbra"].sum())
    n_std = (
        int((~points["status"].isin(queries.STANDARDISED_EXCLUDED)).sum())
        if points is not None
        else int(kec["rbra_standar"].sum())
    )
    rbra = Card("RBRA", fmt_int(n_rbra, lang), delta=t("peta.standard_n", lang=lang, n=fmt_int(n_std, lang)))
    reached = city_children(ctx, radius)
    if not reached or not reached[1]:
        return [Card(t("peta.card_children", lang=lang), fmt_int(kec["anak"].sum(), lang)), rbra]
    r = fmt_int(radius, lang)
    share = Card(
        t("peta.card_reached", lang=lang, radius=r),
        _pct(reached[0] / reached[1] * 100, lang),
        delta=t("peta.card_reached_of", lang=lang, reached=fmt_int(reached[0], lang), total=fmt_int(reached[1], lang)),
        help=t("peta.card_reached_help", lang=lang, radius=r),
    )
    return [share]  # one card: on a phone a second one would push the map down


def unplaced_note(ctx: Context, radius: float, markdown: bool = True) -> str | None:
    """Each unit that has no polygon and how its children are still counted (None when every unit has one, or
    without coverage): Markdown for the page, plain text (markdown=False) for the meeting slide."""
    esc = md_text if markdown else str
    lang, cov_level = ctx.lang, layers(ctx).cov_level
    if not cov_level:
        return None
    missing = geodata.unplaced(ctx.key, ctx.year, cov_level, ctx.region)
    if not len(missing):
        return None
    names = unit_names(ctx, radius)
    drawn = set(geodata.coverage_table(ctx.key, ctx.year, radius, cov_level, ctx.region)["kode_kecamatan"])
    notes = []
    for _, r in missing.iterrows():
        prefix = t("peta.kel_prefix" if r["level"] == "kelurahan" else "peta.kec_prefix", lang=lang)
        unit = f"{prefix} {esc(r['nama'])}"
        n = fmt_int(r["anak"], lang)
        if r["kode_kecamatan"] in drawn:
            kec = f"{t('peta.kec_prefix', lang=lang)} {esc(names.get(r['kode_kecamatan'], r['kode_kecamatan']))}"
            notes.append(t("peta.unplaced_spread", lang=lang, unit=unit, n=n, kecamatan=kec))
        else:
            notes.append(t("peta.unplaced_out", lang=lang, unit=unit, n=n))
    return " ".join(notes)


def selection(ctx: Context, level: str, radius: float, key: str | None, proposals: pd.DataFrame) -> Selected | None:
    """The detail of what a tap selected (an RBRA, a proposal, a kecamatan or a kelurahan) as text; None when
    nothing known is selected. Case counts come from the same protected table as the map."""
    if not key:
        return None
    lang, r_txt = ctx.lang, fmt_int(radius, ctx.lang)
    kec_prefix = t("peta.kec_prefix", lang=lang)
    if key.startswith(maps.RBRA_PREFIX):
        points = rbra_points(ctx)
        hit = points[points["rbra_id"].astype(str) == key[len(maps.RBRA_PREFIX) :]]
        if not len(hit):
            return None
        r = hit.iloc[0]
        within = geodata.rbra_reach(ctx.key, ctx.year, radius, ctx.region).get(r["rbra_id"])
        lines = [
            f"{t('peta.kel_prefix', lang=lang)} {md_text(r['kelurahan'] or DASH)}, {kec_prefix} "
            f"{md_text(r['kecamatan'] or DASH)}",
            f"{t('peta.col_status', lang=lang)}: {md_text(value('status_rbra', r['status'], lang))}",
            f"{t('peta.year', lang=lang)}: {DASH if pd.isna(r['tahun']) else int(r['tahun'])}",
        ]
        if within is not None and not pd.isna(within):
            lines.append(f"{t('peta.within', lang=lang, radius=r_txt)}: **{fmt_int(within, lang)}**")
        return Selected(md_text(r["nama"]), lines, r["kode_kecamatan"])
    names = unit_names(ctx, radius)
    if key.startswith(maps.PROPOSAL_PREFIX):
        hit = proposals[proposals["urutan"].astype(int).astype(str) == key[len(maps.PROPOSAL_PREFIX) :]]
        if not len(hit):
            return None
        r = hit.iloc[0]
        kec = r["kode"][:8]
        return Selected(
            t("peta.proposal", lang=lang, n=int(r["urutan"])),
            [
                f"{t('peta.kel_prefix', lang=lang)} {md_text(r['nama'])}, {kec_prefix} {md_text(names.get(kec, kec))}",
                md_text(t("peta.gain", lang=lang, n=fmt_int(r["anak_tambahan"], lang))),
            ],
            kec,
        )
    if level == "kelurahan" and key.count(".") == 3:
        kel = geodata.kelurahan_metrics(ctx.key, ctx.year, radius, ctx.region).set_index("kode")
        if key not in kel.index:
            return None
        r = kel.loc[key]
        return Selected(
            f"{t('peta.kel_prefix', lang=lang)} {md_text(r['nama'])}",
            [
                f"{kec_prefix} {md_text(names.get(r['kode_kecamatan'], DASH))}",
                f"{t('peta.m_anak', lang=lang)}: **{fmt_int(r['anak'], lang)}**",
                f"RBRA: {fmt_int(r['rbra'], lang)}",
                f"{t('peta.reached', lang=lang, radius=r_txt)}: **{_pct(r['persen_terjangkau'], lang)}**",
            ],
            r["kode_kecamatan"],
        )
    kec = units(ctx, radius).set_index("kode")
    if key not in kec.index:
        return None
    r = kec.loc[key]
    prefix = f"{kec_prefix} " if ctx.unit_len == 8 else ""
    lines = [
        f"{t('peta.m_anak', lang=lang)}: **{fmt_int(r['anak'], lang)}**",
        f"RBRA: {fmt_int(r['rbra'], lang)} ({t('peta.standard_n', lang=lang, n=fmt_int(r['rbra_standar'], lang))})",
    ]
    if not pd.isna(r["persen_terjangkau"]):
        lines.append(f"{t('peta.reached', lang=lang, radius=r_txt)}: **{_pct(r['persen_terjangkau'], lang)}**")
    lines.append(f"{t('peta.cases_year', lang=lang, year=ctx.year)}: {md_text(label(r['kasus_label'], lang))}")
    return Selected(f"{prefix}{md_text(r['nama'])}", lines, key if ctx.unit_len == 8 else None)


def unreached(ctx: Context, radius: float, cov_level: str) -> Section:
    """The ten areas with the most children beyond the radius, and the region's reached share."""
    lang = ctx.lang
    names = unit_names(ctx, radius)
    cov = geodata.coverage_table(ctx.key, ctx.year, radius, cov_level, ctx.region)
    worst = cov.sort_values("anak_tak_terjangkau", ascending=False).head(10)
    worst = worst.assign(kecamatan=worst["kode_kecamatan"].map(names))
    worst = worst[["nama", "kecamatan", "anak", "persen_terjangkau", "anak_tak_terjangkau"]]
    share = city_reached(ctx, radius)
    return Section(
        title=t("peta.unreached_title", lang=lang, radius=fmt_int(radius, lang)),
        table=_coverage_styled(_columns(worst, lang), lang),
        caption=t("peta.city_reached", lang=lang, radius=fmt_int(radius, lang), pct=_pct(share, lang)),
    )


def proposals_table(ctx: Context, proposals: pd.DataFrame, radius: float) -> Section:
    """The siting proposals as a table (rank, kelurahan, kecamatan, children gained, coordinates)."""
    lang = ctx.lang
    table = None
    if len(proposals):
        names = unit_names(ctx, radius)
        view_p = proposals.assign(
            kecamatan=proposals["kode"].str[:8].map(names),
            lat=proposals["lat"].map(lambda v: fmt_dec(v, 5, lang)),
            lon=proposals["lon"].map(lambda v: fmt_dec(v, 5, lang)),
        )[["urutan", "nama", "kecamatan", "anak_tambahan", "lat", "lon"]]
        view_p = _columns(view_p, lang)
        table = styled(view_p, lang, integers=(t("peta.col_urutan", lang=lang), t("peta.col_anak_tambahan", lang=lang)))
    return Section(
        title=t("peta.proposals_title", lang=lang),
        table=table,
        caption=t("peta.proposals_caption", lang=lang, radius=fmt_int(radius, lang)),
    )


SLIDE_NAMES = 12  # units listed beside the slide map: what fits the slide body in 18 px type


def slide_names(ctx: Context, radius: float, metric_name: str) -> pd.DataFrame:
    """The names the slide map cannot draw (kaleido fetches no glyphs offline), set beside it: each unit with
    the map's figure, the least reached (or the most children per RBRA) first, at most SLIDE_NAMES (issue 21)."""
    lang = ctx.lang
    kec = units(ctx, radius)
    worse_high = metric_name == "anak_per_rbra"  # more children per RBRA is worse
    kec = kec.sort_values(metric_name, ascending=not worse_high, na_position="last").head(SLIDE_NAMES)
    shown = [_pct(v, lang) if metric_name == "persen_terjangkau" else fmt_int(v, lang) for v in kec[metric_name]]
    unit = t(f"app.unit_{ctx.unit_level}", lang=lang)
    return pd.DataFrame(
        {unit[:1].upper() + unit[1:]: kec["nama"].tolist(), t(f"peta.m_{metric_name}", lang=lang): shown}
    )


def slide_map(ctx: Context, radius: float, height: int = 620) -> tuple[go.Figure, str, str]:
    """The meeting deck's map (kla.slides, slide 4): coverage where boundaries and coverage exist, else children
    per RBRA; names only in the hovers. Returns (figure, metric name, subtitle)."""
    lang, lay = ctx.lang, layers(ctx)
    kec = units(ctx, radius)
    points = rbra_points(ctx)
    if lay.has_kec:
        metric = maps.METRICS["persen_terjangkau"] if lay.cov_level else maps.METRICS["anak_per_rbra"]
        shapes = queries.boundaries(ctx.key, ctx.unit_level, ctx.region)
        view = maps.view_of(*geodata.extent(ctx.key, ctx.unit_level, ctx.region))
        hover = [plot_text(n) for n in kec["nama"]]
        title = t(f"peta.m_{metric.name}", lang=lang)
        fig = maps.choropleth(shapes, kec, metric, hover, title, view, lang, height=height)
        if lay.cov_level:
            outline = geodata.reach_outline(ctx.key, ctx.year, radius, ctx.region)
            fig = maps.add_reach(fig, outline, reach_name(ctx, radius))
    else:
        metric = maps.METRICS["anak_per_rbra"]
        kec = kec.dropna(subset=["lat", "lon"])
        hover = [plot_text(n) for n in kec["nama"]]
        view = maps.view_of(kec["lat"], kec["lon"])
        fig = maps.bubbles(kec, metric, hover, t(f"peta.m_{metric.name}", lang=lang), view, lang, height=height)
    hover = [plot_text(n) for n in points["nama"]]
    fig = maps.legends_beside(maps.add_rbra(fig, points, hover, status_names(points, lang)))
    share = city_reached(ctx, radius)
    sub = (
        t("slides.map_sub", lang=lang, radius=fmt_int(radius, lang), pct=fmt_int(share, lang), n=len(points))
        if share is not None
        else t("slides.map_sub_points", lang=lang, n=len(points))
    )
    return fig, metric.name, sub
