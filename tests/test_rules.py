"""Column rules declared as data (etl/rules.py, data/reference/aturan_kolom/<dataset>.csv): each kind reads what an
office writes, refuses what it cannot read with a message naming the cell and what is expected, and every rule file
names columns its dataset has."""

from __future__ import annotations

import datetime as dt

import pytest

from etl import reference, rules, values
from etl.problems import Report
from etl.read import Table
from etl.sources import DATASETS, LoadContext


def _table(cells: dict) -> tuple[Table, dict]:
    rec = {"_row": 7, **cells}
    table = Table(
        file="opd.xlsx",
        sheet="Data",
        header_row=3,
        title="",
        columns=list(cells),
        labels={c: c.replace("_", " ").title() for c in cells},
        records=[rec],
        totals=[],
        decimal=",",
        thousands=".",
    )
    return table, rec


def _rule(kind: str, **kw) -> rules.Rule:
    base = dict(
        dataset="uji",
        column="kolom",
        kind=kind,
        filled=False,
        vocabulary=None,
        among=None,
        low=None,
        high=None,
        label="Isian",
        expected="",
    )
    base.update(kw)
    return rules.Rule(**base)


CTX = LoadContext(user="uji", salt=b"x", today=dt.date(2026, 12, 1))


def _read(rule: rules.Rule, raw, order=values.DAY_FIRST):
    table, rec = _table({"kolom": raw})
    report = Report()
    ok, value = rules.read_cell(table, rec, rule, CTX, report, {"kolom": order})
    return ok, value, report.errors


@pytest.mark.parametrize(
    "rule, raw, expected",
    [
        (_rule("teks"), "  Dinas Pendidikan ", "Dinas Pendidikan"),
        (_rule("teks"), 12.0, "12"),
        (_rule("bilangan", low="0"), "1.234", 1234),
        (_rule("bilangan", low="0", vocabulary="orang"), "35 orang", 35),
        (_rule("angka", low="0"), "1.250,5", 1250.5),
        (_rule("tahun"), 2024.0, 2024),
        (_rule("kategori", vocabulary="status_rbra"), "Sudah Terstandarisasi", None),
        (_rule("ya_tidak", vocabulary="ya_tidak"), "ya", True),
        (_rule("ya_tidak", vocabulary="ya_tidak"), "Tidak", False),
        (_rule("tanggal"), "23/02/2024", dt.date(2024, 2, 23)),
        (_rule("tanggal"), dt.datetime(2024, 2, 23), dt.date(2024, 2, 23)),
        (_rule("bulan"), "Mar-24", dt.date(2024, 3, 1)),
        (_rule("bulan"), "23/02/2024", dt.date(2024, 2, 1)),
        (_rule("tautan"), "https://kendarikota.go.id/kla", "https://kendarikota.go.id/kla"),
        (_rule("indikator"), "Indikator 5", 5),
        (_rule("indikator"), 24.0, 24),
        (_rule("usia", low="0", high="17"), "16 Tahun", 16),
        (_rule("usia", low="0", high="17"), "15 tahun 3 bulan", 15),
        (_rule("usia", low="0", high="17"), "9 bulan", 0),
        (_rule("usia", low="0", high="17"), 12.0, 12),
        (_rule("kategori_banyak", vocabulary="bentuk_kekerasan"), "fisik, Psikis dan Fisik", ["Fisik", "Psikis"]),
        (_rule("kategori_banyak", vocabulary="bentuk_kekerasan"), "psikologis / seksual", ["Psikis", "Seksual"]),
        (_rule("tanggal_bulan"), "Agustus 2021", dt.date(2021, 8, 1)),
        (_rule("tanggal_bulan"), "23/02/2024", dt.date(2024, 2, 23)),
        (_rule("kode_wilayah"), "7471011005", "74.71.01.1005"),
        (_rule("kode_wilayah"), "74 71 01", "74.71.01"),
        (_rule("kode_wilayah"), 74.0, "74"),
        (_rule("koordinat"), "-3,9693", -3.9693),
        (_rule("koordinat"), "3°58'12\" LS", -(3 + 58 / 60 + 12 / 3600)),
        (_rule("koordinat"), 122.5183, 122.5183),
    ],
)
def test_each_kind_reads_what_offices_write(rule, raw, expected):
    ok, value, errors = _read(rule, raw)
    assert ok and not errors
    if rule.kind == "kategori":
        assert value == reference.match_category("status_rbra", raw) and value is not None
    else:
        assert value == expected


def test_a_latitude_column_refuses_a_longitude():
    table, rec = _table({"lat": "122°30'45\" BT"})
    report = Report()
    ok, value = rules.read_cell(table, rec, rules.rule("wilayah", "lat"), CTX, report)
    assert not ok and value is None
    assert "ada di kolom lintang" in report.errors[0].message and report.errors[0].column == "Lat"


def test_month_first_column_order_reads_google_forms_dates():
    ok, value, _ = _read(_rule("tanggal"), "2/23/2024", order=values.MONTH_FIRST)
    assert ok and value == dt.date(2024, 2, 23)


@pytest.mark.parametrize(
    "rule, raw, words",
    [
        (_rule("bilangan", low="0"), "dua belas", ["Isian bukan angka", "opd.xlsx"]),
        (_rule("bilangan", low="0"), "-3", ["tidak boleh negatif"]),
        (_rule("bilangan", low="0"), "2,5", ["harus bilangan bulat"]),
        (_rule("bilangan", low="0", vocabulary="orang"), "12 kasus", ["tidak menghitung orang"]),
        (_rule("angka", low="0", expected="luas dalam m²"), "luas", ["bukan angka", "Yang diharapkan luas dalam m²"]),
        (_rule("tahun", low="1990", high="tahun_ini"), "2030", ["2030 di luar rentang 1990-2026"]),
        (_rule("tahun"), "1985", ["1985 di luar rentang 2006-2027"]),
        (_rule("kategori", vocabulary="status_rbra"), "Terstandarisai", ["tidak dikenal", "Mungkin maksudnya"]),
        (_rule("ya_tidak", vocabulary="ya_tidak"), "mungkin", ["tidak dikenal", "Ya, Tidak"]),
        (_rule("tanggal"), "31/02/2024", ["tidak dapat dibaca"]),
        (_rule("tanggal"), "Mar-24", ["hanya menyebut bulan"]),
        (_rule("tanggal", high="hari_ini"), "05/01/2027", ["(05/01/2027) ada di masa depan"]),
        (_rule("tautan"), "kendarikota.go.id", ["http:// atau https://"]),
        (_rule("indikator"), "25", ["angka 1 sampai 24"]),
        (_rule("usia", low="0", high="17", expected="usia korban anak"), "19", ["Isian 19 di luar rentang 0-17"]),
        (_rule("usia", low="0", high="17", expected="usia korban anak"), "19", ["Yang diharapkan usia korban anak"]),
        (_rule("usia", low="0", high="17"), "12,5", ["Isian bukan bilangan bulat"]),
        (_rule("usia", low="0", high="17"), "dua belas", ["Isian bukan angka"]),
        (_rule("usia", low="0", high="17"), "16 kg", ["Isian tidak dapat dibaca"]),
        (_rule("usia", low="0", high="17"), "-1", ["tidak boleh negatif"]),
        (_rule("kategori_banyak", vocabulary="bentuk_kekerasan"), "Fisik, Psikiss", ['"Psikiss" tidak dikenal']),
        (_rule("kategori_banyak", vocabulary="bentuk_kekerasan"), "Fisik, Psikiss", ['Mungkin maksudnya "Psikis"']),
        (_rule("tanggal_bulan", low="2000-01-01"), "01/02/1999", ["(01/02/1999) sebelum 01/01/2000"]),
        (_rule("tanggal_bulan", high="hari_ini"), "Januari 2027", ["(01/01/2027) ada di masa depan"]),
        (_rule("tanggal_bulan"), "31/02/2024", ["tidak dapat dibaca"]),
        (_rule("kode_wilayah", expected="kode Kemendagri"), "74.71.9X", ["tidak dapat dibaca", "kode Kemendagri"]),
        (_rule("koordinat"), "abc", ["Isian tidak dapat dibaca (bukan koordinat)"]),
    ],
)
def test_a_bad_cell_is_refused_naming_the_cell_and_what_is_expected(rule, raw, words):
    ok, value, errors = _read(rule, raw)
    assert not ok and value is None and len(errors) == 1
    err = errors[0]
    assert (err.file, err.sheet, err.row, err.column, err.value) == ("opd.xlsx", "Data", 7, "Kolom", raw)
    for word in words:
        assert word in err.message or word in err.file, (word, err.message)


def test_several_unknown_words_in_one_cell_are_each_refused():
    ok, value, errors = _read(_rule("kategori_banyak", vocabulary="bentuk_kekerasan"), "Pukulan; Fisik, Tendangan")
    assert not ok and value is None
    assert [(e.row, e.column, e.value) for e in errors] == [(7, "Kolom", "Pukulan; Fisik, Tendangan")] * 2
    assert '"Pukulan" tidak dikenal' in errors[0].message and '"Tendangan" tidak dikenal' in errors[1].message
    ok, value, errors = _read(_rule("kategori_banyak", vocabulary="bentuk_kekerasan", filled=True), " , ")
    assert not ok and value is None and errors[0].message.startswith("Isian kosong")  # separators only: blank


@pytest.mark.parametrize(
    "rule, raw, expected, unknown",
    [
        (_rule("kategori", vocabulary="tempat_kejadian", fallback="Lainnya"), "Kebun", "Lainnya", ["Kebun"]),
        (_rule("kategori", vocabulary="tempat_kejadian", fallback="Lainnya"), "Sekolah", "Sekolah", []),
        (
            _rule("kategori_banyak", vocabulary="layanan", fallback="Lainnya"),
            "Pengaduan; Doa, visum dan Ruqyah",
            ["Pengaduan", "Lainnya", "Kesehatan"],
            ["Doa", "Ruqyah"],
        ),
    ],
)
def test_an_unknown_word_is_kept_as_the_fallback_word_with_a_warning(rule, raw, expected, unknown):
    table, rec = _table({"kolom": raw})
    report = Report()
    ok, value = rules.read_cell(table, rec, rule, CTX, report)
    assert ok and value == expected and not report.errors
    assert [(w.row, w.column, w.value) for w in report.warnings] == [(7, "Kolom", raw)] * len(unknown)
    for word, warning in zip(unknown, report.warnings):
        assert warning.message.startswith(f'Nilai "{word}" tidak ada dalam daftar dan dicatat sebagai "Lainnya".')
        assert word not in warning.kind and "Lainnya" in warning.kind  # stored without the cell's content
    without = rules.Rule(**{**rule.__dict__, "fallback": None})
    ok, value, errors = _read(without, raw)  # without the fallback word: refused, each unknown word of a list
    refused = 0 if not unknown else 1 if rule.kind == "kategori" else len(unknown)
    assert (ok, len(errors)) == (not unknown, refused)


def test_check_judges_a_value_without_a_table_as_read_cell_reports_it():
    """What kasus's columnar path runs once per distinct value: the same value and messages as the row's cell."""
    cases = [
        (_rule("usia", low="0", high="17", filled=True), ["12", "9 bulan", "19", "", "abc", "-"]),
        (_rule("kategori_banyak", vocabulary="layanan", fallback="Lainnya"), ["Pengaduan", "Doa; visum", None]),
        (_rule("tanggal_bulan", low="2000-01-01", high="hari_ini", filled=True), ["Maret 2024", "1/1/1999", " "]),
    ]
    for rule, raws in cases:
        for raw in raws:
            value, findings = rules.check(rule, raw, CTX, values.DAY_FIRST, ",", ".")
            table, rec = _table({"kolom": raw})
            report = Report()
            ok, cell_value = rules.read_cell(table, rec, rule, CTX, report, {"kolom": values.DAY_FIRST})
            assert value == cell_value and ok == all(f.level != "error" for f in findings)
            assert [(f.level, f.message, f.kind) for f in findings] == [
                (p.level, p.message, p.kind) for p in report.problems
            ]
            assert all(p.value == (None if f.blank else raw) for f, p in zip(findings, report.problems))


def test_a_required_blank_cell_says_what_to_write():
    rule = _rule("kategori", filled=True, vocabulary="status_tugas", label="Status")
    ok, _, errors = _read(rule, "  ")
    assert not ok and errors[0].message.startswith("Status kosong. Yang diharapkan salah satu dari:")
    assert all(word in errors[0].message for word in reference.category_values("status_tugas"))
    ok, value, errors = _read(_rule("teks"), None)
    assert ok and value is None and not errors


def test_a_column_of_mixed_day_month_orders_is_not_reported_per_row():
    ok, value, errors = _read(_rule("tanggal"), "2/23/2024", order=None)
    assert not ok and value is None and not errors  # date_orders reported the column once


def test_every_rule_file_is_a_dataset_with_known_columns_kinds_and_lists():
    folder = reference.REFERENCE_DIR / "aturan_kolom"
    files = {p.stem for p in folder.glob("*.csv")}
    assert files and files <= set(DATASETS)
    for dataset in files:
        declared = rules.rules(dataset)
        assert declared, dataset
        known = {c.name for c in reference.columns(dataset)}
        for r in declared:
            assert r.column in known and r.kind in rules.KINDS and r.label
            if r.kind in ("bilangan", "angka", "tahun", "usia", *rules.DATE_KINDS):
                for which in ("min", "maks"):
                    r.bound(which, CTX.today)  # a bound that is not a number/date/keyword raises here
            assert r.fallback is None or r.kind in ("kategori", "kategori_banyak"), (dataset, r.column)
        assert len({r.column for r in declared}) == len(declared), f"{dataset}: a column declared twice"


def test_every_dataset_module_that_has_rules_reads_rows_by_them():
    import importlib
    import inspect

    for dataset in (p.stem for p in (reference.REFERENCE_DIR / "aturan_kolom").glob("*.csv")):
        source = inspect.getsource(importlib.import_module(f"etl.sources.{dataset}"))
        assert any(f"rules.{name}(" in source for name in ("read_row", "read_cells", "read_cell", "check")), dataset


def test_a_dash_reads_as_blank_and_a_required_dash_is_refused():
    ok, value, errors = _read(_rule("angka", low="0"), "-")
    assert ok and value is None and not errors
    ok, value, errors = _read(_rule("angka", low="0", filled=True, label="Nilai"), "–")
    assert not ok and errors[0].message.startswith("Nilai kosong") and errors[0].value == "–"


def test_a_part_of_a_list_and_the_words_named_in_the_expected_text():
    stages = _rule("kategori", vocabulary="tahap_kla", among=("evaluasi_mandiri", "final"))
    ok, _, errors = _read(stages, "tidak_disebut")
    assert not ok and errors[0].message.endswith("Yang diharapkan salah satu dari: evaluasi_mandiri, final.")
    but_total = rules.Rule(**{**stages.__dict__, "vocabulary": "kelompok_kla", "among": None, "expected": "{daftar}"})
    ok, _, errors = _read(but_total, "bukan")
    assert not ok and all(w in errors[0].message for w in reference.category_values("kelompok_kla"))


def test_the_readme_example_is_the_rule_file_and_every_kind_is_documented():
    readme = (reference.REFERENCE_DIR.parent.parent / "README.md").read_text(encoding="utf-8")
    line = "luas,angka,,,0,,Luas,luas dalam m²"
    assert f"`{line}`" in readme
    assert line in (reference.REFERENCE_DIR / "aturan_kolom" / "rbra.csv").read_text(encoding="utf-8").splitlines()
    assert all(f"`{kind}`" in readme for kind in rules.KINDS)
