"""kla.views.progres against the sample warehouse: the figures equal SQL on the warehouse file, the public views
carry no free text (task text, notes), and the meeting slides' pieces (groups, late_followups) read the same."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go
import pytest

from kla import klaster, palette
from kla.fmt import fmt_date, fmt_dec, fmt_int, md_text
from kla.i18n import t
from kla.views import Card, Context
from kla.views import progres as view
from tests.conftest import sql

TODAY = dt.date(2025, 10, 1)  # three open tasks of the sample are past their due date then
pytestmark = pytest.mark.usefixtures("fresh_streamlit_caches")


@pytest.fixture()
def make_ctx(sample_data_dir, monkeypatch):
    from kla import db

    monkeypatch.setenv("KLA_DATA_DIR", str(sample_data_dir))
    key = db.current_key()

    def make(public=True, lang="id", year=None, region="74.71", region_name="Kota Kendari") -> Context:
        year = year or int(sql(sample_data_dir, "SELECT max(tahun) AS y FROM fact_nilai_indikator")["y"].iloc[0])
        return Context(key, db.version_of(key), year, None, None, lang, public, region, region_name)

    return make


def truth_scores(data_dir, year) -> pd.DataFrame:
    return sql(
        data_dir,
        "SELECT f.nomor, f.nilai, r.nilai_maks, r.kelompok, f.catatan FROM fact_nilai_indikator f "
        "JOIN ref_indikator r USING (nomor) WHERE f.tahun = ? AND f.kode_wilayah = '74.71' ORDER BY f.nomor",
        [year],
    )


def category_of(data_dir, score: float) -> str | None:
    rows = sql(data_dir, "SELECT kategori FROM ref_kategori WHERE skor_min <= ? ORDER BY skor_min DESC", [score])
    return rows["kategori"].iloc[0] if len(rows) else None


# --- year, ranking, cards ----------------------------------------------------------------------
def test_eval_year_is_the_latest_up_to_the_chosen_year(make_ctx, sample_data_dir):
    years = sql(sample_data_dir, "SELECT DISTINCT tahun FROM fact_nilai_indikator ORDER BY 1")["tahun"].tolist()
    assert view.eval_year(make_ctx(), "74.71") == max(years)
    assert view.eval_year(make_ctx(year=years[1]), "74.71") == years[1]
    assert view.eval_year(make_ctx(year=years[0] - 5), "74.71") == max(years)  # none before: the latest
    assert view.eval_year(make_ctx(), "74.99") is None


def test_national_ranking_equals_the_warehouse(make_ctx, sample_data_dir):
    ctx = make_ctx(region=None, region_name="Indonesia")
    total = float(truth_scores(sample_data_dir, ctx.year)["nilai"].sum())
    r = view.ranking(ctx, ctx.year)
    assert r.names == {"74.71": "Kota Kendari"}
    assert r.heading("74.71") == "Kota Kendari"
    assert r.title == t("progres.ranking_title", lang="id", year=ctx.year, region="Indonesia")
    data = r.table.data
    assert list(data.columns) == ["Kabupaten/kota", "Nilai", "Indikator dinilai", "Kategori"]
    assert data["Nilai"].tolist() == [pytest.approx(total)] and data["Indikator dinilai"].tolist() == [24]
    category = category_of(sample_data_dir, total)
    assert data["Kategori"].tolist() == [category]
    assert r.caption == f"{category}: 1"
    assert fmt_dec(total, 1) in r.table.to_html()  # shown in the reader's format


def test_cards_equal_an_independent_sum(make_ctx, sample_data_dir):
    ctx = make_ctx()
    truth = truth_scores(sample_data_dir, ctx.year)
    total = round(float(truth["nilai"].sum()), 1)
    cards = view.cards(ctx, view.indicators(ctx, "74.71", ctx.year), ctx.year)
    assert all(isinstance(c, Card) for c in cards) and len(cards) == 4
    assert (cards[0].label, cards[0].value) == (f"Nilai KLA {ctx.year}", fmt_dec(total, 1))
    category = category_of(sample_data_dir, total)
    assert cards[1].value == category
    nxt = sql(sample_data_dir, "SELECT kategori, skor_min FROM ref_kategori WHERE skor_min > ? ORDER BY 2", [total])
    assert cards[2].label == f"Poin menuju {nxt['kategori'].iloc[0]}"
    assert cards[2].value == fmt_dec(nxt["skor_min"].iloc[0] - total, 1)
    complete = int(
        sql(
            sample_data_dir,
            "SELECT count(*) AS n FROM fact_nilai_indikator WHERE tahun = ? AND status_bukti = 'Lengkap'",
            [ctx.year],
        )["n"].iloc[0]
    )
    assert cards[3].value == f"{complete} / 24" and cards[3].neutral
    assert cards[3].delta == "24 dari 24 indikator dinilai"


# --- groups (the progress slide), trends, indicators --------------------------------------------
def test_groups_equal_the_warehouse_and_name_the_weakest(make_ctx, sample_data_dir):
    ctx = make_ctx()
    truth = truth_scores(sample_data_dir, ctx.year)
    per = truth.groupby("kelompok")[["nilai"]].sum()
    maks = sql(sample_data_dir, "SELECT kelompok, sum(nilai_maks) AS m FROM ref_indikator GROUP BY 1").set_index(
        "kelompok"
    )["m"]
    g = view.groups(ctx, "74.71", ctx.year)
    assert dict(zip(g.frame["kelompok"], g.frame["nilai"])) == pytest.approx(per["nilai"].to_dict())
    assert maks.isna().all()  # the catalog has no maxima (KemenPPPA publishes none): no weakest share is made up
    assert g.weakest == "" and g.weakest_pct == "" and g.frame["persen"].isna().all()
    assert isinstance(g.figure, go.Figure) and list(g.figure.data[1].x) == g.frame["nilai"].tolist()
    total, per_group = view.trends(ctx, "74.71")
    years = sql(sample_data_dir, "SELECT tahun, sum(nilai) AS n FROM fact_nilai_indikator GROUP BY 1 ORDER BY 1")
    assert list(total.data[0].y) == years["n"].tolist()
    assert len(per_group.data) == len(per)


def test_indicator_view_shows_notes_to_analysts_only(make_ctx, sample_data_dir):
    ctx = make_ctx()
    truth = truth_scores(sample_data_dir, ctx.year).set_index("nomor")
    table = view.indicators(ctx, "74.71", ctx.year)
    public = view.indicator_view(ctx, table)
    data = public.data.set_index("No")
    assert "Catatan (analis)" not in data.columns
    assert data["Nilai"].to_dict() == truth["nilai"].to_dict()
    assert set(data["Status"]) <= {
        t(f"progres.status_{k}", lang="id") for k in ("baik", "sedang", "prioritas", "dinilai", "belum")
    }
    html = public.to_html()
    for note in truth["catatan"].dropna():
        assert note not in html
    assert "background-color" in html  # the status in its colour
    exact = view.indicator_view(make_ctx(public=False), table).data.set_index("No")
    notes = exact["Catatan (analis)"]
    assert notes[notes != ""].to_dict() == truth["catatan"].dropna().to_dict()
    english = view.indicator_view(make_ctx(lang="en"), table).data
    assert t("progres.col_poin", lang="en") in english.columns


def test_indicator_labels_and_opd_view(make_ctx, sample_data_dir):
    ctx = make_ctx()
    table = view.indicators(ctx, "74.71", ctx.year)
    names = sql(sample_data_dir, "SELECT nomor, nama FROM ref_indikator ORDER BY nomor")
    labels = view.indicator_labels(ctx, table)
    assert list(labels) == names["nomor"].tolist()
    assert labels[1] == f"1. {names['nama'].iloc[0]}"
    form = view.task_indicator_labels(ctx, table)
    assert list(form)[0] is None and form[None] == t("progres.tl_no_indicator", lang="id") and form[1] == labels[1]
    opd = view.opd_view(ctx, table)
    data = opd.table.data
    assert data["OPD"].tolist() == opd.opds and list(opd.figure.data[0].y) == opd.opds
    # no maxima: the OPD are ranked by what reaching their targets adds, and no points at stake are made up
    assert "Poin bisa ditambah" not in data.columns and "Maks" not in data.columns
    stake = data.set_index("OPD")["Kurang dari target"]
    assert stake.tolist() == sorted(stake, reverse=True)
    one = view.opd_indicators(ctx, table, opd.opds[0]).data
    assert len(one) and all(opd.opds[0] in klaster.split_opd(v) for v in one["OPD pengampu"])
    # a shared indicator's gap is split between its leads: the OPDs add up to the city, once
    assert stake.sum() == pytest.approx(table["gap_target"].sum())


# --- what-if -----------------------------------------------------------------------------------
def test_whatif_adds_exactly_the_change(make_ctx, sample_data_dir):
    ctx = make_ctx()
    table = view.indicators(ctx, "74.71", ctx.year)
    truth = truth_scores(sample_data_dir, ctx.year).set_index("nomor")
    total = float(truth["nilai"].sum())
    top = int(table["nomor"].iloc[0])  # the largest gap to its target (no maxima are known)
    (slider,) = view.whatif_sliders(ctx, table, [top])
    assert (slider.nomor, slider.maks, slider.now) == (top, None, truth.loc[top, "nilai"])
    assert slider.label.startswith(f"{top}. ") and "belum diketahui" in slider.help
    same = view.whatif(ctx, table, {})
    assert same.cards[0].value == fmt_dec(total, 1) and same.cards[0].delta is None
    target = float(table.set_index("nomor").loc[top, "target"])
    w = view.whatif(ctx, table, {top: target})
    gain = target - slider.now
    assert w.cards[0].value == fmt_dec(total + gain, 1) and w.cards[0].delta == fmt_dec(gain, 1)
    assert w.cards[1].value == category_of(sample_data_dir, total + gain)
    if w.suggestion:
        picks = w.picks.data
        assert list(picks.columns) == ["No", "Indikator", "OPD pengampu", "Dasar", "Poin bisa ditambah", "Kumulatif"]
        assert set(picks["Dasar"]) == {"target kota"}  # the gains are to the city's targets: no maximum is known
        assert top not in picks["No"].tolist()  # already at its target
        assert picks["Kumulatif"].iloc[-1] >= total_needed(sample_data_dir, total + gain)
        assert w.suggestion == t(
            "progres.suggest",
            lang="id",
            category=md_text(w.cards[2].label.removeprefix("Poin menuju ")),
            points=w.cards[2].value,
            n=len(picks),
        )


def total_needed(data_dir, score: float) -> float:
    above = sql(data_dir, "SELECT min(skor_min) AS m FROM ref_kategori WHERE skor_min > ?", [score])["m"].iloc[0]
    return round(float(above) - score, 1)


# --- follow-ups ----------------------------------------------------------------------------------
def late_truth(data_dir) -> pd.DataFrame:
    return sql(
        data_dir,
        "SELECT opd, tugas, tenggat FROM fact_tindak_lanjut WHERE status IN ('Belum', 'Proses') AND tenggat < ? "
        "ORDER BY tenggat",
        [TODAY],
    )


def test_followup_cards_and_lists_equal_the_warehouse(make_ctx, sample_data_dir):
    tasks = sql(sample_data_dir, "SELECT * FROM fact_tindak_lanjut")
    late = late_truth(sample_data_dir)
    assert len(late) == 3
    public = view.followups(make_ctx(), "74.71", TODAY)
    assert not public.empty
    assert [c.value for c in public.cards] == [
        fmt_int(tasks["status"].isin(["Belum", "Proses"]).sum()),
        fmt_int(len(late)),
        fmt_int((tasks["status"] == "Selesai").sum()),
    ]
    tasks = tasks.assign(opd=tasks["opd"].map(klaster.opd_name))  # one OPD, one name (data/reference/opd.csv)
    late = late.assign(opd=late["opd"].map(klaster.opd_name))
    assert public.opds == sorted(tasks["opd"].unique())
    lists = view.followup_lists(make_ctx(), public)
    per = lists.per_opd.set_index("OPD")
    assert per["Tugas"].sum() == len(tasks) and per["Terlambat"].sum() == len(late)
    first = late.iloc[0]
    assert per.loc[first["opd"], "Paling lama terlambat (hari)"] == fmt_int((TODAY - first["tenggat"].date()).days)
    assert per.loc[first["opd"], "Tenggat terlambat paling awal"] == fmt_date(first["tenggat"].date())
    shown = lists.tasks.data
    assert "Tugas" not in shown.columns and "Catatan" not in shown.columns  # free text: analysts only
    html = lists.tasks.to_html()
    for text in tasks["tugas"]:
        assert md_text(text) not in html and text not in html
    assert (shown["Perhatian"] == "TERLAMBAT").sum() == len(late)
    assert palette.cell_css(palette.DANGER, bold=True).split(";")[0] in html
    exact = view.followup_lists(make_ctx(public=False), public)
    assert set(exact.tasks.data["Tugas"]) == set(tasks["tugas"])
    # the filters: one OPD, then open tasks only
    opd = late["opd"].iloc[0]
    one = view.followup_lists(make_ctx(), public, [opd], [])
    assert one.per_opd["OPD"].tolist() == [opd] and len(one.tasks.data) == (tasks["opd"] == opd).sum()
    open_ = view.followup_lists(make_ctx(), public, [], ["Belum", "Proses"])
    assert len(open_.tasks.data) == tasks["status"].isin(["Belum", "Proses"]).sum()


def test_edit_picker_and_form_values(make_ctx, sample_data_dir):
    ctx = make_ctx(public=False)
    fu = view.followups(ctx, "74.71", TODAY)
    labels = view.edit_labels(ctx, fu)
    row = sql(sample_data_dir, "SELECT * FROM fact_tindak_lanjut WHERE nomor IS NULL").iloc[0]
    task_id = row["tindak_lanjut_id"]
    assert labels[task_id] == f"{fmt_date(row['tenggat'].date())} · {row['opd']} · {row['tugas'][:70]}"
    task = view.task_values(fu, task_id)
    assert task["nomor"] is None and task["catatan"] is None
    assert type(task["tenggat"]) is dt.date and task["tenggat"] == row["tenggat"].date()
    other = view.task_values(fu, next(k for k in labels if k != task_id))
    assert isinstance(other["nomor"], int)


def test_late_followups_for_the_slide(make_ctx, sample_data_dir):
    late = late_truth(sample_data_dir).assign(opd=lambda d: d["opd"].map(klaster.opd_name))  # one OPD, one name
    per = late.groupby("opd").size()
    public = view.late_followups(make_ctx(), "74.71", TODAY)
    assert public.n_late == len(late) and public.n_tasks == 12
    assert public.n_open == int(
        sql(sample_data_dir, "SELECT count(*) AS n FROM fact_tindak_lanjut WHERE status IN ('Belum','Proses')")[
            "n"
        ].iloc[0]
    )
    table = public.table
    assert list(table.columns) == ["OPD", "Tugas terlambat", "Tenggat paling awal", "Paling lama (hari)"]
    assert not set(late["tugas"]) & set(table.to_numpy().ravel())  # counts and dates only
    assert dict(zip(table["OPD"], table["Tugas terlambat"])) == {k: fmt_int(v) for k, v in per.items()}  # every OPD
    # the analyst's: every late task (not the first 5), longest overdue first, Babel's date and the days late
    exact = view.late_followups(make_ctx(public=False), "74.71", TODAY).table
    assert list(exact.columns) == ["Tugas", "OPD", "Tenggat", "Hari terlambat"]
    assert exact["Tugas"].tolist() == late["tugas"].tolist()  # late_truth is by due date: the longest overdue first
    assert exact["Tenggat"].tolist() == [fmt_date(d.date()) for d in late["tenggat"]]
    assert exact["Hari terlambat"].tolist() == [fmt_int((TODAY - d.date()).days) for d in late["tenggat"]]
    none = view.late_followups(make_ctx(), "74.71", dt.date(2025, 1, 1))
    assert none.n_late == 0 and not len(none.table)


# --- kecamatan self-ratings ----------------------------------------------------------------------
def test_kecamatan_ratings_hide_their_notes_from_the_public(make_ctx, sample_data_dir):
    ratings = sql(
        sample_data_dir,
        "SELECT w.nama, k.tahun, k.kategori, k.catatan FROM fact_kla_kecamatan k "
        "JOIN dim_wilayah w ON w.kode = k.kode_kecamatan",
    )
    public = view.kecamatan_ratings(make_ctx(), "74.71")
    wide = public.table.data
    assert wide.index.name == "Kecamatan" and sorted(wide.index) == sorted(ratings["nama"].unique())
    first = ratings.iloc[0]
    assert wide.loc[first["nama"], str(first["tahun"])] == first["kategori"]
    notes = ratings["catatan"].dropna().unique()
    assert len(notes) and not any(n in public.caption or md_text(n) in public.caption for n in notes)
    assert public.caption.endswith(t("progres.kec_notes_public", lang="id"))
    exact = view.kecamatan_ratings(make_ctx(public=False), "74.71")
    assert all(md_text(n) in exact.caption for n in notes)
    assert view.kecamatan_ratings(make_ctx(), "74.99").table is None
