"""Files for download: chart PNGs (kaleido with Debian's chromium, one warm server per process), tables as
CSV/XLSX with formula-looking cells neutralised, and the meeting deck as PPTX and PDF."""

from __future__ import annotations

import io
import os
import threading
import warnings
from pathlib import Path

import pandas as pd

from etl import sheets
from kla import palette

_LOCK = threading.Lock()
_STARTED = False
FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"),)


class ExportUnavailable(Exception):
    """Static images need Chromium (Debian package `chromium`); the message says so in Indonesian."""


def for_print(fig):
    """A copy with fixed margins: kaleido draws in one pass, so plotly's automargin does not get to make
    room for axis labels (they were cut off in the first exports)."""
    import plotly.graph_objects as go

    out = go.Figure(fig)
    if any(getattr(tr, "type", "") in ("choroplethmap", "scattermap") for tr in out.data):
        return out
    horizontal = any(getattr(tr, "orientation", None) == "h" for tr in out.data)
    margin = out.layout.margin
    out.update_layout(
        margin=dict(
            l=max(margin.l or 0, 200 if horizontal else 90),
            b=max(margin.b or 0, 70),
            t=max(margin.t or 0, 40),
            r=max(margin.r or 0, 90),
        )
    )
    return out


def unavailable() -> str | None:
    """Why chart images cannot be drawn here (no Chromium for kaleido), or None when they can."""
    import shutil

    if shutil.which("chromium") or shutil.which("chromium-browser") or os.environ.get("BROWSER_PATH"):
        return None
    return "Chromium belum terpasang di server (sudo apt-get install chromium, atau make run sebagai root)."


def png(fig, width: int = 1200, height: int = 560, scale: float = 2.0) -> bytes:
    """The figure as PNG. Starts kaleido's browser once per process; calls are serialised."""
    global _STARTED
    import kaleido

    fig = for_print(fig)
    with _LOCK:
        try:
            if not _STARTED:
                kaleido.start_sync_server()
                _STARTED = True
            with warnings.catch_warnings():  # plotly warns that kaleido's options are ignored by the warm server
                warnings.simplefilter("ignore", UserWarning)
                return fig.to_image(format="png", width=width, height=height, scale=scale)
        except Exception as exc:  # choreographer raises its own types when no browser is found
            raise ExportUnavailable(
                "Gambar grafik tidak dapat dibuat: Chromium belum terpasang di server "
                f"(sudo apt-get install chromium). Rincian: {exc}"
            ) from exc


# --- tables (formulas neutralised by etl.sheets) -----------------------------------------------------
def csv_bytes(df: pd.DataFrame, index: bool = False) -> bytes:
    """`;`-separated, decimal comma, UTF-8 with BOM: opens correctly in Excel set to Indonesian. Text that
    Excel would run as a formula (=, +, -, @, tab, CR) gets a leading apostrophe; numbers stay numbers. Lines end
    in CRLF, so a cell holding a CR or LF is quoted (a bare CR would start a new row with "=...")."""
    return (
        sheets.csv_frame(df.reset_index() if index else df)
        .to_csv(sep=";", decimal=",", index=False, lineterminator="\r\n")
        .encode("utf-8-sig")
    )


def xlsx_bytes(df: pd.DataFrame, sheet: str = "Data", index: bool = False) -> bytes:
    """One sheet; every text cell holds exactly its text, as text (never a formula or a link)."""
    return sheets.frame_xlsx(df.reset_index() if index else df, sheet)


# --- the meeting deck --------------------------------------------------------------------------------
# Both files are 16:9 and shown at 1280x720 in the meeting room: 1 pt is then 1.33 px, so no text is below 14 pt
# (18.7 px) on a slide. The chart pictures are drawn at the slide's own pixel size (96 px per inch), so their
# 18 px fonts (kla.charts.slide_fonts) stay 18 px on the screen.
MIN_PT = 14


def column_weights(table: pd.DataFrame) -> list[float]:
    """Relative column widths for a slide table: by the longest cell of each column, or the longest word of its
    header (a header may wrap, a word may not; headers are bold), so a task's text gets the room and a date or a
    count does not."""
    out = []
    for c in table.columns:
        word = max(len(w) for w in str(c).split() or [""]) * 1.4
        # a cell counts up to 60 characters: a very long name must not squeeze the other columns below one letter
        out.append(max(word, *(min(len(str(v)), 60) for v in table[c]), 2) + 1.5)
    return out


def _pptx_table(slide, table: pd.DataFrame, left: float, top: float, width: float) -> None:
    """A slide table (inches): header and rows as text, columns as wide as their texts need, 14 pt."""
    from pptx.util import Emu, Inches, Pt

    rows, cols = len(table) + 1, len(table.columns)
    shape = slide.shapes.add_table(rows, cols, Inches(left), Inches(top), Inches(width), Emu(Inches(0.45) * rows))
    shape.name = "Tabel"
    weights = column_weights(table)
    for c, weight in enumerate(weights):
        shape.table.columns[c].width = Emu(int(Inches(width) * weight / sum(weights)))
    for c, name in enumerate(table.columns):
        shape.table.cell(0, c).text = str(name)
    for r, row in enumerate(table.itertuples(index=False), start=1):
        for c, value in enumerate(row):
            shape.table.cell(r, c).text = str(value)
    for cell in (shape.table.cell(r, c) for r in range(rows) for c in range(cols)):
        for p in cell.text_frame.paragraphs:
            for run in p.runs:
                run.font.size = Pt(MIN_PT)


def pptx_bytes(slides, title: str, footer: str, render=png) -> bytes:
    """One 16:9 slide per Slide: its marking (Publik / TERBATAS), title, subtitle, the chart as a picture (or cards
    / a table), footer, and the notes as speaker notes."""
    from pptx import Presentation
    from pptx.dml.color import RGBColor
    from pptx.enum.text import PP_ALIGN
    from pptx.util import Inches, Pt

    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    blank = prs.slide_layouts[6]
    teal = RGBColor(*palette.rgb(palette.PRIMARY))
    dark = RGBColor(*palette.rgb(palette.TEXT))

    def text(slide, x, y, w, h, value, size, bold=False, color=dark):
        box = slide.shapes.add_textbox(Inches(x), Inches(y), Inches(w), Inches(h))
        frame = box.text_frame
        frame.word_wrap = True
        run = frame.paragraphs[0].add_run()
        run.text = value
        run.font.size = Pt(max(size, MIN_PT))
        run.font.bold = bold
        run.font.color.rgb = color
        return box

    for i, s in enumerate(slides, start=1):
        slide = prs.slides.add_slide(blank)
        if s.mark:
            mark = text(slide, 6.8, 0.12, 6.03, 0.45, s.mark, MIN_PT, bold=True, color=dark)
            mark.name = "Penanda"
            mark.text_frame.paragraphs[0].alignment = PP_ALIGN.RIGHT
            if s.restricted:  # white on red: the exact deck must not be forwarded
                mark.fill.solid()
                mark.fill.fore_color.rgb = RGBColor(*palette.rgb(palette.DANGER))
                mark.text_frame.paragraphs[0].runs[0].font.color.rgb = RGBColor(*palette.rgb(palette.BACKGROUND))
        title_box = text(slide, 0.5, 0.5, 12.3, 0.8, s.title, 32, bold=True, color=teal)
        title_box.name = "Judul"
        if s.subtitle:
            text(slide, 0.5, 1.3, 12.3, 0.8, s.subtitle, 18)
        top = 2.2
        if s.kpis:
            w = 12.3 / len(s.kpis)
            for j, (label, value) in enumerate(s.kpis):
                text(slide, 0.5 + j * w, top + 0.4, w - 0.2, 0.6, label, 18)
                text(slide, 0.5 + j * w, top + 1.2, w - 0.2, 1.2, value, 32, bold=True, color=teal)
        if s.figure is not None:
            width = 7.6 if s.table is not None else 12.3
            image = render(s.figure, width=int(width * 96), height=int(4.5 * 96))
            pic = slide.shapes.add_picture(io.BytesIO(image), Inches(0.5), Inches(top), width=Inches(width))
            pic.name = "Grafik"
        if s.table is not None:
            left = 8.3 if s.figure is not None else 0.5
            _pptx_table(slide, s.table, left, top, 13.333 - left - 0.5)
        text(
            slide,
            0.5,
            6.9,
            12.3,
            0.45,
            f"{footer} · {i}/{len(slides)}",
            MIN_PT,
            color=RGBColor(*palette.rgb(palette.MUTED)),
        )
        slide.notes_slide.notes_text_frame.text = s.notes
    prs.core_properties.title = title
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


def _pdf_font(pdf) -> str:
    for d in FONT_DIRS:
        regular, bold = d / "DejaVuSans.ttf", d / "DejaVuSans-Bold.ttf"
        if regular.exists() and bold.exists():
            pdf.add_font("DejaVu", "", str(regular))
            pdf.add_font("DejaVu", "B", str(bold))
            return "DejaVu"
    return "Helvetica"


def pdf_bytes(slides, title: str, footer: str, render=png) -> bytes:
    """The same slides as a landscape PDF (one page each), with the text as real, searchable text: the marking
    top right, title, subtitle, chart / cards / table, footer, and the notes (source, version) at the bottom, cut
    to the lines that fit."""
    from fpdf import FPDF

    pdf = FPDF(orientation="L", unit="mm", format=(190.5, 338.7))  # 16:9 like the deck
    pdf.set_auto_page_break(False)
    family = _pdf_font(pdf)

    def clean(value: str) -> str:
        return value if family == "DejaVu" else value.encode("latin-1", "replace").decode("latin-1")

    def fitted(value: str, width: float, lines: int, height: float) -> str:
        """`value` cut (with an ellipsis) to the lines a multi_cell of `width` has room for."""
        value = clean(value)
        while len(pdf.multi_cell(width, height, value, dry_run=True, output="LINES")) > lines:
            value = value[: max(0, len(value) - 10)].rstrip() + "…"
        return value

    pdf.set_title(title)
    for i, s in enumerate(slides, start=1):
        pdf.add_page()
        if s.mark:
            pdf.set_font(family, "B", MIN_PT)
            if s.restricted:  # white on red: the exact deck must not be forwarded
                pdf.set_fill_color(*palette.rgb(palette.DANGER))
                pdf.set_text_color(*palette.rgb(palette.BACKGROUND))
            else:
                pdf.set_text_color(*palette.rgb(palette.TEXT))
            w = pdf.get_string_width(clean(s.mark)) + 6
            pdf.set_xy(326.7 - w, 3)
            pdf.cell(w, 8, clean(s.mark), align="C", fill=s.restricted)
            pdf.set_fill_color(*palette.rgb(palette.BACKGROUND))  # the table below would take the red
        pdf.set_text_color(*palette.rgb(palette.PRIMARY))
        pdf.set_font(family, "B", 24)
        pdf.set_xy(12, 13)
        pdf.multi_cell(314, 11, clean(s.title), align="L")
        pdf.set_text_color(*palette.rgb(palette.TEXT))
        pdf.set_font(family, "", 16)
        if s.subtitle:
            pdf.set_x(12)
            pdf.multi_cell(314, 8, clean(s.subtitle), align="L")
        top = 46
        if s.kpis:
            w = 314 / len(s.kpis)
            for j, (label, value) in enumerate(s.kpis):
                pdf.set_xy(12 + j * w, top + 12)
                pdf.set_font(family, "", MIN_PT)
                pdf.multi_cell(w - 4, 7, clean(label), align="L")
                pdf.set_xy(12 + j * w, top + 34)
                pdf.set_font(family, "B", 24)
                pdf.multi_cell(w - 4, 11, clean(value), align="L")
        if s.figure is not None:
            width = 195 if s.table is not None else 314
            image = render(s.figure, width=int(width * 3.78), height=int(100 * 3.78))
            pdf.image(io.BytesIO(image), x=12, y=top, w=width, h=100)
        if s.table is not None:
            left = 215 if s.figure is not None else 12
            pdf.set_font(family, "", MIN_PT)
            pdf.set_left_margin(left)
            pdf.set_xy(left, top)
            with pdf.table(
                width=338.7 - left - 12,
                align="LEFT",
                first_row_as_headings=True,
                text_align="LEFT",
                line_height=6.5,
                col_widths=tuple(column_weights(s.table)),
            ) as table:
                row = table.row()
                for name in s.table.columns:
                    row.cell(clean(str(name)))
                for values in s.table.itertuples(index=False):
                    row = table.row()
                    for v in values:
                        row.cell(clean(str(v)))
            pdf.set_left_margin(12)
        pdf.set_font(family, "", MIN_PT)
        pdf.set_text_color(*palette.rgb(palette.MUTED))
        foot = max(150, pdf.get_y() + 2) if s.table is not None else 150  # below a table that ran long
        pdf.set_xy(12, foot)
        pdf.cell(314, 6, clean(f"{footer} · {i}/{len(slides)}"))
        pdf.set_xy(12, foot + 7)
        pdf.multi_cell(314, 6, fitted(s.notes, 314, max(1, int((188 - foot - 7) // 6)), 6), align="L")
    return bytes(pdf.output())
