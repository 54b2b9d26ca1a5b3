"""Published single figures (dataset angka_publik): what a page says next to its own counts, such as Kendari's
111.508 children aged 0-17 in August 2021, always with the figure's date and source.

These are public: a published number, who published it and when. The catatan of a figure (free text: its status,
the source's own words) is never part of a view.
"""

from __future__ import annotations

import pandas as pd
from babel.dates import format_date

from etl.sources.angka_publik import PERCENT, topic_labels
from kla import queries
from kla.fmt import LOCALES, fmt_date, fmt_dec, fmt_int, md_text
from kla.i18n import catalog, t
from kla.views import Context


def _value(nilai: float, satuan: str, lang: str) -> str:
    if satuan == PERCENT:
        number = fmt_int(nilai, lang) if float(nilai).is_integer() else fmt_dec(nilai, 2, lang)
        return t("publik.percent", lang=lang, value=number)
    return fmt_int(nilai, lang)


def _when(tahun: int, tanggal, lang: str) -> str:
    """The figure's date: its month when it is the first of a month ("Agustus 2021"), its day otherwise, else
    the year."""
    if tanggal is None or pd.isna(tanggal):
        return str(int(tahun))
    day = pd.Timestamp(tanggal).date()
    if day.day == 1:
        return format_date(day, format="MMMM y", locale=LOCALES.get(lang, "id_ID"))
    return fmt_date(day, lang)


def _what(topik: str, lang: str) -> str:
    """What the figure counts in the reader's language ("anak usia 0-17"); a topic with no text in the locales
    yet shows its description from data/reference/kategori_data.csv."""
    key = f"publik.what_{topik}"
    if key in catalog(lang) or key in catalog("id"):
        return t(key, lang=lang)
    return md_text(topic_labels().get(topik, topik))


def published(ctx: Context, topik: str) -> list[str]:
    """One Markdown line per published figure of `topik` in the viewed region (ctx.region), newest first:
    "Angka terbitan: **111.508** anak usia 0-17 (Agustus 2021; Disdukcapil Kota Kendari, lewat Lentera Sultra)".
    A figure of a smaller area inside the region (a kecamatan) names it. Empty when none was loaded."""
    lang = ctx.lang
    rows = queries.published_figures(ctx.key, topik, ctx.region)
    if not len(rows):
        return []
    area_names = queries.region_names(ctx.key)
    what = _what(topik, lang)
    lines = []
    for r in rows.itertuples(index=False):
        parts = {
            "value": _value(r.nilai, r.satuan, lang),
            "what": what,
            "when": _when(r.tahun, r.tanggal_data, lang),
            "source": md_text(r.sumber),
        }
        if r.kode_wilayah == ctx.region:
            lines.append(t("publik.line", lang=lang, **parts))
        else:
            area = md_text(area_names.get(r.kode_wilayah, r.kode_wilayah))
            lines.append(t("publik.line_area", lang=lang, area=area, **parts))
    return lines
