"""The app library: scoring bands, formatting, privacy, i18n catalogs, thread-safe warehouse reads."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pandas as pd
import pytest

from etl import warehouse
from kla import charts, fmt, i18n, privacy
from kla.scoring import standing

REPO = Path(__file__).resolve().parent.parent
BANDS = pd.DataFrame(
    {
        "kategori": ["Pratama", "Madya", "Nindya", "Utama", "KLA"],
        "skor_min": [500, 601, 701, 801, 901],
        "skor_max": [600, 700, 800, 900, 1000],
    }
)


@pytest.mark.parametrize(
    "score, category, nxt, points",
    [
        (499.9, None, "Pratama", 0.1),
        (500, "Pratama", "Madya", 101),
        (600, "Pratama", "Madya", 1),
        (601, "Madya", "Nindya", 100),
        (700, "Madya", "Nindya", 1),
        (701, "Nindya", "Utama", 100),
        (795, "Nindya", "Utama", 6),
        (800, "Nindya", "Utama", 1),
        (801, "Utama", "KLA", 100),
        (900, "Utama", "KLA", 1),
        (901, "KLA", None, None),
        (1000, "KLA", None, None),
    ],
)
def test_category_band_edges(score, category, nxt, points):
    s = standing(score, BANDS)
    assert (s.category, s.next_category, s.points_to_next) == (category, nxt, points)


def test_indonesian_and_english_numbers():
    assert fmt.fmt_int(1234567) == "1.234.567"
    assert fmt.fmt_int(1234567, "en") == "1,234,567"
    assert fmt.fmt_dec(795.04, 1) == "795,0"
    assert fmt.fmt_signed(2061) == "+2.061" and fmt.fmt_signed(-4) == "-4"
    assert fmt.fmt_int(None) == fmt.DASH


def test_public_chart_draws_no_hidden_bar():
    p = privacy.protect_series(pd.Series([12, 3, 0], index=[2023, 2024, 2025]))
    n = 3
    fig = charts.protected_bars(
        ["2023", "2024", "2025"],
        p.visible()["n"].iloc[:n].tolist(),
        [str(v) for v in p.shown()["n"].iloc[:n]],
        "id",
        "Kasus",
        horizontal=False,
    )
    assert list(fig.data[0].y) == [0, 0, 0]  # 12 is hidden too: it would give the 3 away via the total
    assert list(fig.data[0].text) == ["*", "<5", "0"]
    exact = privacy.protect_series(pd.Series([12, 3, 0]), public=False)
    assert exact.visible()["n"].tolist() == [12, 3, 0, 15]


def test_every_text_key_exists_in_both_languages():
    used = set()
    for path in [REPO / "app.py", *(REPO / "pages").glob("*.py"), *(REPO / "kla").glob("*.py")]:
        used |= set(re.findall(r"""\bt\(\s*["']([a-z_]+\.[a-z_.]+)["']""", path.read_text(encoding="utf-8")))
    used |= set(re.findall(r'"(nav\.[a-z_]+)"', (REPO / "app.py").read_text(encoding="utf-8")))
    assert used, "no t() calls found"
    for lang in i18n.LANGUAGES:
        missing = used - set(i18n.catalog(lang))
        assert not missing, f"{lang}: {sorted(missing)}"
    # the data's words ([nilai.<list>], kla.i18n.value) are translated into English only: Indonesian is the data
    texts = {lang: {k for k in i18n.catalog(lang) if not k.startswith("nilai.")} for lang in i18n.LANGUAGES}
    assert texts["id"] == texts["en"]
    assert not [k for k in i18n.catalog("id") if k.startswith("nilai.")]


def test_translation_falls_back_and_formats():
    assert (
        i18n.t("ringkasan.lead", lang="en", year=2025, where="", wilayah="Kota Kendari")
        == "Children of Kota Kendari at a glance, 2025."
    )
    assert "Gambaran singkat" in i18n.t("ringkasan.lead", lang="id", year=2025, where="", wilayah="Kota Kendari")


def test_sixteen_threads_read_one_version_without_errors(tmp_path, monkeypatch):
    monkeypatch.setenv("KLA_DATA_DIR", str(tmp_path))

    def change(con, version):
        con.execute(
            "INSERT INTO fact_nilai_indikator SELECT 2024, i, 1.0, NULL, 'X', NULL, NULL, ?, '74.71', 'final' "
            "FROM range(1, 25) t(i)",
            [version],
        )

    warehouse.publish(change, action="load")
    from kla import db

    key = db.current_key()
    errors, results = [], []

    def worker():
        try:
            for _ in range(20):
                results.append(
                    int(
                        db.query(key, "SELECT count(*) AS n FROM fact_nilai_indikator WHERE tahun = ?", [2024])[
                            "n"
                        ].iloc[0]
                    )
                )
        except Exception as exc:  # noqa: BLE001 - the point is to see any error at all
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors
    assert results == [24] * 320
    # a new version is a new key: its data is seen at once
    warehouse.publish(lambda con, v: con.execute("DELETE FROM fact_nilai_indikator WHERE nomor > 12"), action="load")
    new_key = db.current_key()
    assert new_key != key
    assert int(db.query(new_key, "SELECT count(*) AS n FROM fact_nilai_indikator")["n"].iloc[0]) == 12


def test_offline_settings():
    import tomllib

    cfg = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert cfg["browser"]["gatherUsageStats"] is False  # no usage statistics to data.streamlit.io
    assert cfg["browser"]["serverAddress"]  # no external-IP lookup at start-up
    assert cfg["client"]["showErrorDetails"] == "none"  # no tracebacks for viewers
    assert cfg["server"]["enableXsrfProtection"] is True


def test_every_map_metric_has_a_label_and_a_caption():
    from kla import maps

    for lang in i18n.LANGUAGES:
        for name in maps.METRICS:
            assert f"peta.m_{name}" in i18n.catalog(lang) and f"peta.caption_{name}" in i18n.catalog(lang)
