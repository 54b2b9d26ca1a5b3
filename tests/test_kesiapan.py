"""Kesiapan evaluasi (issue 22) on a warehouse built by the real ETL sample (`python -m etl sample` loads the
evidence checklist, its states and files): the page's counts equal SQL, the days-left arithmetic, the reminder
workbook and the evidence package for analysts, and a public viewer who gets counts only (never a file name, a
reviewer's note, a link or an uploader's name: collected from everything the public page and deck show)."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import zipfile

import openpyxl
import pytest
from streamlit.delta_generator import DeltaGenerator
from streamlit.testing.v1 import AppTest

from etl import bukti_edits
from kla.fmt import fmt_date
from tests.conftest import ANALIS, add_accounts, sign_in, sql
from tests.e2e_support import chromium_path
from tests.figures import slide_text
from tests.test_free_text_public import file_text, screen_text

APP = "../app.py"
KK = "74.71"
NOTE = "Kepsek SDN 7 Ibu Rahmawati minta berkas disamarkan"
LINK = "https://drive.example.go.id/folder/rahasia-Rahmawati"
FILE_NAME = "SK_Forum_Anak_Rahmawati_Kendari.pdf"
pytestmark = pytest.mark.usefixtures("fresh_streamlit_caches")


def real_pdf(text: str) -> bytes:
    """A real one-page PDF (fpdf2, as a scanner or office suite would hand one over)."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=14)
    pdf.multi_cell(w=0, text=text)
    return bytes(pdf.output())


PDF = real_pdf("SK Forum Anak Kota Kendari (contoh untuk tes)")


@pytest.fixture(scope="module")
def kes_dir(tmp_path_factory, sample_data_dir):
    """The sample warehouse plus, through the page's own write functions (etl.bukti_edits), a note and a link that
    name a person and a file whose name does too, by the analyst ani.dp3a (2026, the year being prepared)."""
    d = tmp_path_factory.mktemp("kla-kesiapan") / "data"
    shutil.copytree(sample_data_dir, d)
    add_accounts(d)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KLA_DATA_DIR", str(d))
        versions = dict(sql(d, "SELECT item_id, load_id FROM fact_bukti WHERE tahun = 2026").values)
        row = {"item_id": "03.01", "status": "perlu_perbaikan", "catatan": NOTE, "tautan": LINK, "tenggat": None}
        assert bukti_edits.save_items(2026, KK, [row], user=ANALIS[0], base={"03.01": versions["03.01"]}).ok
        assert bukti_edits.attach(2026, KK, "06.01", PDF, FILE_NAME, user=ANALIS[0]).ok
    return d


def secrets(data_dir) -> list[str]:
    """Every note, link, file name, file hash and (non-sample) uploader or editor in the warehouse's evidence."""
    found = set()
    for q in (
        "SELECT catatan AS v FROM fact_bukti",
        "SELECT tautan AS v FROM fact_bukti",
        "SELECT nama_berkas AS v FROM fact_bukti_berkas",
        "SELECT sha256 AS v FROM fact_bukti_berkas",
        "SELECT diunggah_oleh AS v FROM fact_bukti_berkas",
        "SELECT diperbarui_oleh AS v FROM fact_bukti",
    ):
        found |= {v for v in sql(data_dir, q)["v"] if isinstance(v, str) and v.strip()}
    found.discard("contoh")  # the sample's loader: a word the sample banner and slide footer use themselves
    return sorted(found)


def leaks(text: str, data_dir) -> list[str]:
    flat = " ".join(text.split())
    return [s for s in secrets(data_dir) if s in flat]


def open_page(monkeypatch, data_dir, at: AppTest | None = None, state: dict | None = None) -> AppTest:
    monkeypatch.setenv("KLA_DATA_DIR", str(data_dir))
    if at is None:
        at = AppTest.from_file(APP, default_timeout=120)
        at.run()
    for k, v in (state or {}).items():
        at.session_state[k] = v
    at.switch_page("pages/kesiapan.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def cards(at: AppTest) -> dict[str, tuple[str, str]]:
    """The page's HTML cards: label -> (figure, line under it), as the browser would show them."""
    import html

    (body,) = [m.value for m in at.markdown if 'class="kes-cards"' in m.value]
    found = re.findall(
        r'<div class="label">(.*?)</div><div class="value[^"]*">(.*?)</div><div class="sub">(.*?)</div>', body
    )
    return {html.unescape(a): (html.unescape(b), html.unescape(c)) for a, b, c in found}


def table_with(at: AppTest, column: str):
    (table,) = [tb.value for tb in at.table if column in tb.value.columns]
    return table


@pytest.fixture()
def downloads_seen(monkeypatch):
    """Every download button the page offers: (file name, data or its callable)."""
    seen: list[tuple[str, object]] = []
    original = DeltaGenerator.download_button

    def spy(self, label, data, *args, **kwargs):
        seen.append((kwargs.get("file_name") or str(label), data))
        return original(self, label, data, *args, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "download_button", spy)
    import streamlit as st

    monkeypatch.setattr(st, "download_button", lambda *a, **kw: spy(st._main, *a, **kw))  # bound at import
    return seen


# --- the truth, from SQL ---------------------------------------------------------------------------
def truth(data_dir, year: int, today: dt.date):
    """Per item of the template: its OPD, cluster, state (no row: belum) and whether it is overdue (not accepted,
    due date, else the evaluasi mandiri date, before today), straight from the warehouse."""
    return sql(
        data_dir,
        """
        WITH stage AS (SELECT j.tanggal FROM fact_jadwal_kla j LEFT JOIN meta_load m USING (load_id)
                       WHERE j.tahun = ? AND j.kode_wilayah = ? AND j.tahap = 'evaluasi_mandiri'
                       ORDER BY m.loaded_at DESC NULLS LAST LIMIT 1)
        SELECT r.item_id, r.opd, i.kelompok, coalesce(f.status, 'belum') AS status,
               coalesce(f.status, 'belum') <> 'diterima'
                 AND coalesce(f.tenggat, (SELECT tanggal FROM stage)) < ? AS terlambat
        FROM ref_bukti_item r JOIN ref_indikator i USING (nomor)
        LEFT JOIN fact_bukti f ON f.item_id = r.item_id AND f.tahun = ? AND f.kode_wilayah = ?""",
        [year, KK, today, year, KK],
    )


def test_the_sample_holds_what_the_page_reads(kes_dir):
    """The premise: the real sample loaded states for two years, stage dates, files; the secrets are there."""
    years = sql(kes_dir, "SELECT DISTINCT tahun FROM fact_bukti ORDER BY 1")["tahun"].tolist()
    assert years == [2025, 2026]
    assert len(sql(kes_dir, "SELECT * FROM ref_bukti_item")) > 24
    assert {NOTE, LINK, FILE_NAME, ANALIS[0]} <= set(secrets(kes_dir))
    assert len(secrets(kes_dir)) > 8  # the sample's own notes, file names and hashes too


def test_public_counts_equal_sql(monkeypatch, kes_dir):
    today = dt.date.today()
    at = open_page(monkeypatch, kes_dir)
    year = at.selectbox(key="kes_year").value
    assert year == 2026  # both sample years' dates have passed: the newest
    want = truth(kes_dir, year, today)
    done = int((want["status"] == "diterima").sum())
    late = int(want["terlambat"].sum())
    shown = cards(at)
    assert shown["Bukti diterima"][0] == f"{done} / {len(want)}"
    assert shown["Lewat tenggat"][0] == str(late)
    missing = want[want["status"] != "diterima"].groupby("opd").size().sort_values(ascending=False)
    assert shown["Kekurangan terbanyak"][0] == missing.index[0]
    assert shown["Kekurangan terbanyak"][1] == f"{missing.iloc[0]} butir belum diterima"

    per_opd = table_with(at, "Tenggat terdekat")
    assert per_opd.columns.tolist() == [
        "OPD",
        "Diterima / butir",
        "Belum diterima",
        "Lewat tenggat",
        "Tenggat terdekat",
    ]
    for _, row in per_opd.iterrows():
        rows = want[want["opd"] == row["OPD"]]
        assert row["Diterima / butir"] == f"{int((rows['status'] == 'diterima').sum())} / {len(rows)}", row["OPD"]
        assert int(row["Belum diterima"]) == int((rows["status"] != "diterima").sum())
        assert int(row["Lewat tenggat"]) == int(rows["terlambat"].sum())
    assert set(per_opd["OPD"]) == set(want["opd"])
    gaps = [int(v) for v in per_opd["Belum diterima"]]
    assert gaps == sorted(gaps, reverse=True), "the OPD with the most missing items first"

    per_group = table_with(at, "Klaster")
    assert per_group["Klaster"].tolist() == [
        "Kelembagaan",
        "Klaster I",
        "Klaster II",
        "Klaster III",
        "Klaster IV",
        "Klaster V",
    ]
    for _, row in per_group.iterrows():
        rows = want[want["kelompok"] == row["Klaster"]]
        assert row["Diterima / butir"] == f"{int((rows['status'] == 'diterima').sum())} / {len(rows)}"
        assert int(row["Lewat tenggat"]) == int(rows["terlambat"].sum())

    states = table_with(at, "Status").set_index("Status")
    labels = {"belum": "Belum", "diunggah": "Diunggah", "diperiksa": "Diperiksa", "diterima": "Diterima"}
    labels["perlu_perbaikan"] = "Perlu perbaikan"
    for code, name in labels.items():
        assert int(states.loc[name, "Butir"]) == int((want["status"] == code).sum()), code
    assert sum(int(v) for v in states["Butir"]) == len(want)

    # the other year, chosen on the page, is counted from its own rows
    at.selectbox(key="kes_year").set_value(2025).run()
    old = truth(kes_dir, 2025, today)
    assert cards(at)["Bukti diterima"][0] == f"{int((old['status'] == 'diterima').sum())} / {len(old)}"


def test_days_left_arithmetic_and_where_the_date_comes_from(monkeypatch, own_sample):
    from etl import settings
    from kla import db
    from kla.views import Context
    from kla.views import kesiapan as view

    today = dt.date(2026, 5, 30)
    assert view.days_left(dt.date(2026, 6, 9), today) == 10
    assert view.days_left(today, today) == 0
    assert view.days_left(dt.date(2026, 5, 27), today) == -3
    assert view.days_left(None, today) is None
    assert view.days_text(10, "id") == "10 hari lagi" and view.days_text(10, "en") == "10 days left"
    assert view.days_text(0, "id") == "Hari ini" and view.days_text(-3, "id") == "Lewat 3 hari"
    assert view.days_card(1_234, "id") == "1.234 hari"  # Indonesian thousands

    key = db.current_key()
    ctx = Context(key, db.version_of(key), 2025, None, None, "id", True, KK, "Kota Kendari")
    goal = view.target(ctx, KK, 2026, today)
    assert (goal.tahap, goal.tanggal, goal.source, goal.days) == ("evaluasi_mandiri", dt.date(2026, 6, 9), "jadwal", 10)
    # pengaturan.toml's default applies only to its own year, and only when the year has no date set
    real = settings.settings()
    fake = {**real, "kesiapan": {"tahap": "evaluasi_mandiri", "tanggal": dt.date(2027, 6, 8)}}
    monkeypatch.setattr(settings, "settings", lambda: fake)
    assert view.target(ctx, KK, 2027, today) == view.Target("evaluasi_mandiri", dt.date(2027, 6, 8), "pengaturan", 374)
    assert view.target(ctx, KK, 2026, today).source == "jadwal"
    assert view.target(ctx, KK, 2028, today) == view.Target("evaluasi_mandiri", None, "", None)
    fake["kesiapan"] = {"tahap": "evaluasi_mandiri", "tanggal": "2027-06-08"}  # as pengaturan.toml writes it
    assert view.target(ctx, KK, 2027, today).tanggal == dt.date(2027, 6, 8)
    fake["kesiapan"] = {"tahap": "evaluasi_mandiri", "tanggal": ""}
    assert view.target(ctx, KK, 2027, today).tanggal is None
    monkeypatch.setattr(settings, "settings", lambda: real)

    # an item without a due date of its own is due on the stage date: overdue the day after it, not on it
    items = view.mark(
        view.queries.evidence_items(key, 2026, KK).head(2).assign(status="belum", tenggat=None),
        dt.date(2026, 6, 9),
        dt.date(2026, 6, 9),
    )
    assert items["terlambat"].tolist() == [False, False] and items["hari"].tolist() == [0, 0]
    items = view.mark(
        items.drop(columns=["batas", "kurang", "hari", "terlambat"]), dt.date(2026, 6, 9), dt.date(2026, 6, 10)
    )
    assert items["terlambat"].tolist() == [True, True]


@pytest.mark.slow
def test_an_analyst_sets_the_date_on_the_page_and_the_countdown_follows(monkeypatch, own_sample):
    add_accounts(own_sample)
    today = dt.date.today()
    at = sign_in(open_page(monkeypatch, own_sample))
    at = open_page(monkeypatch, own_sample, at=at)
    at.selectbox(key="kes_date_stage").set_value("evaluasi_mandiri")
    at.date_input(key="kes_date_day").set_value(today + dt.timedelta(days=12))
    at.button[[b.label for b in at.button].index("Simpan tanggal")].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Tanggal tersimpan sebagai versi data" in s.value for s in at.success)
    stored = sql(
        own_sample,
        "SELECT tahun, tahap, tanggal FROM fact_jadwal_kla WHERE tahun = 2026 AND tahap = 'evaluasi_mandiri'",
    )
    assert stored["tanggal"].dt.date.tolist()[-1] == today + dt.timedelta(days=12)
    # AppTest runs a switched-to page without app.py's frame (the data version it holds stays that of the first
    # run): a new session reads the new version, as the real server does on the rerun
    at = open_page(monkeypatch, own_sample)
    label = "Menuju evaluasi mandiri"
    assert cards(at)[label] == ("12 hari", f"sampai {fmt_date(today + dt.timedelta(days=12))}")
    # items without a due date of their own are no longer overdue; the count is SQL's with the new date
    want = truth(own_sample, 2026, today)
    assert cards(at)["Lewat tenggat"][0] == str(int(want["terlambat"].sum()))


def test_a_public_viewer_gets_counts_only(monkeypatch, kes_dir, downloads_seen):
    """Everything the public page shows, for every evaluation year, and the public deck (slides, PPTX, PDF):
    no note, link, file name, file hash or uploader from the warehouse; no download, no item list."""
    at = open_page(monkeypatch, kes_dir)
    texts = [screen_text(at)]
    for year in at.selectbox(key="kes_year").options:
        at.selectbox(key="kes_year").set_value(int(year)).run()
        assert not at.exception
        texts.append(screen_text(at))
    text = "\n".join(texts)
    assert leaks(text, kes_dir) == []
    assert "Kekurangan terbanyak" in text and "Lewat tenggat" in text  # the counts are there
    assert "Perda tentang Kabupaten/Kota Layak Anak" not in text  # no item list: counts only
    assert downloads_seen == [] and not at.dataframe and not at.tabs  # no download, no editor, no analyst tabs
    # the deck a public viewer gets
    from kla import db, slides

    key = db.current_key()
    deck = slides.build(key, db.version_of(key), 2025, "id", True, dt.date.today())
    (ready,) = [s for s in deck if s.title.startswith("Kesiapan evaluasi")]
    assert ready.mark == "Publik" and not ready.restricted
    assert list(ready.table.columns) == ["OPD", "Belum diterima", "Lewat tenggat"]
    assert leaks("\n".join(slide_text(s) + "\n" + s.notes for s in deck), kes_dir) == []
    if chromium_path() is not None:  # the deck files draw their charts with kaleido in chromium
        from kla import export

        assert leaks(file_text("x.pptx", export.pptx_bytes(deck, "Bahan rapat", "Dasbor KLA")), kes_dir) == []
        assert leaks(file_text("x.pdf", export.pdf_bytes(deck, "Bahan rapat", "Dasbor KLA")), kes_dir) == []


def test_the_analyst_sees_the_text_the_public_does_not(monkeypatch, kes_dir, downloads_seen):
    """The same harness finds the secrets once signed in: the public test above can fail."""
    at = sign_in(open_page(monkeypatch, kes_dir))
    at = open_page(monkeypatch, kes_dir, at=at, state={"kes_indicator": 3})
    text = " ".join(screen_text(at).split())
    assert NOTE in text and LINK in text
    at.selectbox(key="kes_indicator").set_value(6).run()
    text = " ".join(screen_text(at).split())
    assert FILE_NAME in text and ANALIS[0] in text
    assert leaks(text, kes_dir)
    names = [n for n, _ in downloads_seen]
    assert FILE_NAME in names and any(n.startswith("pengingat_bukti_kla_2026_") for n in names)
    # the analyst's deck carries the restricted mark, and still counts only
    from kla import db, slides

    key = db.current_key()
    deck = slides.build(key, db.version_of(key), 2025, "id", False, dt.date.today())
    (ready,) = [s for s in deck if s.title.startswith("Kesiapan evaluasi")]
    assert ready.restricted and ready.mark.startswith("TERBATAS")
    assert leaks(slide_text(ready), kes_dir) == []


def test_the_reminder_workbook_lists_what_each_opd_still_owes(monkeypatch, kes_dir, downloads_seen):
    today = dt.date.today()
    at = sign_in(open_page(monkeypatch, kes_dir))
    open_page(monkeypatch, kes_dir, at=at)
    (data,) = [d for n, d in downloads_seen if n.startswith("pengingat_bukti_kla_2026_")]
    wb = openpyxl.load_workbook(io.BytesIO(data() if callable(data) else data))
    want = truth(kes_dir, 2026, today)
    missing = want[want["status"] != "diterima"]
    assert wb.sheetnames[0] == "Ringkasan"
    # one sheet per OPD that still owes something, named after it (Excel forbids "/" in a sheet name)
    title = re.compile(r"Butir data dukung yang belum diterima: (.*) \(evaluasi KLA 2026\)")
    sheets = {title.fullmatch(ws["A1"].value).group(1): ws for ws in wb.worksheets[1:]}
    assert set(sheets) == set(missing["opd"])
    assert wb["Dinas PUPR-Perkim"] is sheets["Dinas PUPR/Perkim"]
    for opd, rows in missing.groupby("opd"):
        ws = sheets[opd]
        assert [c.value for c in ws[4]] == [
            "No indikator",
            "Indikator",
            "Butir data dukung",
            "Jenis dokumen",
            "Status",
            "Tenggat",
            "Lewat (hari)",
            "Catatan pemeriksa",
        ]
        body = list(ws.iter_rows(min_row=5, values_only=True))
        assert len(body) == len(rows)
        late = [r[6] is not None for r in body]
        assert sum(late) == int(rows["terlambat"].sum())
        assert late == sorted(late, reverse=True), "the overdue items first"
    notes = [c.value for ws in wb.worksheets[1:] for c in ws["H"]]
    assert NOTE in notes  # the reviewer's note goes to the OPD that has to act on it


def test_the_package_button_builds_the_zip(monkeypatch, kes_dir, downloads_seen):
    at = sign_in(open_page(monkeypatch, kes_dir))
    open_page(monkeypatch, kes_dir, at=at)
    (data,) = [d for n, d in downloads_seen if n.startswith("paket_bukti_kla_2026_")]
    with zipfile.ZipFile(io.BytesIO(data())) as z:
        names = z.namelist()
        assert any(n.endswith(".xlsx") for n in names)
        (ours,) = [n for n in names if n.startswith("06 ") and n.endswith("/06.01.pdf")]
        assert z.read(ours) == PDF
