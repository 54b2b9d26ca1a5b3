"""Progres Klaster: the KLA evaluation of a kab/kota (score, category, the 24 indicators, what-if, per OPD),
the meeting follow-ups and the kecamatan self-ratings; a province or Indonesia first ranks its kab/kota.

The meeting deck's progress slide (per cluster), its priority-indicator slide and its overdue follow-ups slides
are built from the same functions (groups, priorities, late_followups). Free text (task text, notes, catatan) is
in a view only when the viewer sees exact figures (not ctx.public): it can name a child.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
from pandas.io.formats.style import Styler

from etl import reference
from kla import charts, i18n, klaster, palette, queries
from kla.fmt import fmt_date, fmt_dec, fmt_int, md_text, styled
from kla.i18n import t
from kla.scoring import categories, standing
from kla.views import Card, Context


# --- which year, which kab/kota ----------------------------------------------------------------
def eval_year(ctx: Context, kabkota: str | None) -> int | None:
    """The evaluation year shown for `kabkota` (or the region): the latest up to ctx.year, else the latest of
    all; None without any evaluation."""
    years = queries.indicator_years(ctx.key, kabkota)
    if not years:
        return None
    return max([y for y in years if y <= ctx.year] or years)


@dataclass(frozen=True)
class Ranking:
    """A province's or Indonesia's kab/kota by their total score of the year, highest first."""

    title: str  # the subheader (Markdown)
    caption: str  # how many kab/kota per category (Markdown)
    table: Styler  # the ranking, labelled and formatted; .data for the downloads
    names: dict[str, str]  # kab/kota code -> name, in ranking order (the kab/kota picker)

    def heading(self, kabkota: str) -> str:
        """The chosen kab/kota's name as a Markdown header."""
        return md_text(self.names[kabkota])


def ranking(ctx: Context, year: int) -> Ranking:
    lang = ctx.lang
    bands = queries.category_bands(ctx.key)
    scores = queries.kabkota_scores(ctx.key, year, ctx.region)
    scores = scores.assign(kategori=[c or "—" for c in categories(scores["nilai"], bands)])
    counts = scores["kategori"].value_counts()
    caption = " · ".join(
        f"{md_text(c)}: {fmt_int(int(counts[c]), lang)}" for c in [*bands["kategori"], "—"] if c in counts
    )
    assessed = t("progres.col_assessed", lang=lang)
    view = scores.rename(
        columns={
            "nama": t("progres.col_kabkota", lang=lang),
            "nilai": t("progres.col_score", lang=lang),
            "kategori": t("progres.col_category", lang=lang),
            "indikator": assessed,
        }
    ).drop(columns=["kode"])
    return Ranking(
        t("progres.ranking_title", lang=lang, year=year, region=md_text(ctx.region_name)),  # names: md_text
        caption,
        styled(view, lang, 1, integers=(assessed,)),
        dict(zip(scores["kode"], scores["nama"])),
    )


# --- the evaluation of one kab/kota --------------------------------------------------------------
def indicators(ctx: Context, kabkota: str | None, year: int) -> pd.DataFrame:
    """The 24 indicators of the year with points at stake and status (klaster.indicator_table): the frame the
    other functions here take as `table`."""
    return klaster.indicator_table(queries.indicators(ctx.key, year, kabkota))


@dataclass(frozen=True)
class Category:
    """The category of a kab/kota's evaluation year, and where it comes from.

    Only a final result gives a category: the published final category (fact_kla_hasil; several when sources
    disagree), else the band of a final-stage score. A score from an earlier stage (the city's own evaluasi
    mandiri, a verification) gives an estimate, said as such."""

    text: str  # the category (Markdown), or "Belum berkategori"
    note: str  # "hasil akhir (sumber)", "perkiraan dari evaluasi mandiri", "sumber bertentangan: ..."
    official: bool


def stage_label(stage: str | None, lang: str) -> str:
    return t(f"progres.stage_{stage or 'tidak_disebut'}", lang=lang)


def category(ctx: Context, kabkota: str | None, year: int, s, stage: str | None) -> Category:
    lang = ctx.lang
    published = queries.category_history(ctx.key, kabkota)
    published = published[published["tahun"] == year]
    if len(published):
        cats = list(dict.fromkeys(published["kategori"]))
        sources = "; ".join(md_text(x) for x in published["sumber"])
        if len(cats) > 1:
            return Category(
                " / ".join(md_text(c) for c in cats), t("progres.category_conflict", lang=lang, sources=sources), True
            )
        return Category(md_text(cats[0]), t("progres.category_final", lang=lang, source=sources), True)
    text = md_text(s.category) or t("progres.category_none", lang=lang)
    if stage == "final":
        return Category(text, t("progres.category_final_score", lang=lang), True)
    return Category(text, t("progres.category_estimate", lang=lang), False)


def year_stage(table: pd.DataFrame) -> str | None:
    """The stage of the year's indicator values (queries.indicators: the latest stage loaded)."""
    stages = table["tahap"].dropna().unique()
    return stages[0] if len(stages) == 1 else None


def cards(ctx: Context, table: pd.DataFrame, year: int, kabkota: str | None = None) -> list[Card]:
    """Score (and its stage), category (final results only; otherwise an estimate, said so), points to the next
    category, evidence complete."""
    lang = ctx.lang
    s = standing(klaster.total(table), queries.category_bands(ctx.key))
    stage = year_stage(table)
    cat = category(ctx, kabkota, year, s, stage)
    assessed = int(table["nilai"].notna().sum())
    complete = int((table["status_bukti"] == "Lengkap").sum())
    return [
        Card(
            t("progres.score", lang=lang, year=year),
            fmt_dec(s.score, 1, lang),
            delta=t("progres.score_stage", lang=lang, stage=stage_label(stage, lang)),
            help=t("progres.score_help", lang=lang),
        ),
        Card(t("progres.category", lang=lang), cat.text, delta=cat.note, help=t("progres.category_help", lang=lang)),
        _to_next(ctx, s, help=t("progres.to_next_help", lang=lang)),
        Card(
            t("progres.evidence", lang=lang),
            f"{complete} / {len(table)}",
            delta=t("progres.assessed", lang=lang, n=assessed, total=len(table)),
            help=t("progres.evidence_help", lang=lang),
        ),
    ]


def _to_next(ctx: Context, s, help: str | None = None) -> Card:
    lang = ctx.lang
    return Card(
        t("progres.to_next", lang=lang, category=md_text(s.next_category))
        if s.next_category
        else t("progres.to_next_top", lang=lang),
        fmt_dec(s.points_to_next, 1, lang) if s.next_category else "—",
        help=help,
    )


@dataclass(frozen=True)
class Groups:
    """The score per group (Kelembagaan, Klaster I-V) against its maximum."""

    frame: pd.DataFrame  # klaster.group_table: kelompok, nilai, nilai_maks, persen, poin
    weakest: str  # the group with the lowest share of its maximum (plain text)
    weakest_pct: str  # its share, formatted (no % sign)
    figure: go.Figure  # bullets: score against maximum


def groups(ctx: Context, kabkota: str | None, year: int) -> Groups:
    """Without known maxima the weakest group cannot be named by its share: `weakest` is then empty."""
    g = klaster.group_table(indicators(ctx, kabkota, year))
    known = g.dropna(subset=["persen"])
    weakest = known.sort_values("persen").iloc[0] if len(known) else None
    return Groups(
        g,
        "" if weakest is None else weakest["kelompok"],
        "" if weakest is None else fmt_int(weakest["persen"], ctx.lang),
        charts.group_bullets(g, ctx.lang, t("progres.axis_points", lang=ctx.lang)),
    )


def groups_caption(ctx: Context, g: Groups) -> str:
    known = g.frame["nilai_maks"].notna()
    key = "progres.groups_caption" if known.all() else "progres.groups_caption_no_max"
    return t(key, lang=ctx.lang)


def trends(ctx: Context, kabkota: str | None) -> tuple[go.Figure, go.Figure]:
    """The total score per year against the category bands, and each group's share of its maximum per year."""
    lang = ctx.lang
    total = charts.kla_score_trend(
        queries.kla_scores(ctx.key, kabkota),
        queries.category_bands(ctx.key),
        lang,
        t("progres.axis_points", lang=lang),
        t("progres.axis_year", lang=lang),
    )
    scores = queries.group_scores(ctx.key, kabkota)
    share = bool(len(scores)) and bool(scores["maks"].notna().all())  # shares only against known maxima
    per_group = charts.group_trend(
        scores,
        lang,
        t("progres.axis_percent" if share else "progres.axis_points", lang=lang),
        t("progres.axis_year", lang=lang),
        share=share,
    )
    return total, per_group


def trend_groups_caption(ctx: Context, kabkota: str | None) -> str:
    scores = queries.group_scores(ctx.key, kabkota)
    share = bool(len(scores)) and bool(scores["maks"].notna().all())
    return t("progres.trend_groups_caption" if share else "progres.trend_groups_caption_points", lang=ctx.lang)


INDICATOR_COLUMNS = [
    "nomor",
    "status",
    "nama",
    "kelompok",
    "nilai",
    "nilai_maks",
    "persen",
    "poin",
    "target",
    "gap_target",
    "status_bukti",
    "opd",
]


def indicator_view(ctx: Context, rows: pd.DataFrame) -> Styler:
    """Indicator rows (of `indicators`) labelled, formatted, the status in its colour; their notes (free text,
    they can name a child) only when not ctx.public. .data for the downloads."""
    lang = ctx.lang
    status_label = {k: t(f"progres.status_{k}", lang=lang) for k in klaster.STATUS_COLORS}
    view = rows[INDICATOR_COLUMNS].copy()
    if not ctx.public:  # notes are free text (they can name a child): analysts only
        view["catatan"] = rows["catatan"].fillna("")
    view["status"] = view["status"].map(status_label)
    view["status_bukti"] = [i18n.value("status_bukti", v, lang) for v in view["status_bukti"]]
    view["kelompok"] = [i18n.value("kelompok_kla", v, lang) for v in view["kelompok"]]
    # no maximum is published (KemenPPPA): said in the cell rather than an empty one that reads as zero
    view["nilai_maks"] = [
        fmt_dec(m, 1, lang) if m == m else t("progres.max_unknown", lang=lang) for m in view["nilai_maks"]
    ]
    view.columns = [t(f"progres.col_{c}", lang=lang) for c in view.columns]
    color = {status_label[k]: v for k, v in klaster.STATUS_COLORS.items()}
    return styled(view, lang, percents=(t("progres.col_persen", lang=lang),)).map(
        lambda v: palette.cell_css(color[v], bold=True) if v in color else "",
        subset=[t("progres.col_status", lang=lang)],
    )


def indicator_labels(ctx: Context, table: pd.DataFrame) -> dict[int, str]:
    """Indicator number -> "n. name", by number (plain text: widget options, the what-if picker)."""
    names = dict(zip(table["nomor"], table["nama"]))
    return {n: f"{n}. {names[n]}" for n in sorted(names)}


def task_indicator_labels(ctx: Context, table: pd.DataFrame) -> dict[int | None, str]:
    """The follow-up form's indicator options: none first, then "n. name" by number."""
    return {None: t("progres.tl_no_indicator", lang=ctx.lang), **indicator_labels(ctx, table)}


# --- what-if -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Slider:
    """A what-if slider of one indicator: from 0 to its maximum, starting at its score."""

    nomor: int
    label: str  # Markdown
    maks: float | None  # None: the indicator's maximum is not known (a number input without an upper bound)
    now: float
    help: str


def whatif_sliders(ctx: Context, table: pd.DataFrame, chosen: list[int]) -> list[Slider]:
    lang = ctx.lang
    by_no = table.set_index("nomor")
    out = []
    for n in chosen:
        maks = by_no.loc[n, "nilai_maks"]
        maks = None if pd.isna(maks) else float(maks)
        now = by_no.loc[n, "nilai"]
        now = 0.0 if pd.isna(now) else float(now)
        help_ = (
            t("progres.whatif_now", lang=lang, now=fmt_dec(now, 1, lang), maks=fmt_int(maks, lang))
            if maks is not None
            else t("progres.whatif_now_no_max", lang=lang, now=fmt_dec(now, 1, lang))
        )
        out.append(Slider(n, f"{n}. {md_text(by_no.loc[n, 'nama'])}", maks, now, help_))  # a Markdown label
    return out


@dataclass(frozen=True)
class WhatIf:
    cards: list[Card]  # simulated total, category, points to the next category
    suggestion: str | None  # Markdown: how many indicators close the gap (None: no gap, or it cannot be closed)
    picks: Styler | None  # those indicators, largest gain first


def whatif(ctx: Context, table: pd.DataFrame, changes: dict[int, float]) -> WhatIf:
    """The standing with `changes` (indicator number -> simulated score) applied; never written anywhere."""
    lang = ctx.lang
    bands = queries.category_bands(ctx.key)
    s = standing(klaster.total(table), bands)
    sim = klaster.simulate(table, bands, changes)
    cards_ = [
        Card(
            t("progres.whatif_total", lang=lang),
            fmt_dec(sim.score, 1, lang),
            delta=fmt_dec(sim.score - s.score, 1, lang) if changes else None,
            delta_color="normal",
        ),
        Card(t("progres.category", lang=lang), md_text(sim.category) or t("progres.category_none", lang=lang)),
        _to_next(ctx, sim),
    ]
    picks = klaster.suggest(table, sim.points_to_next, changes)
    if not (sim.next_category and len(picks)):
        return WhatIf(cards_, None, None)
    text = t(
        "progres.suggest",
        lang=lang,
        category=md_text(sim.next_category),
        points=fmt_dec(sim.points_to_next, 1, lang),
        n=len(picks),
    )
    picks = picks.assign(dasar=[t(f"progres.basis_{b}", lang=lang) for b in picks["dasar"]])
    view = picks.rename(columns={c: t(f"progres.col_{c}", lang=lang) for c in picks.columns})
    return WhatIf(cards_, text, styled(view, lang))


def whatif_note(ctx: Context, table: pd.DataFrame) -> str:
    """What the simulation can and cannot say: without maxima the headroom of an indicator is unknown."""
    key = "progres.whatif_note" if klaster.has_maxima(table) else "progres.whatif_note_no_max"
    return t(key, lang=ctx.lang)


# --- per OPD -----------------------------------------------------------------------------------
OPD_COLUMNS = ["opd", "indikator", "bersama", "nilai", "maks", "poin", "lengkap", "sebagian", "belum", "bukti_persen"]


@dataclass(frozen=True)
class OpdView:
    table: Styler  # per lead OPD: indicators, score, maximum, points at stake, evidence; .data for downloads
    figure: go.Figure  # points at stake per OPD
    opds: list[str]  # the OPD picker's options, most points at stake first


def opd_view(ctx: Context, table: pd.DataFrame) -> OpdView:
    lang = ctx.lang
    per_opd = klaster.opd_table(table)
    known = per_opd["poin"].notna().any()  # points at stake need maxima; else the gap to the city's targets
    view = per_opd[OPD_COLUMNS if known else [c for c in OPD_COLUMNS if c not in ("maks", "poin")] + ["gap_target"]]
    view = view.rename(columns={c: t(f"progres.opd_{c}", lang=lang) for c in view.columns})
    measure = "poin" if known else "gap_target"
    return OpdView(
        styled(view, lang, percents=(t("progres.opd_bukti_persen", lang=lang),)),
        charts.points_at_stake(
            per_opd["opd"].tolist(),
            per_opd[measure].fillna(0).tolist(),
            lang,
            t("progres.axis_at_stake" if known else "progres.axis_to_target", lang=lang),
        ),
        per_opd["opd"].tolist(),
    )


def opd_indicators(ctx: Context, table: pd.DataFrame, opd: str) -> Styler:
    """The indicators one OPD leads (as indicator_view)."""
    return indicator_view(ctx, klaster.opd_indicators(table, opd))


# --- meeting follow-ups ------------------------------------------------------------------------
@dataclass(frozen=True)
class Followups:
    """A kab/kota's follow-up tasks: the cards over all of them and the OPD filter's options."""

    tasks: pd.DataFrame  # every task, marked overdue (klaster.mark_overdue): for followup_lists and the edit form
    cards: list[Card]  # open, late, done
    opds: list[str]  # the OPD filter's options

    @property
    def empty(self) -> bool:
        return not len(self.tasks)


def followups(ctx: Context, kabkota: str | None, today: dt.date) -> Followups:
    lang = ctx.lang
    tasks = klaster.mark_overdue(queries.followups(ctx.key, kabkota), today)
    return Followups(
        tasks,
        [
            Card(t("progres.tl_open", lang=lang), fmt_int(int(tasks["status"].isin(klaster.OPEN).sum()), lang)),
            Card(t("progres.tl_late", lang=lang), fmt_int(int(tasks["terlambat"].sum()), lang)),
            Card(t("progres.tl_done", lang=lang), fmt_int(int((tasks["status"] == "Selesai").sum()), lang)),
        ],
        sorted({klaster.opd_name(o) for o in tasks["opd"]}),  # one OPD, one name (the stored text stays)
    )


@dataclass(frozen=True)
class FollowupLists:
    per_opd: pd.DataFrame  # per OPD: counts and dates (what everyone sees, the public included)
    tasks: Styler  # the task list, late ones marked; .data for the downloads


def followup_lists(ctx: Context, followups: Followups, opd_filter=(), status_filter=()) -> FollowupLists:
    """The tasks of the chosen OPD and statuses (none chosen: all): counts per OPD and the task list. The task
    text and notes are free text (they can name a child): in the list only when not ctx.public."""
    shown = followups.tasks
    if opd_filter:
        shown = shown[shown["opd"].map(klaster.opd_name).isin(opd_filter)]
    if status_filter:
        shown = shown[shown["status"].isin(status_filter)]
    return FollowupLists(_opd_followups(ctx, klaster.followups_per_opd(shown)), _task_list(ctx, shown))


def _opd_followups(ctx: Context, per_opd: pd.DataFrame) -> pd.DataFrame:
    lang = ctx.lang
    view = per_opd.assign(
        hari_terlambat=[fmt_int(v, lang) if pd.notna(v) else "" for v in per_opd["hari_terlambat"]],
        tenggat_terlambat=[fmt_date(d, lang) if pd.notna(d) else "" for d in per_opd["tenggat_terlambat"]],
    )
    return view.rename(columns={c: t(f"progres.tlopd_{c}", lang=lang) for c in view.columns})


def _task_list(ctx: Context, shown: pd.DataFrame) -> Styler:
    lang = ctx.lang
    late_label = t("progres.tl_late_mark", lang=lang)
    view = shown.assign(
        tanggal_rapat=shown["tanggal_rapat"].map(lambda d: fmt_date(d, lang)),
        tenggat=shown["tenggat"].map(lambda d: fmt_date(d, lang)),
        hari=[fmt_int(-d, lang) if late else "" for d, late in zip(shown["sisa_hari"], shown["terlambat"])],
        terlambat=shown["terlambat"].map(lambda v: late_label if v else ""),
        nomor=shown["nomor"].map(lambda v: "" if pd.isna(v) else str(int(v))),
        status=shown["status"].map(lambda v: i18n.value("status_tugas", v, lang)),
        catatan=shown["catatan"].fillna(""),
        opd=shown["opd"].map(klaster.opd_name),
    )
    # task text and notes are free text (they can name a child): analysts only
    cols = ["terlambat", "tenggat", "hari", "opd", "nomor", "status", "tanggal_rapat"]
    view = view[cols if ctx.public else [*cols[:3], "tugas", *cols[3:6], "catatan", cols[6]]]
    view.columns = [t(f"progres.tlcol_{c}", lang=lang) for c in view.columns]
    return view.style.map(
        lambda v: palette.cell_css(palette.DANGER, bold=True) if v == late_label else "",
        subset=[t("progres.tlcol_terlambat", lang=lang)],
    )


def edit_labels(ctx: Context, followups: Followups) -> dict[str, str]:
    """Task id -> "due date · OPD · task text" for the edit picker. Holds the task text: only for a viewer who
    may edit the kab/kota's tasks (auth.viewer().exact(kabkota)), never for the public."""
    lang = ctx.lang
    return {
        r["id"]: f"{fmt_date(r['tenggat'], lang)} · {r['opd']} · {r['tugas'][:70]}"
        for r in followups.tasks.to_dict("records")
    }


def task_values(followups: Followups, task_id: str) -> dict:
    """One task as the edit form takes it: dates as dates, no indicator and no note as None."""
    task = followups.tasks[followups.tasks["id"] == task_id].iloc[0].to_dict()
    for k in ("tanggal_rapat", "tenggat"):
        task[k] = task[k].date() if hasattr(task[k], "date") else task[k]
    task["nomor"] = None if pd.isna(task["nomor"]) else int(task["nomor"])
    task["catatan"] = None if pd.isna(task["catatan"]) else task["catatan"]
    return task


@dataclass(frozen=True)
class LateFollowups:
    """The overdue follow-ups (the meeting slides): every late task is in `table`, most days late first, so
    the slides that page it list exactly what they count."""

    table: pd.DataFrame  # public: per OPD its late tasks, earliest due date, most days late (no task text);
    # exact: per task its text, OPD, due date and days late
    n_late: int
    n_open: int
    n_tasks: int


def late_followups(ctx: Context, kabkota: str | None, today: dt.date) -> LateFollowups:
    """The late tasks of `kabkota` on `today` (klaster.mark_overdue: open and past the due date, as the Progres
    page's "Terlambat" card counts them). Dates and numbers formatted by Babel in the viewer's language."""
    lang = ctx.lang
    tasks = klaster.mark_overdue(queries.followups(ctx.key, kabkota), today)
    late = tasks[tasks["terlambat"]].assign(hari=lambda d: -d["sisa_hari"])
    if ctx.public:  # task text is free text (it can name a child): the public deck has counts and dates only
        view = _late_per_opd(late, lang)
    else:
        late = late.sort_values(["hari", "opd", "tugas"], ascending=[False, True, True], kind="stable")
        view = pd.DataFrame(
            {
                t("progres.tlcol_tugas", lang=lang): late["tugas"].tolist(),
                t("progres.tlcol_opd", lang=lang): [klaster.opd_name(v) for v in late["opd"]],  # one OPD, one name
                t("progres.tlcol_tenggat", lang=lang): [fmt_date(_day(d), lang) for d in late["tenggat"]],
                t("progres.tlcol_hari", lang=lang): [fmt_int(v, lang) for v in late["hari"]],
            }
        )
    return LateFollowups(view, len(late), int(tasks["status"].isin(klaster.OPEN).sum()), len(tasks))


def _day(value) -> dt.date:
    """A due date as a date (the warehouse hands DATE columns over as timestamps)."""
    return value.date() if hasattr(value, "date") else value


def _late_per_opd(late: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The public slide's table: every OPD with a late task, its late tasks, earliest due date and most days late
    (no task text), the longest overdue first."""
    per = klaster.followups_per_opd(late)
    per = per.sort_values(["hari_terlambat", "terlambat", "opd"], ascending=[False, False, True], kind="stable")
    return pd.DataFrame(
        {
            t("slides.late_public_opd", lang=lang): per["opd"].tolist(),
            t("slides.late_public_n", lang=lang): [fmt_int(v, lang) for v in per["terlambat"]],
            t("slides.late_public_due", lang=lang): [fmt_date(d, lang) for d in per["tenggat_terlambat"]],
            t("slides.late_public_days", lang=lang): [fmt_int(v, lang) for v in per["hari_terlambat"]],
        }
    )


# --- priority indicators (the meeting slide) -------------------------------------------------------
@dataclass(frozen=True)
class Priorities:
    """The indicators that can add the most to the score, largest first: the first rows of the "24 indikator"
    table (klaster.indicator_table's order: points still possible up to the maximum, else the gap to the city's
    own target), those with nothing left to gain left out."""

    table: pd.DataFrame  # No, Indikator (short name), Kelompok, OPD pengampu, Nilai, the gain (formatted text)
    basis: str  # "maks": ranked by points up to the indicator's maximum; "target": by the gap to the city's target
    gain: float  # what the listed indicators add together (points)


def priorities(ctx: Context, table: pd.DataFrame, n: int = 8) -> Priorities:
    """The top `n` of `table` (from `indicators`). Without any known maximum (KemenPPPA publishes none) the
    headroom of an indicator is unknown: they are ranked by the gap to the city's target, as the Progres page's
    table and per-OPD view do, and `basis` says so."""
    lang = ctx.lang
    basis = "maks" if klaster.has_maxima(table) else "target"
    measure = "poin" if basis == "maks" else "gap_target"
    top = table[table[measure] > 0].head(n)  # indicator_table is sorted by poin, then gap_target
    short = {r["nomor"]: r["nama_singkat"] or r["nama"] for r in reference.indicator_catalog()}
    not_assessed = t("progres.status_belum", lang=lang)
    view = pd.DataFrame(
        {
            t("progres.col_nomor", lang=lang): [str(int(v)) for v in top["nomor"]],
            t("progres.col_nama", lang=lang): [short.get(v, name) for v, name in zip(top["nomor"], top["nama"])],
            t("progres.col_kelompok", lang=lang): top["kelompok"].tolist(),
            t("progres.col_opd", lang=lang): [v if isinstance(v, str) and v else "—" for v in top["opd"]],
            t("progres.col_nilai", lang=lang): [fmt_dec(v, 1, lang) if v == v else not_assessed for v in top["nilai"]],
            t(f"progres.col_{measure}", lang=lang): [fmt_dec(v, 1, lang) for v in top[measure]],
        }
    )
    return Priorities(view, basis, round(float(top[measure].sum()), 1))


# --- kecamatan self-ratings --------------------------------------------------------------------
@dataclass(frozen=True)
class KecamatanRatings:
    table: Styler | None  # kecamatan x year, the category in its colour; None without any rating
    caption: str  # Markdown; the ratings' sources (free text) only when not ctx.public


def kecamatan_ratings(ctx: Context, kabkota: str | None) -> KecamatanRatings:
    lang = ctx.lang
    ratings = queries.kecamatan_ratings(ctx.key, kabkota)
    if not len(ratings):
        return KecamatanRatings(None, "")
    wide = ratings.pivot(index="nama", columns="tahun", values="kategori").fillna("—")
    wide.columns = [str(c) for c in wide.columns]
    wide.index.name = t("app.kecamatan", lang=lang)
    # the ratings' notes are free text: analysts only
    sources = [] if ctx.public else sorted({md_text(c) for c in ratings["catatan"].dropna()})
    caption = (
        t("progres.kec_caption", lang=lang)
        + (" " + " · ".join(sources) if sources else "")
        + (" " + t("progres.kec_notes_public", lang=lang) if ctx.public else "")
    )
    return KecamatanRatings(
        wide.style.map(lambda v: palette.cell_css(palette.KATEGORI[v]) if v in palette.KATEGORI else ""), caption
    )


# --- scores per stage, categories over the years -------------------------------------------------
STAGE_COLUMNS = ("evaluasi_mandiri", "verifikasi_administrasi", "verifikasi_lapangan", "final", "tidak_disebut")
VERIFIED = ("verifikasi_administrasi", "verifikasi_lapangan", "final")


@dataclass(frozen=True)
class Stages:
    table: pd.DataFrame | None  # per year: the total per stage side by side, the drop to verified, the category
    history: pd.DataFrame | None  # every published final category with its source, date, link and note
    notes: list[str]  # years with figures but no final result; where the figures come from


def _figure(ctx: Context, row, sample: bool) -> str:
    """One total as text, with its source when published; from the indicator data, marked when those are the
    synthetic sample (a real published figure and a synthetic one side by side must never look alike)."""
    value = fmt_dec(row["nilai"], 1, ctx.lang)
    if pd.isna(row["sumber"]):
        return f"{value} ({t('progres.sample_mark', lang=ctx.lang)})" if sample else value
    return f"{value} ({row['sumber']})"


def stages(ctx: Context, kabkota: str | None) -> Stages:
    """The evaluation per year and stage, and the category history (fact_kla_hasil; a kab/kota)."""
    lang = ctx.lang
    scores = queries.stage_scores(ctx.key, kabkota)
    history = queries.category_history(ctx.key, kabkota)
    years = sorted(set(scores["tahun"]) | set(history["tahun"]))
    if not years:
        return Stages(None, None, [])
    sample = "indikator" in queries.sample_datasets(ctx.key)
    rows = []
    for year in years:
        mine = scores[scores["tahun"] == year]
        row = {t("progres.scol_tahun", lang=lang): str(year)}
        for stage in STAGE_COLUMNS:
            cells = mine[mine["tahap"] == stage]
            row[stage_label(stage, lang)] = "; ".join(_figure(ctx, r, sample) for r in cells.to_dict("records")) or "—"
        em = mine[mine["tahap"] == "evaluasi_mandiri"]["nilai"]
        verified = mine[mine["tahap"].isin(VERIFIED)].sort_values("urut")["nilai"]
        drop = verified.iloc[-1] - em.iloc[0] if len(em) == 1 and len(verified) else None
        row[t("progres.scol_drop", lang=lang)] = "—" if drop is None else fmt_dec(drop, 1, lang)
        cats = list(dict.fromkeys(history[history["tahun"] == year]["kategori"]))
        row[t("progres.scol_kategori", lang=lang)] = " / ".join(cats) or "—"
        rows.append(row)
    table = pd.DataFrame(rows)
    hist = None
    if len(history):
        conflict = t("progres.history_conflict", lang=lang)
        hist = pd.DataFrame(
            {
                t("progres.hcol_tahun", lang=lang): history["tahun"].astype(str),
                t("progres.hcol_kategori", lang=lang): history["kategori"],
                t("progres.hcol_sumber", lang=lang): history["sumber"],
                t("progres.hcol_tanggal", lang=lang): [
                    fmt_date(d, lang) if pd.notna(d) else "—" for d in history["tanggal_sumber"]
                ],
                t("progres.hcol_bertentangan", lang=lang): [conflict if c else "" for c in history["bertentangan"]],
                t("progres.hcol_tautan", lang=lang): history["tautan"].fillna(""),
            }
        )
        if not ctx.public:  # notes are free text: analysts only
            hist[t("progres.hcol_catatan", lang=lang)] = history["catatan"].fillna("").tolist()
    open_years = [
        y for y in years if y not in set(history["tahun"]) and y not in set(scores[scores["tahap"] == "final"]["tahun"])
    ]
    notes = [t("progres.stages_note", lang=lang)]
    if open_years:
        notes.append(t("progres.stages_no_final", lang=lang, years=", ".join(str(y) for y in open_years)))
    return Stages(table, hist, notes)
