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
def pptx_bytes(slides, title: str, footer: str, render=png) -> bytes:
    """One 16:9 slide per Slide: title, subtitle, the chart as a picture (or cards / a table), notes."""
    from pptx import Presentation
    from pptx.dml.color import RGBColor
    from pptx.util import Emu, Inches, Pt

    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    blank = prs.slide_layouts[6]
    teal = RGBColor(*palette.rgb(palette.PRIMARY))

    def text(slide, x, y, w, h, value, size, bold=False, color=None):
        box = slide.shapes.add_textbox(Inches(x), Inches(y), Inches(w), Inches(h))
        frame = box.text_frame
        frame.word_wrap = True
        run = frame.paragraphs[0].add_run()
        run.text = value
        run.font.size = Pt(size)
        run.font.bold = bold
        if color is not None:
            run.font.color.rgb = color
        return box

    for i, s in enumerate(slides, start=1):
        slide = prs.slides.add_slide(blank)
        title_box = text(slide, 0.5, 0.3, 12.3, 0.9, s.title, 32, bold=True, color=teal)
        title_box.name = "Judul"
        if s.subtitle:
            text(slide, 0.5, 1.15, 12.3, 0.6, s.subtitle, 18)
        top = 1.85
        if s.kpis:
            w = 12.3 / len(s.kpis)
            for j, (label, value) in enumerate(s.kpis):
                text(slide, 0.5 + j * w, top + 0.6, w - 0.2, 0.6, label, 16)
                text(slide, 0.5 + j * w, top + 1.2, w - 0.2, 1.2, value, 30, bold=True, color=teal)
        if s.figure is not None:
            width = 7.6 if s.table is not None else 12.3
            image = render(s.figure, width=int(width * 96), height=int(4.9 * 96))
            pic = slide.shapes.add_picture(io.BytesIO(image), Inches(0.5), Inches(top), width=Inches(width))
            pic.name = "Grafik"
        if s.table is not None:
            left = 8.3 if s.figure is not None else 0.5
            rows, cols = len(s.table) + 1, len(s.table.columns)
            shape = slide.shapes.add_table(
                rows, cols, Inches(left), Inches(top), Inches(13.333 - left - 0.5), Emu(Inches(0.4) * rows)
            )
            for c, name in enumerate(s.table.columns):
                shape.table.cell(0, c).text = str(name)
            for r, row in enumerate(s.table.itertuples(index=False), start=1):
                for c, value in enumerate(row):
                    shape.table.cell(r, c).text = str(value)
            for cell in (shape.table.cell(r, c) for r in range(rows) for c in range(cols)):
                for p in cell.text_frame.paragraphs:
                    for run in p.runs:
                        run.font.size = Pt(11)
        text(slide, 0.5, 7.0, 12.3, 0.4, f"{footer} · {i}/{len(slides)}", 11)
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
    """The same slides as a landscape PDF (one page each), with the text as real, searchable text."""
    from fpdf import FPDF

    pdf = FPDF(orientation="L", unit="mm", format=(190.5, 338.7))  # 16:9 like the deck
    pdf.set_auto_page_break(False)
    family = _pdf_font(pdf)

    def clean(value: str) -> str:
        return value if family == "DejaVu" else value.encode("latin-1", "replace").decode("latin-1")

    pdf.set_title(title)
    for i, s in enumerate(slides, start=1):
        pdf.add_page()
        pdf.set_text_color(*palette.rgb(palette.PRIMARY))
        pdf.set_font(family, "B", 24)
        pdf.set_xy(12, 8)
        pdf.multi_cell(314, 11, clean(s.title), align="L")
        pdf.set_text_color(*palette.rgb(palette.TEXT))
        pdf.set_font(family, "", 13)
        if s.subtitle:
            pdf.set_x(12)
            pdf.multi_cell(314, 7, clean(s.subtitle), align="L")
        top = 42
        if s.kpis:
            w = 314 / len(s.kpis)
            for j, (label, value) in enumerate(s.kpis):
                pdf.set_xy(12 + j * w, top + 15)
                pdf.set_font(family, "", 12)
                pdf.multi_cell(w - 4, 6, clean(label), align="L")
                pdf.set_xy(12 + j * w, top + 32)
                pdf.set_font(family, "B", 22)
                pdf.multi_cell(w - 4, 10, clean(value), align="L")
        if s.figure is not None:
            width = 195 if s.table is not None else 314
            image = render(s.figure, width=int(width * 3.78), height=int(125 * 3.78))
            pdf.image(io.BytesIO(image), x=12, y=top, w=width, h=125)
        if s.table is not None:
            left = 215 if s.figure is not None else 12
            pdf.set_font(family, "", 9)
            pdf.set_left_margin(left)
            pdf.set_xy(left, top)
            with pdf.table(
                width=338.7 - left - 12,
                align="LEFT",
                first_row_as_headings=True,
                text_align="LEFT",
                col_widths=(1, 2, 1) if len(s.table.columns) == 3 else None,
            ) as table:
                row = table.row()
                for name in s.table.columns:
                    row.cell(clean(str(name)))
                for values in s.table.itertuples(index=False):
                    row = table.row()
                    for v in values:
                        row.cell(clean(str(v)))
            pdf.set_left_margin(12)
        pdf.set_font(family, "", 9)
        pdf.set_text_color(*palette.rgb(palette.MUTED))
        pdf.set_xy(12, 178)
        pdf.cell(314, 5, clean(f"{footer} · {i}/{len(slides)}"))
        pdf.set_xy(12, 183)
        pdf.multi_cell(314, 4, clean(s.notes)[:400], align="L")
    return bytes(pdf.output())
