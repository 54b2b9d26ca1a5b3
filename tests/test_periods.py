"""Partial years (issue 21, periods): the register's coverage, same-month comparisons, marks on cards and charts,
and no new figure for a public viewer (the same-month sums are sums of published monthly cells)."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from kla import cases, periods
from kla.privacy import OK
from kla.views import Bars, Context, ringkasan
from kla.views import kekerasan as kek_view
from tests.conftest import sql

REGION = "74.71"


@pytest.fixture()
def sample(sample_data_dir, monkeypatch):
    monkeypatch.setenv("KLA_DATA_DIR", str(sample_data_dir))
    from kla import db

    return db.current_key(), sample_data_dir


def context(key, year, public, lang="id"):
    from kla import db

    return Context(key, db.version_of(key), year, None, None, lang, public, REGION, "Kota Kendari")


def test_coverage_is_the_registers_last_month_of_report(sample):
    key, data = sample
    span = sql(data, "SELECT min(bulan_pelaporan) a, max(bulan_pelaporan) b FROM fact_kasus")
    cov = periods.case_coverage(key)
    assert cov.first == span["a"][0].date() and cov.last == span["b"][0].date() == dt.date(2025, 10, 1)
    assert cov.months(2025) == 10 and cov.months(2024) == 12 and cov.months(2026) == 0
    assert cov.partial(2025) and not cov.partial(2024)
    assert periods.through(cov, "id") == "data s.d. Oktober 2025"
    assert periods.through(cov, "en") == "data to October 2025"
    assert periods.year_label(2025, cov, "id") == "2025 (Jan–Okt)"
    assert periods.year_label(2025, cov, "en") == "2025 (Jan–Oct)"
    assert periods.year_label(2024, cov, "id") == "2024"


def test_a_full_year_is_not_marked():
    cov = periods.Coverage(dt.date(2019, 1, 1), dt.date(2024, 12, 1))
    assert not cov.partial(2024) and periods.year_label(2024, cov, "id") == "2024"
    bars = periods.mark_years(Bars(["2023", "2024"], [3.0, 4.0], ["3", "4"]), cov, "id")
    assert bars.partial is None and bars.note is None and bars.names == ["2023", "2024"]
    one = periods.Coverage(dt.date(2025, 1, 1), dt.date(2025, 1, 1))
    assert periods.year_label(2025, one, "id") == "2025 (Jan)"


def test_years_after_the_data_get_no_bar():
    cov = periods.Coverage(dt.date(2024, 1, 1), dt.date(2025, 3, 1))
    bars = periods.mark_years(Bars(["2024", "2025", "2026"], [5.0, 2.0, 0.0], ["5", "2", "0"]), cov, "id")
    assert bars.names == ["2024", "2025 (Jan–Mar)"] and bars.partial == [False, True]


def test_same_month_comparison_for_analysts_equals_sql(sample):
    key, data = sample
    n = {
        y: sql(
            data,
            "SELECT count(*) n FROM fact_kasus WHERE year(bulan_pelaporan) = ? AND month(bulan_pelaporan) <= 10",
            [y],
        )["n"][0]
        for y in (2024, 2025)
    }
    assert cases.first_months(key, "pelaporan", 2024, 10, REGION, None, public=False) == n[2024]
    card, _ = ringkasan.case_card(context(key, 2025, public=False))
    assert card.label == "Kasus kekerasan terhadap anak 2025 (Jan–Okt)"
    assert card.delta == f"{n[2025] - n[2024]:+d} dibanding Jan–Okt 2024"
    full = sql(data, "SELECT count(*) n FROM fact_kasus WHERE year(bulan_pelaporan) = 2024")["n"][0]
    assert n[2024] != full  # the old comparison (10 months with 12) was a different number


def test_a_full_year_before_is_compared_whole(sample):
    key, data = sample
    card, _ = ringkasan.case_card(context(key, 2024, public=False))
    per = dict(sql(data, "SELECT year(bulan_pelaporan) y, count(*) n FROM fact_kasus GROUP BY 1").values.tolist())
    assert card.label == "Kasus kekerasan terhadap anak 2024"
    assert card.delta == f"{per[2024] - per[2023]:+d} dibanding 2023"


def test_charts_mark_the_partial_year_and_leave_missing_months_empty(sample):
    key, _ = sample
    fig, caption = ringkasan.cases_chart(context(key, 2025, public=True))
    bar = fig.data[0]
    assert list(bar.x)[-1] == "2025 (Jan–Okt)" and list(bar.marker.pattern.shape)[-1] == "/"
    assert set(list(bar.marker.pattern.shape)[:-1]) == {""}
    assert "Batang bergaris" in caption and "Oktober 2025" in caption
    months = kek_view.months(context(key, 2025, public=False), "pelaporan", 2019, 2025, None)
    assert all(math.isnan(v) for v in months.this.values[10:]) and months.this.labels[10:] == ["", ""]
    assert not any(math.isnan(v) for v in months.last.values)  # 2024 is whole


def test_public_same_month_sums_reveal_no_hidden_month(sample):
    """Attack: a public viewer can ask for the first n months of every year; two consecutive sums subtract to
    month n. That must only ever give a month the publication shows, and every sum must equal the published
    monthly cells added up."""
    key, _ = sample
    for year in range(2019, 2026):
        published = cases.months(key, "pelaporan", year, REGION, None, public=True)
        prev = 0
        for n in range(1, 13):
            got = cases.first_months(key, "pelaporan", year, n, REGION, None, public=True)
            shown = [published.status.loc[m, "n"] == OK for m in range(1, n + 1)]
            if not all(shown):
                assert got is None, (year, n)
                prev = None
                continue
            assert got == sum(int(published.counts.loc[m, "n"]) for m in range(1, n + 1))
            if prev is not None:
                assert got - prev == published.counts.loc[n, "n"]  # a month it shows anyway
            prev = got


def test_public_card_does_not_compare_over_protected_months(sample):
    key, _ = sample
    card, _ = ringkasan.case_card(context(key, 2025, public=True))
    assert card.delta is None and "dilindungi" in card.help and "belum setahun penuh" in card.help
    en, _ = ringkasan.case_card(context(key, 2025, public=True, lang="en"))
    assert "2025 (Jan–Oct)" in en.label and "not a full year" in en.help


def test_the_quality_panel_lists_the_months_not_held(sample):
    from kla.views import data as data_view

    key, _ = sample
    lines = data_view.missing_lines(context(key, 2025, public=False))
    assert "Kasus: data s.d. Oktober 2025; November–Desember 2025 belum ada di register (bukan nol)." in " ".join(lines)
