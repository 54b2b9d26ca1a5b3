"""Region names to Kemendagri codes, with the spellings OPD files really use."""

import pytest

from etl.names import name_key, regions


def test_reference_has_11_kecamatan_and_65_kelurahan():
    r = regions()
    kec = r.kecamatan_list()
    assert len(kec) == 11
    assert sum(len(r.kelurahan_of(k.kode)) for k in kec) == 65


@pytest.mark.parametrize(
    "raw, kode",
    [
        ("Mandonga", "74.71.01"),
        ("MANDONGA", "74.71.01"),
        ("Kec. Mandonga", "74.71.01"),
        ("Kecamatan  Kendari Barat", "74.71.05"),
        ("kendari-barat", "74.71.05"),
        ("Wua-Wua", "74.71.07"),
        ("Wuawua", "74.71.07"),
        ("WUA WUA", "74.71.07"),
        ("Puuwatu", "74.71.09"),
    ],
)
def test_kecamatan_spellings(raw, kode):
    assert regions().kecamatan(raw).kode == kode


@pytest.mark.parametrize(
    "raw, kec, kode",
    [
        ("Anduonohu", "74.71.04", "74.71.04.1003"),
        ("Andonohu", "74.71.04", "74.71.04.1003"),
        ("Kel. Pudai", "74.71.06", "74.71.06.1001"),
        ("Puday", "74.71.06", "74.71.06.1001"),
        ("Lepo Lepo", "74.71.03", "74.71.03.1002"),
        ("lepo-lepo", "74.71.03", "74.71.03.1002"),
        ("Kelurahan Wua Wua", "74.71.07", "74.71.07.1001"),
        ("Poasia", "74.71.06", "74.71.06.1008"),  # Kel. Poasia lies in Kec. Abeli
    ],
)
def test_kelurahan_spellings(raw, kec, kode):
    assert regions().kelurahan(raw, kec).kode == kode


def test_unknown_kecamatan_suggests_closest():
    m = regions().kecamatan("Mandoga")
    assert m.kode is None
    assert "Mandonga" in m.message and "tidak dikenal" in m.message


def test_kelurahan_under_wrong_kecamatan_names_the_right_one():
    m = regions().kelurahan("Poasia", "74.71.04")  # written under Kec. Poasia, but it is in Abeli
    assert m.kode is None
    assert "Kecamatan Abeli" in m.message and "bukan di Kecamatan Poasia" in m.message


def test_unknown_kelurahan_suggests_within_kecamatan():
    m = regions().kelurahan("Korumbaa", "74.71.01")
    assert m.kode is None and "Korumba" in m.message


def test_name_key_strips_prefixes_and_punctuation():
    assert name_key(" Kel. Benu-Benua ") == name_key("BENU BENUA") == "benubenua"
