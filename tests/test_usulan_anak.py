"""usulan_anak (issue 23): children's proposals in the Musrenbang, loaded from real Excel files written here, and
the analyst's review of a proposal text for publication (etl/partisipasi_edits.review_text).

Office spellings of the statuses load as the four statuses; a refused proposal needs its reason; the area must be
the Musrenbang's level; a NIK, phone number or e-mail address in any cell (the proposal too) rejects the file;
every error names its Excel row; a bad file and a refused review leave the warehouse as it was; a review is one new
version, audited, refused when stale or when the text holds personal data.
"""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from etl import audit, loader, partisipasi_edits, warehouse
from etl.names import regions
from etl.sources import forum_anak, usulan_anak
from tests.conftest import run_etl, sql

HEAD = [
    "No",
    "Tingkat Musrenbang",
    "Kecamatan",
    "Kelurahan",
    "Forum Anak",
    "Usulan",
    "Tema",
    "Klaster",
    "OPD Tujuan",
    "Status",
    "Alasan",
    "Tautan Bukti",
]
GOOD = [
    [1, "Kelurahan", "Mandonga", "Korumba", "Forum Anak Kel. Korumba", "Taman baca di kantor kelurahan", "Literasi",
     None, "Dinas Perpustakaan", "Diakomodir dalam RKPD", None, None],
    [2, "Kecamatan", "Kadia", None, "Forum Anak Kec. Kadia", "Lampu jalan menuju sekolah", "Keselamatan jalan",
     None, "Dinas Perhubungan", "Terealisasi", None, "https://contoh.invalid/bukti/2"],
    [3, "Kota", None, None, None, "Layanan akta kelahiran keliling", "Akta kelahiran", None, "Dukcapil",
     "Tidak diakomodir", "Sudah ada program serupa", None],
    [4, "Musrenbang Anak", None, None, "Fantari", "Sanggar seni untuk anak", None, "Klaster IV", "DP3A",
     "Diusulkan", None, None],
    [5, "Musrenbang Anak", "Poasia", None, "Fantari", "Kawasan tanpa rokok di taman", "KTR", None, "Satpol PP",
     "diakomodir", None, None],
]  # fmt: skip


def xlsx(path: Path, sheets: dict[str, list[list]], head=HEAD) -> Path:
    """One sheet per RKPD cycle ("RKPD 2025"): title in rows 1-2, header in row 3, first data row is Excel row 4."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        ws.append([f"USULAN ANAK MUSRENBANG {name}"])
        ws.append(["DATA UJI"])
        ws.append(head)
        for r in rows:
            ws.append(r)
    wb.save(path)
    return path


@pytest.fixture()
def data_dir(tmp_path, monkeypatch):
    d = tmp_path / "data"
    monkeypatch.setenv("KLA_DATA_DIR", str(d))
    monkeypatch.setenv("KLA_SALT", "test-salt")
    return d


def problems_at(report, row: int) -> list[str]:
    return [p.to_text() for p in report.errors if p.row == row]


def table(data_dir: Path):
    return sql(data_dir, "SELECT * FROM fact_usulan_anak ORDER BY siklus, usulan")


def test_proposals_load_with_office_words_and_the_file_counts(data_dir, tmp_path):
    path = xlsx(tmp_path / "usulan.xlsx", {"RKPD 2025": GOOD, "RKPD 2026": GOOD[:2]})
    changes = loader.preview(loader.check("usulan_anak", [path]))  # what the Data page shows before saving
    assert changes.set_index("tahun")["sesudah"].to_dict() == {2025: 5, 2026: 2}
    result = loader.load("usulan_anak", [path], user="uji")
    assert result.ok, result.report.to_text()
    got = table(data_dir)
    assert len(got) == 7 and got["siklus"].value_counts().to_dict() == {2025: 5, 2026: 2}  # cycle from the sheet
    y25 = got[got["siklus"] == 2025].set_index("usulan")
    assert y25["status"].to_dict() == {
        "Taman baca di kantor kelurahan": "diakomodir",
        "Lampu jalan menuju sekolah": "direalisasikan",
        "Layanan akta kelahiran keliling": "ditolak",
        "Sanggar seni untuk anak": "diajukan",
        "Kawasan tanpa rokok di taman": "diakomodir",
    }
    # theme -> klaster (data/reference/tema_usulan.csv), or the klaster cell alone
    assert y25.loc["Taman baca di kantor kelurahan", "tema"] == "Literasi dan perpustakaan"
    assert y25.loc["Taman baca di kantor kelurahan", "klaster"] == "Klaster IV"
    assert y25.loc["Kawasan tanpa rokok di taman", "klaster"] == "Klaster III"
    assert pd.isna(y25.loc["Sanggar seni untuk anak", "tema"])
    assert y25.loc["Sanggar seni untuk anak", "klaster"] == "Klaster IV"
    # areas at the Musrenbang's level; the forum is the forum of that area
    regs = regions()
    mandonga, kadia, poasia = (regs.kecamatan(n).kode for n in ("Mandonga", "Kadia", "Poasia"))
    korumba = regs.kelurahan("Korumba", mandonga).kode
    assert y25["kode_wilayah"].to_dict() == {
        "Taman baca di kantor kelurahan": korumba,
        "Lampu jalan menuju sekolah": kadia,
        "Layanan akta kelahiran keliling": "74.71",
        "Sanggar seni untuk anak": "74.71",
        "Kawasan tanpa rokok di taman": poasia,
    }
    assert y25.loc["Taman baca di kantor kelurahan", "forum_id"] == forum_anak.forum_id("kelurahan", korumba)
    assert y25.loc["Sanggar seni untuk anak", "forum_id"] == forum_anak.forum_id("kota", "74.71")
    assert pd.isna(y25.loc["Layanan akta kelahiran keliling", "forum_id"])
    assert y25.loc["Layanan akta kelahiran keliling", "alasan"] == "Sudah ada program serupa"
    assert got["teks_publik"].isna().all() and got["ditinjau_oleh"].isna().all()  # nothing reviewed yet
    # the same file again: the same ids, nothing doubled
    again = loader.load("usulan_anak", [path], user="uji")
    assert again.ok and len(table(data_dir)) == 7
    assert set(table(data_dir)["usulan_id"]) == set(got["usulan_id"])


def test_a_bad_proposals_file_names_excel_rows_and_writes_nothing(data_dir, tmp_path):
    assert loader.load("usulan_anak", [xlsx(tmp_path / "good.xlsx", {"RKPD 2025": GOOD})], user="uji").ok
    version = warehouse.current_version()
    before = sql(data_dir, "SELECT * EXCLUDE (load_id) FROM fact_usulan_anak ORDER BY ALL")
    row = GOOD[0]
    bad = [
        [1, *row[1:9], "Tidak diakomodir", None, None],  # refused without a reason
        [2, *row[1:9], "Ditunda", None, None],  # not a status
        [3, "Kota", "Mandonga", None, *row[4:]],  # a kota Musrenbang in a kecamatan
        [4, "Kelurahan", "Mandonga", None, *row[4:]],  # a kelurahan Musrenbang without its kelurahan
        [5, *row[1:5], "Taman untuk adik, hubungi 0812 3456 7890", *row[6:]],  # a phone number in the proposal
        [6, *row[1:5], "Taman", "Kuliner", *row[7:]],  # not a theme
        [7, *row[1:5], "Taman", None, None, *row[8:]],  # neither theme nor klaster
        [8, *row[1:11], "www.contoh.invalid/bukti"],  # not a web address
        [9, *row[1:5], "Sekolah ramah anak 7471012345670001", *row[6:]],  # a NIK
        [10, "Musrenbang Anak", "Mandonga", "Korumba", *row[4:]],  # a Musrenbang Anak in a kelurahan
    ]
    result = loader.load("usulan_anak", [xlsx(tmp_path / "bad.xlsx", {"RKPD 2025": bad})], user="uji")
    assert not result.ok and result.version is None
    report = result.report
    (reason,) = problems_at(report, 4)
    assert reason.startswith('GALAT berkas bad.xlsx, sheet "RKPD 2025", baris 4, kolom "Alasan"')
    assert "ditolak tanpa alasan" in reason
    (status,) = problems_at(report, 5)
    assert 'kolom "Status"' in status and "diakomodir (dalam RKPD)" in status and '"Ditunda"' in status
    (kota,) = problems_at(report, 6)
    assert "Tingkat kota tidak cocok dengan wilayah" in kota
    (kel,) = problems_at(report, 7)
    assert "Tingkat kelurahan tidak cocok" in kel and 'kolom "Kelurahan"' in kel
    (phone,) = problems_at(report, 8)
    assert 'kolom "Usulan"' in phone and "nomor telepon" in phone
    (theme,) = problems_at(report, 9)
    assert 'kolom "Tema"' in theme and "Tema usulan tidak dikenal" in theme
    (empty,) = problems_at(report, 10)
    assert "Tema dan klaster usulan kosong" in empty
    (link,) = problems_at(report, 11)
    assert 'kolom "Tautan Bukti"' in link and "https://" in link
    (nik,) = problems_at(report, 12)
    assert "NIK" in nik and "7471…0001" in nik and "7471012345670001" not in report.to_text()
    (anak,) = problems_at(report, 13)
    assert "Tingkat Musrenbang Anak tidak cocok" in anak
    assert warehouse.current_version() == version
    assert sql(data_dir, "SELECT * EXCLUDE (load_id) FROM fact_usulan_anak ORDER BY ALL").equals(before)


def test_a_file_without_a_cycle_is_refused_naming_the_row(data_dir, tmp_path):
    path = xlsx(tmp_path / "tanpa_tahun.xlsx", {"Usulan": GOOD[:1]})
    proc = run_etl(data_dir, "load", "usulan_anak", str(path), check=False)
    assert proc.returncode == 1
    (line,) = [ln for ln in proc.stdout.splitlines() if 'sheet "Usulan", baris 4' in ln]
    assert "Tahun RKPD tidak diketahui" in line and "RKPD 2025" in line, proc.stdout
    assert warehouse.current_version() is None


# --- the analyst's review for publication ---------------------------------------------------------------------
@pytest.fixture()
def loaded(data_dir, tmp_path):
    """Five proposals of RKPD 2025 loaded by an office file; -> (data_dir, the file)."""
    path = xlsx(tmp_path / "usulan.xlsx", {"RKPD 2025": GOOD})
    assert loader.load("usulan_anak", [path], user="dp3a").ok
    return data_dir, path


def one(data_dir: Path, usulan: str) -> dict:
    got = sql(data_dir, "SELECT * FROM fact_usulan_anak WHERE usulan = ?", [usulan])
    assert len(got) == 1
    return got.iloc[0].to_dict()


def test_a_review_publishes_one_version_audited_and_a_withdrawal_another(loaded):
    data_dir, _ = loaded
    row = one(data_dir, "Taman baca di kantor kelurahan")
    before = sql(data_dir, "SELECT * EXCLUDE (load_id, teks_publik, ditinjau_oleh, ditinjau_pada) FROM "
                 "fact_usulan_anak WHERE usulan_id <> ? ORDER BY ALL", [row["usulan_id"]])  # fmt: skip
    version = warehouse.current_version()
    result = partisipasi_edits.review_text(row["usulan_id"], "Taman baca di kelurahan", "analis1", row["load_id"])
    assert result.ok, result.report.to_text()
    assert int(result.version[1:]) == int(version[1:]) + 1 and warehouse.current_version() == result.version
    now = one(data_dir, "Taman baca di kantor kelurahan")
    assert now["teks_publik"] == "Taman baca di kelurahan" and now["ditinjau_oleh"] == "analis1"
    assert now["ditinjau_pada"] is not None and now["load_id"] == result.load_id
    kept = ("usulan_id", "siklus", "tingkat", "kode_wilayah", "forum_id", "tema", "klaster", "opd_tujuan", "status")
    assert {k: now[k] for k in kept} == {k: row[k] for k in kept}
    others = sql(data_dir, "SELECT * EXCLUDE (load_id, teks_publik, ditinjau_oleh, ditinjau_pada) FROM "
                 "fact_usulan_anak WHERE usulan_id <> ? ORDER BY ALL", [row["usulan_id"]])  # fmt: skip
    assert others.equals(before) and len(table(data_dir)) == 5
    history = sql(data_dir, "SELECT user_name, file_name FROM meta_load WHERE load_id = ?", [result.load_id])
    assert history.iloc[0].tolist() == ["analis1", partisipasi_edits.SOURCE]
    events = [e for e in audit.read() if e["aksi"] == "ubah"]
    assert events[0]["pengguna"] == "analis1" and row["usulan_id"] in events[0]["rincian"]
    assert "ditinjau" in events[0]["rincian"] and result.version in events[0]["rincian"]
    # withdrawn: a second version, the text no longer public
    gone = partisipasi_edits.review_text(row["usulan_id"], None, "analis2", result.load_id)
    assert gone.ok and int(gone.version[1:]) == int(result.version[1:]) + 1
    now = one(data_dir, "Taman baca di kantor kelurahan")
    assert pd.isna(now["teks_publik"]) and pd.isna(now["ditinjau_oleh"])
    assert "ditarik" in audit.read()[0]["rincian"]
    # a blank text withdraws as well (nothing to publish)
    assert partisipasi_edits.review_text(row["usulan_id"], "   ", "analis2", gone.load_id).ok
    assert pd.isna(one(data_dir, "Taman baca di kantor kelurahan")["teks_publik"])


@pytest.mark.parametrize(
    "text, kind",
    [
        ("Taman baca, hubungi kak 0812-3456-7890", "nomor telepon"),
        ("Taman baca (NIK 7471012345670001)", "NIK"),
        ("Tulis ke forum.anak@contoh.invalid", "alamat e-mail"),
    ],
)
def test_a_review_with_personal_data_is_refused_and_nothing_is_written(loaded, text, kind):
    data_dir, _ = loaded
    row = one(data_dir, "Lampu jalan menuju sekolah")
    version = warehouse.current_version()
    result = partisipasi_edits.review_text(row["usulan_id"], text, "analis1", row["load_id"])
    assert not result.ok and result.version is None
    (message,) = [p.message for p in result.report.errors]
    assert message.startswith(f"Teks publik tampak memuat {kind}") and "tidak boleh tampil untuk umum" in message
    assert "3456-7890" not in message and "7471012345670001" not in message
    assert warehouse.current_version() == version and one(data_dir, "Lampu jalan menuju sekolah") == row


def test_a_stale_review_is_refused_naming_who_changed_it(loaded):
    data_dir, _ = loaded
    row = one(data_dir, "Sanggar seni untuk anak")
    first = partisipasi_edits.review_text(row["usulan_id"], "Sanggar seni untuk anak", "analis1", row["load_id"])
    assert first.ok
    version = warehouse.current_version()
    late = partisipasi_edits.review_text(row["usulan_id"], "Sanggar seni", "analis2", row["load_id"])  # old base
    assert not late.ok and late.version is None and late.stale and late.stale[0].user == "analis1"
    (message,) = [p.message for p in late.report.errors]
    assert "sudah diubah oleh analis1" in message and "tinjauan Anda tidak disimpan" in message
    assert warehouse.current_version() == version
    assert one(data_dir, "Sanggar seni untuk anak")["teks_publik"] == "Sanggar seni untuk anak"
    missing = partisipasi_edits.review_text("tidakada0000", "Teks", "analis2", None)
    assert not missing.ok and "sudah tidak ada" in missing.report.errors[0].message
    assert warehouse.current_version() == version


def test_a_reload_keeps_a_review_of_the_same_text_and_drops_it_when_the_text_changed(loaded, tmp_path):
    data_dir, path = loaded
    row = one(data_dir, "Taman baca di kantor kelurahan")
    assert partisipasi_edits.review_text(row["usulan_id"], "Taman baca", "analis1", row["load_id"]).ok
    assert loader.load("usulan_anak", [path], user="dp3a").ok  # the office's file again, no Teks Publik column
    assert one(data_dir, "Taman baca di kantor kelurahan")["teks_publik"] == "Taman baca"
    # the same proposal (its ID) with a new text: the reviewed words no longer describe it
    changed = xlsx(
        tmp_path / "ubah.xlsx",
        {"RKPD 2025": [[row["usulan_id"], *GOOD[0][1:5], "Taman baca dan bermain untuk Nisa", *GOOD[0][6:]]]},
        head=["ID", *HEAD[1:]],
    )
    assert loader.load("usulan_anak", [changed], user="dp3a").ok
    now = sql(data_dir, "SELECT * FROM fact_usulan_anak WHERE usulan_id = ?", [row["usulan_id"]]).iloc[0]
    assert now["usulan"] == "Taman baca dan bermain untuk Nisa" and pd.isna(now["teks_publik"])


def test_the_sample_covers_every_status_and_a_growing_share_taken_up(sample_data_dir):
    from etl import sample_partisipasi

    got = sql(sample_data_dir, "SELECT * FROM fact_usulan_anak")
    assert sorted(got["siklus"].unique()) == list(sample_partisipasi.CYCLES)
    assert set(got["status"]) == {"diajukan", "diakomodir", "direalisasikan", "ditolak"}
    assert set(got["tingkat"]) == {"kelurahan", "kecamatan", "kota", "musrenbang_anak"}
    assert got["tema"].nunique() >= 8 and got["opd_tujuan"].nunique() >= 8 and got["klaster"].notna().all()
    taken = got.assign(up=got["status"].isin(["diakomodir", "direalisasikan"])).groupby("siklus")["up"].mean()
    assert taken.is_monotonic_increasing and taken.iloc[0] < 0.3 and taken.iloc[-1] > 0.6
    assert got.loc[got["status"] == "ditolak", "alasan"].notna().all()
    forums = set(sql(sample_data_dir, "SELECT forum_id FROM fact_forum_anak")["forum_id"])
    assert set(got["forum_id"].dropna()) <= forums
    # rows per cycle equal the rows of its sheet
    (path,) = (sample_data_dir / "sample").glob("contoh_usulan_anak_*.xlsx")
    wb = openpyxl.load_workbook(path)
    for ws in wb:
        cycle = int(ws.title.split()[-1])
        rows = [r for r in ws.iter_rows(min_row=5, values_only=True) if r[0] is not None]
        assert (got["siklus"] == cycle).sum() == len(rows), ws.title
        assert "DATA CONTOH (SINTETIS)" in str(ws["A2"].value)
    assert sql(sample_data_dir, "SELECT bool_and(is_sample) AS s FROM meta_load WHERE dataset = 'usulan_anak'")["s"][0]


def test_the_template_loads_and_is_recognised(data_dir, tmp_path):
    from etl import templates

    path = tmp_path / "templat_usulan_anak.xlsx"
    path.write_bytes(templates.template("usulan_anak"))
    assert loader.guess_dataset([path]) == "usulan_anak"
    result = loader.load("usulan_anak", [path], user="uji")
    assert result.ok and result.report.rows_loaded == 1
    assert json.dumps(usulan_anak.klaster_of_theme())  # every theme has its klaster (a test of the data below)


def test_every_theme_has_a_klaster():
    from etl import reference

    themes = reference.category_values("tema_usulan")
    mapping = usulan_anak.klaster_of_theme()
    assert set(mapping) == set(themes)
    klaster = set(reference.category_values("kelompok_kla")) - {"Total"}
    assert set(mapping.values()) <= klaster


def test_a_reviewed_sample_proposal_stays_sample_data(own_sample):
    from etl import samples

    row = sql(own_sample, "SELECT usulan_id, load_id FROM fact_usulan_anak WHERE teks_publik IS NULL LIMIT 1").iloc[0]
    result = partisipasi_edits.review_text(row["usulan_id"], "Teks contoh", "analis1", row["load_id"])
    assert result.ok, result.report.to_text()
    assert sql(own_sample, "SELECT is_sample FROM meta_load WHERE load_id = ?", [result.load_id])["is_sample"][0]
    total = sql(own_sample, "SELECT count(*) AS n FROM fact_usulan_anak")["n"][0]
    _, removed = samples.remove("usulan_anak", "analis1")  # `hapus-contoh usulan_anak`: the reviewed row goes too
    assert removed == total and sql(own_sample, "SELECT count(*) AS n FROM fact_usulan_anak")["n"][0] == 0


def test_columns_naming_the_children_are_never_loaded(data_dir, tmp_path):
    head = [*HEAD, "Nama Pengusul", "Nama Anak", "No HP"]
    rows = [[*r, "Nisa Rahmadani", "Andi Saputra", "0812 3456 7890"] for r in GOOD[:2]]
    result = loader.load("usulan_anak", [xlsx(tmp_path / "nama.xlsx", {"RKPD 2025": rows}, head=head)], user="uji")
    assert result.ok, result.report.to_text()
    assert {"Nama Pengusul", "Nama Anak", "No HP"} <= set(result.report.dropped_columns)
    stored = "\n".join(
        sql(data_dir, f"SELECT * FROM {t}").astype(str).to_csv() for t in ("fact_usulan_anak", "meta_load")
    )
    assert "Rahmadani" not in stored and "Saputra" not in stored and "3456" not in stored
    assert len(table(data_dir)) == 2
