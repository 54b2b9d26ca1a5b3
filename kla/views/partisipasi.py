"""Partisipasi Anak: Forum Anak coverage per kecamatan and kelurahan, and children's proposals in the Musrenbang.

What the page (pages/partisipasi.py) and the meeting slide (kla.slides) show, as data: the headline cards (with
indicator 6, Pelembagaan partisipasi anak), the coverage map, the kelurahan without an active forum, the members by
sex and age group, the proposals by status, theme and OPD, the share taken up and realised per RKPD cycle, and the
proposal lists.

Privacy: public viewers get counts, levels and statuses from queries.proposals / queries.forums, which never read
the free text; the proposal text only as teks_publik, after an analyst reviewed it (etl.partisipasi_edits). The
analysts' list (exact_list) reads queries.proposals_exact and is called by the page only for a viewer who may see
exact figures.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
from pandas.io.formats.style import Styler

from kla import charts, geodata, maps, queries
from kla import charts_partisipasi as pc
from kla.fmt import DASH, fmt_dec, fmt_int, plot_text, styled
from kla.i18n import t, value
from kla.views import Card, Context

INDICATOR = 6  # Pelembagaan partisipasi anak (data/reference/indikator.csv)
TAKEN = ("diakomodir", "direalisasikan")  # taken up in the RKPD: accommodated, and realised since
ALL = 0  # the cycle filter's "every cycle"


@dataclass(frozen=True)
class Coverage:
    """The forums of the year per kelurahan and kecamatan of the region (kategori: aktif | tidak_aktif | belum)."""

    year: int | None
    kelurahan: pd.DataFrame  # kode, nama, kode_kecamatan, kecamatan, kategori, nama_forum, anggota, kegiatan_terakhir
    kecamatan: pd.DataFrame  # kode, nama, kelurahan, aktif, persen_aktif, kategori (its own forum), nama_forum
    kota: pd.DataFrame  # the region's own forum(s) (Fantari), as forums() rows
    forums: pd.DataFrame  # every forum's record of the year (queries.forums)

    @property
    def empty(self) -> bool:
        return not len(self.forums)


def forum_year(ctx: Context) -> int | None:
    """The year of the forum records shown: the latest up to the chosen year, else the latest of all."""
    years = queries.forum_years(ctx.key, ctx.region)
    if not years:
        return None
    return max([y for y in years if y <= ctx.year] or years)


def _state(active) -> str:
    """A recorded forum's class: active only when the record says so (not known, NULL/NA: not active)."""
    return "aktif" if not pd.isna(active) and bool(active) else "tidak_aktif"


def _lookup(frame: pd.DataFrame, column: str) -> dict:
    """Area code -> a column's value (a dict: mapping through an empty datetime column would fail to cast)."""
    return dict(zip(frame.index, frame[column]))


def coverage(ctx: Context) -> Coverage:
    year = forum_year(ctx)
    forums = queries.forums(ctx.key, year, ctx.region) if year is not None else queries.forums(ctx.key, 0, ctx.region)
    forums = forums.assign(anggota=forums["anggota_l"].fillna(0) + forums["anggota_p"].fillna(0))
    kel = queries.regions(ctx.key, "kelurahan", ctx.region)[["kode", "nama", "kode_kecamatan"]]
    kec = queries.kecamatan(ctx.key, ctx.region)
    kec_names = dict(zip(kec["kode"], kec["nama"]))
    per_kel = forums[forums["tingkat"] == "kelurahan"].drop_duplicates("kode_wilayah").set_index("kode_wilayah")
    kel = kel.assign(
        kecamatan=kel["kode_kecamatan"].map(kec_names),
        kategori=[_state(per_kel.loc[k, "aktif"]) if k in per_kel.index else "belum" for k in kel["kode"]],
        nama_forum=kel["kode"].map(_lookup(per_kel, "nama_forum")),
        anggota=kel["kode"].map(_lookup(per_kel, "anggota")),
        kegiatan_terakhir=kel["kode"].map(_lookup(per_kel, "kegiatan_terakhir")),
    )
    per_kec = forums[forums["tingkat"] == "kecamatan"].drop_duplicates("kode_wilayah").set_index("kode_wilayah")
    counts = kel.groupby("kode_kecamatan").agg(
        kelurahan=("kode", "size"), aktif=("kategori", lambda s: int((s == "aktif").sum()))
    )
    kecamatan = kec[["kode", "nama"]].merge(counts, left_on="kode", right_index=True, how="left")
    kecamatan = kecamatan.assign(
        kelurahan=kecamatan["kelurahan"].fillna(0).astype(int),
        aktif=kecamatan["aktif"].fillna(0).astype(int),
        kategori=[_state(per_kec.loc[k, "aktif"]) if k in per_kec.index else "belum" for k in kecamatan["kode"]],
        nama_forum=kecamatan["kode"].map(_lookup(per_kec, "nama_forum")),
    )
    kecamatan["persen_aktif"] = (kecamatan["aktif"] / kecamatan["kelurahan"].where(kecamatan["kelurahan"] > 0)) * 100
    return Coverage(year, kel, kecamatan, forums[forums["tingkat"] == "kota"], forums)


def _pct(n: float, total: float, lang: str) -> str:
    return fmt_int(n / total * 100, lang) + "%" if total else DASH


def indicator(ctx: Context) -> Card | None:
    """Indicator 6's value in the latest evaluation up to the year (Progres' table), None without one."""
    from kla.views import progres

    kk = ctx.region if ctx.region_level == "kabkota" else None
    year = progres.eval_year(ctx, kk) if kk else None
    if year is None:
        return None
    rows = queries.indicators(ctx.key, year, kk)
    row = rows[rows["nomor"] == INDICATOR]
    if not len(row) or pd.isna(row["nilai"].iloc[0]):
        return None
    r = row.iloc[0]
    maks = r["nilai_maks"]
    delta = t(
        "partisipasi.ind_of" if not pd.isna(maks) else "partisipasi.ind_year",
        lang=ctx.lang,
        year=year,
        maks=fmt_dec(maks, 1, ctx.lang),
    )
    return Card(
        t("partisipasi.ind_label", lang=ctx.lang, n=INDICATOR),
        fmt_dec(r["nilai"], 1, ctx.lang),
        delta=delta,
        help=t("partisipasi.ind_help", lang=ctx.lang, name=r["nama"]),
    )


def headline(ctx: Context, cov: Coverage) -> list[Card]:
    """The cards above the map: kelurahan with an active forum, and indicator 6 when it was scored."""
    lang = ctx.lang
    kel = cov.kelurahan
    n, total = int((kel["kategori"] == "aktif").sum()), len(kel)
    cards = [
        Card(
            t("partisipasi.card_kel", lang=lang),
            _pct(n, total, lang),
            delta=t("partisipasi.card_kel_of", lang=lang, n=fmt_int(n, lang), total=fmt_int(total, lang)),
            help=t("partisipasi.card_kel_help", lang=lang, year=cov.year or DASH),
        )
    ]
    ind = indicator(ctx)
    if ind:
        cards.append(ind)
    return cards


def coverage_note(ctx: Context, cov: Coverage) -> str:
    """One line beside the map: the kecamatan with an active forum of their own, and the city forum."""
    lang = ctx.lang
    kec = cov.kecamatan
    parts = [
        t(
            "partisipasi.kec_note",
            lang=lang,
            n=fmt_int((kec["kategori"] == "aktif").sum(), lang),
            total=fmt_int(len(kec), lang),
        )
    ]
    for _, r in cov.kota.iterrows():
        parts.append(
            t(
                "partisipasi.kota_note_active" if _state(r["aktif"]) == "aktif" else "partisipasi.kota_note_inactive",
                lang=lang,
                name=r["nama_forum"] or r["wilayah"] or DASH,
                n=fmt_int(r["anggota"], lang),
            )
        )
    return " ".join(parts)


def _month(v, lang: str) -> str:
    if v is None or pd.isna(v):
        return DASH
    from babel.dates import format_date

    return format_date(pd.Timestamp(v).date(), format="MMM y", locale="id_ID" if lang == "id" else "en_US")


def forum_names(ctx: Context) -> dict[str, str]:
    return {k: t(f"partisipasi.forum_{k}", lang=ctx.lang) for k in pc.FORUM_ORDER}


def kel_hover(r, ctx: Context) -> str:
    lang = ctx.lang
    lines = [
        f"<b>{t('peta.kel_prefix', lang=lang)} {plot_text(r['nama'])}</b>",
        f"{t('peta.kec_prefix', lang=lang)} {plot_text(r['kecamatan'] or DASH)}",
        plot_text(forum_names(ctx)[r["kategori"]]),
    ]
    if r["kategori"] != "belum":
        lines.append(f"{t('partisipasi.members', lang=lang)}: {fmt_int(r['anggota'], lang)}")
        lines.append(f"{t('partisipasi.last_activity', lang=lang)}: {_month(r['kegiatan_terakhir'], lang)}")
    return "<br>".join(lines)


def kec_hover(r, ctx: Context) -> str:
    lang = ctx.lang
    return "<br>".join(
        [
            f"<b>{t('peta.kec_prefix', lang=lang)} {plot_text(r['nama'])}</b>",
            t(
                "partisipasi.kec_hover_kel",
                lang=lang,
                n=fmt_int(r["aktif"], lang),
                total=fmt_int(r["kelurahan"], lang),
            ),
            f"{t('partisipasi.kec_own', lang=lang)}: {plot_text(forum_names(ctx)[r['kategori']])}",
        ]
    )


PERSEN = maps.Metric("persen_aktif", maps.palette.SEQUENTIAL_GOOD, False, 0)


def levels(ctx: Context) -> list[str]:
    """The map's levels: kelurahan (each forum) when their boundaries are loaded, and kecamatan."""
    has_kel = geodata.has_boundaries(ctx.key, "kelurahan", ctx.region)
    return ["kelurahan", "kecamatan"] if has_kel else ["kecamatan"]


def map_figure(ctx: Context, cov: Coverage, level: str, height: int = maps.MAP_HEIGHT) -> go.Figure:
    """The coverage map: each kelurahan by its forum (active, inactive, none), or each kecamatan by the share of
    its kelurahan with an active forum; names from the app's own glyphs. Without boundaries: circles at the
    kecamatan's reference points."""
    lang = ctx.lang
    if level == "kelurahan":
        shapes = queries.boundaries(ctx.key, "kelurahan", ctx.region)
        frame = cov.kelurahan[cov.kelurahan["kode"].isin(shapes["kode"])]  # the others: unplaced() names them
        view = maps.view_of(*geodata.extent(ctx.key, "kelurahan", ctx.region))
        names = forum_names(ctx)
        classes = [(k, names[k], pc.FORUM_COLORS[k]) for k in pc.FORUM_ORDER]
        fig = maps.category_areas(shapes, frame, classes, [kel_hover(r, ctx) for _, r in frame.iterrows()], view, lang)
        fig.update_layout(height=height)
        ref = queries.regions(ctx.key, "kelurahan", ctx.region)[["kode", "lat", "lon"]]
        at = frame.merge(ref, on="kode", how="left")
        ink = at["kategori"].map(pc.FORUM_COLORS).tolist()
        return maps.add_labels(fig, at["lat"], at["lon"], at["nama"], ink)
    frame = cov.kecamatan
    hover = [kec_hover(r, ctx) for _, r in frame.iterrows()]
    title = t("partisipasi.m_persen", lang=lang)
    ref = queries.regions(ctx.key, "kecamatan", ctx.region)[["kode", "lat", "lon"]]
    frame = frame.merge(ref, on="kode", how="left")
    if geodata.has_boundaries(ctx.key, "kecamatan", ctx.region):
        shapes = queries.boundaries(ctx.key, "kecamatan", ctx.region)
        view = maps.view_of(*geodata.extent(ctx.key, "kecamatan", ctx.region))
        fig = maps.choropleth(shapes, frame, PERSEN, hover, title, view, lang, height=height)
        drawn = frame[frame["kode"].isin(shapes["kode"])]
        return maps.add_labels(fig, drawn["lat"], drawn["lon"], drawn["nama"], maps.fill_colors(drawn, PERSEN))
    located = frame.dropna(subset=["lat", "lon"])
    view = maps.view_of(located["lat"], located["lon"])
    hover = [kec_hover(r, ctx) for _, r in located.iterrows()]
    fig = maps.bubbles(located, PERSEN, hover, title, view, lang, height=height)
    return maps.add_labels(fig, located["lat"], located["lon"], located["nama"], [None] * len(located), "bottom center")


def unplaced(ctx: Context, cov: Coverage, level: str) -> str | None:
    """The kelurahan the map cannot draw (no polygon; Kendari's Wundumbatu) with their forum, or None."""
    if level != "kelurahan":
        return None
    shapes = set(queries.boundaries(ctx.key, "kelurahan", ctx.region)["kode"])
    missing = cov.kelurahan[~cov.kelurahan["kode"].isin(shapes)]
    if not len(missing):
        return None
    names = forum_names(ctx)
    items = ", ".join(
        f"{t('peta.kel_prefix', lang=ctx.lang)} {r['nama']} ({names[r['kategori']].lower()})"
        for _, r in missing.iterrows()
    )
    return t("partisipasi.unplaced", lang=ctx.lang, items=items)


def without_forum(ctx: Context, cov: Coverage) -> pd.DataFrame:
    """The kelurahan without an active forum, by kecamatan: none recorded, or recorded but not active (its last
    activity is in the map's hover: three columns fit beside the map)."""
    lang = ctx.lang
    names = forum_names(ctx)
    rows = cov.kelurahan[cov.kelurahan["kategori"] != "aktif"].sort_values(["kecamatan", "nama"])
    return pd.DataFrame(
        {
            t("partisipasi.col_kelurahan", lang=lang): rows["nama"].to_numpy(),
            t("partisipasi.col_kecamatan", lang=lang): rows["kecamatan"].to_numpy(),
            t("partisipasi.col_keadaan", lang=lang): rows["kategori"].map(names).to_numpy(),
        }
    )


def members(ctx: Context, cov: Coverage) -> Styler:
    """Forums and members per level: how many forums, how many active, with KHA training; members by sex and by
    age group (an age group's sum counts only the forums that filled it in)."""
    lang = ctx.lang
    f = cov.forums
    order = ["kota", "kecamatan", "kelurahan"]
    rows = []
    for level in [lv for lv in order if lv in set(f["tingkat"])] + ["total"]:
        g = f if level == "total" else f[f["tingkat"] == level]
        rows.append(
            {
                t("partisipasi.col_tingkat", lang=lang): t(f"partisipasi.tingkat_{level}", lang=lang),
                t("partisipasi.col_forum", lang=lang): len(g),
                t("partisipasi.col_aktif", lang=lang): int((g["aktif"] == True).sum()),  # noqa: E712 (NULL: unknown)
                t("partisipasi.col_kha", lang=lang): int((g["pelatihan_kha"] == True).sum()),  # noqa: E712
                t("partisipasi.col_l", lang=lang): g["anggota_l"].sum(min_count=1),
                t("partisipasi.col_p", lang=lang): g["anggota_p"].sum(min_count=1),
                t("partisipasi.col_6_12", lang=lang): g["anggota_6_12"].sum(min_count=1),
                t("partisipasi.col_13_17", lang=lang): g["anggota_13_17"].sum(min_count=1),
                t("partisipasi.col_18", lang=lang): g["anggota_18"].sum(min_count=1),
                t("partisipasi.col_jumlah", lang=lang): g["anggota"].sum(),
            }
        )
    table = pd.DataFrame(rows)
    return styled(table, lang, integers=tuple(table.columns[1:]))


# --- proposals ---------------------------------------------------------------------------------------------------
def proposals(ctx: Context) -> pd.DataFrame:
    """Every proposal of the region, public columns only (queries.proposals)."""
    return queries.proposals(ctx.key, ctx.region)


def cycles(ctx: Context) -> list[int]:
    return sorted({int(c) for c in proposals(ctx)["siklus"].dropna()})


def status_names(ctx: Context) -> dict[str, str]:
    return {s: t(f"partisipasi.status_{s}", lang=ctx.lang) for s in pc.STATUS_ORDER}


def shares(ctx: Context) -> pd.DataFrame:
    """Per RKPD cycle: proposals, each status, and the shares (%) taken up (accommodated + realised) and realised,
    both of all the cycle's proposals."""
    p = proposals(ctx).dropna(subset=["siklus"])
    table = pd.crosstab(p["siklus"].astype(int), p["status"]).reindex(columns=list(pc.STATUS_ORDER), fill_value=0)
    table["usulan"] = table.sum(axis=1)
    table["diambil"] = table["diakomodir"] + table["direalisasikan"]
    table["persen_diambil"] = table["diambil"] / table["usulan"] * 100
    table["persen_realisasi"] = table["direalisasikan"] / table["usulan"] * 100
    return table.sort_index()


def share_cards(ctx: Context) -> list[Card]:
    """The latest cycle's share taken up and realised, against the cycle before it."""
    lang = ctx.lang
    s = shares(ctx)
    if not len(s):
        return []
    last = s.index[-1]
    r = s.loc[last]
    prev = s.loc[s.index[-2]] if len(s) > 1 else None
    out = []
    for column, count, key in (
        ("persen_diambil", "diambil", "taken"),
        ("persen_realisasi", "direalisasikan", "realised"),
    ):
        delta = t("partisipasi.card_of", lang=lang, n=fmt_int(r[count], lang), total=fmt_int(r["usulan"], lang))
        if prev is not None:
            delta += " · " + t(
                "partisipasi.card_prev", lang=lang, year=int(s.index[-2]), pct=fmt_int(prev[column], lang) + "%"
            )
        out.append(
            Card(
                t(f"partisipasi.card_{key}", lang=lang, year=int(last)),
                fmt_int(r[column], lang) + "%",
                delta=delta,
                help=t(f"partisipasi.card_{key}_help", lang=lang),
            )
        )
    return out


def share_figure(ctx: Context, height: int = 340) -> go.Figure:
    s = shares(ctx)
    lang = ctx.lang
    return pc.shares_per_cycle(
        [int(c) for c in s.index],
        s["persen_diambil"].tolist(),
        s["persen_realisasi"].tolist(),
        (t("partisipasi.series_taken", lang=lang), t("partisipasi.series_realised", lang=lang)),
        lang,
        t("partisipasi.axis_share", lang=lang),
        height=height,
    )


def status_figure(ctx: Context) -> go.Figure:
    s = shares(ctx)
    counts = {st: s[st].astype(int).tolist() for st in pc.STATUS_ORDER if s[st].sum()}
    return pc.status_per_cycle(
        [int(c) for c in s.index], counts, status_names(ctx), ctx.lang, t("partisipasi.axis_proposals", lang=ctx.lang)
    )


def _in_cycle(ctx: Context, cycle: int) -> pd.DataFrame:
    p = proposals(ctx)
    return p if cycle == ALL else p[p["siklus"] == cycle]


def count_bars(ctx: Context, column: str, cycle: int) -> go.Figure | None:
    """Proposals per theme (every theme of the list) or per target OPD (the 15 with most, the rest as one bar),
    for a cycle or all, the most first."""
    top = 15 if column == "opd_tujuan" else None
    lang = ctx.lang
    p = _in_cycle(ctx, cycle)
    if not len(p):
        return None
    words = p[column].fillna(t("partisipasi.none", lang=lang))
    if column == "tema":
        words = words.map(lambda w: value("tema_usulan", w, lang))
    n = words.value_counts()
    if top and len(n) > top:
        n = pd.concat([n.iloc[: top - 1], pd.Series({t("partisipasi.others", lang=lang): n.iloc[top - 1 :].sum()})])
    return charts.protected_bars(
        n.index.tolist(),
        n.tolist(),
        [fmt_int(v, lang) for v in n],
        lang,
        t("partisipasi.axis_proposals", lang=lang),
    )


def cycle_label(ctx: Context, c: int) -> str:
    return t("partisipasi.cycle_all", lang=ctx.lang) if c == ALL else t("partisipasi.cycle", lang=ctx.lang, year=c)


def _cycle(v) -> str:
    """A cycle as text (a table would write 2.026)."""
    return DASH if pd.isna(v) else str(int(v))


def _level(ctx: Context, v) -> str:
    return t(f"partisipasi.musrenbang_{v}", lang=ctx.lang) if isinstance(v, str) else DASH


def public_list(ctx: Context, cycle: int) -> pd.DataFrame:
    """The proposals whose text an analyst reviewed for publication: the reviewed text, never the text as
    written."""
    lang = ctx.lang
    p = _in_cycle(ctx, cycle)
    p = p[p["teks_publik"].notna()]
    names = status_names(ctx)
    return pd.DataFrame(
        {
            t("partisipasi.col_siklus", lang=lang): [_cycle(v) for v in p["siklus"]],
            t("partisipasi.col_musrenbang", lang=lang): [_level(ctx, v) for v in p["tingkat"]],
            t("partisipasi.col_wilayah", lang=lang): p["wilayah"].fillna(DASH).to_numpy(),
            t("partisipasi.col_usulan", lang=lang): p["teks_publik"].to_numpy(),
            t("partisipasi.col_tema", lang=lang): [value("tema_usulan", v, lang) or DASH for v in p["tema"]],
            t("partisipasi.col_opd", lang=lang): p["opd_tujuan"].fillna(DASH).to_numpy(),
            t("partisipasi.col_status", lang=lang): p["status"].map(names).fillna(DASH).to_numpy(),
        }
    )


def exact_rows(ctx: Context) -> pd.DataFrame:
    """Analysts only: every proposal with its text as written, reason, evidence link and review state."""
    return queries.proposals_exact(ctx.key, ctx.region)


def exact_list(ctx: Context, cycle: int) -> pd.DataFrame:
    """Analysts only: the proposal list with the full text, reason, evidence link and the reviewed text."""
    lang = ctx.lang
    p = exact_rows(ctx)
    p = p if cycle == ALL else p[p["siklus"] == cycle]
    names = status_names(ctx)
    return pd.DataFrame(
        {
            t("partisipasi.col_siklus", lang=lang): [_cycle(v) for v in p["siklus"]],
            t("partisipasi.col_wilayah", lang=lang): p["wilayah"].fillna(DASH).to_numpy(),
            t("partisipasi.col_usulan", lang=lang): p["usulan"].fillna("").to_numpy(),
            t("partisipasi.col_tema", lang=lang): [value("tema_usulan", v, lang) or DASH for v in p["tema"]],
            t("partisipasi.col_opd", lang=lang): p["opd_tujuan"].fillna(DASH).to_numpy(),
            t("partisipasi.col_status", lang=lang): p["status"].map(names).fillna(DASH).to_numpy(),
            t("partisipasi.col_alasan", lang=lang): p["alasan"].fillna("").to_numpy(),
            t("partisipasi.col_bukti", lang=lang): p["tautan_bukti"].fillna("").to_numpy(),
            t("partisipasi.col_teks_publik", lang=lang): p["teks_publik"].fillna("").to_numpy(),
            t("partisipasi.col_ditinjau", lang=lang): p["ditinjau_oleh"].fillna("").to_numpy(),
        }
    )


def review_labels(ctx: Context, cycle: int) -> dict[str, str]:
    """Analysts only: usulan_id -> "2026 · X · the text's start" (the review's picker), unique."""
    p = exact_rows(ctx)
    p = p if cycle == ALL else p[p["siklus"] == cycle]
    out = {}
    for _, r in p.iterrows():
        text = str(r["usulan"] or "")
        out[r["usulan_id"]] = (
            f"{int(r['siklus']) if not pd.isna(r['siklus']) else DASH} · {r['wilayah'] or DASH} · "
            f"{text[:70]}{'…' if len(text) > 70 else ''}"
        )
    # labels stay the same after a review (a changed option list would reset the choice to the first); every label
    # unique: the browser sends the chosen label back, and two proposals of the same words in the
    # same area and cycle would be one choice (the form of the other would open); the id tells them apart
    seen = pd.Series(list(out.values())).value_counts()
    return {k: f"{v} · #{k[:8]}" if seen[v] > 1 else v for k, v in out.items()}


def review_row(ctx: Context, usulan_id: str) -> dict | None:
    """Analysts only: one proposal's row as a dict (its text, reason, link, reviewed text, base load_id)."""
    p = exact_rows(ctx)
    hit = p[p["usulan_id"] == usulan_id]
    if not len(hit):
        return None
    r = hit.iloc[0].to_dict()
    return {k: (None if not isinstance(v, str) and pd.isna(v) else v) for k, v in r.items()}


# --- the meeting slide ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SlideParts:
    title: str
    subtitle: str
    figure: go.Figure | None
    table: pd.DataFrame | None  # forums per level: active of all (None without forum records)
    notes: str


def slide(ctx: Context) -> SlideParts | None:
    """The deck's Partisipasi Anak slide: the share taken up and realised per cycle, and the forums per level.
    Counts and statuses only (no text): the same in the public and the exact deck. None without any data."""
    lang = ctx.lang
    cov = coverage(ctx)
    s = shares(ctx)
    if cov.empty and not len(s):
        return None
    kel = cov.kelurahan
    n_kel = int((kel["kategori"] == "aktif").sum())
    parts = []
    if not cov.empty:
        parts.append(t("partisipasi.slide_forum", lang=lang, n=n_kel, total=len(kel)))
    if len(s):
        last = s.loc[s.index[-1]]
        parts.append(
            t(
                "partisipasi.slide_share",
                lang=lang,
                year=int(s.index[-1]),
                taken=fmt_int(last["persen_diambil"], lang),
                realised=fmt_int(last["persen_realisasi"], lang),
            )
        )
    rows = []
    levels = () if cov.empty else (("kota", cov.kota), ("kecamatan", cov.kecamatan), ("kelurahan", kel))
    for level, frame in levels:
        if level == "kota":
            total, active = len(frame), int((frame["aktif"] == True).sum())  # noqa: E712
        else:
            total, active = len(frame), int((frame["kategori"] == "aktif").sum())
        if total:
            rows.append(
                {
                    t("partisipasi.col_tingkat", lang=lang): t(f"partisipasi.tingkat_{level}", lang=lang),
                    t("partisipasi.slide_col_active", lang=lang): f"{fmt_int(active, lang)} / {fmt_int(total, lang)}",
                }
            )
    figure = charts.slide_fonts(share_figure(ctx, height=420)) if len(s) else None
    return SlideParts(
        title=t("partisipasi.slide_title", lang=lang),
        subtitle=" ".join(parts),
        figure=figure,
        table=pd.DataFrame(rows) if rows else None,
        notes=t("partisipasi.share_caption", lang=lang) + " " + t("partisipasi.slide_notes", lang=lang),
    )


def share_table(ctx: Context, s: pd.DataFrame) -> pd.DataFrame:
    """The cycles' counts and shares as a table (the download beside the charts)."""
    lang = ctx.lang
    names = status_names(ctx)
    out = pd.DataFrame({t("partisipasi.col_siklus", lang=lang): [int(c) for c in s.index]})
    out[t("partisipasi.col_jumlah_usulan", lang=lang)] = s["usulan"].astype(int).to_numpy()
    for status in pc.STATUS_ORDER:
        out[names[status]] = s[status].astype(int).to_numpy()
    out[t("partisipasi.series_taken", lang=lang) + " (%)"] = s["persen_diambil"].round(1).to_numpy()
    out[t("partisipasi.series_realised", lang=lang) + " (%)"] = s["persen_realisasi"].round(1).to_numpy()
    return out
