"""Progres Klaster: scores and categories against an independent calculation, band edges, what-if,
per-OPD shares, follow-ups (dataset, edits as new versions) and kecamatan ratings."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from etl import loader, warehouse
from kla import klaster
from kla.fmt import fmt_dec
from tests.conftest import add_accounts, sign_in
from tests.tables import number, table_with

APP = "../app.py"
REFERENCE = Path(__file__).resolve().parent.parent / "data" / "reference"


# --- an independent calculation: the reference CSVs read with the csv module -------------------
def bands() -> list[tuple[str, float]]:
    with open(REFERENCE / "kategori_kla.csv", encoding="utf-8") as fh:
        return [(r["kategori"], float(r["skor_min"])) for r in csv.DictReader(fh)]


# KemenPPPA publishes no points per indicator, so the catalog has none. These maxima are INVENTED for the tests
# of the path where a task force has filled them in from its Juknis (1000 in all).
EXAMPLE_MAXIMA = {1: 40, 2: 40, 3: 30, 4: 50, 5: 35, 6: 35, 7: 45, 8: 35, 9: 30, 10: 40, 11: 35, 12: 45}
EXAMPLE_MAXIMA |= {13: 35, 14: 35, 15: 35, 16: 35, 17: 40, 18: 45, 19: 45, 20: 50, 21: 80, 22: 50, 23: 40, 24: 50}


def maxima() -> dict[int, float]:
    return {n: float(v) for n, v in EXAMPLE_MAXIMA.items()}


def test_the_catalog_is_the_official_list_with_no_invented_maxima():
    with open(REFERENCE / "indikator.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    sizes = {}
    for r in rows:
        sizes[r["kelompok"]] = sizes.get(r["kelompok"], 0) + 1
    assert sizes == {
        "Kelembagaan": 3,
        "Klaster I": 3,
        "Klaster II": 5,
        "Klaster III": 6,
        "Klaster IV": 3,
        "Klaster V": 4,
    }
    assert [int(r["nomor"]) for r in rows] == list(range(1, 25))
    by_no = {int(r["nomor"]): r for r in rows}
    assert "PAUD" in by_no[10]["nama"] and "Infrastruktur Ramah Anak" in by_no[11]["nama"]
    assert "Rokok" in by_no[17]["nama"] and "Pusat Kreativitas" in by_no[20]["nama"]
    assert "Kekerasan" in by_no[21]["nama"] and "Hukum" in by_no[24]["nama"]
    assert all(not r["nilai_maks"].strip() for r in rows), "no maximum without a source (KemenPPPA publishes none)"
    assert all(r["sumber"].strip() for r in rows)


@pytest.fixture()
def maxima_dir(data_dir, tmp_path, monkeypatch):
    """A warehouse whose catalog carries maxima (as a task force would fill them in) and one evaluation year."""
    import shutil

    from etl import reference

    ref = tmp_path / "reference"
    shutil.copytree(REFERENCE, ref)
    with open(REFERENCE / "indikator.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for r in rows:
        r["nilai_maks"] = str(EXAMPLE_MAXIMA[int(r["nomor"])])
    with open(ref / "indikator.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    monkeypatch.setattr(reference, "REFERENCE_DIR", ref)
    reference.indicator_catalog.cache_clear()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Evaluasi 2024"
    ws.append(["No", "Nilai", "Target", "Status Bukti"])
    for n, v in scores_for(795).items():
        ws.append([n, v, min(EXAMPLE_MAXIMA[n], v + 2), "Lengkap"])
    path = tmp_path / "nilai.xlsx"
    wb.save(path)
    assert loader.load("indikator", [path]).ok
    yield data_dir
    reference.indicator_catalog.cache_clear()


def category(score: float) -> tuple[str | None, str | None, float | None]:
    """(category, next category, points to it) by reading the bands table top down."""
    rows = sorted(bands(), key=lambda b: b[1])
    cat = None
    for name, low in rows:
        if score >= low:
            cat = name
    above = [(n, low) for n, low in rows if low > score]
    return cat, (above[0][0] if above else None), (round(above[0][1] - score, 1) if above else None)


def scores_for(total: float) -> dict[int, float]:
    """24 indicator scores (each within its maximum) that add up to `total`."""
    m = maxima()
    share = total / sum(m.values())
    scores = {n: round(v * share, 1) for n, v in m.items()}
    scores[21] = round(scores[21] + total - sum(scores.values()), 1)
    assert abs(sum(scores.values()) - total) < 1e-6 and all(0 <= scores[n] <= m[n] for n in m)
    return scores


EDGES = [600, 601, 700, 701, 800, 801, 900, 901]


@pytest.fixture()
def data_dir(tmp_path, monkeypatch):
    d = tmp_path / "data"
    monkeypatch.setenv("KLA_DATA_DIR", str(d))
    monkeypatch.setenv("KLA_SALT", "test-salt")
    return d


@pytest.fixture()
def edges_dir(data_dir, tmp_path):
    """A warehouse with one evaluation year per band edge: 2016 = 600, 2017 = 601, ... 2023 = 901."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for year, total in zip(range(2016, 2024), EDGES):
        ws = wb.create_sheet(f"Evaluasi {year}")
        ws.append(["No", "Nilai", "Status Bukti"])
        for n, v in scores_for(total).items():
            ws.append([n, v, "Lengkap" if n % 2 else "Sebagian"])
    path = tmp_path / "nilai.xlsx"
    wb.save(path)
    assert loader.load("indikator", [path]).ok
    return data_dir


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def open_progres(monkeypatch, data_dir, state=None) -> AppTest:
    monkeypatch.setenv("KLA_DATA_DIR", str(data_dir))
    at = AppTest.from_file(APP, default_timeout=90)
    for k, v in (state or {}).items():
        at.session_state[k] = v
    at.run()
    at.switch_page("pages/progres.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


# --- pure functions ----------------------------------------------------------------------------
@pytest.mark.parametrize("total", EDGES + [500, 499.9, 600.5, 1000])
def test_standing_at_band_edges(total):
    from kla.scoring import standing

    ref = pd.DataFrame([{"kategori": n, "skor_min": low} for n, low in bands()])
    s = standing(total, ref)
    assert (s.category, s.next_category, s.points_to_next) == category(total)


def _catalog_frame(scores: dict[int, float]) -> pd.DataFrame:
    m = maxima()
    return pd.DataFrame(
        {
            "nomor": list(m),
            "nama": [f"Indikator {n}" for n in m],
            "kelompok": "K",
            "kelompok_urut": 0,
            "nilai_maks": list(m.values()),
            "nilai": [scores.get(n) for n in m],
            "target": None,
            "opd": ["A; B" if n == 1 else "A" if n < 12 else "C" for n in m],
            "status_bukti": ["Lengkap" if n < 6 else None for n in m],
            "catatan": None,
        }
    )


def test_indicator_table_orders_by_points_at_stake_and_suggests_the_fewest():
    scores = scores_for(795)
    table = klaster.indicator_table(_catalog_frame(scores))
    stake = [maxima()[n] - scores[n] for n in table["nomor"]]
    assert stake == sorted(stake, reverse=True)
    assert klaster.total(table) == 795
    picks = klaster.suggest(table, 6.0)
    # independent: the largest single gain already exceeds 6 points
    best = max(maxima(), key=lambda n: (maxima()[n] - scores[n], -n))
    assert picks["nomor"].tolist() == [best]
    # a gap no single indicator closes needs several, largest first, and they are enough
    need = 100.0
    picks = klaster.suggest(table, need)
    gains = sorted((maxima()[n] - scores[n] for n in maxima()), reverse=True)
    k = next(i + 1 for i in range(len(gains)) if sum(gains[: i + 1]) >= need)
    assert len(picks) == k and picks["kumulatif"].iloc[-1] >= need
    assert klaster.suggest(table, 10_000).empty  # cannot be closed: no false promise
    assert (
        klaster.simulate(
            table, pd.DataFrame([{"kategori": n, "skor_min": low} for n, low in bands()]), {best: maxima()[best]}
        ).category
        == "Utama"
    )


def test_opd_shares_split_shared_indicators_never_count_twice():
    """Issue 21: shared indicators were counted in full for each lead, so the bars added up to 365 points where
    205 remained. A shared indicator is listed for each lead and marked, its points split between them."""
    table = klaster.indicator_table(_catalog_frame(scores_for(795)))
    per = klaster.opd_table(table).set_index("opd")
    assert per.loc["B", "jumlah"] == 1 and per.loc["A", "jumlah"] == 11 and per.loc["C", "jumlah"] == 13
    assert per.loc["A", "bersama"] == 1 and per.loc["B", "bersama"] == 1 and per.loc["C", "bersama"] == 0
    assert per.loc["A", "lengkap"] == 5 and per.loc["B", "lengkap"] == 1
    assert klaster.opd_indicators(table, "B")["nomor"].tolist() == [1]
    assert per["poin"].sum() == pytest.approx(table["poin"].sum())  # the city's points, once
    assert per["maks"].sum() == pytest.approx(table["nilai_maks"].sum())
    assert per.loc["B", "poin"] == pytest.approx(table.set_index("nomor").loc[1, "poin"] / 2)


def test_one_opd_one_name():
    lead = "DP3A/UPTD PPA; Dinas Sosial; Dinkes; Dinas Kesehatan; Polres (UPPA)"
    assert klaster.split_opd(lead) == ["DP3A", "Dinas Sosial", "Dinas Kesehatan", "Polres"]
    assert klaster.split_opd("Bappeda (Ketua Gugus Tugas); DP3A (sekretariat)") == ["Bappeda", "DP3A"]
    assert klaster.split_opd("Dinas Perkim/PUPR") == klaster.split_opd("Dinas PUPR/Perkim") == ["Dinas PUPR/Perkim"]
    assert klaster.split_opd("Kantor Baru (uji)") == ["Kantor Baru (uji)"]  # unknown: as written
    assert klaster.split_opd(None) == ["(tanpa OPD)"]


def test_overdue_means_open_and_past_due():
    today = dt.date(2025, 6, 1)
    tasks = pd.DataFrame(
        {
            "tenggat": [dt.date(2025, 5, 1), dt.date(2025, 5, 1), dt.date(2025, 7, 1), dt.date(2025, 5, 31)],
            "status": ["Belum", "Selesai", "Proses", "Proses"],
        }
    )
    out = klaster.mark_overdue(tasks, today)
    assert out["terlambat"].tolist() == [True, False, False, True]
    assert out["sisa_hari"].tolist() == [-31, -31, 30, -1]


def test_follow_ups_per_opd_merge_spellings():
    tasks = pd.DataFrame(
        {
            "tenggat": [dt.date(2025, 5, 1)] * 3,
            "status": ["Belum", "Belum", "Selesai"],
            "opd": ["DP3A", "DP3A/UPTD PPA", "Dinkes"],
        }
    )
    per = klaster.followups_per_opd(klaster.mark_overdue(tasks, dt.date(2025, 6, 1))).set_index("opd")
    assert per.loc["DP3A", "jumlah"] == 2 and per.loc["DP3A", "terlambat"] == 2
    assert list(per.index) == ["DP3A", "Dinas Kesehatan"]


# --- the page on the fixture warehouses ---------------------------------------------------------
@pytest.mark.usefixtures("fresh_streamlit_caches")
def test_totals_and_categories_at_the_band_edges(monkeypatch, edges_dir):
    for year, total in zip(range(2016, 2024), EDGES):
        at = open_progres(monkeypatch, edges_dir, {"tahun": year})
        shown = metrics(at)
        cat, nxt, points = category(total)
        assert shown[f"Nilai KLA {year}"] == fmt_dec(total, 1), year
        assert shown["Kategori"] == cat, (year, total)
        if nxt:
            assert shown[f"Poin menuju {nxt}"] == fmt_dec(points, 1), (year, total)
        else:
            assert shown["Kategori tertinggi"] == "—"


@pytest.mark.usefixtures("fresh_streamlit_caches")
def test_indicator_table_and_sample_page(monkeypatch, sample_data_dir):
    at = open_progres(monkeypatch, sample_data_dir)
    version = warehouse.open_file
    con = version(
        sample_data_dir / "warehouse" / f"kla-{(sample_data_dir / 'warehouse' / 'CURRENT').read_text().strip()}.duckdb"
    )
    year = con.execute("SELECT max(tahun) FROM fact_nilai_indikator").fetchone()[0]
    truth = con.execute("SELECT nomor, nilai FROM fact_nilai_indikator WHERE tahun = ?", [year]).df()
    con.close()
    total = truth["nilai"].sum()
    assert metrics(at)[f"Nilai KLA {year}"] == fmt_dec(total, 1)
    table = table_with(at, "Kurang dari target")
    assert len(table) == 24
    # no maximum is known: none is shown, the cell says so, and the order is by the gap to the city's target
    assert set(table["Maks"]) == {"belum resmi"} and table["Poin bisa ditambah"].map(number).isna().all()
    gaps = table["Kurang dari target"].map(number).tolist()
    assert gaps == sorted(gaps, reverse=True)
    assert len(at.get("plotly_chart")) >= 4


@pytest.mark.usefixtures("fresh_streamlit_caches")
def test_what_if_never_writes(monkeypatch, sample_data_dir):
    monkeypatch.setenv("KLA_DATA_DIR", str(sample_data_dir))
    versions = warehouse.list_versions()
    files = {p.name: p.stat().st_mtime_ns for p in (sample_data_dir / "warehouse").iterdir()}
    at = open_progres(monkeypatch, sample_data_dir)
    score = float(metrics(at)["Nilai total simulasi"].replace(".", "").replace(",", "."))
    indicators = table_with(at, "Kurang dari target")
    top = int(indicators["No"].iloc[0])
    current = number(indicators.set_index("No").loc[str(top), "Nilai"])
    at.multiselect(key="whatif_pick").set_value([top]).run()
    # no maximum known: a number without an upper bound (a slider would have to make one up)
    assert not at.slider and len(at.number_input) == 1
    at.number_input(key=f"whatif_{top}").set_value(current + 20).run()
    assert not at.exception
    new = round(score + 20, 1)
    shown = metrics(at)
    assert any("belum diketahui" in c.value for c in at.caption)
    assert shown["Nilai total simulasi"] == fmt_dec(new, 1)
    assert shown["Kategori"] in {c for c, _ in bands()}
    assert warehouse.list_versions() == versions
    assert {p.name: p.stat().st_mtime_ns for p in (sample_data_dir / "warehouse").iterdir()} == files


@pytest.mark.usefixtures("fresh_streamlit_caches")
def test_known_maxima_show_shares_and_headroom(monkeypatch, maxima_dir):
    at = open_progres(monkeypatch, maxima_dir, {"tahun": 2024})
    table = table_with(at, "Poin bisa ditambah")
    stake = table["Poin bisa ditambah"].map(number).tolist()
    assert stake == sorted(stake, reverse=True) and "belum resmi" not in set(table["Maks"])
    top = int(table["No"].iloc[0])
    at.multiselect(key="whatif_pick").set_value([top]).run()
    assert len(at.slider) == 1 and at.slider(key=f"whatif_{top}").max == EXAMPLE_MAXIMA[top]


def _texts(trace) -> list:
    text = getattr(trace, "text", None)
    return [] if text is None else [text] if isinstance(text, str) else list(text)


def test_no_page_slide_or_export_shows_a_maximum_the_data_lacks(monkeypatch, sample_data_dir):
    """The sample (like Kendari) has no maxima: no "x / max", no "% of max" anywhere a viewer looks."""
    import re

    from kla import slides
    from kla.views import Context
    from kla.views import progres as view

    monkeypatch.setenv("KLA_DATA_DIR", str(sample_data_dir))
    key = str(
        sample_data_dir / "warehouse" / f"kla-{(sample_data_dir / 'warehouse' / 'CURRENT').read_text().strip()}.duckdb"
    )
    ctx = Context(key, "v", 2025, None, None, "id", True, "74.71", "Kota Kendari")
    g = view.groups(ctx, "74.71", 2025)
    out_of = re.compile(r"\d\s*/\s*\d")
    for trace in g.figure.data:
        assert not any(out_of.search(str(x)) for x in _texts(trace)), trace.text
    assert g.frame["nilai_maks"].isna().all() and g.frame["persen"].isna().all()
    deck = slides.build(key, "v", 2025, "id", True, dt.date(2025, 11, 1), "74.71", "Kota Kendari")
    for slide in deck:
        words = " ".join([slide.title, slide.subtitle, *(v for _, v in slide.kpis)])
        assert not out_of.search(words.replace("/2025", "")), words
        if slide.figure is not None:
            for trace in slide.figure.data:
                assert not any(out_of.search(str(x)) for x in _texts(trace)), (slide.title, trace.text)
    table = view.indicator_view(ctx, view.indicators(ctx, "74.71", 2025)).data
    assert set(table["Maks"]) == {"belum resmi"}


def _rows(data_dir):
    con = warehouse.connect_current()
    try:
        return con.execute(
            "SELECT tindak_lanjut_id, tugas, opd, status, tenggat, catatan FROM fact_tindak_lanjut ORDER BY 1"
        ).df()
    finally:
        con.close()


@pytest.mark.usefixtures("fresh_streamlit_caches")
def test_edited_follow_up_is_exactly_one_new_version(monkeypatch, own_sample):
    add_accounts(own_sample)
    before, versions = _rows(own_sample), warehouse.list_versions()
    at = sign_in(open_progres(monkeypatch, own_sample))
    at.switch_page("pages/progres.py").run()
    target = before[before["status"] == "Belum"].iloc[0]
    at.selectbox(key="tl_pick").set_value(target["tindak_lanjut_id"]).run()
    form = f"tl_edit_{target['tindak_lanjut_id']}"
    at.selectbox(key=f"{form}_status").set_value("Selesai")
    at.text_input(key=f"{form}_note").input("SK sudah terbit")
    at.button(key=f"FormSubmitter:{form}-Simpan perubahan").click().run()
    assert not at.exception
    after = _rows(own_sample)
    assert len(warehouse.list_versions()) == len(versions) + 1
    changed = after.set_index("tindak_lanjut_id").compare(before.set_index("tindak_lanjut_id"))
    assert list(changed.index) == [target["tindak_lanjut_id"]]
    row = after.set_index("tindak_lanjut_id").loc[target["tindak_lanjut_id"]]
    assert (row["status"], row["catatan"]) == ("Selesai", "SK sudah terbit")
    assert any("Tersimpan sebagai versi data" in s.value for s in at.success)
    con = warehouse.connect_current()
    who = con.execute(
        "SELECT dataset, file_name, rows_loaded FROM meta_load ORDER BY loaded_at DESC LIMIT 1"
    ).fetchone()
    con.close()
    assert who == ("tindak_lanjut", "Halaman Progres Klaster", 1)
    con = warehouse.connect_current()
    assert con.execute("SELECT user_name FROM meta_load ORDER BY loaded_at DESC LIMIT 1").fetchone()[0] == "ani.dp3a"
    con.close()


@pytest.mark.usefixtures("fresh_streamlit_caches")
def test_new_follow_up_and_a_bad_one(monkeypatch, own_sample):
    add_accounts(own_sample)
    versions = warehouse.list_versions()
    at = sign_in(open_progres(monkeypatch, own_sample))
    at.switch_page("pages/progres.py").run()
    at.text_area(key="tl_new_task").input("")
    at.text_input(key="tl_new_opd").input("Dinkes")
    at.button(key="FormSubmitter:tl_new-Tambah tugas").click().run()
    assert warehouse.list_versions() == versions  # nothing written
    assert any("Tugas" in e.value and "kosong" in e.value for e in at.error)
    at.text_area(key="tl_new_task").input("Data imunisasi per kelurahan")
    at.text_input(key="tl_new_opd").input("Dinkes")
    at.button(key="FormSubmitter:tl_new-Tambah tugas").click().run()
    assert len(warehouse.list_versions()) == len(versions) + 1
    assert "Data imunisasi per kelurahan" in _rows(own_sample)["tugas"].tolist()


# --- the datasets ------------------------------------------------------------------------------
def test_tindak_lanjut_file_loads_twice_without_doubling_and_reports_bad_rows(data_dir, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["TINDAK LANJUT RAPAT"])
    ws.append(["Tanggal Rapat", "Tugas", "No Indikator", "OPD", "Tenggat", "Status"])
    ws.append([dt.date(2025, 3, 1), "Lengkapi data akta", 4, "Disdukcapil", dt.date(2025, 4, 1), "proses"])
    ws.append(["01/03/2025", "Perbarui SK", None, "Bappeda", "15/04/2025", "sudah"])
    good = tmp_path / "tl.xlsx"
    wb.save(good)
    assert loader.load("tindak_lanjut", [good]).ok
    assert loader.load("tindak_lanjut", [good]).ok
    con = warehouse.connect_current()
    rows = con.execute("SELECT tugas, status, nomor FROM fact_tindak_lanjut ORDER BY tugas").fetchall()
    con.close()
    assert rows == [("Lengkapi data akta", "Proses", 4), ("Perbarui SK", "Selesai", None)]
    ws.append([dt.date(2025, 3, 1), "Tugas ketiga", 31, "DP3A", dt.date(2025, 2, 1), "nanti"])
    bad = tmp_path / "tl_bad.xlsx"
    wb.save(bad)
    version = warehouse.current_version()
    result = loader.load("tindak_lanjut", [bad])
    text = result.report.to_text()
    assert not result.ok and warehouse.current_version() == version
    assert "baris 5" in text and "Tenggat (01/02/2025) lebih awal dari tanggal rapat" in text
    assert "Nomor indikator tidak dikenal" in text and "Status tidak dikenal" in text and '"nanti"' in text


def test_kla_kecamatan_score_gives_category_and_typos_are_caught(data_dir, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Penilaian 2024"
    ws.append(["Kecamatan", "Nilai", "Kategori"])
    ws.append(["Mandonga", "650,5", None])
    ws.append(["Kadia", 720, "Nindya"])
    ws.append(["Kendari Barat", 590, "Madya"])  # disagrees: a warning, the written category is kept
    path = tmp_path / "kk.xlsx"
    wb.save(path)
    result = loader.load("kla_kecamatan", [path])
    assert result.ok and len(result.report.warnings) == 1
    con = warehouse.connect_current()
    rows = dict(
        con.execute(
            "SELECT w.nama, k.kategori FROM fact_kla_kecamatan k JOIN dim_wilayah w "
            "ON w.kode = k.kode_kecamatan WHERE k.tahun = 2024"
        ).fetchall()
    )
    con.close()
    assert rows == {"Mandonga": "Madya", "Kadia": "Nindya", "Kendari Barat": "Madya"}
    ws.append(["Kendri", None, "Pratma"])
    wb.save(path)
    result = loader.load("kla_kecamatan", [path])
    text = result.report.to_text()
    assert not result.ok and "baris 5" in text and "Kendri" in text and "Kategori tidak dikenal" in text
