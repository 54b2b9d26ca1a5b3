"""AppTest of the frame and Ringkasan: the figures shown equal SQL on the warehouse."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from etl import warehouse
from kla.fmt import fmt_dec, fmt_int
from tests.conftest import year_label
from tests.figures import figure

APP = "../app.py"


pytestmark = pytest.mark.usefixtures("fresh_streamlit_caches")


def truth(data_dir):
    version = (data_dir / "warehouse" / "CURRENT").read_text().strip()
    return warehouse.open_file(str(data_dir / "warehouse" / f"kla-{version}.duckdb"))


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def run(monkeypatch, data_dir, state: dict | None = None, **query) -> AppTest:
    """One fresh script run. Filters are set through session state before the first run: AppTest
    loses the entrypoint's sidebar widgets on a rerun when st.navigation is used (the real server
    does not; the e2e test changes a filter in Chromium)."""
    monkeypatch.setenv("KLA_DATA_DIR", str(data_dir))
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in query.items():
        at.query_params[k] = v
    for k, v in (state or {}).items():
        at.session_state[k] = v
    return at.run()


def test_kpis_equal_sql(monkeypatch, sample_data_dir):
    at = run(monkeypatch, sample_data_dir)
    assert not at.exception
    con = truth(sample_data_dir)
    year = con.execute("SELECT max(tahun) FROM fact_penduduk").fetchone()[0]
    shown = metrics(at)
    children = con.execute("SELECT sum(jumlah_anak) FROM fact_penduduk WHERE tahun = ?", [year]).fetchone()[0]
    assert shown["Jumlah anak 0-17 tahun"] == fmt_int(children)
    cases = con.execute("SELECT count(*) FROM fact_kasus WHERE year(bulan_pelaporan) = ?", [year]).fetchone()[0]
    assert shown[f"Kasus kekerasan terhadap anak {year_label(sample_data_dir, year)}"] == fmt_int(cases)
    rbra = con.execute("SELECT count(*) FROM fact_rbra WHERE tahun IS NULL OR tahun <= ?", [year]).fetchone()[0]
    assert shown["Ruang Bermain Ramah Anak"] == fmt_int(rbra)
    assert shown["Anak per RBRA"] == fmt_int(children / rbra)
    score = con.execute("SELECT sum(nilai) FROM fact_nilai_indikator WHERE tahun = ?", [year]).fetchone()[0]
    assert shown[f"Nilai KLA (evaluasi {year})"] == fmt_dec(score, 1)
    category = con.execute(
        "SELECT kategori FROM ref_kategori WHERE ? BETWEEN skor_min AND skor_max", [score]
    ).fetchone()[0]
    assert shown["Kategori"] == category
    # the sample banner names the sample datasets
    assert any("Data contoh (sintetis)" in w.value for w in at.warning)


def test_kecamatan_filter_changes_figures(monkeypatch, sample_data_dir):
    year = int(run(monkeypatch, sample_data_dir).sidebar.selectbox(key="tahun").value)
    at = run(monkeypatch, sample_data_dir, state={"kecamatan": "74.71.09"})  # Puuwatu
    assert not at.exception
    assert at.sidebar.selectbox(key="kecamatan").value == "74.71.09"
    con = truth(sample_data_dir)
    children = con.execute(
        "SELECT sum(jumlah_anak) FROM fact_penduduk WHERE tahun = ? AND kode_kecamatan = ?", [year, "74.71.09"]
    ).fetchone()[0]
    cases = con.execute(
        "SELECT count(*) FROM fact_kasus WHERE year(bulan_pelaporan) = ? AND kode_kecamatan = ?", [year, "74.71.09"]
    ).fetchone()[0]
    shown = metrics(at)
    assert shown["Jumlah anak 0-17 tahun"] == fmt_int(children)
    expected = "<5" if 1 <= cases <= 4 else fmt_int(cases)
    assert shown[f"Kasus kekerasan terhadap anak {year_label(sample_data_dir, year)}"] == expected
    assert any("seluruh kota" in c.value for c in at.caption)
    # the KLA score and category stay the city's, and their labels say so (issue 21 item 4)
    assert any(k.startswith("Nilai KLA Kota Kendari, seluruh kota (evaluasi") for k in shown), list(shown)
    assert "Kategori Kota Kendari, seluruh kota" in shown


def test_previous_year_and_chart_data(monkeypatch, sample_data_dir):
    at = run(monkeypatch, sample_data_dir, state={"tahun": 2022})
    assert not at.exception
    con = truth(sample_data_dir)
    children = con.execute("SELECT sum(jumlah_anak) FROM fact_penduduk WHERE tahun = 2022").fetchone()[0]
    assert metrics(at)["Jumlah anak 0-17 tahun"] == fmt_int(children)
    charts = [e for e in at.get("plotly_chart")]
    assert len(charts) == 2
    trace = figure(charts[0])["data"][0]
    per_year = dict(con.execute("SELECT year(bulan_pelaporan), count(*) FROM fact_kasus GROUP BY 1").fetchall())
    bars = dict(zip(trace["x"], trace["y"]))
    assert {int(k.split()[0]): v for k, v in bars.items()} == {k: (v if v >= 5 else 0) for k, v in per_year.items()}


def test_english(monkeypatch, sample_data_dir):
    at = run(monkeypatch, sample_data_dir, lang="en")
    assert not at.exception
    assert "Children (aged 0-17)" in metrics(at)
    assert at.title[0].value == "Summary"


def test_no_warehouse_gives_friendly_page(monkeypatch, tmp_path):
    at = run(monkeypatch, tmp_path / "kosong")
    assert not at.exception
    assert "Gudang data belum ada" in [h.value for h in at.header]
    assert any("python -m etl sample" in m.value for m in at.markdown)


def test_damaged_pointer_gives_repair_advice(monkeypatch, tmp_path):
    (tmp_path / "warehouse").mkdir()
    (tmp_path / "warehouse" / "CURRENT").write_text("rusak!!")
    at = run(monkeypatch, tmp_path)
    assert not at.exception
    assert "Gudang data tidak dapat dibaca" in [h.value for h in at.header]
    assert any("python -m etl repair" in m.value for m in at.markdown)


def test_damaged_version_file_gives_repair_advice(monkeypatch, tmp_path):
    (tmp_path / "warehouse").mkdir()
    (tmp_path / "warehouse" / "kla-v0001.duckdb").write_bytes(b"bukan basis data" * 100)
    (tmp_path / "warehouse" / "CURRENT").write_text("v0001\n")
    at = run(monkeypatch, tmp_path)
    assert not at.exception
    assert "Gudang data tidak dapat dibaca" in [h.value for h in at.header]
