"""Four classes of office files, written as real xlsx/CSV files and loaded through etl.loader.load: what lands
in the warehouse is compared with what the file holds, and every refusal names the cell and leaves the warehouse
as it was.

1. SIMFONI-like case exports with perpetrator and reporter columns (Usia Pelaku, JK Pelaku, Usia Pelapor): never
   read as the victim's age or sex; the relation to the perpetrator keeps working.
2. Units inside values: "16 Tahun", "9 bulan" in the victim's age; "35 orang" in a recap count.
3. Coordinates in degrees-minutes-seconds and as map links (Google Maps, OpenStreetMap, geo:); a short link,
   which holds no coordinates, is refused.
4. A hidden helper sheet of dropdown lists next to the data: skipped with a note.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import shutil
from pathlib import Path

import openpyxl
import pytest

from etl import loader, warehouse

SALT = "uji-simfoni"


# ---------------------------------------------------------------------------------------------
# helpers


def write_xlsx(path: Path, rows, merges=(), sheet="Data", extra_sheets=()) -> Path:
    """A workbook with `rows` on `sheet`; extra_sheets: (name, rows, state, first) with state visible, hidden or
    veryHidden, placed before the data sheet when `first`."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for r in rows:
        ws.append(r)
    for rng in merges:
        ws.merge_cells(rng)
    for name, extra_rows, state, first in extra_sheets:
        extra = wb.create_sheet(name, 0 if first else None)
        for r in extra_rows:
            extra.append(r)
        extra.sheet_state = state
    wb.active = wb.sheetnames.index(sheet)
    wb.save(path)
    return path


def _csv_cell(v):
    if v is None:
        return ""
    if isinstance(v, dt.date):
        return v.strftime("%d/%m/%Y")
    return str(v)


def write_csv(path: Path, rows, sep=";") -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, delimiter=sep).writerows([[_csv_cell(v) for v in r] for r in rows])
    return path


def query(sql: str, params=()):
    con = warehouse.connect_current()
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def snapshot(data_dir: Path) -> dict:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted((data_dir / "warehouse").iterdir())}


@pytest.fixture()
def data_dir(tmp_path, monkeypatch):
    d = tmp_path / "data"
    monkeypatch.setenv("KLA_DATA_DIR", str(d))
    monkeypatch.setenv("KLA_SALT", SALT)
    return d


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """A warehouse with one case and one RBRA, copied for each refusal test."""
    d = tmp_path_factory.mktemp("simfoni-base") / "data"
    src = tmp_path_factory.mktemp("simfoni-base-src")
    mp = pytest.MonkeyPatch()
    mp.setenv("KLA_DATA_DIR", str(d))
    mp.setenv("KLA_SALT", SALT)
    head = ["No. Register", "Tanggal Kejadian", "Tanggal Pelaporan", "Kecamatan", "Jenis Kelamin", "Usia", "Bentuk"]
    row = ["BASE-1", dt.date(2024, 2, 3), dt.date(2024, 2, 14), "Mandonga", "P", 9, "Fisik"]
    assert loader.load("kasus", [write_xlsx(src / "k.xlsx", [head, row])]).ok
    rbra = [["Nama", "Kecamatan", "Kelurahan", "Latitude", "Longitude", "Status"]]
    rbra.append(["Taman Dasar", "Mandonga", "Korumba", -3.9712, 122.5105, "RBRA"])
    assert loader.load("rbra", [write_xlsx(src / "r.xlsx", rbra)]).ok
    mp.undo()
    return d


@pytest.fixture()
def based(base, tmp_path, monkeypatch):
    d = tmp_path / "data"
    shutil.copytree(base, d)
    monkeypatch.setenv("KLA_DATA_DIR", str(d))
    monkeypatch.setenv("KLA_SALT", SALT)
    return d


def refused(result, data_dir: Path, before: dict, *, row: int, column: str, text: str, value=None):
    """The load was refused with an error naming this cell and containing `text`; the warehouse is unchanged."""
    report = result.report.to_text()
    assert not result.ok, report
    hits = [p for p in result.report.errors if p.row == row and p.column == column and text in p.message]
    assert hits, f"expected an error at row {row}, column {column!r} containing {text!r}:\n{report}"
    if value is not None:
        assert any(p.value == value for p in hits), report
    assert all(p.file for p in result.report.errors)
    assert snapshot(data_dir) == before, "the warehouse changed"


# ---------------------------------------------------------------------------------------------
# 1. SIMFONI-like exports: perpetrator and reporter columns

D = dt.date
CASES = [
    # register, kejadian, lapor, kec, kel, victim age, victim sex, perpetrator age, perpetrator sex, relation,
    # form, place, service, expected relation
    dict(
        reg="0001/SIMFONI/2024",
        kej=D(2024, 1, 14),
        lap=D(2024, 1, 20),
        kec="Mandonga",
        kel="Korumba",
        usia=12,
        jk="P",
        up=35,
        jp="L",
        hub="Ayah Kandung",
        bentuk="Seksual",
        tempat="Rumah Tangga",
        layanan="Pengaduan, Kesehatan",
        hub_ok="Orang Tua",
    ),
    dict(
        reg="0002/SIMFONI/2024",
        kej=D(2024, 2, 3),
        lap=D(2024, 2, 15),
        kec="Mandonga",
        kel="Labibia",
        usia=7,
        jk="L",
        up=16,
        jp="L",
        hub="Tetangga",
        bentuk="Fisik",
        tempat="Fasilitas Umum",
        layanan="Pengaduan",
        hub_ok="Tetangga",
    ),
    dict(
        reg="0003/SIMFONI/2024",
        kej=D(2024, 3, 21),
        lap=D(2024, 3, 22),
        kec="Kendari",
        kel="Kandai",
        usia=15,
        jk="P",
        up=17,
        jp="L",
        hub="Pacar",
        bentuk="Seksual, Psikis",
        tempat="Lainnya",
        layanan="Bantuan Hukum",
        hub_ok="Pacar/Teman",
    ),
    dict(
        reg="0004/SIMFONI/2024",
        kej=D(2024, 4, 2),
        lap=D(2024, 4, 18),
        kec="Baruga",
        kel="Baruga",
        usia=4,
        jk="P",
        up=41,
        jp="P",
        hub="Ibu Kandung",
        bentuk="Penelantaran",
        tempat="Rumah Tangga",
        layanan="Rehabilitasi Sosial",
        hub_ok="Orang Tua",
    ),
    dict(
        reg="0005/SIMFONI/2024",
        kej=D(2024, 5, 13),
        lap=D(2024, 5, 27),
        kec="Kadia",
        kel="Kadia",
        usia=10,
        jk="L",
        up=29,
        jp="L",
        hub="Guru",
        bentuk="Psikis",
        tempat="Sekolah",
        layanan="Pendampingan Psikologis",
        hub_ok="Guru",
    ),
]
TITLE = [["DATA KASUS KEKERASAN TERHADAP ANAK"], ["Sumber: SIMFONI-PPA, diunduh 05/01/2025"], []]


def _flat(cols):
    """A one-row header: (label, value of a case) per column."""

    def build(with_title=True):
        rows = [*TITLE] if with_title else []
        header_row = len(rows) + 1
        rows.append([label for label, _ in cols])
        for i, case in enumerate(CASES, start=1):
            rows.append([get(case, i) for _, get in cols])
        return rows, [], header_row

    return build


def _k(key):
    return lambda case, i: case[key]


FLAT = [
    ("No", lambda c, i: i),
    ("No Registrasi", _k("reg")),
    ("Tanggal Kejadian", _k("kej")),
    ("Tanggal Lapor", _k("lap")),
    ("Kecamatan", _k("kec")),
    ("Kelurahan", _k("kel")),
    ("Usia Korban", _k("usia")),
    ("JK Korban", _k("jk")),
    ("Nama Pelaku", lambda c, i: f"Pelaku Nomor {i}"),
    ("Usia Pelaku", _k("up")),
    ("JK Pelaku", _k("jp")),
    ("Pendidikan Pelaku", lambda c, i: "SMA"),
    ("Pekerjaan Pelaku", lambda c, i: "Wiraswasta"),
    ("Hubungan Korban dengan Pelaku", _k("hub")),
    ("Bentuk Kekerasan", _k("bentuk")),
    ("Tempat Kejadian", _k("tempat")),
    ("Layanan", _k("layanan")),
]
UMUR = [
    ("No.", lambda c, i: i),
    ("Nomor Registrasi", _k("reg")),
    ("Tgl Kejadian", _k("kej")),
    ("Tgl Lapor", _k("lap")),
    ("Kecamatan", _k("kec")),
    ("Kelurahan", _k("kel")),
    ("Umur Korban", _k("usia")),
    ("Jenis Kelamin Korban", _k("jk")),
    ("Umur Pelaku", _k("up")),
    ("Jenis Kelamin Pelaku", _k("jp")),
    ("Hubungan dengan Pelaku", _k("hub")),
    ("Jenis Kekerasan", _k("bentuk")),
    ("Tempat Kejadian", _k("tempat")),
    ("Usia Pelapor", lambda c, i: 40 + i),
    ("Jenis Kelamin Pelapor", lambda c, i: "P"),
    ("Pekerjaan Orang Tua", lambda c, i: "Petani"),
    ("Layanan", _k("layanan")),
]
PLAIN = [  # the victim's columns without "Korban", the perpetrator's next to them
    ("No. Register", _k("reg")),
    ("Tanggal Kejadian", _k("kej")),
    ("Tanggal Pelaporan", _k("lap")),
    ("Kecamatan", _k("kec")),
    ("Kelurahan", _k("kel")),
    ("Jenis Kelamin", _k("jk")),
    ("Usia", _k("up")),  # replaced below: the victim's age
    ("Usia Pelaku", _k("up")),
    ("JK Pelaku", _k("jp")),
    ("Umur Ayah", lambda c, i: 45),
    ("Hubungan Pelaku", _k("hub")),
    ("Bentuk Kekerasan", _k("bentuk")),
]
PLAIN[6] = ("Usia", _k("usia"))


def _band(with_title=True):
    """A two-row header: "Korban" over Usia and JK, "Pelaku" over Usia, JK and Hubungan dengan Korban."""
    rows = [*TITLE] if with_title else []
    h = len(rows) + 1
    top = ["No", "No Registrasi", "Tanggal Kejadian", "Tanggal Lapor", "Kecamatan", "Kelurahan", "Korban", None]
    top += ["Pelaku", None, None, "Bentuk Kekerasan", "Tempat Kejadian"]
    below = [None] * 6 + ["Usia", "JK", "Usia", "JK", "Hubungan dengan Korban", None, None]
    rows += [top, below]
    for i, c in enumerate(CASES, start=1):
        rows.append([i, c["reg"], c["kej"], c["lap"], c["kec"], c["kel"], c["usia"], c["jk"], c["up"], c["jp"]])
        rows[-1] += [c["hub"], c["bentuk"], c["tempat"]]
    merges = [f"{col}{h}:{col}{h + 1}" for col in "ABCDEFLM"] + [f"G{h}:H{h}", f"I{h}:K{h}"]
    return rows, merges, h + 1


VARIANTS = {
    # name: (builder, perpetrator/reporter columns that must be dropped with the warning)
    "flat": (_flat(FLAT), ["Usia Pelaku", "JK Pelaku", "Pendidikan Pelaku", "Pekerjaan Pelaku"]),
    "umur": (
        _flat(UMUR),
        ["Umur Pelaku", "Jenis Kelamin Pelaku", "Usia Pelapor", "Jenis Kelamin Pelapor", "Pekerjaan Orang Tua"],
    ),
    "plain": (_flat(PLAIN), ["Usia Pelaku", "JK Pelaku", "Umur Ayah"]),
    "band": (_band, ["Pelaku / Usia", "Pelaku / JK"]),
}


def simfoni_file(d: Path, variant: str, fmt: str) -> Path:
    build, _ = VARIANTS[variant]
    rows, merges, _h = build()
    if fmt == "xlsx":
        return write_xlsx(d / f"simfoni_{variant}.xlsx", rows, merges)
    return write_csv(d / f"simfoni_{variant}.csv", rows)


def expected_cases(with_place=True):
    out = []
    for c in CASES:
        out.append(
            (
                c["usia"],
                c["jk"],
                c["hub_ok"],
                c["kej"].replace(day=1),
                c["lap"].replace(day=1),
                c["tempat"] if with_place else None,
            )
        )
    return sorted(out)


def loaded_cases():
    return sorted(
        query(
            "SELECT usia, jenis_kelamin, hubungan_pelaku, bulan_kejadian, bulan_pelaporan, tempat_kejadian "
            "FROM fact_kasus"
        )
    )


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("variant", list(VARIANTS))
def test_simfoni_export_loads_the_victims_columns_and_drops_the_perpetrators(variant, fmt, data_dir, tmp_path):
    path = simfoni_file(tmp_path, variant, fmt)
    result = loader.load("kasus", [path])
    report = result.report.to_text()
    assert result.ok, report
    assert not result.report.errors
    with_place = variant not in ("plain",)
    assert loaded_cases() == expected_cases(with_place), report
    # no perpetrator or reporter age was taken for the victim's
    assert query("SELECT count(*) FROM fact_kasus WHERE usia > 17")[0][0] == 0
    forms = sorted(query("SELECT bentuk FROM fact_kasus_bentuk"))
    want = sorted((b.strip(),) for c in CASES for b in c["bentuk"].split(","))
    assert forms == want
    _, dropped = VARIANTS[variant]
    for label in dropped:
        assert any(w.column == label and "bukan korban, diabaikan" in w.message for w in result.report.warnings), (
            f"{label}: no warning\n{report}"
        )
        assert label in result.report.dropped_columns
    if variant == "flat":  # the perpetrator's name is personal data: dropped as such, never stored
        assert any(w.column == "Nama Pelaku" and "data pribadi" in w.message for w in result.report.warnings)
    layout = " ".join(result.report.layout)
    assert "register kasus" in layout and f"{len(CASES)} baris" in layout, result.report.layout
    assert dropped[0] in layout, result.report.layout


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_simfoni_xlsx_and_csv_give_the_same_warehouse(variant, tmp_path, monkeypatch):
    got = {}
    for fmt in ("xlsx", "csv"):
        monkeypatch.setenv("KLA_DATA_DIR", str(tmp_path / f"data-{fmt}"))
        monkeypatch.setenv("KLA_SALT", SALT)
        (tmp_path / fmt).mkdir()
        assert loader.load("kasus", [simfoni_file(tmp_path / fmt, variant, fmt)]).ok
        got[fmt] = (
            query("SELECT * EXCLUDE (load_id) FROM fact_kasus ORDER BY kasus_id"),
            query("SELECT * FROM fact_kasus_bentuk ORDER BY kasus_id, bentuk"),
        )
    assert got["xlsx"] == got["csv"]
    assert len(got["xlsx"][0]) == len(CASES)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_only_the_perpetrators_age_is_refused_not_loaded_as_the_victims(fmt, based, tmp_path):
    """A register with "Usia Pelaku" and no victim's age: the perpetrator's (here under 18) is never taken."""
    cols = [c for c in FLAT if c[0] != "Usia Korban"]  # and perpetrators under 18: today's reader took them
    cols = [(label, (lambda c, i: 14 + i % 3) if label == "Usia Pelaku" else get) for label, get in cols]
    rows, _, h = _flat(cols)()
    path = write_xlsx(tmp_path / "x.xlsx", rows) if fmt == "xlsx" else write_csv(tmp_path / "x.csv", rows)
    before = snapshot(based)
    result = loader.load("kasus", [path])
    assert not result.ok
    assert any('Kolom wajib "Usia"' in p.message and p.row == h for p in result.report.errors), result.report.to_text()
    assert snapshot(based) == before


# ---------------------------------------------------------------------------------------------
# 2. units inside values

AGE_SETS = {
    "tahun": [("16 Tahun", 16), ("12 thn", 12), ("7 th", 7), ("11 Thn.", 11), ("17thn", 17), ("3 TAHUN", 3)],
    "bulan": [("9 bulan", 0), ("3 bln", 0), ("18 bulan", 1), ("11 Bulan", 0), ("0 bulan", 0)],
    "campur": [("15 tahun 3 bulan", 15), ("5 thn 11 bln", 5), ("2 tahun, 6 bulan", 2), (8, 8), ("13", 13)],
}
UNIT_HEAD = ["No", "No Registrasi", "Tanggal Kejadian", "Tanggal Lapor", "Kecamatan", "Usia Korban", "JK Korban"]
UNIT_HEAD += ["Bentuk Kekerasan"]


def unit_rows(ages):
    rows = [["REGISTER KASUS 2024"], [], UNIT_HEAD]
    for i, (age, _) in enumerate(ages, start=1):
        rows.append([i, f"U-{i:03d}", D(2024, 6, 13), D(2024, 6, 20), "Poasia", age, "P", "Fisik"])
    return rows


def age_file(d: Path, ages, fmt: str) -> Path:
    rows = unit_rows(ages)
    return write_xlsx(d / "usia.xlsx", rows) if fmt == "xlsx" else write_csv(d / "usia.csv", rows)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("ages", list(AGE_SETS))
def test_ages_with_units_load_as_full_years(ages, fmt, data_dir, tmp_path):
    values = AGE_SETS[ages]
    result = loader.load("kasus", [age_file(tmp_path, values, fmt)])
    assert result.ok, result.report.to_text()
    got = dict(query("SELECT kasus_id, usia FROM fact_kasus"))
    assert sorted(got.values()) == sorted(want for _, want in values)
    # and each register got its own age
    from etl.sources.kasus import age_group, case_id

    for i, (_, want) in enumerate(values, start=1):
        kid = case_id(f"U-{i:03d}", SALT.encode())
        assert got[kid] == want
        assert query("SELECT kelompok_umur FROM fact_kasus WHERE kasus_id = ?", [kid])[0][0] == age_group(want)


BAD_AGES = [
    ("16 kg", "kg"),  # a unit that is not one of age
    ("16 jiwa", "jiwa"),  # a count's unit
    ("1,5 tahun", "bulat"),
    ("tahun 16", "Usia"),
    ("16 tahun 14 bulan", "bulan"),  # months of a year are 0-11
    ("3 bulan 2 tahun", "Usia"),
    ("16 tahun 3 tahun", "Usia"),
    ("20 tahun", "0-17"),
]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("bad", BAD_AGES, ids=[b[0] for b in BAD_AGES])
def test_an_age_that_cannot_be_read_in_years_is_refused_naming_the_cell(bad, fmt, based, tmp_path):
    raw, text = bad
    ages = [("12 tahun", 12), (raw, None), ("9", 9)]
    before = snapshot(based)
    result = loader.load("kasus", [age_file(tmp_path, ages, fmt)])
    refused(result, based, before, row=5, column="Usia Korban", text=text, value=raw)
    # the message says what to write
    assert any("misalnya 12" in p.message or "0-17" in p.message for p in result.report.errors)


def recap_rows(cells, satuan="korban"):
    rows = [["REKAP KORBAN KEKERASAN TERHADAP ANAK KOTA KENDARI"], ["Sumber: UPTD PPA Kota Kendari"]]
    rows += [[f"Satuan: {satuan}"], [], ["Tahun", "Bentuk Kekerasan", "Jumlah"]]
    for form, cell, _ in cells:
        rows.append([2023, form, cell])
    return rows


RECAP_SETS = {
    "orang": [("Seksual", "20 orang", 20), ("Fisik", "6 anak", 6), ("Psikis", "2 korban", 2), ("Lainnya", 7, 7)],
    "jiwa": [("Seksual", "1.204 jiwa", 1204), ("Fisik", "35 Orang", 35), ("Penelantaran", "4 jiwa", 4)],
}


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("cells", list(RECAP_SETS))
def test_recap_counts_with_a_unit_word_load_the_number(cells, fmt, data_dir, tmp_path):
    values = RECAP_SETS[cells]
    rows = recap_rows(values)
    path = write_xlsx(tmp_path / "r.xlsx", rows) if fmt == "xlsx" else write_csv(tmp_path / "r.csv", rows)
    result = loader.load("kasus_rekap", [path])
    assert result.ok, result.report.to_text()
    got = dict(query("SELECT kategori, jumlah FROM fact_kasus_rekap WHERE satuan = 'korban'"))
    want = {form: n for form, _, n in values}
    assert got == {**want, "Jumlah": sum(want.values())}  # the total of a period without a JUMLAH row: summed


BAD_COUNTS = [("5 kg", "korban", "kg"), ("12 kasus", "korban", "kasus"), ("3 orang", "kasus", "orang")]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("bad", BAD_COUNTS, ids=[b[0] + "-" + b[1] for b in BAD_COUNTS])
def test_a_count_whose_unit_does_not_fit_is_refused_naming_the_cell(bad, fmt, based, tmp_path):
    raw, satuan, text = bad
    rows = recap_rows([("Seksual", "20", 20), ("Fisik", raw, None)], satuan=satuan)
    path = write_xlsx(tmp_path / "r.xlsx", rows) if fmt == "xlsx" else write_csv(tmp_path / "r.csv", rows)
    before = snapshot(based)
    result = loader.load("kasus_rekap", [path])
    refused(result, based, before, row=7, column="Jumlah", text=text, value=raw)


# ---------------------------------------------------------------------------------------------
# 3. coordinates: degrees-minutes-seconds, map links

LAT = -(3 + 58 / 60 + 12.3 / 3600)
LON = 122 + 30 / 60 + 45 / 3600
LAT_DM = -(3 + 58.205 / 60)
LON_DM = 122 + 30.75 / 60
RBRA_HEAD = ["No", "Nama RBRA", "Kecamatan", "Kelurahan"]

TWO_COLUMNS = [  # (latitude cell, longitude cell, lat, lon)
    ("3°58'12.3\"S", "122°30'45\"E", LAT, LON),
    ("3° 58' 12,3\" LS", "122° 30' 45\" BT", LAT, LON),
    ("3 58 12,3 LS", "122 30 45 BT", LAT, LON),
    ("S 3°58'12.3\"", "E 122°30'45\"", LAT, LON),
    ("LS 3° 58' 12.3\"", "BT 122° 30' 45\"", LAT, LON),
    ("3°58.205'S", "122°30.75'E", LAT_DM, LON_DM),
    ("-3°58'12.3\"", "122°30'45\"", LAT, LON),
    ("3º58′12.3″S", "122º30′45″E", LAT, LON),
    ("3°58'12.3''S", "122°30'45''E", LAT, LON),
    ("-3,9712", "122,5105", -3.9712, 122.5105),
]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("cells", TWO_COLUMNS, ids=[c[0] for c in TWO_COLUMNS])
def test_degrees_minutes_seconds_in_latitude_and_longitude_columns(cells, fmt, data_dir, tmp_path):
    lat_cell, lon_cell, lat, lon = cells
    rows = [["DAFTAR RBRA KOTA KENDARI"], [], [*RBRA_HEAD, "Lintang", "Bujur", "Status"]]
    rows.append([1, "Taman Korumba", "Mandonga", "Korumba", lat_cell, lon_cell, "RBRA"])
    rows.append([2, "Taman Kadia", "Kadia", "Kadia", "-3.98", "122.50", "Proses"])
    path = write_xlsx(tmp_path / "r.xlsx", rows) if fmt == "xlsx" else write_csv(tmp_path / "r.csv", rows)
    result = loader.load("rbra", [path])
    assert result.ok, result.report.to_text()
    got = dict((n, (a, b)) for n, a, b in query("SELECT nama, latitude, longitude FROM fact_rbra"))
    assert got["Taman Korumba"] == pytest.approx((lat, lon), abs=1e-6)
    assert got["Taman Kadia"] == pytest.approx((-3.98, 122.50), abs=1e-6)


ONE_COLUMN = [  # (header, cell, lat, lon)
    ("Koordinat", "3°58'12.3\"S 122°30'45\"E", LAT, LON),
    ("Koordinat", "3°58'12.3\"S, 122°30'45\"E", LAT, LON),
    ("Titik Koordinat", "3° 58' 12,3\" LS; 122° 30' 45\" BT", LAT, LON),
    ("Koordinat", "122°30'45\"BT 3°58'12.3\"LS", LAT, LON),  # the letters say which is which
    ("Link Maps", "https://maps.google.com/?q=-3.97,122.51", -3.97, 122.51),
    ("Link Maps", "https://www.google.com/maps/@-3.9712,122.5105,17z", -3.9712, 122.5105),
    (
        "Link Maps",
        "https://www.google.com/maps/place/Taman/@-3.97,122.51,15z/data=!3m1!4b1!4m6!3m5!1s0x0:0x0!8m2!3d-3.9705!4d122.5112",
        -3.9705,
        122.5112,
    ),
    ("Link Maps", "https://www.google.com/maps/place/Taman+Kota/@-3.97,122.51,15z", -3.97, 122.51),
    ("Link Google Maps", "https://www.google.com/maps/search/?api=1&query=-3.97%2C122.51", -3.97, 122.51),
    ("Tautan Peta", "https://www.openstreetmap.org/?mlat=-3.97&mlon=122.51#map=17/-3.97/122.51", -3.97, 122.51),
    ("Link Maps", "https://www.openstreetmap.org/#map=17/-3.9712/122.5105", -3.9712, 122.5105),
    ("Koordinat", "geo:-3.97,122.51", -3.97, 122.51),
    ("Koordinat", "https://www.google.co.id/maps?q=-3.9712,+122.5105", -3.9712, 122.5105),
    ("Lokasi", "https://maps.google.com/?q=-3.97,122.51", -3.97, 122.51),
    ("Lokasi", "geo:-3.9712,122.5105?z=17", -3.9712, 122.5105),
]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("cells", ONE_COLUMN, ids=[f"{c[0]}:{c[1][:40]}" for c in ONE_COLUMN])
def test_coordinates_from_one_column_or_a_map_link(cells, fmt, data_dir, tmp_path):
    header, cell, lat, lon = cells
    rows = [["DAFTAR RBRA KOTA KENDARI"], [], [*RBRA_HEAD, header, "Status"]]
    rows.append([1, "Taman Korumba", "Mandonga", "Korumba", cell, "RBRA"])
    path = write_xlsx(tmp_path / "r.xlsx", rows) if fmt == "xlsx" else write_csv(tmp_path / "r.csv", rows)
    result = loader.load("rbra", [path])
    assert result.ok, result.report.to_text()
    [(a, b)] = query("SELECT latitude, longitude FROM fact_rbra WHERE nama = 'Taman Korumba'")
    assert (a, b) == pytest.approx((lat, lon), abs=1e-6)
    layout = " ".join(result.report.layout)
    assert "daftar RBRA" in layout and "1 baris" in layout and f"kolom {header}" in layout, result.report.layout


BAD_COORDS = [  # (header(s), cell(s), text in the error)
    ("Link Maps", "https://maps.app.goo.gl/AbCdEf12345", "salin koordinat"),
    ("Link Maps", "https://goo.gl/maps/AbCdEf12345", "salin koordinat"),
    ("Lokasi", "https://maps.app.goo.gl/AbCdEf12345", "salin koordinat"),
    ("Link Maps", "https://www.google.com/maps/place/Taman+Kota+Kendari", "tidak memuat koordinat"),
    ("Koordinat", "3°65'12\"S 122°30'45\"E", "menit"),
    ("Koordinat", "3°58'72\"S 122°30'45\"E", "detik"),
    ("Koordinat", "3°58'12\"S 3°58'12\"S", "bujur"),
    ("Koordinat", "122.5105, -3.9712", "tertukar"),  # unlabelled: latitude first, as before
    (("Lintang", "Bujur"), ("122°30'45\"BT", "3°58'12\"LS"), "bujur"),
    (("Lintang", "Bujur"), ("3°58'12\"N", "122°30'45\"E"), "negatif"),
    (("Lintang", "Bujur"), ("3°58'12\"", "122°30'45\"X"), "koordinat"),  # reported at Bujur, the cell with the X
]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("bad", BAD_COORDS, ids=[str(b[1])[:40] for b in BAD_COORDS])
def test_a_coordinate_that_cannot_be_read_is_refused_naming_the_cell(bad, fmt, based, tmp_path):
    headers, cells, text = bad
    headers = list(headers) if isinstance(headers, tuple) else [headers]
    cells = list(cells) if isinstance(cells, tuple) else [cells]
    rows = [["DAFTAR RBRA"], [], [*RBRA_HEAD, *headers, "Status"]]
    rows.append([1, "Taman Baik", "Kadia", "Kadia", *(["-3.98", "122.50"] if len(headers) == 2 else ["-3.98 122.50"])])
    rows[-1].append("RBRA")
    rows.append([2, "Taman Korumba", "Mandonga", "Korumba", *cells, "RBRA"])
    path = write_xlsx(tmp_path / "r.xlsx", rows) if fmt == "xlsx" else write_csv(tmp_path / "r.csv", rows)
    before = snapshot(based)
    result = loader.load("rbra", [path])
    column = headers[1] if str(cells[-1]).endswith("X") else headers[0]
    extent = text in ("negatif", "tertukar")  # the region's extent check names the point, not the cell
    refused(
        result, based, before, row=5, column=column, text=text, value=None if extent else cells[headers.index(column)]
    )


def test_a_short_link_is_never_fetched(based, tmp_path, monkeypatch):
    """The app is offline: a short link is refused without any network access (read in this process, where the
    socket functions are replaced, with the loader's own context and inputs)."""
    import socket

    from etl.problems import Report
    from etl.sources import rbra

    def no_network(*a, **k):
        raise AssertionError("network access")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    rows = [
        [*RBRA_HEAD, "Link Maps", "Status"],
        [1, "Taman", "Mandonga", "Korumba", "https://maps.app.goo.gl/x1", "RBRA"],
    ]
    path = write_csv(tmp_path / "r.csv", rows)
    report = Report()
    frames = rbra.parse(loader._inputs([path], None), loader.make_context(None, False, "default"), report)
    assert report.has_errors and frames is not None
    assert any("buka tautan" in p.message.lower() and p.row == 2 for p in report.errors), report.to_text()


# ---------------------------------------------------------------------------------------------
# 4. a hidden helper sheet of dropdown lists

RBRA_DATA = [
    ["DAFTAR RUANG BERMAIN RAMAH ANAK"],
    [],
    ["No", "Nama RBRA", "Kecamatan", "Kelurahan", "Latitude", "Longitude", "Status"],
    [1, "Taman Korumba", "Mandonga", "Korumba", -3.9712, 122.5105, "RBRA"],
    [2, "Taman Kandai", "Kendari", "Kandai", -3.9715, 122.5847, "Proses"],
    [3, "Taman Kadia", "Kadia", "Kadia", -3.9798, 122.4987, "Belum"],
]
LISTS = [
    ["Kecamatan", "Kelurahan", "Status"],
    ["Mandonga", "Korumba", "RBRA"],
    ["Kendari", "Kandai", "Proses"],
    ["Kadia", "Kadia", "Belum"],
    ["Baruga", "Lepo-Lepo", None],
]
KASUS_DATA = [
    ["No", "No Registrasi", "Tanggal Kejadian", "Tanggal Lapor", "Kecamatan", "Usia Korban", "JK Korban", "Bentuk"],
    [1, "H-1", D(2024, 7, 14), D(2024, 7, 15), "Kadia", 8, "P", "Fisik"],
    [2, "H-2", D(2024, 7, 16), D(2024, 7, 19), "Poasia", 13, "L", "Psikis"],
]
KASUS_LISTS = [
    ["Kecamatan", "Jenis Kelamin", "Bentuk Kekerasan", "Tempat Kejadian"],
    ["Kadia", "L", "Fisik", "Rumah Tangga"],
    ["Poasia", "P", "Psikis", "Sekolah"],
]


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
@pytest.mark.parametrize("first", [False, True], ids=["after", "before"])
@pytest.mark.parametrize("name", ["Daftar", "List"])
def test_a_hidden_sheet_of_dropdown_lists_is_skipped(name, first, state, data_dir, tmp_path):
    path = write_xlsx(tmp_path / "rbra.xlsx", RBRA_DATA, extra_sheets=[(name, LISTS, state, first)])
    result = loader.load("rbra", [path])
    assert result.ok, result.report.to_text()
    assert query("SELECT count(*) FROM fact_rbra")[0][0] == 3
    assert sorted(query("SELECT nama, status FROM fact_rbra")) == [
        ("Taman Kadia", "Belum Terstandar"),
        ("Taman Kandai", "Proses Standardisasi"),
        ("Taman Korumba", "RBRA"),
    ]
    assert any(f'Sheet tersembunyi "{name}" dilewati' in n for n in result.report.notes), result.report.notes
    assert not result.report.errors


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_a_hidden_list_sheet_next_to_a_case_register(state, data_dir, tmp_path):
    path = write_xlsx(tmp_path / "k.xlsx", KASUS_DATA, extra_sheets=[("Daftar", KASUS_LISTS, state, False)])
    result = loader.load("kasus", [path])
    assert result.ok, result.report.to_text()
    assert sorted(query("SELECT usia, jenis_kelamin FROM fact_kasus")) == [(8, "P"), (13, "L")]
    assert any('Sheet tersembunyi "Daftar" dilewati' in n for n in result.report.notes)


def test_a_visible_second_data_sheet_is_still_read(data_dir, tmp_path):
    more = [RBRA_DATA[2], [1, "Taman Lepo", "Baruga", "Lepo-Lepo", -4.0249, 122.5075, "RBRA"]]
    path = write_xlsx(tmp_path / "rbra.xlsx", RBRA_DATA, extra_sheets=[("Tambahan", more, "visible", False)])
    result = loader.load("rbra", [path])
    assert result.ok, result.report.to_text()
    assert query("SELECT count(*) FROM fact_rbra")[0][0] == 4


def test_data_only_on_a_hidden_sheet_is_refused_saying_how_to_show_it(based, tmp_path):
    path = write_xlsx(
        tmp_path / "rbra.xlsx",
        [["Catatan: data ada di sheet lain"]],
        extra_sheets=[("Data RBRA", RBRA_DATA, "hidden", False)],
    )
    before = snapshot(based)
    result = loader.load("rbra", [path])
    assert not result.ok
    assert any("Data RBRA" in p.message and "Unhide" in p.message for p in result.report.errors), (
        result.report.to_text()
    )
    assert snapshot(based) == before


# A hidden list sheet whose headers are another dataset's (the register's dropdowns next to an RBRA list) must not
# decide which dataset the file is for: the guess and the "wrong dataset" hint read the sheets the load reads.
CASE_HEADER_LISTS = [
    ["No Register", "Tanggal Kejadian", "Tanggal Pelaporan", "Kecamatan", "Usia", "Jenis Kelamin", "Bentuk Kekerasan"],
    ["-", None, None, "Kadia", None, "L", "Fisik"],
]


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_a_hidden_sheet_does_not_decide_the_dataset(state, data_dir, tmp_path):
    path = write_xlsx(tmp_path / "rbra.xlsx", RBRA_DATA, extra_sheets=[("Daftar", CASE_HEADER_LISTS, state, True)])
    assert loader.guess_dataset([path]) == "rbra"
    result = loader.load("rbra", [path])
    assert result.ok, result.report.to_text()
    assert not any("tampaknya berisi data" in p.message for p in result.report.problems)
