"""The meeting deck (issue 21, item 3): the late-task slides list every task they count, with OPD, due date and days
late, paged onto continuation slides; a priority-indicator slide ranked as the Progres page ranks; every text of the
slide figures at least 18 px and dark; the public deck without any task text; the public and the exact deck named
and marked apart; and each slide's numbers equal its page's (AppTest of the page against kla.slides.build).

The follow-ups are a real file written here and loaded through etl.loader.load; the truth is SQL on the warehouse
and the reference CSV read with the csv module. No Chromium here (the PPTX/PDF pictures are a blank PNG):
tests/test_e2e_presentasi.py measures the slides in the browser."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from PIL import Image
from pptx import Presentation
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

from etl import loader
from kla.fmt import fmt_date, fmt_dec, fmt_int
from tests.conftest import sql
from tests.figures import decode, figure, slide_text

APP = "../app.py"
TODAY = dt.date(2026, 1, 15)
REFERENCE = Path(__file__).resolve().parent.parent / "data" / "reference"
OPDS = ("Dinas Sosial", "Dinas Kesehatan", "Bappeda", "Disdukcapil", "Diskominfo")
MARK_EXACT = "TERBATAS — untuk Gugus Tugas, jangan diteruskan"
pytestmark = pytest.mark.usefixtures("fresh_streamlit_caches")


def task_text(i: int) -> str:
    """Free text as a secretariat writes it: it names a child and her mother (never public)."""
    return f"Dampingi Ananda Zq{i:02d} dan ibunya Wulan Zq{i:02d} ke layanan"


@pytest.fixture(scope="module")
def late_dir(tmp_path_factory, sample_data_dir) -> Path:
    """The sample warehouse plus a follow-up file of 19 tasks: 15 late on TODAY (open, past due), 2 open and not
    yet due, 2 done past due (not late)."""
    d = tmp_path_factory.mktemp("kla-slides") / "data"
    shutil.copytree(sample_data_dir, d)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Tanggal Rapat", "Tugas", "No Indikator", "OPD", "Tenggat", "Status", "Catatan"])
    for i in range(15):
        due = dt.date(2025, 6, 1) + dt.timedelta(days=11 * i)
        ws.append(
            [
                dt.date(2025, 5, 2),
                task_text(i),
                4 + i,
                OPDS[i % 5],
                due,
                "Belum" if i % 2 else "Proses",
                f"Catatan Zc{i:02d}: rumah Jl. Kenanga",
            ]
        )
    ws.append([dt.date(2025, 5, 2), task_text(15), None, "Bappeda", dt.date(2026, 3, 1), "Belum", None])
    ws.append([dt.date(2025, 5, 2), task_text(16), None, "Bappeda", dt.date(2026, 2, 1), "Proses", None])
    ws.append([dt.date(2025, 5, 2), task_text(17), None, "Dinas Sosial", dt.date(2025, 7, 1), "Selesai", None])
    ws.append([dt.date(2025, 5, 2), task_text(18), None, "Dinas Sosial", dt.date(2025, 8, 1), "Selesai", None])
    path = d.parent / "tindak_lanjut.xlsx"
    wb.save(path)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KLA_DATA_DIR", str(d))
        mp.setenv("KLA_SALT", "test-salt")
        assert loader.load("tindak_lanjut", [path]).ok
    return d


def deck(data_dir, monkeypatch, public: bool, today: dt.date = TODAY, year: int = 2025, lang: str = "id"):
    from kla import db, slides

    monkeypatch.setenv("KLA_DATA_DIR", str(data_dir))
    key = db.current_key()
    return slides.build(key, db.version_of(key), year, lang, public, today)


def late_truth(data_dir, today: dt.date = TODAY) -> pd.DataFrame:
    """The late tasks straight from the warehouse: open (Belum, Proses) and due before today; each OPD under its one
    name (data/reference/opd.csv: "Dinas Perkim" is "Dinas PUPR/Perkim")."""
    from kla.klaster import opd_name

    late = sql(
        data_dir,
        "SELECT tugas, opd, tenggat FROM fact_tindak_lanjut WHERE status IN ('Belum', 'Proses') AND tenggat < ?",
        [today],
    )
    return late.assign(hari=[(today - d.date()).days for d in late["tenggat"]], opd=late["opd"].map(opd_name))


def late_slides(slides_: list) -> list:
    return [s for s in slides_ if s.title.startswith("Tindak lanjut yang terlambat")]


# --- the late-task slides ----------------------------------------------------------------------------------------
def test_the_exact_late_slides_list_every_counted_task_with_due_date_and_days_late(monkeypatch, late_dir):
    truth = late_truth(late_dir)
    assert len(truth) >= 15 + 8  # the premise: the file's 15 and the sample's own
    pages = late_slides(deck(late_dir, monkeypatch, public=False))
    n = len(pages)
    assert n == -(-len(truth) // 7) and n > 1  # at most 7 a slide, on as few slides as hold them
    assert [s.title for s in pages] == [f"Tindak lanjut yang terlambat ({k}/{n})" for k in range(1, n + 1)]
    n_open = sql(late_dir, "SELECT count(*) AS n FROM fact_tindak_lanjut WHERE status IN ('Belum', 'Proses')")["n"][0]
    for s in pages:
        assert s.subtitle == f"{len(truth)} dari {n_open} tugas terbuka sudah lewat tenggat."
        assert 1 <= len(s.table) <= 7 and s.figure is None
    shown = pd.concat([s.table for s in pages], ignore_index=True)
    assert list(shown.columns) == ["Tugas", "OPD", "Tenggat", "Hari terlambat"]
    # exactly the counted tasks, each once, with its OPD, Babel's Indonesian date and its days late
    expected = sorted(
        (r.tugas, r.opd, fmt_date(r.tenggat.date(), "id"), fmt_int(r.hari)) for r in truth.itertuples(index=False)
    )
    assert sorted(map(tuple, shown.to_numpy().tolist())) == expected
    days = [int(v.replace(".", "")) for v in shown["Hari terlambat"]]
    assert days == sorted(days, reverse=True)  # the longest overdue first, across the slides
    assert re.fullmatch(
        r"\d{1,2} (Januari|Februari|Maret|April|Mei|Juni|Juli|Agustus|September|Oktober|November|"
        r"Desember) \d{4}",
        shown["Tenggat"].iloc[0],
    )
    assert task_text(15) not in set(shown["Tugas"]) and task_text(17) not in set(shown["Tugas"])  # not late


def test_the_public_late_slides_count_per_opd_and_add_up(monkeypatch, late_dir):
    truth = late_truth(late_dir)
    pages = late_slides(deck(late_dir, monkeypatch, public=True))
    per_opd = truth.groupby("opd").agg(n=("tugas", "size"), due=("tenggat", "min"), hari=("hari", "max"))
    assert len(pages) == -(-len(per_opd) // 8)
    shown = pd.concat([s.table for s in pages], ignore_index=True)
    assert list(shown.columns) == ["OPD", "Tugas terlambat", "Tenggat paling awal", "Paling lama (hari)"]
    assert sorted(shown["OPD"]) == sorted(per_opd.index)  # every OPD with a late task, on some slide
    for row in shown.itertuples(index=False):
        want = per_opd.loc[row[0]]
        assert row[1:] == (fmt_int(want["n"]), fmt_date(want["due"].date()), fmt_int(want["hari"])), row
    assert sum(int(v) for v in shown["Tugas terlambat"]) == len(truth)


def test_no_late_task_gives_one_slide_without_a_table(monkeypatch, late_dir):
    pages = late_slides(deck(late_dir, monkeypatch, public=False, today=dt.date(2025, 1, 1)))
    assert len(pages) == 1 and pages[0].table is None and pages[0].subtitle.startswith("0 dari ")


def test_pages_keep_every_row_once_and_fill_evenly():
    from kla.slides import pages

    for n in range(1, 40):
        table = pd.DataFrame({"x": range(n)})
        parts = pages(table, 7)
        assert pd.concat(parts)["x"].tolist() == list(range(n))
        assert len(parts) == -(-n // 7) and max(map(len, parts)) - min(map(len, parts)) <= 1
        assert all(len(p) <= 7 for p in parts)
    assert pages(None, 7) == [None] and pages(pd.DataFrame({"x": []}), 7) == [None]


# --- the priority slide -------------------------------------------------------------------------------------------
def short_names() -> dict[int, str]:
    with open(REFERENCE / "indikator.csv", encoding="utf-8") as fh:
        return {int(r["nomor"]): r["nama_singkat"] for r in csv.DictReader(fh)}


def test_the_priority_slide_ranks_by_the_gap_to_target_without_maxima(monkeypatch, sample_data_dir):
    from kla import klaster

    (slide,) = [s for s in deck(sample_data_dir, monkeypatch, public=True) if s.title.startswith("Indikator prioritas")]
    assert slide.title == "Indikator prioritas, evaluasi 2025"
    assert "Nilai maksimum per indikator belum diketahui" in slide.subtitle and "target kota" in slide.subtitle
    truth = sql(
        sample_data_dir,
        "SELECT f.nomor, f.nilai, f.target, r.kelompok, coalesce(f.opd_pengampu, r.opd_pengampu) AS opd "
        "FROM fact_nilai_indikator f JOIN ref_indikator r USING (nomor) WHERE f.tahun = 2025",
    )
    assert len(truth) == 24 and truth["target"].notna().all()
    truth = truth.assign(gap=(truth["target"] - truth["nilai"]).clip(lower=0).round(1))
    truth = truth[truth["gap"] > 0].sort_values(["gap", "nomor"], ascending=[False, True]).head(8)
    names = short_names()
    expected = [
        [str(r.nomor), names[r.nomor], r.kelompok, r.opd, fmt_dec(r.nilai, 1), fmt_dec(r.gap, 1)]
        for r in truth.itertuples(index=False)
    ]
    table = slide.table
    assert list(table.columns) == ["No", "Indikator", "Kelompok", "OPD pengampu", "Nilai", "Kurang dari target"]
    assert table.to_numpy().tolist() == expected
    assert fmt_dec(truth["gap"].sum(), 1) in slide.subtitle
    # the klaster logic: the what-if suggestion's gains (target where no maximum), largest first
    from kla import db
    from kla.views import Context
    from kla.views import progres as view

    ctx = Context(db.current_key(), "v", 2025, None, None, "id", True, "74.71", "Kota Kendari")
    ind = view.indicators(ctx, "74.71", 2025)
    picks = klaster.suggest(ind, float(ind["gap_target"].sum()))
    assert picks["nomor"].astype(str).head(8).tolist() == table["No"].tolist()


def test_the_priority_slide_ranks_by_points_to_the_maximum_when_known(monkeypatch, sample_data_dir):
    """With maxima (INVENTED here, as a task force would enter them from its Juknis) the ranking is by the points
    still possible up to each maximum: the what-if suggestion's order, the gain column named so."""
    from kla import klaster
    from kla.views import Context
    from kla.views import progres as view

    maxima = {n: 30.0 + (n * 7) % 25 for n in range(1, 25)}
    scores = {n: round(maxima[n] * (0.5 + (n % 5) / 10), 1) for n in maxima}
    frame = pd.DataFrame(
        {
            "nomor": list(maxima),
            "nama": [f"Indikator {n}" for n in maxima],
            "kelompok": "Klaster I",
            "kelompok_urut": 1,
            "nilai_maks": list(maxima.values()),
            "nilai": [scores[n] if n != 3 else None for n in maxima],  # 3 not assessed: its whole maximum
            "target": None,
            "opd": "DP3A",
            "status_bukti": None,
            "catatan": None,
        }
    )
    table = klaster.indicator_table(frame)
    ctx = Context("k", "v", 2025, None, None, "id", True, "74.71", "Kota Kendari")
    top = view.priorities(ctx, table, 8)
    assert top.basis == "maks" and list(top.table.columns)[-1] == "Poin bisa ditambah"
    gains = sorted(((maxima[n] - (scores[n] if n != 3 else 0), n) for n in maxima), key=lambda g: (-g[0], g[1]))
    assert top.table["Poin bisa ditambah"].tolist() == [fmt_dec(g, 1) for g, _ in gains[:8]]
    picks = klaster.suggest(table, sum(g for g, _ in gains))
    assert top.table["No"].tolist() == picks["nomor"].astype(str).head(8).tolist()
    assert top.table.set_index("No").loc["3", "Nilai"] == "Belum dinilai"
    assert top.gain == round(sum(g for g, _ in gains[:8]), 1)


# --- type readable from the back of the room ------------------------------------------------------------------------
def _luminance(color: str) -> float:
    h = color.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) / 255 for i in (0, 2, 4))
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_on_white(color: str) -> float:
    return 1.05 / (_luminance(color) + 0.05)


def drawn_texts(fig) -> list[tuple[str, object, object]]:
    """(what, font size, font colour) of every text a figure draws, as set on the figure itself: a size or colour
    left unset would be the template's (plotly's or Streamlit's: 12 px grey ticks), which is what failed."""
    lay = fig.layout
    out = [("layout", lay.font.size, lay.font.color)]
    for ax in [*fig.select_xaxes(), *fig.select_yaxes()]:
        if ax.visible is not False and ax.showticklabels is not False:
            out.append((f"ticks {ax.plotly_name}", ax.tickfont.size, ax.tickfont.color))
        if ax.title.text:
            out.append((f"title {ax.plotly_name}", ax.title.font.size, ax.title.font.color))
    if lay.showlegend or (lay.showlegend is None and len(fig.data) > 1):
        out.append(("legend", lay.legend.font.size, lay.legend.font.color))
    out += [(f"annotation {a.text}", a.font.size, a.font.color) for a in lay.annotations]
    for tr in fig.data:
        if getattr(tr, "text", None) is not None:
            out.append((f"labels {tr.name}", tr.textfont.size, tr.textfont.color))
    return out


def test_every_text_of_the_slide_figures_is_18px_and_dark(monkeypatch, late_dir):
    from kla import charts
    from kla.views import Context, ringkasan

    slides_ = deck(late_dir, monkeypatch, public=True) + deck(late_dir, monkeypatch, public=False)
    figures = [s for s in slides_ if s.figure is not None and not s.title.startswith("RBRA")]  # the map: issue 21.2
    # score, clusters, readiness (issue 22), participation (issue 23), cases; in each deck
    assert len(figures) == 10
    for s in figures:
        texts = drawn_texts(s.figure)
        assert len(texts) >= 4, s.title
        for what, size, color in texts:
            assert size is not None and size >= 18, (s.title, what, size)
            assert color is not None and contrast_on_white(color) >= 4.5, (s.title, what, color)
    # the page figures keep their own sizes: the slide variant is a copy
    from kla import db

    ctx = Context(db.current_key(), "v", 2025, None, None, "id", True, "74.71", "Kota Kendari")
    page = ringkasan.score_chart(ctx)
    slide = charts.slide_fonts(page)
    assert page.layout.font.size == 16 and page.layout.xaxis.tickfont.size is None
    assert slide.layout.xaxis.tickfont.size == 18 and list(page.data[0].y) == list(slide.data[0].y)


def _blank_png(fig, width, height) -> bytes:
    png = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(png, format="PNG")
    return png.getvalue()


def test_the_pptx_and_pdf_have_no_text_below_14_pt(monkeypatch, late_dir):
    """14 pt is 18.7 px on a 13.33-inch slide shown 1280 px wide."""
    from kla import export

    slides_ = deck(late_dir, monkeypatch, public=False)
    prs = Presentation(io.BytesIO(export.pptx_bytes(slides_, "Bahan rapat", "Dasbor KLA", render=_blank_png)))
    sizes = [
        run.font.size.pt
        for slide in prs.slides
        for shape in slide.shapes
        for frame in (
            [shape.text_frame]
            if shape.has_text_frame
            else [c.text_frame for row in shape.table.rows for c in row.cells]
            if shape.has_table
            else []
        )
        for p in frame.paragraphs
        for run in p.runs
    ]
    assert sizes and min(sizes) >= 14
    reader = PdfReader(io.BytesIO(export.pdf_bytes(slides_, "Bahan rapat", "Dasbor KLA", render=_blank_png)))
    pdf_sizes = [
        float(v) for page in reader.pages for v in re.findall(rb"/F\d+ ([\d.]+) Tf", page.get_contents().get_data())
    ]
    assert pdf_sizes and min(pdf_sizes) >= 14


# --- free text is never public -----------------------------------------------------------------------------------
def everything(slides_, export) -> str:
    """Every text a public deck holds, however read: the slides' texts and notes, each figure's whole JSON, the
    PPTX (shapes, tables, notes) and the PDF."""
    parts = [slide_text(s) + "\n" + s.notes + "\n" + s.mark for s in slides_]
    parts += [json.dumps(s.figure.to_plotly_json(), default=str) for s in slides_ if s.figure is not None]
    parts += [s.table.to_csv() for s in slides_ if s.table is not None]
    prs = Presentation(io.BytesIO(export.pptx_bytes(slides_, "Bahan rapat", "Dasbor KLA", render=_blank_png)))
    for slide in prs.slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                parts.append(shape.text_frame.text)
            if shape.has_table:
                parts += [c.text for row in shape.table.rows for c in row.cells]
        parts.append(slide.notes_slide.notes_text_frame.text)
    reader = PdfReader(io.BytesIO(export.pdf_bytes(slides_, "Bahan rapat", "Dasbor KLA", render=_blank_png)))
    parts += [p.extract_text() for p in reader.pages]
    return " ".join("\n".join(parts).split())


def test_the_public_deck_holds_no_task_text_or_note(monkeypatch, late_dir):
    from kla import export

    loaded = sql(late_dir, "SELECT tugas, catatan FROM fact_tindak_lanjut")
    secrets = [*loaded["tugas"], *loaded["catatan"].dropna(), "Zq", "Zc", "Wulan", "Ananda", "Kenanga"]
    public = everything(deck(late_dir, monkeypatch, public=True), export)
    assert [s for s in secrets if " ".join(s.split()) in public] == []
    exact = everything(deck(late_dir, monkeypatch, public=False), export)  # the same reading finds them
    assert all(task_text(i) in exact for i in range(15))


# --- named and marked apart --------------------------------------------------------------------------------------
def test_public_and_exact_decks_are_named_and_marked_apart(monkeypatch, late_dir):
    from kla import export, slides

    public, exact = deck(late_dir, monkeypatch, public=True), deck(late_dir, monkeypatch, public=False)
    assert {s.mark for s in public} == {"Publik"} and not any(s.restricted for s in public)
    assert {s.mark for s in exact} == {MARK_EXACT} and all(s.restricted for s in exact)
    names = {p: slides.file_name("Kota Kendari", 2025, p, "v0010", TODAY, "pptx", "id") for p in (True, False)}
    assert names[True] == "bahan-rapat-KLA-Kota-Kendari-2025-publik-v0010-20260115.pptx"
    assert names[False] == "bahan-rapat-KLA-Kota-Kendari-2025-terbatas-v0010-20260115.pptx"
    assert slides.file_name("Kota Kendari", 2025, True, "v1", TODAY, "pdf", "en").startswith("KLA-meeting-deck-")
    assert "restricted" in slides.file_name("Kota Kendari", 2025, False, "v1", TODAY, "pdf", "en")
    prs = Presentation(io.BytesIO(export.pptx_bytes(exact, "Bahan rapat", "Dasbor KLA", render=_blank_png)))
    assert [next(sh.text_frame.text for sh in s.shapes if sh.name == "Penanda") for s in prs.slides] == [
        MARK_EXACT
    ] * len(exact)
    reader = PdfReader(io.BytesIO(export.pdf_bytes(public, "Bahan rapat", "Dasbor KLA", render=_blank_png)))
    assert all(p.extract_text().lstrip().startswith("Publik") for p in reader.pages)
    reader = PdfReader(io.BytesIO(export.pdf_bytes(exact, "Bahan rapat", "Dasbor KLA", render=_blank_png)))
    assert all(MARK_EXACT in " ".join(p.extract_text().split()) for p in reader.pages)


# --- one number per statistic: each slide against its page ---------------------------------------------------------
def open_page(monkeypatch, data_dir, page: str) -> AppTest:
    monkeypatch.setenv("KLA_DATA_DIR", str(data_dir))
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page(f"pages/{page}").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def xy(fig) -> list:
    """What a figure says, trace by trace: its x, y and labels (a slide's go.Figure or a page's decoded spec)."""
    spec = fig if isinstance(fig, dict) else json.loads(fig.to_json())
    same = lambda v: [None if x != x else x for x in v] if isinstance(v, list) else v  # noqa: E731 - NaN == NaN
    return [tuple(same(decode(tr.get(k))) for k in ("x", "y", "text")) for tr in spec["data"]]


def test_each_slide_shows_its_pages_numbers(monkeypatch, late_dir):
    today = dt.date.today()  # the pages count late tasks on today
    ringkasan = open_page(monkeypatch, late_dir, "ringkasan.py")
    year = ringkasan.session_state["_ctx"].year  # the sidebar's year
    slides_ = deck(late_dir, monkeypatch, public=True, today=today, year=year)
    by_title = {s.title.split(" (")[0].split(",")[0]: s for s in slides_}
    page_metrics = [m.value for m in ringkasan.metric]
    charts = {c.key: figure(c) for c in ringkasan.get("plotly_chart")}
    # 1. the key figures are Ringkasan's cards
    for label, value in by_title["Anak-anak Kota Kendari"].kpis:
        assert all(part in page_metrics for part in value.split(" · ")), (label, value, page_metrics)
    # 2. the score chart, 6. the cases chart: the same traces as the page's
    assert xy(by_title["Nilai KLA dan kategori"].figure) == xy(charts["chart_score"])
    assert xy(by_title["Kasus kekerasan terhadap anak per tahun"].figure) == xy(charts["chart_cases"])
    # 3. the clusters, 4. the priorities, 7. the late tasks: Progres's chart, table and cards
    progres = open_page(monkeypatch, late_dir, "progres.py")
    charts = {c.key: figure(c) for c in progres.get("plotly_chart")}
    assert xy(by_title["Progres per klaster"].figure) == xy(charts["chart_groups"])
    from tests.tables import number, tables  # st.table read back as shown (kla.shell.text_table)

    indicators = next(d for d in tables(progres) if {"Kelompok", "Kurang dari target"} <= set(d.columns))
    assert len(indicators) == 24  # the "24 indikator" tab (the per-OPD tab's table comes after it)
    ranked = indicators[indicators["Kurang dari target"].map(number) > 0]["No"].astype(str).head(8).tolist()
    assert by_title["Indikator prioritas"].table["No"].tolist() == ranked
    cards = {m.label: m.value for m in progres.metric}
    late = late_slides(slides_)
    assert late[0].subtitle.startswith(f"{cards['Terlambat']} dari {cards['Tugas terbuka']} tugas terbuka")
    (per_opd,) = [d for d in tables(progres) if "Paling lama terlambat (hari)" in d.columns]
    page_late = {r["OPD"]: r["Terlambat"] for r in per_opd.to_dict("records") if r["Terlambat"] != "0"}
    shown = pd.concat([s.table for s in late])
    assert dict(zip(shown["OPD"], shown["Tugas terlambat"])) == page_late
