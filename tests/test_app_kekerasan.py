"""AppTest of the Kekerasan page: figures equal SQL (after the same suppression), no count 1-4 shown."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from kla.fmt import fmt_int
from kla.privacy import protect
from tests.conftest import add_accounts, sign_in, sql, year_label
from tests.figures import figure
from tests.tables import tables

APP = "../app.py"


pytestmark = pytest.mark.usefixtures("fresh_streamlit_caches")


def open_page(monkeypatch, data_dir, state=None) -> AppTest:
    monkeypatch.setenv("KLA_DATA_DIR", str(data_dir))
    at = AppTest.from_file(APP, default_timeout=90)
    for k, v in (state or {}).items():
        at.session_state[k] = v
    at.run()
    at.switch_page("pages/kekerasan.py").run()
    assert not at.exception
    return at


def expected_table(data_dir, y0, y1, bentuk=None):
    """The exact kecamatan x year table with totals (SQL truth)."""
    where = "" if not bentuk else "WHERE kasus_id IN (SELECT kasus_id FROM fact_kasus_bentuk WHERE bentuk = ?)"
    df = sql(
        data_dir,
        f"SELECT kode_kecamatan AS kec, year(bulan_pelaporan) AS tahun, count(*) AS n FROM fact_kasus "
        f"{where} GROUP BY ALL",
        [bentuk] if bentuk else [],
    )
    kec = sql(data_dir, "SELECT kode FROM dim_wilayah WHERE level = 'kecamatan' ORDER BY kode")["kode"].tolist()
    table = df.pivot_table(index="kec", columns="tahun", values="n", aggfunc="sum", fill_value=0).reindex(
        index=kec, columns=list(range(y0, y1 + 1)), fill_value=0
    )
    return protect(table, public=False).counts


def assert_shown_equals_truth(page: list[list[str]], truth) -> None:
    """Every shown cell equals SQL; every "<5" is 1-4; "*" hides any other count."""
    for page_row, true_row in zip(page, truth.to_numpy().tolist()):
        for shown, true in zip(page_row, true_row):
            if shown == "<5":
                assert 1 <= true <= 4
            elif shown != "*":
                assert shown == fmt_int(true), (page_row, true_row)


def test_key_figures_and_table_equal_sql(monkeypatch, sample_data_dir):
    at = open_page(monkeypatch, sample_data_dir)
    years = sql(sample_data_dir, "SELECT min(year(bulan_pelaporan)) a, max(year(bulan_pelaporan)) b FROM fact_kasus")
    y0, y1 = int(years["a"][0]), int(years["b"][0])
    metrics = {m.label: m.value for m in at.metric}
    truth = expected_table(sample_data_dir, y0, y1)
    assert metrics[f"Kasus {year_label(sample_data_dir, y1)}"] == fmt_int(
        truth.loc["Jumlah", y1]
    )  # the city's year is large enough to show
    total = sql(sample_data_dir, "SELECT count(*) n FROM fact_kasus")["n"][0]
    assert metrics[f"Kasus {y0}-{y1}"] == fmt_int(total)
    [table] = [d for d in tables(at) if "Periode" not in d.columns]  # not the shipped recaps' table
    page = table.to_numpy().tolist()
    assert_shown_equals_truth(page, truth)
    assert sum(c == "<5" for row in page for c in row) >= 20 and any("*" in row for row in page)


def test_breakdowns_units_and_privacy(monkeypatch, sample_data_dir):
    at = open_page(monkeypatch, sample_data_dir)
    charts = {c.key: figure(c) for c in at.get("plotly_chart")}
    assert len([k for k in charts if k.startswith("kek_")]) == 10  # the register's (recap_*: the shipped recaps)
    ages = charts["kek_by_kelompok_umur"]["data"][0]
    truth = sql(sample_data_dir, "SELECT kelompok_umur, count(*) n FROM fact_kasus GROUP BY 1").set_index(
        "kelompok_umur"
    )["n"]
    assert dict(zip(ages["y"], ages["x"])) == {k: truth[k] for k in ("0-5", "6-12", "13-17")}
    forms = charts["kek_by_bentuk"]["data"][0]
    n_forms = sql(sample_data_dir, "SELECT count(*) n FROM fact_kasus_bentuk")["n"][0]
    n_cases = sql(sample_data_dir, "SELECT count(*) n FROM fact_kasus")["n"][0]
    assert n_forms > n_cases  # several forms per case: the chart counts forms, and says so
    truth = sql(sample_data_dir, "SELECT bentuk, count(*) n FROM fact_kasus_bentuk GROUP BY 1").set_index("bentuk")["n"]
    for form, x, text in zip(forms["y"], forms["x"], forms["text"]):  # each bar the SQL count, or hidden
        assert (1 <= truth[form] <= 4) if text == "<5" else text == "*" or x == truth[form]
    assert any("Satuan: bentuk kekerasan" in c.value for c in at.caption)
    # public view: no count from 1 to 4 anywhere on the page
    texts = [str(t) for fig in charts.values() for tr in fig["data"] for t in (tr.get("text") or [])]
    texts += [m.value for m in at.metric]
    texts += [str(v) for d in tables(at) for v in d.to_numpy().ravel()]
    assert not [t for t in texts if re.fullmatch(r"[1-4]", t)]
    assert "<5" in texts


def test_form_filter_is_for_analysts(monkeypatch, sample_data_dir):
    at = open_page(monkeypatch, sample_data_dir)
    assert not at.multiselect and not at.radio  # public figures: by month of report, every form
    add_accounts(sample_data_dir)
    sign_in(at)
    at.switch_page("pages/kekerasan.py").run()
    at.multiselect(key="kek_forms").select("Seksual").run()
    assert not at.exception
    n = sql(sample_data_dir, "SELECT count(DISTINCT kasus_id) n FROM fact_kasus_bentuk WHERE bentuk = 'Seksual'")["n"][
        0
    ]
    metrics = {m.label: m.value for m in at.metric}
    assert [v for k, v in metrics.items() if re.fullmatch(r"Kasus \d{4}-\d{4}", k)] == [fmt_int(n)]


def test_english_page(monkeypatch, sample_data_dir):
    monkeypatch.setenv("KLA_DATA_DIR", str(sample_data_dir))
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params["lang"] = "en"
    at.run()
    at.switch_page("pages/kekerasan.py").run()
    assert not at.exception
    assert at.title[0].value == "Violence against children"


def test_two_year_ranges_do_not_subtract_to_a_hidden_cell(monkeypatch, sample_data_dir):
    """Issue 16's first recipe: the kecamatan x year table at 2019-2025, then at 2019-2024; a row's totals minus
    each other gave its hidden 2025 cell. Now a range total shows only when the viewer could add it up anyway."""
    years = sql(sample_data_dir, "SELECT min(year(bulan_pelaporan)) a, max(year(bulan_pelaporan)) b FROM fact_kasus")
    lo, hi = int(years["a"][0]), int(years["b"][0])
    shown = {}
    for end in (hi, hi - 1):
        at = open_page(monkeypatch, sample_data_dir, state={"kek_from": lo, "tahun": end})
        shown[end] = tables(at)[0]
    full, part = shown[hi], shown[hi - 1]
    recovered = 0
    for name in full.index:
        cell, a, b = full.loc[name, str(hi)], full.loc[name, "Jumlah"], part.loc[name, "Jumlah"]
        if cell in ("<5", "*"):
            assert "<5" in (a, b) or "*" in (a, b), (name, cell, a, b)
        elif "*" not in (a, b) and "<5" not in (a, b):
            recovered += 1  # a shown cell: the subtraction only repeats it
            assert int(a.replace(".", "")) - int(b.replace(".", "")) == int(cell.replace(".", ""))
    assert any(full[str(hi)].isin(["<5", "*"]))  # the recipe had hidden cells to go after


def test_kecamatan_breakdowns_are_for_the_whole_period_only(monkeypatch, sample_data_dir):
    """City minus the other kecamatan gave a kecamatan's hidden breakdown: per kecamatan, breakdowns are published
    for the whole period only, protected together with the city's."""
    years = sql(sample_data_dir, "SELECT min(year(bulan_pelaporan)) a, max(year(bulan_pelaporan)) b FROM fact_kasus")
    lo, hi = int(years["a"][0]), int(years["b"][0])
    at = open_page(monkeypatch, sample_data_dir, state={"kek_from": lo, "tahun": hi - 1, "kecamatan": "74.71.07"})
    assert sum("Rincian per kecamatan" in i.value for i in at.info) == 7
    assert not [c for c in at.get("plotly_chart") if (c.key or "").startswith("kek_by_")]
    at = open_page(monkeypatch, sample_data_dir, state={"kek_from": lo, "tahun": hi, "kecamatan": "74.71.07"})
    assert [c for c in at.get("plotly_chart") if (c.key or "").startswith("kek_by_")]
