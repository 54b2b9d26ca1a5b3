"""Free text is never public (issue 16, item 3): a tindak lanjut naming a victim, an indicator note, a
kecamatan rating note and a recap note, loaded through the real CLI, reach an analyst on Progres but
nothing an anonymous visitor can get: any page, any download, the Presentasi slides, the PPTX and PDF."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from pptx import Presentation
from pypdf import PdfReader
from streamlit.delta_generator import DeltaGenerator
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Dataframe

from kla.fmt import fmt_date, fmt_int
from tests.conftest import add_accounts, run_etl, sign_in, sql
from tests.e2e_support import chromium_path
from tests.figures import slide_text

APP = "../app.py"
PAGES = sorted(p.name for p in (Path(__file__).resolve().parent.parent / "pages").glob("*.py"))
TASK = "Dampingi korban Siti Aminah (12 th) SDN 5 Kendari, Jl. Melati 5"
TASK_NOTE = "Ibu korban Rahmawati minta pendampingan"
INDICATOR_NOTE = "Bukti: kasus Siti Aminah di SDN 5 Kendari"
KECAMATAN_NOTE = "Dinilai ulang setelah laporan Ibu Rahmawati, Jl. Melati"
RECAP_NOTE = "Termasuk korban Siti Aminah, SDN 5"
PROGRES_SECRETS = ("Siti Aminah", "Aminah", "Melati", "Rahmawati", "SDN 5")
# issue 23: the free text of the Forum Anak register (pembina, catatan) and of the children's proposals (usulan,
# alasan, tautan_bukti) names a child, her mother and street; only teks_publik of a reviewed proposal may be public
FORUM_PEMBINA = "Ibu Wa Ode Hasnawati (pendamping)"
FORUM_NOTE = "Ketua forum Nisa Rahmadani pindah sekolah"
PROPOSAL = "Taman untuk Nisa Rahmadani di Jl. Kenanga"
PROPOSAL_REASON = "Keluarga Hasnawati menolak lahan"
PROPOSAL_LINK = "https://contoh.invalid/foto-nisa-rahmadani"
PROPOSAL_REVIEWED = "Ruang baca untuk anak-anak di kelurahan"
PROPOSAL_PUBLIC = "Ruang baca di kelurahan"  # what the analyst reviewed for publication: may be public
PARTISIPASI_SECRETS = ("Hasnawati", "Nisa Rahmadani", "Kenanga", "nisa-rahmadani", "Ruang baca untuk anak-anak")
# issue 22: the evidence checklist's reviewer note and link, and the name an evidence file was uploaded with
BUKTI_NOTE = "Akta anak Laode Baharuddin tertinggal di rumah Jl. Anggrek"
BUKTI_LINK = "https://contoh.invalid/berkas-laode-baharuddin"
BUKTI_FILE = "sk_gugus_tugas_baharuddin.pdf"
BUKTI_SECRETS = ("Baharuddin", "baharuddin", "Anggrek")
SECRETS = PROGRES_SECRETS + PARTISIPASI_SECRETS + BUKTI_SECRETS

needs_chromium = pytest.mark.skipif(chromium_path() is None, reason="kaleido needs Debian chromium (make test)")
pytestmark = pytest.mark.usefixtures("fresh_streamlit_caches")


def _xlsx(path: Path, rows: list[list], title: str | None = None) -> str:
    wb = openpyxl.Workbook()
    ws = wb.active
    if title:
        ws.title = title
    for row in rows:
        ws.append(row)
    wb.save(path)
    return str(path)


@pytest.fixture(scope="module")
def named_dir(tmp_path_factory, sample_data_dir) -> Path:
    """The sample warehouse plus four files whose free text names a child, her mother, school and street."""
    d = tmp_path_factory.mktemp("kla-free-text") / "data"
    shutil.copytree(sample_data_dir, d)
    files = d.parent
    run_etl(
        d,
        "load",
        "tindak_lanjut",
        _xlsx(
            files / "tl.xlsx",
            [
                ["Tanggal Rapat", "Tugas", "No Indikator", "OPD", "Tenggat", "Status", "Catatan"],
                [dt.date(2025, 1, 10), TASK, 21, "DP3A", dt.date(2025, 2, 10), "Belum", TASK_NOTE],
            ],
        ),
    )
    run_etl(
        d,
        "load",
        "indikator",
        _xlsx(
            files / "ind.xlsx",
            [["Tahun", "No", "Nilai", "Status Bukti", "Catatan"], [2025, 21, 30, "Sebagian", INDICATOR_NOTE]],
        ),
    )
    run_etl(
        d,
        "load",
        "kla_kecamatan",
        _xlsx(
            files / "kk.xlsx",
            [["Kecamatan", "Kategori", "Keterangan"], ["Mandonga", "Madya", KECAMATAN_NOTE]],
            title="Penilaian 2024",
        ),
    )
    run_etl(
        d,
        "load",
        "kasus_rekap",
        _xlsx(
            files / "rekap.xlsx",
            [
                ["Tahun", "Bentuk Kekerasan", "Jumlah", "Sumber", "Satuan", "Catatan"],
                [2022, "JUMLAH", 44, "Berita: DP3A dikutip media, 2023", "kasus", RECAP_NOTE],
            ],
        ),
    )
    run_etl(
        d,
        "load",
        "forum_anak",
        _xlsx(
            files / "forum.xlsx",
            [
                ["Tahun", "Tingkat", "Kecamatan", "Kelurahan", "L", "P", "Pembina", "Catatan"],
                [2025, "Kelurahan", "Mandonga", "Korumba", 3, 3, FORUM_PEMBINA, FORUM_NOTE],
            ],
        ),
    )
    run_etl(
        d,
        "load",
        "usulan_anak",
        _xlsx(
            files / "usulan.xlsx",
            [
                ["Tahun RKPD", "Tingkat", "Kecamatan", "Kelurahan", "Usulan", "Tema", "Status", "Alasan", "Tautan"]
                + ["Teks Publik"],
                [2025, "Kelurahan", "Mandonga", "Korumba", PROPOSAL, "Ruang bermain", "Ditolak", PROPOSAL_REASON]
                + [PROPOSAL_LINK, None],
                [2025, "Kelurahan", "Mandonga", "Korumba", PROPOSAL_REVIEWED, "Literasi", "Diakomodir", None, None]
                + [PROPOSAL_PUBLIC],
            ],
        ),
    )
    from etl.sample_bukti import pdf_bytes

    (files / BUKTI_FILE).write_bytes(pdf_bytes("SK Gugus Tugas"))  # beside the checklist: its Berkas cell
    run_etl(
        d,
        "load",
        "bukti",
        _xlsx(
            files / "bukti.xlsx",
            [
                ["Tahun", "Kode Item", "Status", "Catatan Pemeriksa", "Tautan", "Berkas"],
                [2026, "02.01", "perlu perbaikan", BUKTI_NOTE, BUKTI_LINK, BUKTI_FILE],
            ],
        ),
    )
    add_accounts(d)
    return d


# --- what a viewer gets, as text ------------------------------------------------------------------
def _walk(node, out: list[str]) -> None:
    proto = getattr(node, "proto", None)
    if proto is not None:
        out.append(str(proto))
        if isinstance(node, Dataframe):
            out.append(node.value.to_string())
    for child in getattr(node, "children", {}).values():
        _walk(child, out)


def screen_text(at: AppTest) -> str:
    """Everything the page put on screen: texts, widgets and their options, tables, chart specs."""
    out: list[str] = []
    _walk(at._tree, out)
    from tests.tables import unescape  # st.table cells are md_text-escaped ("Bukti&#58; ..."): read as shown

    return unescape("\n".join(out))


def file_text(name: str, data) -> str:
    """The text of a downloaded file, read back as its program would read it."""
    data = data() if callable(data) else data
    data = data.encode() if isinstance(data, str) else data
    if name.endswith(".csv"):
        return "\n".join(";".join(r) for r in csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    if name.endswith(".xlsx"):
        wb = openpyxl.load_workbook(io.BytesIO(data))
        return "\n".join(str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value is not None)
    if name.endswith(".pptx"):
        return pptx_text(data)
    if name.endswith(".pdf"):
        return pdf_text(data)
    raise AssertionError(f"unknown download {name}")


def pptx_text(data: bytes) -> str:
    parts = []
    for slide in Presentation(io.BytesIO(data)).slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                parts.append(shape.text_frame.text)
            if shape.has_table:
                parts += [c.text for row in shape.table.rows for c in row.cells]
        parts.append(slide.notes_slide.notes_text_frame.text)
    return "\n".join(parts)


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join([page.extract_text() for page in reader.pages] + [str(reader.metadata)])


def leaks(text: str) -> list[str]:
    flat = " ".join(text.split())  # a PDF or a cell may wrap a name over two lines
    return [s for s in SECRETS if s in flat]


@pytest.fixture()
def downloads_seen(monkeypatch):
    """Every download button a page offers: (file name, data or its callable), as the browser would fetch it."""
    seen: list[tuple[str, object]] = []
    original = DeltaGenerator.download_button

    def spy(self, label, data, *args, **kwargs):
        if not kwargs.get("disabled"):
            seen.append((kwargs.get("file_name") or str(label), data))
        return original(self, label, data, *args, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "download_button", spy)
    import streamlit as st

    monkeypatch.setattr(st, "download_button", lambda *a, **kw: spy(st._main, *a, **kw))
    return seen


def open_page(monkeypatch, data_dir, page: str, state: dict | None = None, at: AppTest | None = None) -> AppTest:
    monkeypatch.setenv("KLA_DATA_DIR", str(data_dir))
    if at is None:
        at = AppTest.from_file(APP, default_timeout=180)
        at.run()
    for k, v in (state or {}).items():
        at.session_state[k] = v
    at.switch_page(f"pages/{page}").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def table_with(at: AppTest, column: str):
    """The one table on the page with this column (AppTest gives tables no key)."""
    from tests.tables import tables  # st.table read back as the text shown (kla.shell.text_table)

    (table,) = [d for d in tables(at) if column in d.columns]
    return table


# --- the tests --------------------------------------------------------------------------------------
def test_the_names_are_in_the_warehouse(named_dir):
    """The premise: the loads kept the text (else every test below would pass for the wrong reason)."""
    assert TASK in sql(named_dir, "SELECT tugas FROM fact_tindak_lanjut")["tugas"].tolist()
    assert TASK_NOTE in sql(named_dir, "SELECT catatan FROM fact_tindak_lanjut")["catatan"].tolist()
    assert INDICATOR_NOTE in sql(named_dir, "SELECT catatan FROM fact_nilai_indikator")["catatan"].tolist()
    assert KECAMATAN_NOTE in sql(named_dir, "SELECT catatan FROM fact_kla_kecamatan")["catatan"].tolist()
    assert RECAP_NOTE in sql(named_dir, "SELECT catatan FROM fact_kasus_rekap")["catatan"].tolist()
    forum = sql(named_dir, "SELECT pembina, catatan FROM fact_forum_anak")
    assert FORUM_PEMBINA in forum["pembina"].tolist() and FORUM_NOTE in forum["catatan"].tolist()
    usulan = sql(named_dir, "SELECT usulan, alasan, tautan_bukti, teks_publik FROM fact_usulan_anak")
    usulan = usulan.set_index("usulan")
    assert usulan.loc[PROPOSAL, "alasan"] == PROPOSAL_REASON and usulan.loc[PROPOSAL, "tautan_bukti"] == PROPOSAL_LINK
    assert (
        pd.isna(usulan.loc[PROPOSAL, "teks_publik"]) and usulan.loc[PROPOSAL_REVIEWED, "teks_publik"] == PROPOSAL_PUBLIC
    )
    assert not leaks(" ".join(usulan["teks_publik"].dropna()))  # the reviewed texts (the sample's too) name nobody
    bukti = sql(named_dir, "SELECT catatan, tautan FROM fact_bukti WHERE item_id = '02.01' AND tahun = 2026")
    assert bukti.values.tolist() == [[BUKTI_NOTE, BUKTI_LINK]]
    assert BUKTI_FILE in sql(named_dir, "SELECT nama_berkas FROM fact_bukti_berkas")["nama_berkas"].tolist()


@pytest.mark.parametrize("page", PAGES)
def test_an_anonymous_visitor_gets_no_free_text(monkeypatch, named_dir, downloads_seen, page):
    if page == "presentasi.py" and chromium_path() is None:
        pytest.skip("the deck's PPTX and PDF need Debian chromium (make test)")
    # every slide of the public deck (11 today), and one past the last: the last again
    states = [{"slide": k} for k in range(13)] if page == "presentasi.py" else [{}]
    for state in states:
        at = open_page(monkeypatch, named_dir, page, state)
        assert leaks(screen_text(at)) == [], (page, state)
    files = {name: data for name, data in downloads_seen}  # the deck's buttons repeat on every slide
    if page == "progres.py":
        assert {"tindak_lanjut.csv", "tindak_lanjut.xlsx", "tindak_lanjut_per_opd.csv"} <= set(files)
    if page == "presentasi.py":
        assert any(n.endswith(".pptx") for n in files) and any(n.endswith(".pdf") for n in files)
    for name, data in files.items():
        assert leaks(file_text(name, data)) == [], name


def test_public_follow_ups_show_counts_per_opd_and_lateness(monkeypatch, named_dir):
    at = open_page(monkeypatch, named_dir, "progres.py")
    per_opd = table_with(at, "Paling lama terlambat (hari)").set_index("OPD")
    days = (dt.date.today() - dt.date(2025, 2, 10)).days
    assert int(per_opd.loc["DP3A", "Terlambat"]) >= 1
    assert per_opd.loc["DP3A", "Paling lama terlambat (hari)"] == fmt_int(days)
    assert per_opd.loc["DP3A", "Tenggat terlambat paling awal"] == fmt_date(dt.date(2025, 2, 10))
    tasks = table_with(at, "Hari terlambat")
    assert "Tugas" not in tasks.columns and "Catatan" not in tasks.columns
    assert "Hari terlambat" in tasks.columns and len(tasks) == 13


def test_an_analyst_sees_the_text_on_progres(monkeypatch, named_dir, downloads_seen):
    """The same harness finds the strings once logged in: the public test above can fail."""
    at = sign_in(open_page(monkeypatch, named_dir, "progres.py"))
    at = open_page(monkeypatch, named_dir, "progres.py", at=at)
    text = " ".join(screen_text(at).split())
    for s in (TASK, TASK_NOTE, INDICATOR_NOTE, KECAMATAN_NOTE):
        assert s in text, s
    assert set(PROGRES_SECRETS) <= set(leaks(text))
    files = dict(downloads_seen)
    assert TASK in file_text("tindak_lanjut.csv", files["tindak_lanjut.csv"])
    assert TASK_NOTE in file_text("tindak_lanjut.xlsx", files["tindak_lanjut.xlsx"])


def _deck(data_dir, monkeypatch, public: bool):
    from kla import db, slides

    monkeypatch.setenv("KLA_DATA_DIR", str(data_dir))
    key = db.current_key()
    return slides.build(key, db.version_of(key), 2025, "id", public, dt.date(2026, 1, 15))


@needs_chromium
def test_the_public_deck_and_its_files_name_nobody(monkeypatch, named_dir):
    from kla import export

    public = _deck(named_dir, monkeypatch, public=True)
    assert len(public) < 13, "test_an_anonymous_visitor_gets_no_free_text walks 13 slides: walk more"
    late = public[-1]
    assert late.title == "Tindak lanjut yang terlambat"
    assert list(late.table.columns) == ["OPD", "Tugas terlambat", "Tenggat paling awal", "Paling lama (hari)"]
    dp3a = late.table.set_index("OPD").loc["DP3A"]
    assert dp3a["Tenggat paling awal"] == "10 Februari 2025" and dp3a["Paling lama (hari)"] == "339"
    assert leaks("\n".join(slide_text(s) + "\n" + s.notes for s in public)) == []
    assert leaks(pptx_text(export.pptx_bytes(public, "Bahan rapat", "Dasbor KLA"))) == []
    assert leaks(pdf_text(export.pdf_bytes(public, "Bahan rapat", "Dasbor KLA"))) == []
    # the analyst's deck still lists the task itself: the checks above read the right places
    exact = _deck(named_dir, monkeypatch, public=False)
    assert "Siti Aminah" in " ".join("\n".join(slide_text(s) for s in exact if s.title.startswith(late.title)).split())
    assert "Siti Aminah" in " ".join(pptx_text(export.pptx_bytes(exact, "Bahan rapat", "Dasbor KLA")).split())
    assert "Siti Aminah" in " ".join(pdf_text(export.pdf_bytes(exact, "Bahan rapat", "Dasbor KLA")).split())
