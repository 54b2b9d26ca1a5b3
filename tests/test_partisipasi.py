"""Partisipasi Anak (issue 23) on a warehouse built by the real ETL sample (`python -m etl sample`) plus two files
loaded through the CLI whose free text names a child, her mother, a street and a private link:

- the page's figures (cards, the kelurahan without an active forum, the members, the shares per cycle, the status
  and theme charts, the public list) equal SQL on the warehouse file;
- a public viewer gets no unreviewed proposal text, reason, evidence link, pembina or note: every page state (each
  cycle, both map levels), every download, the public slides, PPTX and PDF;
- an analyst sees the text, reviews one for publication through etl.partisipasi_edits.review_text (a new version),
  after which the public sees the reviewed wording (never the text as written); a withdrawal hides it again; a
  text with a phone number is refused and nothing is published.
"""

from __future__ import annotations

import codecs
import datetime as dt
import html
import shutil
from pathlib import Path

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from kla.fmt import WORD_JOINER, fmt_int
from tests.conftest import add_accounts, run_etl, sign_in, sql
from tests.figures import figure, slide_text
from tests.test_free_text_public import downloads_seen, file_text, screen_text  # noqa: F401 (a fixture)

APP = "../app.py"
PAGE = "pages/partisipasi.py"
REGION = "74.71"
# the free text of the two extra files: what must never reach a public viewer
PROPOSAL = "Ayunan untuk Siti Aminah kelas 5 SDN 7 Kambu"
REJECTED = "Perpustakaan dekat rumah Ibu Rahmawati Jl. Melati"
REASON = "Rumah Pak Darmawan di Jl. Melati terlalu sempit"
LINK = "https://bukti.invalid/darmawan-rahasia-77"
PEMBINA = "Pendamping Bu Nurhayati Melati"
NOTE = "Ketua forum Nadia Putri pindah sekolah"
REVIEWED = "Ayunan dan taman bermain di Kelurahan Kambu"
MINE = (PROPOSAL, REJECTED, REASON, LINK, PEMBINA, NOTE)

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


def _load_named(d: Path) -> None:
    files = d.parent
    run_etl(
        d,
        "load",
        "usulan_anak",
        _xlsx(
            files / "usulan.xlsx",
            [
                ["Tahun RKPD", "Tingkat Musrenbang", "Kecamatan", "Kelurahan", "Forum Anak", "Usulan", "Tema"]
                + ["OPD Tujuan", "Status", "Alasan", "Tautan Bukti"],
                [2026, "Kelurahan", "Kambu", "Kambu", "Ya", PROPOSAL, "Ruang bermain", "Dinas PUPR", "Diajukan"]
                + [None, LINK],
                [2026, "Kelurahan", "Kambu", "Padaleu", "Ya", REJECTED, "Literasi dan perpustakaan", "Dinas Pendidikan"]
                + ["Ditolak", REASON, None],
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
                ["Tahun", "Tingkat", "Kecamatan", "Kelurahan", "Nama Forum", "Anggota Laki-laki", "Anggota Perempuan"]
                + ["Umur 13-17", "Aktif", "Pembina", "Catatan"],
                [2025, "Kelurahan", "Kambu", "Lalolara", "Forum Anak Lalolara", 3, 3, 6, "Ya", PEMBINA, NOTE],
                # activity not known (an empty cell, NULL): counted as not active
                [2025, "Kelurahan", "Kambu", "Mokoau", "Forum Anak Mokoau", 2, 4, 6, None, None, None],
            ],
        ),
    )


@pytest.fixture(scope="module")
def pa_dir(tmp_path_factory, sample_data_dir) -> Path:
    d = tmp_path_factory.mktemp("kla-partisipasi") / "data"
    shutil.copytree(sample_data_dir, d)
    _load_named(d)
    add_accounts(d)
    return d


def open_page(monkeypatch, data_dir, state: dict | None = None, at: AppTest | None = None) -> AppTest:
    monkeypatch.setenv("KLA_DATA_DIR", str(data_dir))
    if at is None:
        at = AppTest.from_file(APP, default_timeout=180)
        at.run()
    for k, v in (state or {}).items():
        at.session_state[k] = v
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def secrets(d: Path) -> list[str]:
    """Every free text a public viewer must not get: the unreviewed proposals as written (a text some reviewed
    proposal also shows publicly is left out: it is public through that one), every reason, evidence link, pembina
    and note. A pembina that is the DP3A is named on the page as an OPD anyway, and left out."""
    public = set(sql(d, "SELECT teks_publik FROM fact_usulan_anak WHERE teks_publik IS NOT NULL")["teks_publik"])
    texts = set(sql(d, "SELECT usulan FROM fact_usulan_anak WHERE teks_publik IS NULL")["usulan"]) - public
    for column in ("alasan", "tautan_bukti"):
        texts |= set(sql(d, f"SELECT {column} AS v FROM fact_usulan_anak WHERE {column} IS NOT NULL")["v"])
    for column in ("pembina", "catatan"):
        texts |= set(sql(d, f"SELECT {column} AS v FROM fact_forum_anak WHERE {column} IS NOT NULL")["v"])
    return sorted(s for s in texts if "DP3A" not in s and not any(s in p for p in public))


def readable(text: str) -> str:
    """Text as a reader sees it: Markdown's character references decoded, the invisible word joiners that keep a
    URL from becoming a link removed (kla.fmt.md_text), protobuf's octal escapes of non-ASCII bytes decoded (an
    element's text format writes the joiner as \\342\\201\\240), white space collapsed."""
    decoded = codecs.escape_decode(text.encode("utf-8"))[0].decode("utf-8", "replace")
    return " ".join(html.unescape(decoded).replace(WORD_JOINER, "").split())


def leaks(text: str, secret: list[str]) -> list[str]:
    flat = readable(text)
    return [s for s in secret if " ".join(s.split()) in flat]


# --- the premise --------------------------------------------------------------------------------------------------
def test_the_sample_and_the_named_files_are_in_the_warehouse(pa_dir):
    """Else the privacy tests below would pass for the wrong reason."""
    rows = sql(pa_dir, "SELECT usulan, alasan, tautan_bukti, teks_publik FROM fact_usulan_anak")
    assert PROPOSAL in set(rows["usulan"]) and REJECTED in set(rows["usulan"])
    assert REASON in set(rows["alasan"]) and LINK in set(rows["tautan_bukti"])
    assert rows["teks_publik"].notna().sum() >= 5  # the sample holds reviewed proposals too
    assert rows["teks_publik"].isna().sum() >= 50
    forums = sql(pa_dir, "SELECT pembina, catatan FROM fact_forum_anak")
    assert PEMBINA in set(forums["pembina"]) and NOTE in set(forums["catatan"])
    assert set(MINE) <= set(secrets(pa_dir)) and len(secrets(pa_dir)) > 50


# --- the page's figures equal SQL ---------------------------------------------------------------------------------
def _forum_truth(d: Path, year: int):
    latest = f"""(SELECT * FROM fact_forum_anak WHERE tahun <= {year}
                 QUALIFY row_number() OVER (PARTITION BY forum_id ORDER BY tahun DESC) = 1)"""
    kel = sql(
        d,
        f"""SELECT w.nama, k.nama AS kecamatan, f.aktif FROM dim_wilayah w JOIN dim_wilayah k ON k.kode = w.kode_induk
            LEFT JOIN {latest} f ON f.kode_wilayah = w.kode AND f.tingkat = 'kelurahan'
            WHERE w.level IN ('kelurahan', 'desa') AND starts_with(w.kode, '{REGION}.')""",
    )
    members = sql(
        d,
        f"""SELECT count(*) AS forum, count(*) FILTER (WHERE aktif) AS aktif, sum(anggota_l) AS l, sum(anggota_p) AS p,
                   sum(anggota_13_17) AS a13, sum(anggota_l + anggota_p) AS total FROM {latest}""",
    ).iloc[0]
    return kel, members


def test_the_forum_figures_equal_sql(monkeypatch, pa_dir):
    at = open_page(monkeypatch, pa_dir)
    year = int(
        sql(pa_dir, f"SELECT max(tahun) AS y FROM fact_forum_anak WHERE tahun <= {at.session_state['tahun']}")["y"][0]
    )
    kel, members = _forum_truth(pa_dir, year)
    kel["aktif"] = kel["aktif"].astype(object).where(kel["aktif"].notna(), None)  # NULL: no forum, or not known
    active = int((kel["aktif"] == True).sum())  # noqa: E712
    cards = {m.label: m for m in at.metric}
    card = cards["Kelurahan dengan Forum Anak aktif"]
    assert card.value == fmt_int(active / len(kel) * 100) + "%"
    assert f"{fmt_int(active)} dari {fmt_int(len(kel))} kelurahan" in str(card.proto.delta)
    (without,) = [d.value for d in at.dataframe if "Keadaan" in d.value.columns]
    assert len(without) == len(kel) - active
    truth = kel[kel["aktif"] != True]  # noqa: E712
    assert sorted(zip(without["Kelurahan"], without["Kecamatan"])) == sorted(zip(truth["nama"], truth["kecamatan"]))
    recorded = set(
        sql(pa_dir, f"SELECT kode_wilayah FROM fact_forum_anak WHERE tingkat = 'kelurahan' AND tahun <= {year}")[
            "kode_wilayah"
        ]
    )
    none = sql(
        pa_dir,
        "SELECT nama FROM dim_wilayah WHERE level = 'kelurahan' AND starts_with(kode, '74.71.') "
        "AND NOT list_contains(?, kode)",
        [sorted(recorded)],
    )
    assert set(without.loc[without["Keadaan"] == "Belum ada forum", "Kelurahan"]) == set(none["nama"])
    (table,) = [d.value for d in at.dataframe if "Jumlah anggota" in d.value.columns]
    total = table.set_index("Tingkat").loc["Jumlah"]
    assert int(total["Forum"]) == members["forum"] and int(total["Aktif"]) == members["aktif"]
    assert int(total["Laki-laki"]) == members["l"] and int(total["Perempuan"]) == members["p"]
    assert int(total["Umur 13-17"]) == members["a13"] and int(total["Jumlah anggota"]) == members["total"]
    # indicator 6 from the latest evaluation up to the year
    ind = sql(
        pa_dir,
        f"""SELECT tahun, nilai FROM fact_nilai_indikator WHERE nomor = 6 AND tahun <= {at.session_state["tahun"]}
            ORDER BY tahun DESC, CASE tahap WHEN 'final' THEN 4 WHEN 'verifikasi_lapangan' THEN 3
                                  WHEN 'verifikasi_administrasi' THEN 2 ELSE 1 END DESC LIMIT 1""",
    ).iloc[0]
    assert cards["Indikator 6: pelembagaan partisipasi anak"].value == f"{ind['nilai']:.1f}".replace(".", ",")
    assert any(p.proto.page.endswith("progres") or "progres" in str(p.proto) for p in at.get("page_link"))


def test_the_proposal_figures_equal_sql(monkeypatch, pa_dir):
    at = open_page(monkeypatch, pa_dir)
    per = (
        sql(
            pa_dir,
            """SELECT siklus, status, count(*) AS n FROM fact_usulan_anak GROUP BY ALL ORDER BY ALL""",
        )
        .pivot(index="siklus", columns="status", values="n")
        .fillna(0)
    )
    last = per.index.max()
    n = per.loc[last].sum()
    taken = per.loc[last, ["diakomodir", "direalisasikan"]].sum()
    cards = {m.label: m.value for m in at.metric}
    assert cards[f"Diakomodir RKPD {last}"] == fmt_int(taken / n * 100) + "%"
    assert cards[f"Direalisasikan, RKPD {last}"] == fmt_int(per.loc[last, "direalisasikan"] / n * 100) + "%"
    charts = [figure(c) for c in at.get("plotly_chart")]
    (status,) = [f for f in charts if f["layout"].get("barmode") == "stack"]
    names = {"Diajukan": "diajukan", "Diakomodir dalam RKPD": "diakomodir", "Direalisasikan": "direalisasikan"}
    names["Ditolak"] = "ditolak"
    for trace in status["data"]:
        column = per[names[trace["name"]]]
        assert [int(v) for v in trace["y"]] == [int(column.loc[int(c)]) for c in trace["x"]], trace["name"]
    (shares,) = [f for f in charts if f["layout"].get("barmode") == "group"]
    realised = (per["direalisasikan"] / per.sum(axis=1) * 100).round(6).tolist()
    assert [round(v, 6) for v in shares["data"][1]["y"]] == realised
    # the theme bars of one cycle
    at = open_page(monkeypatch, pa_dir, {"pa_cycle": int(last)}, at=at)
    themes = sql(pa_dir, f"SELECT tema, count(*) AS n FROM fact_usulan_anak WHERE siklus = {last} GROUP BY 1")
    bars = [figure(c) for c in at.get("plotly_chart")]
    (tema,) = [f for f in bars if f["data"][0].get("orientation") == "h" and "Ruang bermain" in f["data"][0]["y"]]
    assert dict(zip(tema["data"][0]["y"], tema["data"][0]["x"])) == dict(zip(themes["tema"], themes["n"]))
    # the public list: the reviewed proposals of that cycle, with their reviewed text
    reviewed = sql(
        pa_dir, f"SELECT teks_publik FROM fact_usulan_anak WHERE siklus = {last} AND teks_publik IS NOT NULL"
    )
    text = screen_text(at)
    assert all(s in text for s in reviewed["teks_publik"])


# --- privacy: what a public viewer gets -----------------------------------------------------------------------------
def test_a_public_viewer_gets_no_unreviewed_text(monkeypatch, pa_dir, downloads_seen):  # noqa: F811
    secret = secrets(pa_dir)
    cycles = sorted(sql(pa_dir, "SELECT DISTINCT siklus FROM fact_usulan_anak")["siklus"].astype(int))
    at = None
    for level in ("kelurahan", "kecamatan"):
        for cycle in [0, *cycles]:
            at = open_page(monkeypatch, pa_dir, {"pa_level": level, "pa_cycle": cycle}, at=at)
            assert leaks(screen_text(at), secret) == [], (level, cycle)
    assert not [e for e in at.get("expander") if "Tinjau" in e.label]  # no review form for the public
    files = dict(downloads_seen)
    assert any(n.startswith("usulan_anak_ditinjau") for n in files) and any(
        n.startswith("kelurahan_tanpa") for n in files
    )
    for name, data in files.items():
        assert leaks(file_text(name, data), secret) == [], name


def test_the_public_deck_shows_the_slide_without_any_text(monkeypatch, pa_dir):
    from kla import db, export, slides

    monkeypatch.setenv("KLA_DATA_DIR", str(pa_dir))
    key = db.current_key()
    deck = slides.build(key, db.version_of(key), 2025, "id", True, dt.date(2026, 1, 15))
    (slide,) = [s for s in deck if s.title.startswith("Partisipasi anak")]
    assert slide.mark == "Publik" and slide.figure is not None and len(slide.table) == 3
    assert leaks("\n".join(slide_text(s) + "\n" + s.notes for s in deck), secrets(pa_dir)) == []
    for trace in slide.figure.data:  # 18 px on the 1280x720 slide
        assert trace.textfont.size >= 18
    assert slide.figure.layout.xaxis.tickfont.size >= 18 and slide.figure.layout.legend.font.size >= 18
    from tests.e2e_support import chromium_path

    if chromium_path() is None:
        pytest.skip("the PPTX and PDF need Debian chromium (make test)")
    from tests.test_free_text_public import pdf_text, pptx_text

    assert leaks(pptx_text(export.pptx_bytes(deck, "Bahan rapat", "Dasbor KLA")), secrets(pa_dir)) == []
    assert leaks(pdf_text(export.pdf_bytes(deck, "Bahan rapat", "Dasbor KLA")), secrets(pa_dir)) == []


def test_an_analyst_sees_the_text_reason_and_link(monkeypatch, pa_dir, downloads_seen):  # noqa: F811
    """The same harness finds the strings once logged in: the public test above can fail."""
    at = sign_in(open_page(monkeypatch, pa_dir))
    at = open_page(monkeypatch, pa_dir, {"pa_cycle": 2026}, at=at)
    text = readable(screen_text(at))
    for s in (PROPOSAL, REJECTED, REASON, LINK):
        assert s in text, s
    files = dict(downloads_seen)
    assert PROPOSAL in file_text("usulan_anak_lengkap_2026.csv", files["usulan_anak_lengkap_2026.csv"])


# --- the review ------------------------------------------------------------------------------------------------------
def _review(at: AppTest, d: Path, text: str | None, withdraw: bool = False) -> AppTest:
    """Pick the named proposal in the review form (as its option reads), type `text`, press the button."""
    labels = at.selectbox(key="pa_review_pick")
    assert [o for o in labels.options if "Siti Aminah" in o], labels.options
    usulan_id = sql(d, "SELECT usulan_id FROM fact_usulan_anak WHERE usulan = ?", [PROPOSAL])["usulan_id"][0]
    at.selectbox(key="pa_review_pick").set_value(usulan_id).run()
    if text is not None:
        at.text_area(key=f"pa_review_text_{usulan_id}").input(text)
    label = "Tarik dari publik" if withdraw else "Tandai sudah ditinjau dan tampilkan"
    [b for b in at.button if b.label == label][0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_review_then_the_public_sees_the_reviewed_text(monkeypatch, tmp_path, pa_dir):
    d = tmp_path / "data"
    shutil.copytree(pa_dir, d)
    before = (d / "warehouse" / "CURRENT").read_text().strip()
    at = sign_in(open_page(monkeypatch, d))
    at = open_page(monkeypatch, d, {"pa_cycle": 2026}, at=at)
    # a text with a phone number is refused: nothing published
    at = _review(at, d, "Ayunan, hubungi 0812-3456-7890")
    assert at.error and (d / "warehouse" / "CURRENT").read_text().strip() == before
    at = _review(at, d, REVIEWED)
    assert [s.value for s in at.success if "tampil untuk publik" in s.value], [e.value for e in at.error]
    after = (d / "warehouse" / "CURRENT").read_text().strip()
    assert after != before
    row = sql(d, "SELECT teks_publik, ditinjau_oleh FROM fact_usulan_anak WHERE usulan = ?", [PROPOSAL]).iloc[0]
    assert row["teks_publik"] == REVIEWED and row["ditinjau_oleh"] == "ani.dp3a"
    public = open_page(monkeypatch, d, {"pa_cycle": 2026})
    text = readable(screen_text(public))
    assert REVIEWED in text and PROPOSAL not in text and "Siti Aminah" not in text
    # withdrawn: the public no longer sees it. A new session: AppTest reruns a page script alone after the first
    # run, on the frame's context (data version) of that run; a browser reruns the frame too
    at = sign_in(open_page(monkeypatch, d))
    at = _review(open_page(monkeypatch, d, {"pa_cycle": 2026}, at=at), d, None, withdraw=True)
    assert [s.value for s in at.success if "ditarik" in s.value]
    assert sql(d, "SELECT teks_publik FROM fact_usulan_anak WHERE usulan = ?", [PROPOSAL])["teks_publik"].isna().all()
    public = open_page(monkeypatch, d, {"pa_cycle": 2026})
    assert REVIEWED not in readable(screen_text(public))
