"""English mode translates the words of the controlled lists (issue 21 item 5): every word of kategori_data.csv's
shown lists has an English name, the data keeps the Indonesian word, and the pages show the English."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from kla import i18n
from kla.views import Context

SHOWN = (
    "bentuk_kekerasan",
    "tempat_kejadian",
    "hubungan_pelaku",
    "layanan",
    "disabilitas",
    "status_rbra",
    "status_bukti",
    "status_tugas",
)


def listed() -> dict[str, list[str]]:
    with open(Path(__file__).parent.parent / "data" / "reference" / "kategori_data.csv", encoding="utf-8") as fh:
        out: dict[str, list[str]] = {}
        for row in csv.DictReader(fh):
            out.setdefault(row["daftar"], []).append(row["nilai"])
    return out


@pytest.mark.parametrize("name", SHOWN)
def test_every_shown_word_has_an_english_name(name):
    words = listed()[name]
    missing = [w for w in words if f"nilai.{name}.{w}" not in i18n.catalog("en")]
    assert not missing, f"{name}: no English in kla/locales/en.toml [nilai.{name}] for {missing}"
    assert all(i18n.value(name, w, "id") == w for w in words)  # Indonesian: the data's word


def test_breakdowns_read_in_english(sample_data_dir, monkeypatch):
    monkeypatch.setenv("KLA_DATA_DIR", str(sample_data_dir))
    from kla import db
    from kla.views import kekerasan

    key = db.current_key()
    for lang, word in (("en", "Household"), ("id", "Rumah Tangga")):
        ctx = Context(key, db.version_of(key), 2025, None, None, lang, False, "74.71", "Kota Kendari")
        places = next(b for b in kekerasan.breakdowns(ctx, "pelaporan", 2019, 2025, None) if b.dim == "tempat_kejadian")
        assert word in places.bars.names
        if lang == "en":  # no Indonesian word of the list is left
            assert not set(places.bars.names) & set(listed()["tempat_kejadian"]), places.bars.names
