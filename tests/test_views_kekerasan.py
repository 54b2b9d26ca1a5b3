"""kla/views/kekerasan.py against the sample warehouse: the key figures, per-year and per-month bars, rates per
kecamatan, the kecamatan x year table and the breakdowns equal SQL (exactly for analysts; publicly every "<5"
is 1-4 and no count 1-4 shows), names are escaped where they go into Markdown, and the recap views."""

from __future__ import annotations

import ast
import math
import re
import shutil
from pathlib import Path

import pytest

from etl import loader, warehouse
from kla import db, queries
from kla.fmt import fmt_dec, fmt_int, md_text
from kla.i18n import t
from kla.views import Bars, Card, Context
from kla.views import kekerasan as view
from tests.conftest import sql, year_label
from tests.test_recap import PUBLISHED, UPTD, other_source_file, uptd_file

REGION = "74.71"
MARKS = ("<5", "*")


def context(
    year: int = 2025,
    public: bool = False,
    lang: str = "id",
    kecamatan: str | None = None,
    kecamatan_name: str | None = None,
    region: str | None = REGION,
) -> Context:
    return Context(
        key=db.current_key(),
        version=warehouse.current_version(),
        year=year,
        kecamatan=kecamatan,
        kecamatan_name=kecamatan_name,
        lang=lang,
        public=public,
        region=region,
        region_name="Kota Kendari",
    )


@pytest.fixture()
def sample(sample_data_dir, monkeypatch):
    """The shared sample warehouse, read only."""
    monkeypatch.setenv("KLA_DATA_DIR", str(sample_data_dir))
    return sample_data_dir


@pytest.fixture()
def span(sample) -> tuple[int, int]:
    years = sql(sample, "SELECT min(year(bulan_pelaporan)) a, max(year(bulan_pelaporan)) b FROM fact_kasus")
    return int(years["a"][0]), int(years["b"][0])


def per_year_truth(data_dir, kec: str | None = None, basis: str = "bulan_pelaporan") -> dict[int, int]:
    where = "WHERE kode_kecamatan = ?" if kec else ""
    df = sql(data_dir, f"SELECT year({basis}) y, count(*) n FROM fact_kasus {where} GROUP BY 1", [kec] if kec else [])
    return dict(zip(df["y"].astype(int), df["n"].astype(int)))


def assert_label(shown: str, true: int, public: bool, lang: str = "id") -> None:
    """A shown count: exact for analysts; publicly the count, "<5" for 1-4 or "*"."""
    if not public:
        assert shown == fmt_int(true, lang), (shown, true)
    elif shown == "<5":
        assert 1 <= true <= 4, true
    elif shown != "*":
        assert shown == fmt_int(true, lang), (shown, true)


def assert_no_small_count(texts) -> None:
    assert not [s for s in texts if re.fullmatch(r"[1-4]", str(s))], texts


def test_the_view_module_never_imports_streamlit():
    """The meeting slides call the views from a download thread: no Streamlit, no session state."""
    tree = ast.parse(Path(view.__file__).read_text(encoding="utf-8"))
    imported = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    imported += [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    assert not [m for m in imported if m and m.startswith("streamlit")]
    assert "session_state" not in Path(view.__file__).read_text(encoding="utf-8")


# --- filters and the lead ------------------------------------------------------------------------------
def test_year_range_and_forms(sample, span):
    # the range ends at the sidebar's year (issue 21: the page never ignores it), also past the register
    assert view.year_range(context(year=span[1])) == (span[0], span[1], None)
    assert view.year_range(context(year=span[1] - 2)) == (span[0], span[1] - 2, None)
    assert view.year_range(context(year=span[1] + 1)) == (span[0], span[1] + 1, None)
    lo, y1, note = view.year_range(context(year=span[0] - 1))  # before the register: its first year, saying so
    assert (lo, y1) == (span[0], span[0]) and str(span[0] - 1) in note and str(span[0]) in note
    forms = sql(sample, "SELECT DISTINCT bentuk FROM fact_kasus_bentuk")["bentuk"].tolist()
    assert sorted(view.form_options(context())) == sorted(forms)
    assert view.has_register(context())


def test_lead_escapes_the_kecamatan_name(sample):
    hostile = "Baruga *<b>tebal</b>* [x](http://a.b)"
    lead = view.lead(context(kecamatan="74.71.03", kecamatan_name=hostile), "pelaporan", 2020, 2024)
    assert md_text(hostile) in lead and "<b>" not in lead and "2020-2024" in lead
    assert "Kecamatan" not in view.lead(context(), "kejadian", 2020, 2024)
    assert t("kekerasan.basis_kejadian", lang="en").lower() in view.lead(context(lang="en"), "kejadian", 2020, 2024)


# --- key figures -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("public", [False, True])
def test_cards_equal_sql(sample, span, public):
    y0, y1 = span
    ctx = context(year=y1, public=public)
    cards = view.cards(ctx, "pelaporan", y0, y1, None)
    assert [type(c) for c in cards] == [Card] * 3
    truth = per_year_truth(sample)
    this, prev, rng = cards
    # the sample's register ends in October 2025: a partial year, named so and compared over the same months
    last = sql(sample, "SELECT max(bulan_pelaporan) b FROM fact_kasus")["b"][0]
    assert last.year == y1 and last.month == 10
    assert this.label == f"Kasus {year_label(sample, y1)}" == f"Kasus {y1} (Jan–Okt)"
    assert this.value == fmt_int(truth[y1])  # the city's year is large enough
    same = sql(
        sample,
        "SELECT count(*) n FROM fact_kasus WHERE year(bulan_pelaporan) = ? AND month(bulan_pelaporan) <= 10",
        [y1 - 1],
    )["n"][0]
    assert "belum setahun penuh" in this.help and "Oktober 2025" in this.help
    if public:  # the months of 2024 hold protected cells: no comparison, and the card says why
        assert this.delta is None and "dilindungi" in this.help
    else:
        assert this.delta == f"{truth[y1] - same:+d} dibanding Jan–Okt {y1 - 1}"
    assert this.delta_color == "inverse" and this.help
    assert prev.label == f"Kasus {y0}-{y1}" and prev.value == fmt_int(sum(truth.values()))
    children = queries.children(ctx.key, y1, REGION)
    assert rng.value == fmt_dec(truth[y1] * 1000 / children, 2, "id")
    assert all(c.neutral for c in cards[1:])


def test_cards_of_a_small_kecamatan_hide_the_rate(sample):
    """A kecamatan's year of 1 case: "<5" publicly, and its rate hidden with it; exact for analysts."""
    kec, year = "74.71.08", 2024
    assert per_year_truth(sample, kec)[year] == 1
    public = view.cards(context(year=year, public=True, kecamatan=kec), "pelaporan", year - 1, year, None)
    assert public[0].value in MARKS and public[0].delta is None and public[2].value == "—"
    exact = view.cards(context(year=year, kecamatan=kec), "pelaporan", year - 1, year, None)
    assert exact[0].value == "1" and exact[2].value != "—"
    assert view.privacy_note(context(year=year, public=True, kecamatan=kec), "pelaporan", year - 1, year, None)
    assert view.privacy_note(context(year=year, kecamatan=kec), "pelaporan", year - 1, year, None) is None


def test_analysts_form_filter_counts_cases(sample, span):
    y0, y1 = span
    n = sql(sample, "SELECT count(DISTINCT kasus_id) n FROM fact_kasus_bentuk WHERE bentuk = 'Seksual'")["n"][0]
    cards = view.cards(context(year=y1), "pelaporan", y0, y1, ("Seksual",))
    assert cards[1].value == fmt_int(n)
    with pytest.raises(ValueError):  # publicly: by month of report over all forms only
        view.cards(context(year=y1, public=True), "pelaporan", y0, y1, ("Seksual",))


# --- trends ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("public", [False, True])
@pytest.mark.parametrize("kec", [None, "74.71.08"])
def test_per_year_equals_sql(sample, span, public, kec):
    y0, y1 = span
    bars = view.per_year(context(year=y1, public=public, kecamatan=kec), "pelaporan", y0, y1, None)
    assert isinstance(bars, Bars) and bars.names == [year_label(sample, y) for y in range(y0, y1 + 1)]
    assert bars.partial == [y == y1 for y in range(y0, y1 + 1)] and "2025 belum setahun penuh" in bars.note
    truth = per_year_truth(sample, kec)
    for name, value, lbl in zip(bars.names, bars.values, bars.labels):
        true = truth.get(int(name.split()[0]), 0)
        assert_label(lbl, true, public)
        assert math.isnan(value) if lbl in MARKS else value == true
    if public:
        assert_no_small_count(bars.labels)


@pytest.mark.parametrize("region", [REGION, "74", None])
def test_per_year_of_the_whole_region_for_the_slides(sample, span, region):
    """The meeting slides: no kecamatan, a kab/kota, a province or Indonesia (the sample holds one city)."""
    y0, y1 = span
    bars = view.per_year(context(year=y1, public=True, region=region), "pelaporan", y0, y1, None)
    truth = per_year_truth(sample)
    assert bars.labels == [fmt_int(truth[y]) for y in range(y0, y1 + 1)]


def test_per_year_by_incident_date(sample, span):
    y0, y1 = span
    bars = view.per_year(context(year=y1), "kejadian", y0, y1, None)
    truth = per_year_truth(sample, basis="bulan_kejadian")
    assert bars.values == [float(truth.get(y, 0)) for y in range(y0, y1 + 1)]


@pytest.mark.parametrize("public", [False, True])
def test_months_this_and_last_year_equal_sql(sample, span, public):
    y0, y1 = span
    months = view.months(context(year=y1, public=public), "pelaporan", y0, y1, None)
    assert months.shown and months.info is None
    df = sql(
        sample,
        "SELECT year(bulan_pelaporan) y, month(bulan_pelaporan) m, count(*) n FROM fact_kasus GROUP BY ALL",
    )
    truth = {(int(y), int(m)): int(n) for y, m, n in df.itertuples(index=False)}
    for year, bars in ((y1, months.this), (y1 - 1, months.last)):
        assert bars.names == [t(f"months.m{m}", lang="id") for m in range(1, 13)]
        for m, lbl in enumerate(bars.labels, start=1):
            if year == y1 and m > 10:  # after the register's last month (October 2025): no data, not 0
                assert lbl == "" and math.isnan(bars.values[m - 1])
                continue
            assert_label(lbl, truth.get((year, m), 0), public)
    assert months.this.note == "bulan setelah Oktober 2025 belum ada datanya"
    if public:
        assert_no_small_count(months.this.labels + months.last.labels)


def test_months_are_for_the_whole_city_only_publicly(sample, span):
    y0, y1 = span
    months = view.months(context(year=y1, public=True, kecamatan="74.71.07"), "pelaporan", y0, y1, None)
    assert months.this is None and months.info == t("kekerasan.months_city_only", lang="id")
    exact = view.months(context(year=y1, kecamatan="74.71.07"), "pelaporan", y0, y1, None)
    assert exact.shown and len(exact.this) == 12


def test_months_of_the_first_year_have_no_year_before(sample, span):
    """A range of the register's first year only: the year before is not published, it gets no bars."""
    y0 = span[0]
    months = view.months(context(year=y0, public=True), "pelaporan", y0, y0, None)
    assert months.shown and len(months.this) == 12
    assert all(math.isnan(v) for v in months.last.values) and set(months.last.labels) == {""}


# --- per kecamatan -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("public", [False, True])
def test_rates_equal_sql_highest_first_hidden_last(sample, span, public):
    y0, y1 = span
    ctx = context(year=y1, public=public)
    bars = view.rates(ctx, "pelaporan", y0, y1, None)
    names = dict(sql(sample, "SELECT nama, kode FROM dim_wilayah WHERE level = 'kecamatan'").values.tolist())
    assert sorted(bars.names) == sorted(names)
    counts = sql(
        sample,
        "SELECT kode_kecamatan k, count(*) n FROM fact_kasus WHERE year(bulan_pelaporan) = ? GROUP BY 1",
        [y1],
    ).set_index("k")["n"]
    pop = queries.children_by_kecamatan(ctx.key, y1, REGION).set_index("kecamatan")["anak"]
    hidden = t("kekerasan.rate_hidden", lang="id")
    for name, value, lbl in zip(bars.names, bars.values, bars.labels):
        n = int(counts.get(names[name], 0))
        if lbl == hidden:
            assert public and math.isnan(value)
        else:
            assert value == pytest.approx(n * 1000 / pop[names[name]]) and lbl == fmt_dec(value, 2, "id")
    shown = [v for v in bars.values if not math.isnan(v)]
    assert shown == sorted(shown, reverse=True)
    assert bars.values[: len(shown)] == shown  # hidden ones last
    if public:
        assert hidden in bars.labels
    assert view.rates_caption(ctx, y1).startswith(t("kekerasan.caption_rate", lang="id"))


@pytest.mark.parametrize("public", [False, True])
@pytest.mark.parametrize("lang", ["id", "en"])
def test_table_is_labelled_and_equals_sql(sample, span, public, lang):
    y0, y1 = span
    table = view.table(context(year=y1, public=public, lang=lang), "pelaporan", y0, y1, None)
    total = t("kekerasan.total", lang=lang)
    kec = sql(sample, "SELECT kode, nama FROM dim_wilayah WHERE level = 'kecamatan' ORDER BY kode")
    assert table.index.tolist() == [*kec["nama"], total]
    assert table.columns.tolist() == [*(str(y) for y in range(y0, y1 + 1)), total]
    df = sql(sample, "SELECT kode_kecamatan k, year(bulan_pelaporan) y, count(*) n FROM fact_kasus GROUP BY ALL")
    truth = {(k, int(y)): int(n) for k, y, n in df.itertuples(index=False)}
    for code, name in zip(kec["kode"], kec["nama"]):
        for y in range(y0, y1 + 1):
            assert_label(table.loc[name, str(y)], truth.get((code, y), 0), public, lang)
        assert_label(table.loc[name, total], sum(truth.get((code, y), 0) for y in range(y0, y1 + 1)), public, lang)
    for y in range(y0, y1 + 1):
        assert_label(table.loc[total, str(y)], sum(n for (_, yy), n in truth.items() if yy == y), public, lang)
    cells = table.to_numpy().ravel().tolist()
    assert all(isinstance(c, str) for c in cells)
    if public:
        assert_no_small_count(cells)
        assert "<5" in cells and "*" in cells
    else:
        assert not set(MARKS) & set(cells)


# --- breakdowns ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("public", [False, True])
def test_breakdowns_equal_sql(sample, span, public):
    y0, y1 = span
    out = view.breakdowns(context(year=y1, public=public), "pelaporan", y0, y1, None)
    assert [b.dim for b in out] == [d for d, _ in view.BREAKDOWNS]
    by = {b.dim: b for b in out}
    ages = sql(sample, "SELECT kelompok_umur k, count(*) n FROM fact_kasus GROUP BY 1").set_index("k")["n"]
    b = by["kelompok_umur"]
    assert b.title == t("kekerasan.by_kelompok_umur", lang="id") and b.unit == t("kekerasan.unit_cases", lang="id")
    assert b.caption == t("kekerasan.caption_single", lang="id")
    for name, lbl in zip(b.bars.names, b.bars.labels):
        assert_label(lbl, int(ages.get(name, 0)), public)
    sexes = sql(sample, "SELECT jenis_kelamin k, count(*) n FROM fact_kasus GROUP BY 1").set_index("k")["n"]
    assert sorted(by["jenis_kelamin"].bars.names) == sorted(t(f"kekerasan.sex_{s}", lang="id") for s in sexes.index)
    forms = sql(sample, "SELECT bentuk k, count(*) n FROM fact_kasus_bentuk GROUP BY 1").set_index("k")["n"]
    b = by["bentuk"]
    assert b.unit == t("kekerasan.unit_bentuk", lang="id") and b.caption == t("kekerasan.caption_bentuk", lang="id")
    for name, value, lbl in zip(b.bars.names, b.bars.values, b.bars.labels):
        assert_label(lbl, int(forms[name]), public)
        assert math.isnan(value) if lbl in MARKS else value == forms[name]
    if public:
        assert_no_small_count([lbl for b in out for lbl in b.bars.labels])


def test_breakdowns_of_a_kecamatan(sample, span):
    """Publicly a kecamatan's breakdowns are published for the whole period only; a hidden total: none at all."""
    y0, y1 = span
    kec = "74.71.07"
    part = view.breakdowns(context(year=y1 - 1, public=True, kecamatan=kec), "pelaporan", y0, y1 - 1, None)
    assert len(part) == 7 and all(b.bars is None for b in part)
    assert {b.info for b in part} == {t("kekerasan.breakdown_all_years", lang="id", y0=y0, y1=y1)}
    whole = view.breakdowns(context(year=y1, public=True, kecamatan=kec), "pelaporan", y0, y1, None)
    assert any(b.bars is not None for b in whole)
    small = "74.71.08"  # one case in 2024
    assert view.breakdowns(context(year=2024, public=True, kecamatan=small), "pelaporan", 2024, 2024, None) is None
    exact = view.breakdowns(context(year=2024, kecamatan=small), "pelaporan", 2024, 2024, None)
    assert sum(v for v in exact[1].bars.values) == 1  # analysts: the exact breakdown of the one case


def test_english_breakdown_names(sample, span):
    y0, y1 = span
    out = view.breakdowns(context(year=y1, lang="en"), "pelaporan", y0, y1, None)
    sex = next(b for b in out if b.dim == "jenis_kelamin")
    assert sex.title == t("kekerasan.by_jenis_kelamin", lang="en")
    assert set(sex.bars.names) <= {t(f"kekerasan.sex_{s}", lang="en") for s in ("L", "P")}


# --- recaps ---------------------------------------------------------------------------------------------------
OTHER = "Berita: DP3A dikutip media, 2023"
REGISTER = "Register kasus (dasbor) (kasus)"


@pytest.fixture()
def recap_only(tmp_path, monkeypatch):
    """A warehouse of the published UPTD recap and a second source for 2022 only (tests/test_recap.py): no register."""
    d = tmp_path / "data"
    monkeypatch.setenv("KLA_DATA_DIR", str(d))
    monkeypatch.setenv("KLA_SALT", "r")
    assert loader.load("kasus_rekap", [uptd_file(tmp_path / "rekap.xlsx")]).ok
    assert loader.load("kasus_rekap", [other_source_file(tmp_path / "berita.xlsx")]).ok
    return d


@pytest.fixture()
def with_recaps(sample_data_dir, tmp_path, monkeypatch):
    """The sample warehouse (whatever recaps it holds) plus the published UPTD recap."""
    d = tmp_path / "data"
    shutil.copytree(sample_data_dir, d)
    monkeypatch.setenv("KLA_DATA_DIR", str(d))
    monkeypatch.setenv("KLA_SALT", "r")
    assert loader.load("kasus_rekap", [uptd_file(tmp_path / "rekap.xlsx")]).ok
    return d


def notes(data_dir) -> list[str]:
    """The recaps' free-text notes (never shown on this page)."""
    df = sql(data_dir, "SELECT DISTINCT catatan FROM fact_kasus_rekap WHERE catatan IS NOT NULL AND catatan <> ''")
    return df["catatan"].tolist()


def test_no_recaps_for_a_region_without_them(sample):
    assert view.recap_comparison(context(region="74")) is None


@pytest.mark.parametrize("public", [False, True])
def test_recap_comparison_of_the_published_recap(recap_only, public):
    ctx = context(year=2023, public=public)
    assert view.has_recaps(ctx) and not view.has_register(ctx)
    comp = view.recap_comparison(ctx)
    column, other = f"{UPTD} (kasus)", f"{OTHER} (kasus)"
    assert comp.table.columns.tolist() == ["Periode", column, other, "Catatan"]  # no register column: none loaded
    table = comp.table.set_index("Periode")
    assert table.index.tolist() == list(PUBLISHED) and comp.periods == list(PUBLISHED)
    assert table[column].tolist() == [str(PUBLISHED[p][0]) for p in PUBLISHED]  # totals are not small
    assert table.loc["2022", other] == "44" and table.loc["2021", other] == "—"
    assert table.loc["2022", "Catatan"] == "sumber berbeda" and table.loc["2021", "Catatan"] == "" and comp.differ
    values, labels = comp.series[column]
    assert values == [PUBLISHED[p][0] for p in PUBLISHED] and labels == [str(PUBLISHED[p][0]) for p in PUBLISHED]
    values, labels = comp.series[other]
    assert values[0] is None and labels[0] == "" and values[1] == 44 and labels[1] == "44"
    english = view.recap_comparison(context(year=2023, public=public, lang="en")).table
    assert english.columns[0] == t("kekerasan.recap_period", lang="en")
    assert english.columns[-1] == t("kekerasan.recap_note", lang="en")


@pytest.mark.parametrize("public", [False, True])
def test_recap_comparison_beside_the_register_equals_sql(with_recaps, public):
    comp = view.recap_comparison(context(year=2023, public=public))
    table = comp.table.set_index("Periode")
    totals = sql(
        with_recaps,
        "SELECT sumber, satuan, periode, jumlah FROM fact_kasus_rekap WHERE dimensi = 'total' AND kode_wilayah = ?",
        [REGION],
    )
    for sumber, satuan, periode, jumlah in totals.itertuples(index=False):
        assert_label(table.loc[periode, f"{sumber} ({satuan})"], int(jumlah), public)
    n2022 = sql(with_recaps, "SELECT count(*) n FROM fact_kasus WHERE year(bulan_pelaporan) = 2022")["n"][0]
    assert table.loc["2022", REGISTER] == fmt_int(n2022)
    h1 = sql(
        with_recaps, "SELECT count(*) n FROM fact_kasus WHERE bulan_pelaporan BETWEEN '2024-01-01' AND '2024-06-30'"
    )["n"][0]
    # publicly the register's half-year beside its whole year would give the other half by subtraction
    assert table.loc["Jan-Jun 2024", REGISTER] == ("—" if public else fmt_int(h1))
    texts = [str(c) for c in comp.table.to_numpy().ravel()] + [str(c) for c in comp.table.columns]
    texts += [*comp.series, *(lbl for _, lbls in comp.series.values() for lbl in lbls)]
    assert not [n for n in notes(with_recaps) if any(n in s for s in texts)]  # free text stays off this page


@pytest.mark.parametrize("public", [False, True])
def test_recap_breakdown(recap_only, public):
    ctx = context(year=2023, public=public)
    sources, main = view.recap_sources(ctx)
    assert sorted(sources) == sorted([UPTD, OTHER]) and sources[main] == UPTD
    assert view.recap_dimensions(ctx, UPTD) == ["bentuk"] and view.recap_dimensions(ctx, OTHER) == []
    assert view.recap_dimension_name(ctx, "bentuk") == t("kekerasan.by_bentuk", lang="id")
    assert view.recap_no_breakdown(ctx, OTHER) == t("kekerasan.recap_no_breakdown", lang="id", source=md_text(OTHER))
    rb = view.recap_breakdown(ctx, UPTD, "bentuk")
    assert rb.periods == list(PUBLISHED) and rb.unit == t("kekerasan.unit_recap_kasus", lang="id")
    assert f"Sumber: {md_text(UPTD)}. Satuan: kasus. Periode: 2021, 2022, 2023, Jan-Jun 2024." in rb.caption
    labels = [lbl for _, lbls in rb.series.values() for lbl in lbls]
    if public:
        assert "<5" in labels
        assert_no_small_count(labels)
    else:
        for form, (values, lbls) in rb.series.items():
            assert values == [PUBLISHED[p][1][form] for p in PUBLISHED]
            assert lbls == [str(PUBLISHED[p][1][form]) for p in PUBLISHED]


def test_recap_breakdown_escapes_the_source_in_its_caption(with_recaps):
    ctx = context(year=2023)
    for source in view.recap_sources(ctx)[0]:
        for dim in view.recap_dimensions(ctx, source):
            rb = view.recap_breakdown(ctx, source, dim)
            assert md_text(source) in rb.caption
            assert not [n for n in notes(with_recaps) if n in rb.caption]
