"""Real public sources: the published UPTD PPA recap for Kendari and a BPS population table, with source,
unit and period on every figure, and two sources for one period shown side by side."""

from __future__ import annotations

import shutil

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from etl import loader, warehouse
from tests.conftest import ANALIS, add_accounts, sign_in
from tests.figures import figure
from tests.tables import table_with

APP = "../app.py"
pytestmark = pytest.mark.usefixtures("fresh_streamlit_caches")
UPTD = "UPTD PPA Kota Kendari"
# ../shared/research/domain.md 4.4: children, by form of violence (published by UPTD PPA / DP3A Kota Kendari)
PUBLISHED = {
    "2021": (26, {"Seksual": 15, "Fisik": 6, "Psikis": 2, "Penelantaran": 2, "Lainnya": 1}),
    "2022": (40, {"Seksual": 24, "Fisik": 5, "Psikis": 4, "Penelantaran": 4, "Lainnya": 3}),
    "2023": (39, {"Seksual": 20, "Fisik": 6, "Psikis": 2, "Penelantaran": 4, "Lainnya": 7}),
    "Jan-Jun 2024": (13, {"Seksual": 10, "Fisik": 3, "Psikis": 0, "Penelantaran": 0, "Lainnya": 0}),
}
FORMS = ["Seksual", "Fisik", "Psikis", "Penelantaran", "Lainnya"]


def uptd_file(path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Rekap"
    ws.append(["JUMLAH KEKERASAN TERHADAP ANAK DI KOTA KENDARI MENURUT BENTUK KEKERASAN"])
    ws.append([f"Sumber: {UPTD}"])
    ws.append(["Satuan: kasus"])
    ws.append([])
    ws.append(["Bentuk Kekerasan", *PUBLISHED])
    for form in FORMS:
        ws.append([form, *[PUBLISHED[p][1][form] for p in PUBLISHED]])
    ws.append(["JUMLAH", *[PUBLISHED[p][0] for p in PUBLISHED]])
    wb.save(path)
    return path


def other_source_file(path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Tahun", "Bentuk Kekerasan", "Jumlah", "Sumber", "Satuan"])
    ws.append([2022, "JUMLAH", 44, "Berita: DP3A dikutip media, 2023", "kasus"])
    wb.save(path)
    return path


@pytest.fixture()
def recap_only(tmp_path, monkeypatch):
    d = tmp_path / "data"
    monkeypatch.setenv("KLA_DATA_DIR", str(d))
    monkeypatch.setenv("KLA_SALT", "r")
    result = loader.load("kasus_rekap", [uptd_file(tmp_path / "rekap_uptd.xlsx")])
    assert result.ok and not result.report.warnings, result.report.to_text()
    add_accounts(d)
    return d


def kekerasan(monkeypatch, data_dir, account=None, year=2023):
    monkeypatch.setenv("KLA_DATA_DIR", str(data_dir))
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["tahun"] = year
    at.run()
    if account:
        sign_in(at, account)
    at.switch_page("pages/kekerasan.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def recap_table(at):
    return table_with(at, "Periode")


def test_published_recap_is_shown_exactly_with_source_unit_and_period(monkeypatch, recap_only):
    con = warehouse.connect_current()
    stored = con.execute("SELECT periode, kategori, jumlah, satuan, sumber FROM fact_kasus_rekap").fetchall()
    con.close()
    assert {(p, "Jumlah", total, "kasus", UPTD) for p, (total, _) in PUBLISHED.items()} <= set(stored)
    at = kekerasan(monkeypatch, recap_only, ANALIS)
    table = recap_table(at)
    column = f"{UPTD} (kasus)"
    assert table["Periode"].tolist() == list(PUBLISHED)
    assert table[column].tolist() == [str(PUBLISHED[p][0]) for p in PUBLISHED]
    assert any(i.value.startswith("Register kasus belum dimuat") for i in at.info)
    breakdown = figure(at.get("plotly_chart")[1])["data"]
    for trace in breakdown:
        assert list(trace["text"]) == [str(PUBLISHED[p][1][trace["name"]]) for p in PUBLISHED]
    captions = " ".join(c.value for c in at.caption)
    assert f"Sumber: {UPTD}. Satuan: kasus. Periode: 2021, 2022, 2023, Jan-Jun 2024." in captions


def test_public_viewers_get_the_same_suppression(monkeypatch, recap_only):
    at = kekerasan(monkeypatch, recap_only)
    breakdown = figure(at.get("plotly_chart")[1])["data"]
    texts = [t for trace in breakdown for t in trace["text"]]
    assert "<5" in texts and not {"1", "2", "3", "4"} & set(texts)
    assert recap_table(at)[f"{UPTD} (kasus)"].tolist() == ["26", "40", "39", "13"]  # totals are not small


def test_a_second_source_for_2022_is_shown_side_by_side(monkeypatch, recap_only, tmp_path):
    assert loader.load("kasus_rekap", [other_source_file(tmp_path / "berita.xlsx")]).ok
    at = kekerasan(monkeypatch, recap_only, ANALIS)
    table = recap_table(at).set_index("Periode")
    assert table.loc["2022", f"{UPTD} (kasus)"] == "40"
    assert table.loc["2022", "Berita: DP3A dikutip media, 2023 (kasus)"] == "44"
    assert table.loc["2022", "Catatan"] == "sumber berbeda" and table.loc["2021", "Catatan"] == ""
    assert any("sumber berbeda" in w.value for w in at.warning)
    # Ringkasan for 2022: no register, so the recap, naming its source, and the other source under it
    monkeypatch.setenv("KLA_DATA_DIR", str(recap_only))
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["tahun"] = 2022
    at.run()
    card = next(m for m in at.metric if "(rekap)" in m.label)
    assert card.value == "40" and UPTD in card.delta and "kasus" in card.delta
    assert any("44" in c.value and "Berita" in c.value for c in at.caption)


def test_register_and_recap_side_by_side(monkeypatch, sample_data_dir, tmp_path):
    d = tmp_path / "data"
    shutil.copytree(sample_data_dir, d)
    monkeypatch.setenv("KLA_DATA_DIR", str(d))
    assert loader.load("kasus_rekap", [uptd_file(tmp_path / "rekap.xlsx")]).ok
    at = kekerasan(monkeypatch, d)
    table = recap_table(at).set_index("Periode")
    con = warehouse.connect_current()
    n2022 = con.execute("SELECT count(*) FROM fact_kasus WHERE year(bulan_pelaporan) = 2022").fetchone()[0]
    h1_2024 = con.execute(
        "SELECT count(*) FROM fact_kasus WHERE bulan_pelaporan BETWEEN '2024-01-01' AND '2024-06-30'"
    ).fetchone()[0]
    con.close()
    assert table.loc["2022", "Register kasus (dasbor) (kasus)"] == str(n2022)
    # publicly, the register's half-year beside its whole 2024 would give the other half by subtraction
    assert table.loc["Jan-Jun 2024", "Register kasus (dasbor) (kasus)"] == "—"
    add_accounts(d)
    sign_in(at)
    at.switch_page("pages/kekerasan.py").run()
    table = recap_table(at).set_index("Periode")
    assert table.loc["Jan-Jun 2024", "Register kasus (dasbor) (kasus)"] == str(h1_2024)


def bps_file(path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Tabel 3.1.5"
    ws.append(["Tabel 3.1.5 Jumlah Penduduk Menurut Kecamatan dan Kelompok Umur di Kota Kendari, 2024"])
    ws.append(["Sumber: BPS Kota Kendari, Kota Kendari Dalam Angka 2025"])
    ws.append([])
    bands = ["0-4", "5-9", "10-14", "15-19", "20-24", "25-29", "30-34", "75+"]
    ws.append(["Kecamatan", *bands, "Jumlah"])
    rows = {
        "Mandonga": [2000, 2100, 2200, 2500, 2600, 2400, 2300, 500],
        "Kadia": [1500, 1600, 1700, 1000, 1900, 1800, 1700, 400],
    }
    for name, vals in rows.items():
        ws.append([name, *vals, sum(vals)])
    wb.save(path)
    return path, rows


def test_bps_table_loads_with_the_15_17_estimate_flagged(tmp_path, monkeypatch):
    d = tmp_path / "data"
    monkeypatch.setenv("KLA_DATA_DIR", str(d))
    path, rows = bps_file(tmp_path / "kendari_dalam_angka.xlsx")
    result = loader.load("penduduk", [path])
    assert result.ok, result.report.to_text()
    assert any("3/5" in w.message and "perkiraan" in w.message for w in result.report.warnings)
    con = warehouse.connect_current()
    got = con.execute(
        "SELECT tahun, kode_kecamatan, umur_min, umur_max, jumlah_anak, estimasi FROM fact_penduduk "
        "ORDER BY kode_kecamatan, umur_min"
    ).fetchall()
    con.close()
    assert {r[0] for r in got} == {2024}
    mandonga = [r for r in got if r[1] == "74.71.01"]
    assert [(r[2], r[3], r[4], r[5]) for r in mandonga] == [
        (0, 4, 2000, False),
        (5, 9, 2100, False),
        (10, 14, 2200, False),
        (15, 17, 1500, True),
    ]
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["tahun"] = 2024
    at.run()
    children = next(m for m in at.metric if m.label == "Jumlah anak 0-17 tahun")
    assert children.value == "13.200"  # 2000+2100+2200+1500 + 1500+1600+1700+600
    assert any("perkiraan" in c.value and "15-19" in c.value for c in at.caption)


def test_a_recap_without_kecamatan_loaded_for_all_of_indonesia_is_refused(tmp_path, monkeypatch):
    """No code default stands in for the region (issue 18): with --wilayah "" the recap's region is unknown."""
    monkeypatch.setenv("KLA_DATA_DIR", str(tmp_path / "data"))
    result = loader.load("kasus_rekap", [uptd_file(tmp_path / "rekap_uptd.xlsx")], scope=None)
    assert not result.ok
    assert "--wilayah KODE kabupaten/kota" in result.report.to_text()
    assert loader.load("kasus_rekap", [uptd_file(tmp_path / "rekap_uptd.xlsx")], scope="74.71").ok
