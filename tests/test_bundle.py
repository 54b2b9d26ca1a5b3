"""Province roll-up bundles (issue 24, item 6): `python -m etl export-bundle` on a kab/kota warehouse built by the
real ETL, `import-bundle` into a second (province) warehouse, through the CLI.

What is exported is what a public viewer may see: the protected publication's cells (a shown count equals SQL on
the city's case rows; a small or hidden cell carries no number), indicator values and children per kecamatan; no
case row, no free text. The province sees the city's published figures. A tampered file, a changed manifest, a
bundle signed by another key, an unregistered kab/kota and an older bundle replayed are refused, and the province
warehouse stays as it was.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import run_etl, sql

KABKOTA = "74.71"


@pytest.fixture(scope="module")
def city(tmp_path_factory, sample_data_dir) -> Path:
    d = tmp_path_factory.mktemp("kota") / "data"
    shutil.copytree(sample_data_dir, d)
    return d


@pytest.fixture(scope="module")
def bundle(city, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("paket") / "kendari-v1"
    proc = run_etl(city, "export-bundle", str(out))
    assert "Ditandatangani kunci sha256:" in proc.stdout, proc.stdout
    return out


def province(tmp_path: Path, bundle: Path) -> Path:
    """An empty province data folder with the city's public key registered (as handed over out of band)."""
    d = tmp_path / "provinsi"
    (d / "kunci-kabkota").mkdir(parents=True)
    shutil.copy(bundle / "kunci-publik.pem", d / "kunci-kabkota" / f"{KABKOTA}.pem")
    return d


def current(d: Path) -> str | None:
    p = d / "warehouse" / "CURRENT"
    return p.read_text().strip() if p.exists() else None


def test_bundle_holds_only_public_cells(bundle, city):
    assert sorted(p.name for p in bundle.iterdir()) == [
        "kasus.parquet",
        "kunci-publik.pem",
        "manifest.json",
        "manifest.sig",
        "nilai.parquet",
        "penduduk.parquet",
    ]
    kasus = pd.read_parquet(bundle / "kasus.parquet")
    assert list(kasus.columns) == ["family", "kategori", "wilayah", "tahun", "nilai", "tanda"]
    assert kasus["wilayah"].str.startswith(KABKOTA).all()
    # hidden cells carry no number; small ones are marked, and there are some (the sample has small kecamatan)
    assert kasus.loc[kasus["tanda"] != "", "nilai"].isna().all()
    assert (kasus["tanda"] == "<5").any() and (kasus["tanda"] == "").sum() > 50
    # every shown count of cases equals SQL on the city's case rows (kab/kota and kecamatan, per year and all years)
    rows = sql(city, "SELECT kode_kecamatan, year(bulan_pelaporan) AS tahun FROM fact_kasus")
    shown = kasus[(kasus["family"] == "n") & (kasus["tanda"] == "")]
    assert len(shown) > 20
    for r in shown.itertuples():
        inside = rows[rows["kode_kecamatan"].str.startswith(r.wilayah)]
        if not pd.isna(r.tahun):
            inside = inside[inside["tahun"] == r.tahun]
        assert r.nilai == len(inside), (r.wilayah, r.tahun)
    # and a "<5" is really 1..4
    for r in kasus[(kasus["family"] == "n") & (kasus["tanda"] == "<5")].itertuples():
        inside = rows[rows["kode_kecamatan"].str.startswith(r.wilayah)]
        inside = inside if pd.isna(r.tahun) else inside[inside["tahun"] == r.tahun]
        assert 1 <= len(inside) <= 4


def test_no_free_text_and_no_case_rows(bundle, city):
    texts = set()
    for name in ("kasus.parquet", "nilai.parquet", "penduduk.parquet"):
        df = pd.read_parquet(bundle / name)
        for c in df.columns:
            texts |= {str(v) for v in df[c].dropna()}
    free = set(sql(city, "SELECT tugas FROM fact_tindak_lanjut")["tugas"])
    free |= set(sql(city, "SELECT catatan FROM fact_nilai_indikator WHERE catatan IS NOT NULL")["catatan"])
    free |= set(sql(city, "SELECT kasus_id FROM fact_kasus")["kasus_id"])
    assert free and not (texts & free)
    assert len(pd.read_parquet(bundle / "kasus.parquet")) < len(sql(city, "SELECT 1 FROM fact_kasus")) * 10


def test_province_shows_the_citys_published_figures(bundle, city, tmp_path):
    prov = province(tmp_path, bundle)
    proc = run_etl(prov, "import-bundle", str(bundle))
    assert f"Paket {KABKOTA} (Kota Kendari" in proc.stdout
    got = sql(prov, "SELECT family, kategori, wilayah, tahun, nilai, tanda FROM rollup_kasus")
    want = pd.read_parquet(bundle / "kasus.parquet")
    key = ["family", "kategori", "wilayah", "tahun"]
    got, want = (x.sort_values(key, na_position="first").reset_index(drop=True) for x in (got, want))
    assert len(got) == len(want)
    assert got["nilai"].astype("Int64").equals(want["nilai"].astype("Int64"))
    assert (got["tanda"] == want["tanda"]).all()
    # the city's cases of its latest year, as its public Ringkasan card counts them
    year = int(sql(city, "SELECT max(year(bulan_pelaporan)) AS y FROM fact_kasus")["y"][0])
    cases = int(sql(city, f"SELECT count(*) AS n FROM fact_kasus WHERE year(bulan_pelaporan) = {year}")["n"][0])
    cell = got[(got["family"] == "n") & (got["wilayah"] == KABKOTA) & (got["tahun"] == year)]
    assert cell["nilai"].tolist() == [cases]
    score = sql(city, "SELECT sum(nilai) AS s FROM fact_nilai_indikator WHERE tahun = 2024")["s"][0]
    assert sql(prov, "SELECT sum(nilai) AS s FROM rollup_nilai WHERE tahun = 2024")["s"][0] == pytest.approx(score)
    meta = sql(prov, "SELECT kabkota, versi_sumber FROM meta_bundle")
    assert meta.values.tolist() == [[KABKOTA, current(city)]]


def refused(prov: Path, src: Path, words: str) -> None:
    before = current(prov)
    proc = run_etl(prov, "import-bundle", str(src), check=False)
    assert proc.returncode == 1 and words in proc.stderr, proc.stderr
    assert current(prov) == before


def test_tampered_bundles_are_refused(bundle, tmp_path):
    prov = province(tmp_path, bundle)
    # a changed count in a table: its sha256 no longer matches the signed manifest
    bad = tmp_path / "ubah-angka"
    shutil.copytree(bundle, bad)
    kasus = pd.read_parquet(bad / "kasus.parquet")
    i = kasus.index[kasus["tanda"] == "<5"][0]
    kasus.loc[i, ["nilai", "tanda"]] = [2, ""]  # "reveal" a small cell
    kasus.to_parquet(bad / "kasus.parquet", index=False)
    refused(prov, bad, "tidak sama dengan sha256")
    # a manifest changed to match: the signature fails
    m = json.loads((bad / "manifest.json").read_text())
    import hashlib

    m["berkas"]["kasus.parquet"]["sha256"] = hashlib.sha256((bad / "kasus.parquet").read_bytes()).hexdigest()
    (bad / "manifest.json").write_text(json.dumps(m, ensure_ascii=False, indent=1, sort_keys=True))
    refused(prov, bad, "Tanda tangan paket")
    # an extra file
    extra = tmp_path / "tambahan"
    shutil.copytree(bundle, extra)
    (extra / "kasus_baris.parquet").write_bytes(b"x")
    refused(prov, extra, "yang diharapkan")
    assert current(prov) is None  # nothing was ever written


def test_other_key_and_unregistered_region_are_refused(bundle, city, tmp_path):
    # someone else's key signs a bundle that claims to be Kendari's
    other = tmp_path / "lain" / "data"
    shutil.copytree(city, other)
    (other / "kunci-paket.pem").unlink(missing_ok=True)
    forged = tmp_path / "palsu"
    run_etl(other, "export-bundle", str(forged))
    prov = province(tmp_path, bundle)
    refused(prov, forged, "Tanda tangan paket")
    # the key inside a bundle is never trusted: no registered key, no import
    empty = tmp_path / "provinsi-baru"
    empty.mkdir()
    refused(empty, bundle, "belum terdaftar")


def test_older_bundle_does_not_replace_a_newer_one(bundle, city, tmp_path):
    newer = tmp_path / "kendari-v2"
    run_etl(city, "export-bundle", str(newer))  # same key, made later
    prov = province(tmp_path, bundle)
    run_etl(prov, "import-bundle", str(newer))
    refused(prov, bundle, "lebih lama")
