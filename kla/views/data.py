"""The Data page as data: an upload's problems and what it would change, the load history, the Excel templates
and the data-quality panel (Markdown bullet lines).

Upload handling (the uploaded files, the check and the commit) stays on the page; this module only shapes what
the page shows. `ctx.key` is the version the page reads: the page passes the version just published.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from etl import loader, templates
from etl.preview import totals as preview_totals
from kla import geodata, periods, quality, queries
from kla.fmt import fmt_datetime, fmt_int, md_text, styled
from kla.i18n import t
from kla.views import Context

INDICATORS_EXPECTED = 24  # a year with fewer KLA indicators valued is reported as incomplete


def dataset_label(name: str) -> str:
    """A dataset as the upload picker and the template buttons name it: "rbra — Ruang Bermain Ramah Anak ..."."""
    return f"{name} — {loader.dataset_module(name).TITLE}"


def kecamatan_names(ctx: Context) -> dict[str, str]:
    """Kecamatan code -> name in the region chosen in the sidebar."""
    kec = queries.kecamatan(ctx.key, ctx.region)
    return dict(zip(kec["kode"], kec["nama"]))


# --- upload: what was read, its problems, what it would change -------------------------------------------
def read_facts(report, lang: str) -> str:
    """The caption under an upload: rows read and rejected, and the columns dropped (names escaped for Markdown:
    headers come from the uploaded file)."""
    facts = t(
        "data.read_facts", lang=lang, rows=fmt_int(report.rows_read, lang), rejected=fmt_int(report.rows_rejected, lang)
    )
    if report.dropped_columns:
        facts += " " + t(
            "data.dropped", lang=lang, columns=", ".join(f'"{md_text(c)}"' for c in report.dropped_columns)
        )
    return facts


def understood_markdown(report, lang: str) -> str:
    """What the reader understood of each table of an upload (Report.understood), as a heading and a bullet per
    table; "" when there is nothing to say. The sentences quote headers from the file: escaped for Markdown."""
    lines = report.understood()
    if not lines:
        return ""
    return f"**{t('data.understood', lang=lang)}:**\n\n" + "\n".join(f"- {md_text(line)}" for line in lines)


def problems_table(report, lang: str) -> pd.DataFrame:
    """The problems (errors and warnings) of a checked upload, one row each, with translated headers."""
    rows = pd.DataFrame(report.rows())
    if not len(rows):
        return rows
    return rows.rename(columns={c: t(f"data.pcol_{c}", lang=lang) for c in rows.columns})


def changes_view(ctx: Context, changes: pd.DataFrame):
    """What a checked load would change (loader.preview's frame), as two Stylers: per measure, year and area,
    then the totals per measure. Areas are named (the city for the whole region); years as text."""
    region = {**kecamatan_names(ctx), **{k: t(f"peta.level_{k}", lang=ctx.lang) for k in ("kecamatan", "kelurahan")}}
    city = t("data.city", lang=ctx.lang)
    view = changes.assign(
        wilayah=changes["wilayah"].map(lambda c: region.get(c, c) if c else city),
        tahun=changes["tahun"].map(lambda y: "" if pd.isna(y) else str(int(y))),
    )
    view = view.drop(columns=["tabel"])
    view = view.rename(columns={c: t(f"data.vcol_{c}", lang=ctx.lang) for c in view.columns})
    tot = preview_totals(changes)
    tot = tot.rename(columns={c: t(f"data.vcol_{c}", lang=ctx.lang) for c in tot.columns})
    return styled(view, ctx.lang), styled(tot, ctx.lang)


def committed_text(result, lang: str) -> str:
    """The note after a commit: the new version and the rows it loaded."""
    return t("data.committed", lang=lang, version=result.version, rows=fmt_int(result.report.rows_loaded, lang))


# --- history and templates ------------------------------------------------------------------------------
def history_table(ctx: Context):
    """Every load recorded in the version (newest first) as a Styler: when, who, what, the file's fingerprint."""
    hist = queries.load_history(ctx.key)
    lang = ctx.lang
    view = pd.DataFrame(
        {
            t("data.hcol_when", lang=lang): [fmt_datetime(v, lang) for v in hist["loaded_at"]],
            t("data.hcol_user", lang=lang): hist["user_name"],
            t("data.hcol_dataset", lang=lang): hist["dataset"],
            t("data.hcol_file", lang=lang): hist["file_name"],
            t("data.hcol_hash", lang=lang): hist["file_sha256"].str.slice(0, 12),
            t("data.hcol_read", lang=lang): hist["rows_read"],
            t("data.hcol_loaded", lang=lang): hist["rows_loaded"],
            t("data.hcol_rejected", lang=lang): hist["rows_rejected"],
            t("data.hcol_dropped", lang=lang): hist["dropped_columns"],
            t("data.hcol_version", lang=lang): hist["version"],
            t("data.hcol_note", lang=lang): [
                t("data.accepted_by", lang=lang, user=u) if isinstance(u, str) and u else ""
                for u in hist["totals_accepted_by"]
            ],
        }
    )
    return styled(view, lang)


def template_list() -> list[tuple[str, str, str]]:
    """(dataset, button label, file name) of every Excel template, in the order the page shows them."""
    return [(name, dataset_label(name), f"templat_{name}.xlsx") for name in templates.TEMPLATES]


# --- data quality ---------------------------------------------------------------------------------------
def bullets(lines: list[str], lang: str) -> str:
    """Markdown lines as a bullet list; the "all fine" note when there are none."""
    return "\n".join(f"- {line}" for line in lines) if lines else t("data.q_ok", lang=lang)


def stale_table(ctx: Context, months: int, today: dt.date | None = None) -> pd.DataFrame:
    """Datasets never loaded or last loaded more than `months` months ago, with when (empty when none)."""
    old = quality.stale(queries.load_status(ctx.key), today or dt.date.today(), months)
    lang = ctx.lang
    return pd.DataFrame(
        {
            t("data.hcol_dataset", lang=lang): old["dataset"],
            t("data.q_last", lang=lang): [
                t("data.q_never", lang=lang) if pd.isna(v) else fmt_datetime(v, lang) for v in old["dimuat"]
            ],
        }
    )


def _presence(ctx: Context, names: dict[str, str]) -> pd.DataFrame:
    presence = queries.population_presence(ctx.key)
    return presence[presence["kode_kecamatan"].isin(names)]  # the region chosen in the sidebar


def missing_lines(ctx: Context) -> list[str]:
    """Markdown lines: years (between the first and last with data) without population for some kecamatan (named,
    or "all"), without cases, or with fewer than 24 KLA indicators valued."""
    names = kecamatan_names(ctx)
    span = quality.year_span(queries.years(ctx.key))
    missing = quality.missing_population(_presence(ctx, names), list(names), span)
    lines = []
    for year, group in missing.groupby("tahun"):
        which = (
            t("data.q_all_kec", lang=ctx.lang)
            if len(group) == len(names)
            else ", ".join(md_text(names[k]) for k in group["kode_kecamatan"])
        )
        lines.append(t("data.q_missing_pop", lang=ctx.lang, year=int(year), which=which))
    for y in quality.missing_years(queries.case_years(ctx.key, "pelaporan"), span):
        lines.append(t("data.q_missing_cases", lang=ctx.lang, year=y))
    cov = periods.case_coverage(ctx.key)
    if cov is not None and cov.partial(cov.last.year):  # the register stops before December: the months not held
        nxt = cov.last.month + 1
        lines.append(
            t(
                "data.q_partial_cases",
                lang=ctx.lang,
                through=periods.through(cov, ctx.lang),
                months=periods.month_name(nxt, ctx.lang)
                + ("" if nxt == 12 else "–" + periods.month_name(12, ctx.lang)),
                year=cov.last.year,
            )
        )
    for y, n in quality.thin_indicator_years(queries.indicator_presence(ctx.key), span, INDICATORS_EXPECTED):
        lines.append(t("data.q_missing_ind", lang=ctx.lang, year=y, n=n))
    return lines


def total_row_warnings(ctx: Context) -> list[tuple[str, str]]:
    """(title, warning text) of each dataset's latest load whose warnings speak of JUMLAH/TOTAL rows; the title
    is Markdown (the file name escaped), the text is shown as plain text."""
    warn = quality.total_row_warnings(queries.latest_warnings(ctx.key))
    return [(f"{d}: {md_text(f)}", w) for d, f, w in zip(warn["dataset"], warn["file_name"], warn["warning_text"])]


def outlier_lines(ctx: Context, factor: float, share: float, radius_m: float) -> list[str]:
    """Markdown lines for the year: kecamatan whose case rate is more than `factor` times the median, population
    jumps larger than `share`, RBRA more than 100 m outside their kelurahan (where its boundaries are loaded)."""
    lang = ctx.lang
    names = kecamatan_names(ctx)
    kec = geodata.kecamatan_metrics(ctx.key, ctx.year, radius_m, ctx.public, ctx.region)
    high = quality.case_rate_outliers(kec, factor)
    lines = [
        t(
            "data.q_case_outlier",
            lang=lang,
            name=md_text(r["nama"]),
            times=f"{r['kali_median']:.1f}".replace(".", ","),
            factor=factor,
        )
        for _, r in high.iterrows()
    ]
    for _, r in quality.population_jumps(_presence(ctx, names), share).iterrows():
        lines.append(
            t(
                "data.q_pop_jump",
                lang=lang,
                name=md_text(names.get(r["kode_kecamatan"], r["kode_kecamatan"])),
                y0=int(r["tahun_sebelumnya"]),
                y1=int(r["tahun"]),
                a=fmt_int(r["sebelumnya"], lang),
                b=fmt_int(r["anak"], lang),
                pct=f"{r['perubahan'] * 100:+.0f}%",
            )
        )
    if geodata.has_boundaries(ctx.key, "kelurahan", ctx.region):
        far = quality.rbra_outside_kelurahan(
            queries.rbra_points(ctx.key, ctx.year, ctx.region),
            geodata.areas(ctx.key, ctx.year, "kelurahan", ctx.region),
        )
        for _, r in far.iterrows():
            lines.append(
                t(
                    "data.q_rbra_outside",
                    lang=lang,
                    name=md_text(r["nama"]),
                    kel=md_text(r["kelurahan"]),
                    m=fmt_int(r["jarak_m"], lang),
                )
            )
    return lines
