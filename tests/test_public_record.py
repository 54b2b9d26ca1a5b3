"""Kendari's public record ships with the product (issue 19 item 3): the real files in data/publik, listed in
data/publik/daftar.toml, load through the normal ETL; `python -m etl sample` loads them first (not marked as
sample) and the synthetic sample only for what they do not give; a clone with no ../shared beside it gets
the boundaries. These tests never read ../shared: the clone below is a copy of the repository's own files."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from etl import loader, sample
from etl.sources import DATASETS
from tests.conftest import REPO, sql
from tests.tables import table_with

# domain-2.md 3.3 (children): (period, source, unit) -> the total each source published
TOTALS = {
    ("2019", "DP3A Kota Kendari (JPNN)", "kasus"): 21,
    ("2019", "DP3APPKB Sultra (Rubriksultra, Feb 2020)", "kasus"): 18,
    ("2020", "DP3A Kota Kendari (JPNN)", "kasus"): 17,
    ("2021", "DP3A Kota Kendari (JPNN)", "kasus"): 25,
    ("2021", "DP3A Kota Kendari (MediaKendari, Des 2022)", "kasus"): 25,
    ("2021", "UPTD PPA Kota Kendari (Teramedia)", "bentuk"): 26,
    ("2022", "DP3A Kota Kendari (MediaKendari, Des 2022)", "kasus"): 34,
    ("2022", "DP3A Kota Kendari (Detiksultra, Jan 2023)", "kasus"): 44,
    ("2022", "DP3A Kota Kendari (Tribun, Agu 2023)", "kasus"): 31,
    ("2022", "UPTD PPA Kota Kendari (Teramedia)", "bentuk"): 40,
    ("Jan-Jul 2023", "DP3A Kota Kendari (Tribun, Agu 2023)", "kasus"): 35,
    ("2023", "UPTD PPA Kota Kendari (Teramedia)", "bentuk"): 39,
    ("Jan-Jun 2024", "UPTD PPA Kota Kendari (Teramedia)", "bentuk"): 13,
}
UPTD = "UPTD PPA Kota Kendari (Teramedia)"
# domain.md 4.4, the UPTD PPA recap by form (also tests/test_recap.py PUBLISHED)
BY_FORM = {
    "2021": {"Seksual": 15, "Fisik": 6, "Psikis": 2, "Penelantaran": 2, "Lainnya": 1},
    "2022": {"Seksual": 24, "Fisik": 5, "Psikis": 4, "Penelantaran": 4, "Lainnya": 3},
    "2023": {"Seksual": 20, "Fisik": 6, "Psikis": 2, "Penelantaran": 4, "Lainnya": 7},
    "Jan-Jun 2024": {"Seksual": 10, "Fisik": 3, "Psikis": 0, "Penelantaran": 0, "Lainnya": 0},
}
SYNTHETIC = {"penduduk", "kasus", "rbra", "indikator"}  # what no public source gives (issue 19)


def clone_of_repository(root: Path) -> Path:
    """What `python -m etl` needs of a fresh clone (the package, the reference and public data), in a folder
    with no ../shared beside it."""
    clone = root / "klon" / "dasbor-kla"
    skip = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(REPO / "etl", clone / "etl", ignore=skip)
    for part in ("reference", "publik"):
        shutil.copytree(REPO / "data" / part, clone / "data" / part, ignore=skip)
    assert [p.name for p in clone.parent.iterdir()] == [clone.name]  # nothing beside it
    return clone


def etl_in(clone: Path, data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    """`python -m etl ARGS` run from the clone (its own etl package, not this checkout's)."""
    env = {**os.environ, "KLA_DATA_DIR": str(data_dir), "PYTHONUTF8": "1", "PYTHONPATH": str(clone)}
    env.pop("KLA_WILAYAH", None)
    return subprocess.run(
        [sys.executable, "-m", "etl", *args], cwd=clone, env=env, capture_output=True, text=True, timeout=600
    )


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> Path:
    """KLA_DATA_DIR after `python -m etl sample` in a fresh clone."""
    root = tmp_path_factory.mktemp("publik")
    clone, data_dir = clone_of_repository(root), root / "data"
    proc = etl_in(clone, data_dir, "sample")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Data publik (asli, bukan contoh) dari data/publik/daftar.toml:" in proc.stdout
    return data_dir


# --- the manifest and its files ---------------------------------------------------------------------------


def test_every_manifest_entry_loads_through_the_normal_etl(tmp_path, monkeypatch):
    entries = sample.public_entries()
    assert [e.dataset for e in entries][:2] == ["batas", "kasus_rekap"]
    for e in entries:
        assert e.dataset in DATASETS and e.keterangan and e.files
        assert all(f.is_file() and sample.PUBLIK_DIR in f.parents for f in e.files), e
    monkeypatch.setenv("KLA_DATA_DIR", str(tmp_path / "data"))
    for e in entries:
        result = loader.load(e.dataset, list(e.files), user=sample.PUBLIC_USER, scope=e.scope)
        assert result.ok and not result.report.errors, result.report.to_text()
        assert result.report.rows_loaded > 0
    loads = sql(tmp_path / "data", "SELECT dataset, is_sample, user_name FROM meta_load ORDER BY version")
    assert loads["dataset"].tolist() == [e.dataset for e in entries] and not loads["is_sample"].any()


def test_the_boundaries_carry_their_licence_and_source():
    batas = sample.PUBLIK_DIR / "batas"
    licence = (batas / "LICENSE").read_text(encoding="utf-8")
    assert "MIT License" in licence and "Copyright (c) 2024 Cahya DSN" in licence
    assert 'THE SOFTWARE IS PROVIDED "AS IS"' in licence and "cahyadsn/wilayah_boundaries" in licence
    source = (batas / "SOURCE.md").read_text(encoding="utf-8")
    assert "github.com/cahyadsn/wilayah_boundaries" in source and "Wundumbatu" in source
    assert "SOURCE.md" in (batas / "README.md").read_text(encoding="utf-8")


def test_every_recap_figure_keeps_source_unit_period_url_and_date(fresh):
    rows = sql(fresh, "SELECT periode, dimensi, kategori, jumlah, satuan, sumber, catatan FROM fact_kasus_rekap")
    totals = rows[rows["dimensi"] == "total"]
    assert {(r.periode, r.sumber, r.satuan): r.jumlah for r in totals.itertuples()} == TOTALS
    forms = rows[(rows["dimensi"] == "bentuk") & (rows["sumber"] == UPTD)]
    assert {(r.periode, r.kategori): r.jumlah for r in forms.itertuples()} == {
        (p, f): n for p, by in BY_FORM.items() for f, n in by.items()
    }
    sex = rows[rows["dimensi"] == "jenis_kelamin"]
    assert sorted(zip(sex["kategori"], sex["jumlah"])) == [("L", 4), ("P", 14)]
    for r in rows.itertuples():
        assert r.sumber and r.satuan in ("kasus", "bentuk") and r.periode, r
        assert re.search(r"https://\S+", r.catatan), r  # where it was published
        assert re.search(r"terbit (\d+ )?\w+ 20\d\d|tanggal terbit tidak tercatat", r.catatan), r  # and when


# --- `python -m etl sample` in a fresh clone ---------------------------------------------------------------


def test_fresh_clone_gets_the_polygons_and_the_four_2022_sources(fresh):
    levels = sql(fresh, "SELECT level, count(*) AS n FROM geo_batas GROUP BY 1")
    n = dict(zip(levels["level"], levels["n"]))
    assert n["kecamatan"] == 11 and n["kelurahan"] == 64
    kec = sql(fresh, "SELECT kode, luas_km2 FROM geo_batas WHERE level = 'kecamatan'")
    assert set(kec["kode"]) == {f"74.71.{i:02d}" for i in range(1, 12)}
    assert kec["luas_km2"].sum() == pytest.approx(264.68, rel=0.01)
    y2022 = sql(fresh, "SELECT sumber, jumlah FROM fact_kasus_rekap WHERE tahun = 2022 AND dimensi = 'total'")
    assert dict(zip(y2022["sumber"], y2022["jumlah"])) == {
        "DP3A Kota Kendari (Tribun, Agu 2023)": 31,
        "DP3A Kota Kendari (MediaKendari, Des 2022)": 34,
        UPTD: 40,
        "DP3A Kota Kendari (Detiksultra, Jan 2023)": 44,
    }


def test_public_loads_come_first_and_are_not_sample(fresh):
    loads = sql(fresh, "SELECT version, dataset, is_sample, user_name FROM meta_load ORDER BY version")
    entries = sample.public_entries()
    public, synthetic = loads.iloc[: len(entries)], loads.iloc[len(entries) :]
    assert public["dataset"].tolist() == [e.dataset for e in entries]  # first, in the manifest's order
    assert not public["is_sample"].any() and set(public["user_name"]) == {sample.PUBLIC_USER}
    assert SYNTHETIC <= set(synthetic["dataset"]) and synthetic["is_sample"].all()
    assert not set(synthetic["dataset"]) & set(public["dataset"])
    rekap = sql(fresh, "SELECT DISTINCT load_id FROM fact_kasus_rekap")["load_id"].tolist()
    batas = sql(fresh, "SELECT DISTINCT load_id FROM geo_batas")["load_id"].tolist()
    marked = sql(fresh, "SELECT load_id, is_sample FROM meta_load")
    flags = dict(zip(marked["load_id"], marked["is_sample"]))
    assert not any(flags[i] for i in rekap + batas)


def test_a_dataset_given_by_a_public_file_gets_no_synthetic_figures(tmp_path):
    clone = clone_of_repository(tmp_path)
    publik = clone / "data" / "publik"
    (publik / "kla_kecamatan").mkdir(exist_ok=True)  # the repository ships the 2023 ratings there too
    rows = ["Tahun;Kecamatan;Kategori;Catatan"] + [
        f"2023;{k};{c};kendariinfo.com Okt 2023"
        for c, ks in (("Pratama", ("Abeli", "Mandonga")), ("Nindya", ("Kendari", "Baruga")))
        for k in ks
    ]
    (publik / "kla_kecamatan" / "kecamatan_2023.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (publik / "daftar.toml").write_text(
        'wilayah = "74.71"\n\n[[muat]]\ndataset = "kla_kecamatan"\nberkas = ["kla_kecamatan/kecamatan_2023.csv"]\n'
        'keterangan = "Kategori empat kecamatan 2023 (kendariinfo.com)"\n',
        encoding="utf-8",
    )
    proc = etl_in(clone, tmp_path / "data", "sample")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "- kla_kecamatan: tidak dimuat dari data contoh (sumber publik di data/publik/daftar.toml)" in proc.stdout
    got = sql(tmp_path / "data", "SELECT count(*) AS n FROM fact_kla_kecamatan")["n"].iloc[0]
    assert got == 4  # the public file's four, not the sample's eleven
    loads = sql(tmp_path / "data", "SELECT dataset, is_sample FROM meta_load WHERE dataset = 'kla_kecamatan'")
    assert loads["is_sample"].tolist() == [False]


# --- a broken manifest or file: a message, nothing loaded -------------------------------------------------


def test_unknown_dataset_and_missing_file_are_messages_and_nothing_is_loaded(tmp_path):
    clone = clone_of_repository(tmp_path)
    manifest = clone / "data" / "publik" / "daftar.toml"
    n = len(sample.public_entries(manifest))
    manifest.write_text(
        manifest.read_text(encoding="utf-8")
        + '\n[[muat]]\ndataset = "fakta_belum_ada"\nberkas = ["fakta/x.csv"]\nketerangan = "belum ada"\n'
        + '\n[[muat]]\ndataset = "kasus_rekap"\nfiles = ["kasus_rekap/tidak_ada.csv"]\n',
        encoding="utf-8",
    )
    proc = etl_in(clone, tmp_path / "data", "sample")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    err = proc.stderr
    assert "Traceback" not in err
    unknown, typo = f'[[muat]] ke-{n + 1} (dataset "fakta_belum_ada")', f'[[muat]] ke-{n + 2} (dataset "kasus_rekap")'
    assert f"{unknown}: dataset 'fakta_belum_ada' tidak dikenal. Pilihan: penduduk, kasus" in err, err
    assert f"{unknown}: berkas fakta/x.csv tidak ada di" in err
    assert f"{typo}: kunci 'files' tidak dikenal; yang boleh: dataset, berkas, keterangan, wilayah." in err
    assert f"{typo}: kunci 'berkas' tidak ada." in err
    assert "kunci 'keterangan' tidak ada." in err and "Tidak ada yang dimuat." in err
    assert not (tmp_path / "data" / "warehouse" / "CURRENT").exists()


def test_a_public_file_with_errors_names_file_row_column_and_value(tmp_path):
    clone = clone_of_repository(tmp_path)
    publik = clone / "data" / "publik"
    (publik / "kasus_rekap" / "rusak.csv").write_text(
        "KASUS KEKERASAN TERHADAP ANAK\n"
        "Periode;Bentuk Kekerasan;Jumlah;Satuan;Sumber;Catatan\n"
        "2022;Jumlah;31;kasus;DP3A Kota Kendari (Tribun, Agu 2023);https://contoh.test - terbit 22 Agustus 2023\n"
        "2023;Jumlah;tiga puluh;kasus;DP3A Kota Kendari (Tribun, Agu 2023);https://contoh.test\n"
        "2024;Jumlah;13;ekor;DP3A Kota Kendari (Tribun, Agu 2023);https://contoh.test\n",
        encoding="utf-8",
    )
    (publik / "daftar.toml").write_text(
        '[[muat]]\ndataset = "kasus_rekap"\nberkas = ["kasus_rekap/rusak.csv"]\nketerangan = "berkas rusak"\n',
        encoding="utf-8",
    )
    proc = etl_in(clone, tmp_path / "data", "sample")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    out = proc.stdout
    assert 'GALAT berkas rusak.csv, baris 4, kolom "Jumlah": Jumlah bukan bilangan bulat' in out, out
    assert '(nilai: "tiga puluh")' in out
    assert 'GALAT berkas rusak.csv, baris 5, kolom "Satuan": Satuan tidak dikenal' in out, out
    assert '(nilai: "ekor")' in out
    assert "Data publik kasus_rekap gagal dimuat: perbaiki berkasnya atau entri di data/publik/daftar.toml." in out
    assert not (tmp_path / "data" / "warehouse" / "CURRENT").exists()  # nothing of it was published


def test_manifest_problems_are_listed_together(tmp_path):
    bad = tmp_path / "daftar.toml"
    bad.write_text('wilayah = 7471\nnama = "x"\n[[muat]]\ndataset = "batas"\nberkas = []\nketerangan = " "\n')
    with pytest.raises(sample.ManifestError) as exc:
        sample.public_entries(bad)
    text = str(exc.value)
    assert "kunci 'nama' di luar [[muat]] tidak dikenal" in text
    assert 'wilayah harus kode Kemendagri dalam tanda kutip, misalnya wilayah = "74.71".' in text
    assert '[[muat]] ke-1 (dataset "batas"): berkas harus daftar nama berkas' in text
    assert '[[muat]] ke-1 (dataset "batas"): keterangan harus satu kalimat' in text
    bad.write_text("[[muat]\n")
    with pytest.raises(sample.ManifestError, match="tidak dapat dibaca sebagai TOML"):
        sample.public_entries(bad)
    assert sample.public_entries(tmp_path / "tidak_ada.toml") == []


def test_no_test_builds_a_path_to_shared():
    """The suite runs in a clone with nothing beside it: no test module reaches for ../shared."""
    reach = re.compile(r"""/\s*["']shared["']|["']\.\./shared/""")
    offenders = [p.name for p in (REPO / "tests").glob("*.py") if reach.search(p.read_text(encoding="utf-8"))]
    assert offenders == []


# --- on screen -----------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("fresh_streamlit_caches")
def test_kekerasan_shows_the_four_2022_sources_side_by_side(monkeypatch, sample_data_dir):
    monkeypatch.setenv("KLA_DATA_DIR", str(sample_data_dir))
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.session_state["tahun"] = 2022
    at.run()
    at.switch_page("pages/kekerasan.py").run()
    assert not at.exception, [e.value for e in at.exception]
    table = table_with(at, "Periode").set_index("Periode")
    row = table.loc["2022"]
    assert row["DP3A Kota Kendari (Tribun, Agu 2023) (kasus)"] == "31"
    assert row["DP3A Kota Kendari (MediaKendari, Des 2022) (kasus)"] == "34"
    assert row["DP3A Kota Kendari (Detiksultra, Jan 2023) (kasus)"] == "44"
    assert row[f"{UPTD} (bentuk)"] == "40"
    assert table.loc["2019", "DP3APPKB Sultra (Rubriksultra, Feb 2020) (kasus)"] == "18"
    assert table.loc["2019", "DP3A Kota Kendari (JPNN) (kasus)"] == "21"
