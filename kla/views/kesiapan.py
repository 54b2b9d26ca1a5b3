"""Kesiapan evaluasi: how ready a kab/kota's evidence (data dukung) is for the KLA evaluation of a year.

Items accepted (diterima) and total per OPD and per cluster, the states counted, what is overdue, the days left
to the verification date, and the OPD with the most missing items first; for analysts also the items of each
indicator (state, reviewer's note, link, files) and the reminder workbook per OPD. The meeting deck's readiness
slide is built from the same functions (kla/slides.py).

Public viewers get counts only: the free text (the reviewer's note, the link, file names, who uploaded or changed
what) is dropped from the frame before anything is counted (`readiness`), so no table, chart, slide or download
made from a public Readiness can hold it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import pandas as pd
import plotly.graph_objects as go

from etl import settings
from etl.reference import category_values
from kla import charts_kesiapan, i18n, klaster, queries
from kla.fmt import fmt_date, fmt_int
from kla.i18n import t
from kla.views import Card, Context

DONE = "diterima"  # the one state that counts as ready
STAGE = "evaluasi_mandiri"  # the stage counted down to when pengaturan.toml [kesiapan] names none
# Columns of evidence_items a public viewer never gets (free text, names of people, the template's item text).
PRIVATE = ("item", "catatan", "tautan", "diperbarui_oleh", "diperbarui_pada", "load_id", "berkas", "jenis_dokumen")
NO_OPD = "(tanpa OPD)"


def states() -> list[str]:
    """The evidence states in the order of the vocabulary (kategori_data.csv status_bukti_item)."""
    return category_values("status_bukti_item")


def state_label(state: str, lang: str) -> str:
    return t(f"kesiapan.state_{state}", lang=lang)


def stage_label(stage: str, lang: str) -> str:
    return t(f"progres.stage_{stage}", lang=lang)


def _setting(name: str):
    return settings.settings().get("kesiapan", {}).get(name)


def _day(value) -> dt.date | None:
    """A DATE from the warehouse (pandas hands it over as a Timestamp) as a date; NULL as None."""
    if value is None or value is pd.NaT or (not isinstance(value, dt.date) and pd.isna(value)):
        return None
    return value.date() if isinstance(value, (pd.Timestamp, dt.datetime)) else value


# --- which year, which kab/kota, which date --------------------------------------------------------
def eval_years(ctx: Context, kabkota: str | None, today: dt.date) -> list[int]:
    """The evaluation years to choose from, newest first: those with evidence or stage dates; without any yet, this
    year (the checklist is then all 'belum', ready to be filled in). An evaluation year is not a data year (the
    sidebar's year, whose population and cases it assesses), so the page has its own choice."""
    return sorted(queries.evidence_years(ctx.key, kabkota), reverse=True) or [today.year]


def default_year(ctx: Context, kabkota: str | None, today: dt.date) -> int:
    """The year being prepared: the earliest whose target date is still ahead (or not set yet), else the newest."""
    years = eval_years(ctx, kabkota, today)
    ahead = [y for y in years if (target(ctx, kabkota, y, today).days or 0) >= 0]
    return min(ahead) if ahead else years[0]


@dataclass(frozen=True)
class Target:
    """The date the evidence must be ready by: a stage of the evaluation and its date, where the date came from
    (`jadwal`: set on the page or loaded, fact_jadwal_kla; `pengaturan`: the default of pengaturan.toml; `""`:
    not set), and the days left to it."""

    tahap: str
    tanggal: dt.date | None
    source: str
    days: int | None


def days_left(tanggal: dt.date | None, today: dt.date) -> int | None:
    """Whole days from `today` to `tanggal`: 0 on the day itself, negative once it has passed; None without a date."""
    return None if tanggal is None else (tanggal - today).days


def target(ctx: Context, kabkota: str | None, year: int, today: dt.date) -> Target:
    """The stage counted down to (pengaturan.toml [kesiapan] tahap, else evaluasi mandiri) and its date: the one
    set for the year in the warehouse, else pengaturan.toml's `tanggal` when it lies in that year (a date of another
    year is not this year's deadline)."""
    tahap = str(_setting("tahap") or STAGE)
    dates = queries.evaluation_dates(ctx.key, year, kabkota)
    row = dates[dates["tahap"] == tahap]
    if len(row):
        day = _day(row["tanggal"].iloc[0])
        return Target(tahap, day, "jadwal", days_left(day, today))
    default = _setting("tanggal")
    if isinstance(default, str):
        try:
            default = dt.date.fromisoformat(default.strip()) if default.strip() else None
        except ValueError:  # not a date: no default (the card then says the date is not set)
            default = None
    if isinstance(default, dt.date) and default.year == year:
        return Target(tahap, default, "pengaturan", days_left(default, today))
    return Target(tahap, None, "", None)


def days_text(days: int | None, lang: str) -> str:
    """'12 hari lagi', 'Hari ini', 'Lewat 3 hari', or a dash without a date."""
    if days is None:
        return "—"
    if days == 0:
        return t("kesiapan.days_today", lang=lang)
    if days > 0:
        return t("kesiapan.days_ahead", lang=lang, n=fmt_int(days, lang))
    return t("kesiapan.days_past", lang=lang, n=fmt_int(-days, lang))


# --- the readiness of a year ------------------------------------------------------------------------
def mark(items: pd.DataFrame, target_date: dt.date | None, today: dt.date) -> pd.DataFrame:
    """Add `batas` (the item's due date, else the target date), `kurang` (not accepted yet), `terlambat` (not
    accepted and its due date has passed) and `hari` (days left to its due date; negative when late)."""
    out = items.copy()
    due = [_day(d) or target_date for d in out["tenggat"]]
    out["batas"] = due
    out["kurang"] = out["status"] != DONE
    out["hari"] = [days_left(d, today) for d in due]
    out["terlambat"] = [bool(k and h is not None and h < 0) for k, h in zip(out["kurang"], out["hari"], strict=True)]
    out["opd"] = [klaster.opd_name(o) if isinstance(o, str) and o.strip() else NO_OPD for o in out["opd"]]
    return out


def tally(items: pd.DataFrame, by: str) -> pd.DataFrame:
    """Per value of `by`: one column per state, total, diterima, kurang, terlambat and the nearest due date of an
    item not accepted yet (`batas_terdekat`). Rows in the order of first appearance."""
    known = states()
    cols = [by, *known, "total", "kurang", "terlambat", "batas_terdekat"]
    if not len(items):
        return pd.DataFrame(columns=cols)
    order = list(dict.fromkeys(items[by]))
    counts = pd.crosstab(items[by], items["status"]).reindex(index=order, columns=known, fill_value=0)
    extra = [s for s in items["status"].unique() if s not in known]  # a state outside the list: still counted
    for s in extra:
        counts[s] = items[items["status"] == s].groupby(by).size().reindex(order, fill_value=0)
    g = items.groupby(by, sort=False)
    out = counts.assign(
        total=g.size().reindex(order),
        kurang=g["kurang"].sum().reindex(order).astype(int),
        terlambat=g["terlambat"].sum().reindex(order).astype(int),
        batas_terdekat=items[items["kurang"]].groupby(by)["batas"].min().reindex(order),
    )
    return out.reset_index().rename(columns={"index": by})[[by, *known, *extra, *cols[len(known) + 1 :]]]


@dataclass(frozen=True)
class Readiness:
    year: int
    kabkota: str | None
    target: Target
    items: pd.DataFrame  # every item, marked (mark); without the PRIVATE columns when the viewer is public
    per_opd: pd.DataFrame  # tally by OPD, the most missing first
    per_group: pd.DataFrame  # tally by cluster (Kelembagaan, Klaster I-V), in the catalog's order

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def done(self) -> int:
        return int((~self.items["kurang"]).sum())

    @property
    def late(self) -> int:
        return int(self.items["terlambat"].sum())

    @property
    def missing(self) -> int:
        return int(self.items["kurang"].sum())


def readiness(ctx: Context, kabkota: str | None, year: int, today: dt.date) -> Readiness:
    items = queries.evidence_items(ctx.key, year, kabkota)
    if ctx.public:  # counts only: the free text never enters what a public viewer's figures are made from
        items = items.drop(columns=[c for c in PRIVATE if c in items.columns])
    goal = target(ctx, kabkota, year, today)
    items = mark(items, goal.tanggal, today)
    items["kelompok"] = items["kelompok"].fillna("—")
    per_opd = tally(items, "opd")
    if len(per_opd):
        per_opd = per_opd.sort_values(
            ["kurang", "terlambat", "opd"], ascending=[False, False, True], kind="stable"
        ).reset_index(drop=True)
    groups = items.sort_values(["kelompok_urut", "nomor"], kind="stable", na_position="last")
    return Readiness(year, kabkota, goal, items, per_opd, tally(groups, "kelompok"))


def days_card(days: int | None, lang: str) -> str:
    """The days card's big figure: '19 hari', 'Hari ini', 'Lewat 3 hari', a dash without a date."""
    if days is None:
        return "—"
    if days == 0:
        return t("kesiapan.days_today", lang=lang)
    if days > 0:
        return t("kesiapan.days_short", lang=lang, n=fmt_int(days, lang))
    return t("kesiapan.days_past", lang=lang, n=fmt_int(-days, lang))


def cards(ctx: Context, r: Readiness) -> list[Card]:
    """Accepted of total, days to the target date, overdue, and the OPD with the most missing items. Plain text
    (the page escapes it into its HTML cards)."""
    lang = ctx.lang
    pct = round(100 * r.done / r.total) if r.total else 0
    goal = r.target
    worst = r.per_opd.iloc[0] if len(r.per_opd) and r.per_opd["kurang"].iloc[0] > 0 else None
    if goal.tanggal is None:
        when = t("kesiapan.no_date", lang=lang)
    else:
        word = "kesiapan.since" if goal.days < 0 else "kesiapan.until"
        when = t(word, lang=lang, date=fmt_date(goal.tanggal, lang))
    return [
        Card(
            t("kesiapan.card_done", lang=lang),
            f"{fmt_int(r.done, lang)} / {fmt_int(r.total, lang)}",
            delta=t("kesiapan.card_done_delta", lang=lang, pct=fmt_int(pct, lang), n=fmt_int(r.missing, lang)),
            help=t("kesiapan.card_done_help", lang=lang),
        ),
        Card(
            t("kesiapan.card_days", lang=lang, stage=stage_label(goal.tahap, lang).lower()),
            days_card(goal.days, lang),
            delta=when,
            help=t(f"kesiapan.card_days_help_{goal.source or 'none'}", lang=lang),
            delta_color="inverse" if goal.days is not None and goal.days < 0 else "off",
        ),
        Card(
            t("kesiapan.card_late", lang=lang),
            fmt_int(r.late, lang),
            delta=t("kesiapan.card_late_delta", lang=lang, n=fmt_int(r.missing, lang)),
            help=t("kesiapan.card_late_help", lang=lang),
            delta_color="inverse" if r.late else "off",
        ),
        Card(
            t("kesiapan.card_worst", lang=lang),
            str(worst["opd"]) if worst is not None else "—",
            delta=t("kesiapan.card_worst_delta", lang=lang, n=fmt_int(int(worst["kurang"]), lang))
            if worst is not None
            else t("kesiapan.card_worst_none", lang=lang),
            help=t("kesiapan.card_worst_help", lang=lang),
        ),
    ]


def _group_name(name: str, lang: str) -> str:
    return i18n.value("kelompok_kla", name, lang)


def state_columns(frame: pd.DataFrame) -> list[str]:
    """The state columns of a tally: the known states and any other one found in the data."""
    fixed = {"opd", "kelompok", "total", "kurang", "terlambat", "batas_terdekat"}
    return [c for c in frame.columns if c not in fixed]


def _bars(ctx: Context, frame: pd.DataFrame, names: list[str], legend: bool) -> go.Figure:
    lang = ctx.lang
    known = states()
    found = state_columns(frame)
    return charts_kesiapan.state_bars(
        names,
        {s: frame[s].astype(int).tolist() for s in found},
        {s: state_label(s, lang) if s in known else s for s in found},
        lang,
        t("kesiapan.axis_items", lang=lang),
        legend=legend,
    )


def group_chart(ctx: Context, r: Readiness, legend: bool = True) -> go.Figure:
    names = [_group_name(k, ctx.lang) for k in r.per_group["kelompok"]]
    return _bars(ctx, r.per_group, names, legend)


def opd_chart(ctx: Context, r: Readiness, legend: bool = True) -> go.Figure:
    return _bars(ctx, r.per_opd, r.per_opd["opd"].tolist(), legend)


def legend(ctx: Context, r: Readiness) -> list[tuple[str, str]]:
    """(state name, colour) in the charts' order, for a legend drawn beside the figures."""
    found = set(state_columns(r.per_group))
    order = [s for s in charts_kesiapan.ORDER if s in found] + sorted(found - set(charts_kesiapan.ORDER))
    known = states()
    return [
        (state_label(s, ctx.lang) if s in known else s, charts_kesiapan.STATE_COLORS.get(s, charts_kesiapan.OTHER))
        for s in order
    ]


# --- tables (what everyone sees: counts and dates) --------------------------------------------------
def _date_text(value, lang: str) -> str:
    """A date in a table cell, short ("20 Des 2026"): a five-column table still fits a phone."""
    from babel.dates import format_date

    from kla.fmt import LOCALES

    day = _day(value)
    return format_date(day, "medium", locale=LOCALES.get(lang, "id_ID")) if day else ""


def _of(done: int, total: int, lang: str) -> str:
    return f"{fmt_int(done, lang)} / {fmt_int(total, lang)}"


def opd_table(ctx: Context, r: Readiness) -> pd.DataFrame:
    """Per OPD, the most missing first: accepted of total, missing, overdue and the nearest due date of a missing
    item. Headers translated; counts as numbers (the page's text_table writes them), dates as text. Five columns:
    they fit a 390 px phone."""
    lang = ctx.lang
    p = r.per_opd
    return pd.DataFrame(
        {
            t("kesiapan.col_opd", lang=lang): p["opd"].tolist(),
            t("kesiapan.col_done_of", lang=lang): [_of(d, n, lang) for d, n in zip(p[DONE], p["total"], strict=True)],
            t("kesiapan.col_missing", lang=lang): p["kurang"].astype(int).tolist(),
            t("kesiapan.col_late", lang=lang): p["terlambat"].astype(int).tolist(),
            t("kesiapan.col_due", lang=lang): [_date_text(d, lang) for d in p["batas_terdekat"]],
        }
    )


def group_table(ctx: Context, r: Readiness) -> pd.DataFrame:
    lang = ctx.lang
    g = r.per_group
    pct = [round(100 * d / n) if n else 0 for d, n in zip(g[DONE], g["total"], strict=True)]
    return pd.DataFrame(
        {
            t("kesiapan.col_group", lang=lang): [_group_name(k, lang) for k in g["kelompok"]],
            t("kesiapan.col_done_of", lang=lang): [_of(d, n, lang) for d, n in zip(g[DONE], g["total"], strict=True)],
            t("kesiapan.col_pct", lang=lang): [f"{fmt_int(v, lang)}%" for v in pct],
            t("kesiapan.col_late", lang=lang): g["terlambat"].astype(int).tolist(),
        }
    )


def state_table(ctx: Context, r: Readiness) -> pd.DataFrame:
    """Each state (in the vocabulary's order) with its items and how many of them are overdue."""
    lang = ctx.lang
    found = [*states(), *[s for s in r.items["status"].unique() if s not in states()]]
    rows = [(s, r.items[r.items["status"] == s]) for s in found]
    return pd.DataFrame(
        {
            t("kesiapan.col_state", lang=lang): [state_label(s, lang) if s in states() else s for s, _ in rows],
            t("kesiapan.col_items", lang=lang): [len(x) for _, x in rows],
            t("kesiapan.col_late", lang=lang): [int(x["terlambat"].sum()) for _, x in rows],
        }
    )


def dates_table(ctx: Context, dates: pd.DataFrame) -> pd.DataFrame:
    """The stage dates set for the year (queries.evaluation_dates) with the days left to each; who set it only for
    analysts."""
    lang = ctx.lang
    today = dt.date.today()
    out = {
        t("kesiapan.col_stage", lang=lang): [stage_label(s, lang) for s in dates["tahap"]],
        t("kesiapan.col_date", lang=lang): [_date_text(d, lang) for d in dates["tanggal"]],
        t("kesiapan.col_days", lang=lang): [days_text(days_left(_day(d), today), lang) for d in dates["tanggal"]],
    }
    if not ctx.public:
        out[t("kesiapan.col_set_by", lang=lang)] = [v if isinstance(v, str) else "" for v in dates["diubah_oleh"]]
    return pd.DataFrame(out)


# --- analysts: the items of an indicator, their files ----------------------------------------------
def indicator_options(ctx: Context, r: Readiness) -> dict[int, str]:
    """Indicator number -> "n. name (accepted/total, k overdue)" for the indicator picker, by number."""
    lang = ctx.lang
    out = {}
    for nomor, g in r.items.groupby("nomor", sort=True):
        name = g["indikator"].iloc[0] if isinstance(g["indikator"].iloc[0], str) else ""
        late = int(g["terlambat"].sum())
        counts = t("kesiapan.pick_counts", lang=lang, done=int((~g["kurang"]).sum()), total=len(g))
        if late:
            counts += " · " + t("kesiapan.pick_late", lang=lang, n=late)
        out[int(nomor)] = f"{int(nomor)}. {name} ({counts})"
    return out


def _private(ctx: Context) -> None:
    if ctx.public:
        raise PermissionError("evidence items, notes and files are for analysts only")


def files(ctx: Context, r: Readiness) -> pd.DataFrame:
    """The files of the year's items (analysts only): item_id, sha256, name, type, size, who, when."""
    _private(ctx)
    return queries.evidence_files(ctx.key, r.year, r.kabkota)


def files_table(ctx: Context, attached: pd.DataFrame) -> pd.DataFrame:
    """Files (of `files`) as a table to read (analysts only): item, name, type, size, who uploaded it and when."""
    _private(ctx)
    lang = ctx.lang
    return pd.DataFrame(
        {
            t("kesiapan.icol_item_id", lang=lang): attached["item_id"].tolist(),
            t("kesiapan.fcol_name", lang=lang): attached["nama_berkas"].tolist(),
            t("kesiapan.fcol_kind", lang=lang): [str(v).upper() for v in attached["jenis"]],
            t("kesiapan.fcol_size", lang=lang): [f"{fmt_int(max(v, 1) / 1024, lang)} KB" for v in attached["ukuran"]],
            t("kesiapan.fcol_by", lang=lang): attached["diunggah_oleh"].fillna("").tolist(),
            t("kesiapan.fcol_at", lang=lang): [
                pd.Timestamp(v).strftime("%d/%m/%Y %H.%M") if pd.notna(v) else "" for v in attached["diunggah_pada"]
            ],
        }
    )


def item_rows(ctx: Context, r: Readiness, nomor: int) -> pd.DataFrame:
    """The items of one indicator as the editor shows them (analysts only): the id, the template's text, OPD, the
    state (its code), due date, note, link, the names of its files and who changed it last."""
    _private(ctx)
    lang = ctx.lang
    rows = r.items[r.items["nomor"] == nomor].sort_values(["urut", "item_id"], kind="stable")
    attached = files(ctx, r)
    names = attached.groupby("item_id")["nama_berkas"].agg(lambda s: "; ".join(s)).to_dict()
    changed = [
        f"{who} · {pd.Timestamp(at).strftime('%d/%m/%Y %H.%M')}" if isinstance(who, str) and pd.notna(at) else ""
        for who, at in zip(rows["diperbarui_oleh"], rows["diperbarui_pada"], strict=True)
    ]
    return pd.DataFrame(
        {
            "item_id": rows["item_id"].tolist(),
            "item": rows["item"].fillna("").tolist(),
            "jenis": [i18n.value("jenis_bukti", v, lang) if isinstance(v, str) else "" for v in rows["jenis_dokumen"]],
            "opd": rows["opd"].tolist(),
            "status": rows["status"].tolist(),
            "tenggat": [_day(d) for d in rows["tenggat"]],
            "terlambat": [t("kesiapan.late_mark", lang=lang) if v else "" for v in rows["terlambat"]],
            "catatan": [v if isinstance(v, str) else "" for v in rows["catatan"]],
            "tautan": [v if isinstance(v, str) else "" for v in rows["tautan"]],
            "berkas": [names.get(i, "") for i in rows["item_id"]],
            "diubah": changed,
        }
    )


EDITABLE = ("status", "tenggat", "catatan", "tautan")


def item_list(ctx: Context, rows: pd.DataFrame) -> pd.DataFrame:
    """The items of item_rows as a table to read (analysts only): headers translated, the state by its name (with
    the overdue mark), dates as text; every word kept (the page shows it with text_table, nothing cut)."""
    lang = ctx.lang
    known = states()
    status = [
        (state_label(s, lang) if s in known else s) + (f" · {late}" if late else "")
        for s, late in zip(rows["status"], rows["terlambat"], strict=True)
    ]
    return pd.DataFrame(
        {
            t("kesiapan.icol_item_id", lang=lang): rows["item_id"].tolist(),
            t("kesiapan.icol_item", lang=lang): [
                f"{i} ({j})" if j else i for i, j in zip(rows["item"], rows["jenis"], strict=True)
            ],
            t("kesiapan.icol_opd", lang=lang): rows["opd"].tolist(),
            t("kesiapan.icol_status", lang=lang): status,
            t("kesiapan.icol_tenggat", lang=lang): [_date_text(d, lang) for d in rows["tenggat"]],
            t("kesiapan.icol_catatan", lang=lang): rows["catatan"].tolist(),
            t("kesiapan.icol_tautan", lang=lang): rows["tautan"].tolist(),
            t("kesiapan.icol_berkas", lang=lang): rows["berkas"].tolist(),
            t("kesiapan.icol_diubah", lang=lang): rows["diubah"].tolist(),
        }
    )


def editor_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """The editable columns of item_rows, keyed by item id; the due date as a datetime column (an empty one shows
    empty in the editor, not "None")."""
    out = rows[["item_id", *EDITABLE]].copy()
    out["tenggat"] = pd.to_datetime(out["tenggat"])
    return out


def changed_rows(before: pd.DataFrame, after: pd.DataFrame) -> list[dict]:
    """The items whose state, due date, note or link the editor changed, as bukti_edits.save_items takes them
    (empty text as None)."""

    def norm(v):
        if v is None or (not isinstance(v, (str, dt.date)) and pd.isna(v)):
            return None
        if isinstance(v, str):
            return v.strip() or None
        return _day(v)

    out = []
    for (_, a), (_, b) in zip(before.iterrows(), after.iterrows(), strict=True):
        new = {c: norm(b[c]) for c in EDITABLE}
        if any(norm(a[c]) != new[c] for c in EDITABLE):
            out.append({"item_id": a["item_id"], **new})
    return out


# --- the reminder workbook per OPD -----------------------------------------------------------------
def _sheet_name(name: str, taken: set[str]) -> str:
    """An Excel sheet name: no []:*?/\\, at most 31 characters, unique in the workbook."""
    base = "".join("-" if ch in "[]:*?/\\" else ch for ch in name).strip("' ") or "OPD"
    base, n, out = base[:31], 2, base[:31]
    while out.lower() in taken:
        suffix = f" ({n})"
        out, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(out.lower())
    return out


def reminder_xlsx(ctx: Context, r: Readiness, today: dt.date) -> bytes:
    """The reminders to send (analysts only): a summary sheet per OPD, then one sheet per OPD with what it still
    has to hand in (every item not accepted yet), its state, due date, days late and the reviewer's note; the
    overdue ones first. Every cell is text or a number, never a formula (etl.sheets)."""
    import openpyxl
    from openpyxl.styles import Font

    from etl import sheets

    _private(ctx)
    lang = ctx.lang
    goal = r.target
    wb = openpyxl.Workbook()
    summary = wb.active
    summary.title = _sheet_name(t("kesiapan.xlsx_summary", lang=lang), taken := set())
    when = (
        t("kesiapan.xlsx_target", lang=lang, stage=stage_label(goal.tahap, lang), date=fmt_date(goal.tanggal, lang))
        + f" ({days_text(goal.days, lang)})"
        if goal.tanggal
        else t("kesiapan.no_date", lang=lang)
    )
    summary.append([t("kesiapan.xlsx_title", lang=lang, year=r.year, wilayah=ctx.region_name)])
    summary.append([when])
    summary.append([t("kesiapan.xlsx_made", lang=lang, date=fmt_date(today, lang), version=ctx.version)])
    summary.append([])
    table = opd_table(ctx, r)
    summary.append(list(table.columns))
    for row in table.itertuples(index=False):
        summary.append(list(row))
    summary["A1"].font = Font(bold=True, size=14)
    for cell in summary[5]:
        cell.font = Font(bold=True)
    heads = [
        t(f"kesiapan.xcol_{c}", lang=lang)
        for c in ("nomor", "indikator", "item", "jenis", "status", "tenggat", "hari", "catatan")
    ]
    for opd, g in r.items[r.items["kurang"]].groupby("opd", sort=False):
        g = g.assign(_late=~g["terlambat"]).sort_values(["_late", "batas", "nomor", "urut"], na_position="last")
        ws = wb.create_sheet(_sheet_name(opd, taken))
        ws.append([t("kesiapan.xlsx_opd_title", lang=lang, opd=opd, year=r.year)])
        ws.append([when])
        ws.append([])
        ws.append(heads)
        for row in g.itertuples(index=False):
            ws.append(
                [
                    int(row.nomor),
                    row.indikator if isinstance(row.indikator, str) else "",
                    row.item if isinstance(row.item, str) else "",
                    i18n.value("jenis_bukti", row.jenis_dokumen, lang) if isinstance(row.jenis_dokumen, str) else "",
                    state_label(row.status, lang) if row.status in states() else row.status,
                    _date_text(row.batas, lang),
                    -row.hari if row.terlambat else None,
                    row.catatan if isinstance(row.catatan, str) else "",
                ]
            )
        ws["A1"].font = Font(bold=True, size=14)
        for cell in ws[4]:
            cell.font = Font(bold=True)
        for col, width in zip("ABCDEFGH", (8, 40, 50, 16, 16, 18, 10, 40), strict=True):
            ws.column_dimensions[col].width = width
    for col, width in zip("ABCDEF", (30, 10, 10, 10, 14, 20), strict=True):
        summary.column_dimensions[col].width = width
    return sheets.workbook_bytes(wb)


def reminder_name(ctx: Context, r: Readiness, today: dt.date) -> str:
    return f"{t('kesiapan.xlsx_file', lang=ctx.lang)}_{r.year}_{today:%Y%m%d}.xlsx"


# --- the meeting slide -----------------------------------------------------------------------------
SLIDE_OPD_ROWS = 8  # OPD listed on the slide (most missing first): what fits beside the chart at 18 px


def slide_table(ctx: Context, r: Readiness, rows: int = SLIDE_OPD_ROWS) -> pd.DataFrame:
    """The OPD with the most missing items (only those missing any), counts as text: the slide's table."""
    lang = ctx.lang
    p = r.per_opd[r.per_opd["kurang"] > 0].head(rows)
    return pd.DataFrame(
        {
            t("kesiapan.col_opd", lang=lang): p["opd"].tolist(),
            t("kesiapan.col_missing", lang=lang): [fmt_int(v, lang) for v in p["kurang"]],
            t("kesiapan.col_late", lang=lang): [fmt_int(v, lang) for v in p["terlambat"]],
        }
    )


@dataclass(frozen=True)
class SlideParts:
    """The readiness slide's parts (kla/slides.py makes the Slide): plain text, the chart, the OPD table."""

    title: str
    subtitle: str
    figure: go.Figure
    table: pd.DataFrame
    notes: str


def slide(ctx: Context, kabkota: str | None, today: dt.date) -> SlideParts | None:
    """The deck's readiness slide for the year being prepared (default_year): accepted per cluster by state and the
    OPD with the most missing items. Counts only (no file name, note, link or person): the same in the public and
    the exact deck. None without a checklist."""
    if kabkota is None:
        return None
    lang = ctx.lang
    year = default_year(ctx, kabkota, today)
    r = readiness(replace(ctx, public=True), kabkota, year, today)  # counts only, whoever asks
    if not r.total:
        return None
    return SlideParts(
        t("kesiapan.slide_title", lang=lang, year=year, done=fmt_int(r.done, lang), total=fmt_int(r.total, lang)),
        slide_subtitle(ctx, r),
        # without the counts inside the segments: at the slide's 18 px they do not fit, and white on a coloured
        # segment is not dark text on white (kla.charts.slide_fonts); "accepted / total" stays beside each bar
        group_chart(ctx, r).update_traces(text=None),
        slide_table(ctx, r),
        t("kesiapan.slide_notes", lang=lang),
    )


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def slide_subtitle(ctx: Context, r: Readiness) -> str:
    lang = ctx.lang
    goal = r.target
    text = t("kesiapan.slide_sub", lang=lang, late=fmt_int(r.late, lang), missing=fmt_int(r.missing, lang))
    if goal.tanggal:
        text = (
            t(
                "kesiapan.slide_sub_date",
                lang=lang,
                stage=stage_label(goal.tahap, lang),
                date=fmt_date(goal.tanggal, lang),
                days=_lower_first(days_text(goal.days, lang)),
            )
            + " · "
            + text
        )
    return text
