"""Population tables as BPS "Dalam Angka" and Dukcapil offices send them (issue 20): each layout loads with the
totals the file itself holds, or is refused with a message naming the cell and the warehouse unchanged.

Every test writes a real workbook (openpyxl, merged cells where the layout has them) or CSV, loads it through
etl.loader.load and compares SUM(jumlah_anak) in the warehouse, per kecamatan and kelurahan, with the file's own
figures (its detail cells and its JUMLAH rows).
"""

from __future__ import annotations

import csv
import hashlib
import shutil
from pathlib import Path

import duckdb
import openpyxl
import pytest

from etl import loader, reference, warehouse
from etl.problems import Report
from etl.read import find_tables, read_sheets

KODE = {"Mandonga": "74.71.01", "Kadia": "74.71.08"}
KEL = {"Mandonga": ["Korumba", "Labibia", "Alolama"], "Kadia": ["Bende", "Kadia", "Pondambea"]}
KODE_KEL = {
    "Korumba": "74.71.01.1006",
    "Labibia": "74.71.01.1007",
    "Alolama": "74.71.01.1009",
    "Bende": "74.71.08.1002",
    "Kadia": "74.71.08.1001",
    "Pondambea": "74.71.08.1003",
}
BANDS = ["0-4", "5-9", "10-14", "15-17"]


def n(kel: str, i: int, sex: str) -> int:
    """The count of kelurahan `kel`, band i, sex L/P written in every file below (varied, reproducible)."""
    return 10 + sum(map(ord, kel)) % 23 + 7 * i + (3 if sex == "P" else 0)


def kel_total(kel: str, bands: int = 4) -> int:
    return sum(n(kel, i, s) for i in range(bands) for s in "LP")


def kec_total(kec: str, bands: int = 4) -> int:
    return sum(kel_total(k, bands) for k in KEL[kec])


@pytest.fixture()
def data_dir(tmp_path, monkeypatch):
    d = tmp_path / "data"
    monkeypatch.setenv("KLA_DATA_DIR", str(d))
    monkeypatch.setenv("KLA_SALT", "uji-tata-letak")
    monkeypatch.delenv("KLA_FAULT", raising=False)
    return d


def book(path: Path, *sheets: tuple[str, list[list], list[str]]) -> Path:
    """A workbook with one sheet per (name, rows, merged ranges)."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows, merges in sheets:
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
        for m in merges:
            ws.merge_cells(m)
    wb.save(path)
    return path


def sql(query: str, params=()):
    con = warehouse.connect_current()
    try:
        return con.execute(query, params).fetchall()
    finally:
        con.close()


def loaded_total(where: str = "TRUE") -> int:
    return sql(f"SELECT coalesce(sum(jumlah_anak), 0) FROM fact_penduduk WHERE {where}")[0][0]


def per_kecamatan() -> dict[str, int]:
    return dict(sql("SELECT kode_kecamatan, sum(jumlah_anak) FROM fact_penduduk GROUP BY 1"))


def per_kelurahan() -> dict[str, int]:
    return dict(sql("SELECT kode_wilayah, sum(jumlah_anak) FROM fact_penduduk GROUP BY 1"))


def load_ok(paths: list[Path], warnings_ok: bool = False):
    result = loader.load("penduduk", paths)
    text = result.report.to_text()
    assert result.ok, text
    if not warnings_ok:
        assert not result.report.warnings, text
    return result


def expect_kelurahan(kecs: list[str], bands: int = 4) -> None:
    """The warehouse holds exactly the file's figures: per kelurahan, per kecamatan and in all."""
    assert per_kelurahan() == {KODE_KEL[k]: kel_total(k, bands) for kec in kecs for k in KEL[kec]}
    assert per_kecamatan() == {KODE[kec]: kec_total(kec, bands) for kec in kecs}
    assert loaded_total("level = 'kelurahan'") == sum(kec_total(kec, bands) for kec in kecs)


def snapshot(data_dir: Path) -> dict[str, str]:
    folder = data_dir / "warehouse"
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture()
def loaded_before(data_dir, tmp_path):
    """A warehouse with one good penduduk load, so a refused file can be shown to change nothing."""
    good = book(tmp_path / "baik.xlsx", ("2023", [["Kecamatan", "0-4", "5-9"], ["Baruga", 5, 6]], []))
    load_ok([good])
    return snapshot(data_dir)


def refused(path: Path, data_dir: Path, before: dict) -> list:
    result = loader.load("penduduk", [path])
    assert not result.ok, result.report.to_text()
    assert snapshot(data_dir) == before, "the warehouse changed"
    return result.report.errors


def wide_lp_rows(kecs: list[str], kec_cell=lambda kec, first: kec, with_jumlah: bool = True) -> list[list]:
    """Detail rows (and a JUMLAH row per kecamatan) of a wide L/P table: kec, kel, L, P per band."""
    rows = []
    for kec in kecs:
        for j, kel in enumerate(KEL[kec]):
            rows.append([kec_cell(kec, j == 0), kel, *(n(kel, i, s) for i in range(4) for s in "LP")])
        if with_jumlah:
            rows.append(["JUMLAH", None, *(sum(n(k, i, s) for k in KEL[kec]) for i in range(4) for s in "LP")])
    return rows


# --- 1. Bilingual headers -------------------------------------------------------------------------------------


def _bilingual_wide(path: Path, kec_h: str, kel_h: str, male: str, female: str, total: str) -> Path:
    top = ["No", kec_h, kel_h]
    for b in BANDS:
        top += [b, None]
    top += [total, None]
    sub = [None, None, None, *[male, female] * 5]
    rows = [["Jumlah Anak Menurut Kelompok Umur dan Jenis Kelamin, 2023"], [], top, sub]
    total_row = [None, total, None]
    for no, (kec, kel) in enumerate([(k, kel) for k in KEL for kel in KEL[k]], 1):
        cells = [n(kel, i, s) for i in range(4) for s in "LP"]
        rows.append([no, kec, kel, *cells, sum(cells[0::2]), sum(cells[1::2])])
    sums = [sum(n(k, i, s) for kec in KEL for k in KEL[kec]) for i in range(4) for s in "LP"]
    rows.append([*total_row, *sums, sum(sums[0::2]), sum(sums[1::2])])
    merges = ["A3:A4", "B3:B4", "C3:C4", "D3:E3", "F3:G3", "H3:I3", "J3:K3", "L3:M3"]
    return book(path, ("Tabel 3.1.4", rows, merges))


BILINGUAL_WIDE = {
    "slash": ("Kecamatan/District", "Desa/Kelurahan / Village", "Laki-laki/Male", "Perempuan/Female", "Jumlah/Total"),
    "english first": ("District/Kecamatan", "Village/Desa/Kelurahan", "Male/Laki-laki", "Female/Perempuan", "Total"),
    "line breaks": (
        "Kecamatan\nDistrict",
        "Desa/Kelurahan\nVillage",
        "Laki-laki\nMale",
        "Perempuan\nFemale",
        "Jumlah\nTotal",
    ),
    "line breaks, english first": (
        "District\nKecamatan",
        "Village\nKelurahan",
        "Male\nLaki-laki",
        "Female\nPerempuan",
        "Total\nJumlah",
    ),
}


@pytest.mark.parametrize("variant", BILINGUAL_WIDE, ids=list(BILINGUAL_WIDE))
def test_bilingual_headers_wide_table_loads_exact_totals(data_dir, tmp_path, variant):
    path = _bilingual_wide(tmp_path / "bps.xlsx", *BILINGUAL_WIDE[variant])
    result = load_ok([path])
    expect_kelurahan(["Mandonga", "Kadia"])
    assert sql("SELECT DISTINCT jenis_kelamin FROM fact_penduduk ORDER BY 1") == [("L",), ("P",)]
    assert any("tabel lebar" in s and "(L, P)" in s for s in result.report.layout), result.report.layout


@pytest.mark.parametrize(
    "head, sexes",
    [
        (["Tahun/Year", "Kecamatan/District", "Desa/Kelurahan / Village", "Jenis Kelamin/Sex",
          "Kelompok Umur/Age Group", "Jumlah/Total"], ("Laki-laki", "Perempuan")),
        (["Year\nTahun", "District\nKecamatan", "Village\nKelurahan", "Sex\nJenis Kelamin", "Age Group\nKelompok Umur",
          "Total\nJumlah"], ("Male", "Female")),
    ],
    ids=["slash", "english first, line breaks"],
)  # fmt: skip
def test_bilingual_headers_long_table_loads_exact_totals(data_dir, tmp_path, head, sexes):
    rows = [head]
    for kec in KEL:
        for kel in KEL[kec]:
            for i, band in enumerate(BANDS):
                for sex, word in zip("LP", sexes):
                    rows.append([2023, kec, kel, word, band, n(kel, i, sex)])
    load_ok([book(tmp_path / "panjang.xlsx", ("Data", rows, []))])
    expect_kelurahan(["Mandonga", "Kadia"])
    assert loaded_total("jenis_kelamin = 'L'") == sum(n(k, i, "L") for c in KEL for k in KEL[c] for i in range(4))


def test_bps_kecamatan_table_bands_as_rows_bilingual(data_dir, tmp_path):
    """BPS "Kecamatan Dalam Angka": age groups as rows, Laki-laki/Male, Perempuan/Female, Jumlah/Total columns, the
    kecamatan only in the title. The 15-19 group gives the flagged 3/5 estimate; adult groups are not loaded."""
    groups = ["0-4", "5-9", "10-14", "15-19", "20-24", "25-29", "75+"]
    male = [410, 395, 380, 402, 450, 433, 51]
    female = [398, 377, 366, 415, 470, 441, 77]
    rows = [
        ["Tabel 3.2.3 Jumlah Penduduk Menurut Kelompok Umur dan Jenis Kelamin di Kecamatan Mandonga, 2023"],
        ["Table 3.2.3 Population by Age Group and Sex in Mandonga District, 2023"],
        [],
        ["Kelompok Umur/Age Group", "Laki-laki/Male", "Perempuan/Female", "Jumlah/Total"],
        ["(1)", "(2)", "(3)", "(4)"],
        *[[g, m, f, m + f] for g, m, f in zip(groups, male, female)],
        ["Jumlah/Total", sum(male), sum(female), sum(male) + sum(female)],
        ["Sumber: BPS Kota Kendari, Kecamatan Mandonga Dalam Angka 2024"],
    ]
    result = load_ok([book(tmp_path / "mandonga_da.xlsx", ("3.2.3", rows, []))], warnings_ok=True)
    assert [w for w in result.report.warnings if "3/5" not in w.message] == [], result.report.to_text()
    got = sql(
        "SELECT umur_min, umur_max, sum(jumlah_anak), bool_or(estimasi) FROM fact_penduduk "
        "WHERE kode_wilayah = '74.71.01' AND tahun = 2023 GROUP BY ALL ORDER BY 1"
    )
    est = int(male[3] * 3 / 5 + 0.5) + int(female[3] * 3 / 5 + 0.5)
    assert got == [
        (0, 4, male[0] + female[0], False),
        (5, 9, male[1] + female[1], False),
        (10, 14, male[2] + female[2], False),
        (15, 17, est, True),
    ]
    assert any("kecamatan Mandonga dari judul" in s for s in result.report.layout), result.report.layout


@pytest.mark.parametrize(
    "header, expected",
    [
        ("Desa/Kelurahan", ("canon", "kelurahan")),
        ("Kecamatan/District", ("canon", "kecamatan")),
        ("District\nKecamatan", ("canon", "kecamatan")),
        ("Kelompok Umur/Age Group", ("canon", "umur")),
        ("0-4/L", ("extra", "0 4 l")),
        ("Laki-laki/Male", ("extra", "laki laki")),
        ("Laki-laki/Perempuan", None),  # two different sexes: not a bilingual header, never read as Laki-laki
        ("Male/Female", None),
    ],
)
def test_bilingual_header_halves(header, expected):
    from etl.read.header import classify, header_key
    from etl.sources.penduduk import spec

    got = classify(header_key(header, spec()), spec())
    assert got == expected


# --- 2. Age headers typed as numbers --------------------------------------------------------------------------


def _single_years(kel: str, age: int) -> int:
    return 3 + (sum(map(ord, kel)) + 5 * age) % 19


@pytest.mark.parametrize("as_float", [False, True], ids=["int", "float"])
def test_single_year_ages_typed_as_numbers(data_dir, tmp_path, as_float):
    ages = [float(a) if as_float else a for a in range(18)]
    rows = [["JUMLAH ANAK MENURUT UMUR TUNGGAL TAHUN 2024"], ["Kecamatan", "Kelurahan", *ages]]
    for kel in KEL["Mandonga"]:
        rows.append(["Mandonga", kel, *(_single_years(kel, a) for a in range(18))])
    load_ok([book(tmp_path / "umur.xlsx", ("Data", rows, []))])
    got = sql("SELECT umur_min, umur_max, sum(jumlah_anak) FROM fact_penduduk GROUP BY ALL ORDER BY 1")
    assert got == [(a, a, sum(_single_years(k, a) for k in KEL["Mandonga"])) for a in range(18)]


def test_single_year_ages_as_numbers_under_a_merged_umur_caption(data_dir, tmp_path):
    rows = [
        ["TAHUN 2024"],
        ["Kecamatan", "Kelurahan", "Umur (Tahun)", *[None] * 17],
        [None, None, *(float(a) for a in range(18))],
    ]
    for kel in KEL["Kadia"]:
        rows.append(["Kadia", kel, *(_single_years(kel, a) for a in range(18))])
    rows.append(["JUMLAH", None, *(sum(_single_years(k, a) for k in KEL["Kadia"]) for a in range(18))])
    load_ok([book(tmp_path / "umur2.xlsx", ("Data", rows, ["A2:A3", "B2:B3", "C2:T2"]))])
    assert loaded_total() == sum(_single_years(k, a) for k in KEL["Kadia"] for a in range(18))
    assert sql("SELECT count(DISTINCT umur_min), min(umur_min), max(umur_max) FROM fact_penduduk") == [(18, 0, 17)]


@pytest.mark.parametrize("sub", [False, True], ids=["one row", "with L/P"])
def test_band_starts_typed_as_numbers(data_dir, tmp_path, sub):
    """0, 5, 10, 15, 18 as numbers: the groups 0-4, 5-9, 10-14, 15-17 and 18+ (adult, not loaded)."""
    starts = [0, 5, 10, 15, 18]
    if sub:
        top = ["Kecamatan", "Kelurahan"]
        for s in starts:
            top += [s, None]
        rows = [["TAHUN 2024"], top, [None, None, *["L", "P"] * 5]]
        merges = ["A2:A3", "B2:B3", "C2:D2", "E2:F2", "G2:H2", "I2:J2", "K2:L2"]
        for kel in KEL["Mandonga"]:
            rows.append(["Mandonga", kel, *(n(kel, i, s) for i in range(4) for s in "LP"), 500, 600])
    else:
        rows, merges = [["TAHUN 2024"], ["Kecamatan", "Kelurahan", *starts]], []
        for kel in KEL["Mandonga"]:
            rows.append(["Mandonga", kel, *(n(kel, i, "L") + n(kel, i, "P") for i in range(4)), 999])
    load_ok([book(tmp_path / "awal.xlsx", ("Data", rows, merges))])
    assert per_kecamatan() == {"74.71.01": kec_total("Mandonga")}
    bands = sql("SELECT DISTINCT umur_min, umur_max FROM fact_penduduk ORDER BY 1")
    assert bands == [(0, 4), (5, 9), (10, 14), (15, 17)]


def test_band_starts_without_the_end_of_the_last_group_are_refused(data_dir, tmp_path, loaded_before):
    rows = [["TAHUN 2024"], ["Kecamatan", "Kelurahan", 0, 5, 10, 15]]
    rows += [["Mandonga", kel, 1, 2, 3, 4] for kel in KEL["Mandonga"]]
    errors = refused(book(tmp_path / "awal.xlsx", ("Data", rows, [])), data_dir, loaded_before)
    assert any(e.column == "15" and e.row == 2 and "15-17" in e.message and "15-19" in e.message for e in errors), [
        e.to_text() for e in errors
    ]


# --- 3. The kecamatan as a group row, merged down, or only in the first row of its block -----------------------


def _group_rows(style: str) -> tuple[list[list], list[str]]:
    head = ["No", "Desa/Kelurahan", *BANDS]
    rows, merges = [["JUMLAH ANAK PER KELURAHAN TAHUN 2023"], head], []
    no = 0
    for g, kec in enumerate(KEL):
        r = len(rows) + 1
        if style == "kecamatan word":
            rows.append([None, f"KECAMATAN {kec.upper()}"])
        elif style == "merged across":
            rows.append([f"Kec. {kec}"])
            merges.append(f"A{r}:F{r}")
        elif style == "numbered":
            rows.append(["I" * (g + 1), kec])
        for kel in KEL[kec]:
            no += 1
            rows.append([no, kel, *(n(kel, i, "L") + n(kel, i, "P") for i in range(4))])
        rows.append([None, f"Jumlah Kec. {kec}", *(sum(n(k, i, s) for k in KEL[kec] for s in "LP") for i in range(4))])
    rows.append([None, "TOTAL", *(sum(n(k, i, s) for c in KEL for k in KEL[c] for s in "LP") for i in range(4))])
    return rows, merges


@pytest.mark.parametrize("style", ["kecamatan word", "merged across", "numbered"])
def test_kecamatan_group_rows_above_their_kelurahan(data_dir, tmp_path, style):
    rows, merges = _group_rows(style)
    result = load_ok([book(tmp_path / "kelompok.xlsx", ("Data", rows, merges))])
    expect_kelurahan(["Mandonga", "Kadia"])
    assert result.report.rows_read == 6  # the group rows are not records
    assert any("kecamatan dari baris kelompok" in s for s in result.report.layout), result.report.layout


def test_kecamatan_group_rows_in_a_semicolon_csv(data_dir, tmp_path):
    rows, _ = _group_rows("kecamatan word")
    path = tmp_path / "kelompok.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, delimiter=";").writerows(rows)
    load_ok([path])
    expect_kelurahan(["Mandonga", "Kadia"])


@pytest.mark.parametrize("style", ["merged down", "first row only", "merged down with subtotal"])
def test_kecamatan_merged_down_or_written_once(data_dir, tmp_path, style):
    top = ["Kecamatan", "Kelurahan"]
    for b in BANDS:
        top += [b, None]
    rows = [["TAHUN 2023"], top, [None, None, *["L", "P"] * 4]]
    merges = ["A2:A3", "B2:B3", "C2:D2", "E2:F2", "G2:H2", "I2:J2"]
    for kec in KEL:
        first = len(rows) + 1
        for j, kel in enumerate(KEL[kec]):
            rows.append([kec if j == 0 else None, kel, *(n(kel, i, s) for i in range(4) for s in "LP")])
        if style == "merged down with subtotal":
            rows.append([None, "Jumlah", *(sum(n(k, i, s) for k in KEL[kec]) for i in range(4) for s in "LP")])
        if style.startswith("merged down"):
            merges.append(f"A{first}:A{len(rows)}")
    load_ok([book(tmp_path / "gabung.xlsx", ("Data", rows, merges))])
    expect_kelurahan(["Mandonga", "Kadia"])


def test_group_row_that_is_not_a_kecamatan_is_refused_naming_the_row(data_dir, tmp_path, loaded_before):
    rows = [["TAHUN 2023"], ["No", "Kelurahan", *BANDS], [None, "Kecamatan Mandongga"]]
    rows += [[1, "Korumba", 1, 2, 3, 4], [2, "Labibia", 1, 2, 3, 4]]
    errors = refused(book(tmp_path / "salah.xlsx", ("Data", rows, [])), data_dir, loaded_before)
    assert any(e.row == 3 and "Mandongga" in e.to_text() and '"Mandonga"' in e.message for e in errors), [
        e.to_text() for e in errors
    ]


def test_kelurahan_under_the_wrong_group_row_is_refused(data_dir, tmp_path, loaded_before):
    rows = [["TAHUN 2023"], ["No", "Kelurahan", *BANDS], [None, "KECAMATAN KADIA"]]
    rows += [[1, "Bende", 1, 2, 3, 4], [2, "Korumba", 1, 2, 3, 4]]
    errors = refused(book(tmp_path / "salah.xlsx", ("Data", rows, [])), data_dir, loaded_before)
    assert any(e.row == 5 and e.column == "Kelurahan" and "Kecamatan Mandonga" in e.message for e in errors), [
        e.to_text() for e in errors
    ]


# --- 4. Subtotal rows named other than JUMLAH -----------------------------------------------------------------

SUBTOTALS = ["SUB JUMLAH", "SUBTOTAL", "Sub Total", "Jumlah Kecamatan", "Jumlah Kec. {kec}", "TOTAL KECAMATAN"]


@pytest.mark.parametrize("word", SUBTOTALS)
def test_subtotal_rows_are_checked_not_loaded(data_dir, tmp_path, word):
    rows = [["TAHUN 2023"], ["Kecamatan", "Kelurahan", *BANDS]]
    for kec in KEL:
        for kel in KEL[kec]:
            rows.append([kec, kel, *(n(kel, i, "L") + n(kel, i, "P") for i in range(4))])
        rows.append([word.format(kec=kec), None, *(sum(n(k, i, s) for k in KEL[kec] for s in "LP") for i in range(4))])
    rows.append(["JUMLAH", None, *(sum(n(k, i, s) for c in KEL for k in KEL[c] for s in "LP") for i in range(4))])
    result = load_ok([book(tmp_path / "sub.xlsx", ("Data", rows, []))])
    expect_kelurahan(["Mandonga", "Kadia"])
    assert any("3 baris JUMLAH, 12 sel diperiksa, 0 tidak cocok" in note for note in result.report.notes)


@pytest.mark.parametrize("word", SUBTOTALS)
def test_wrong_subtotal_is_flagged_at_its_cell(data_dir, tmp_path, word):
    rows = [["TAHUN 2023"], ["Kecamatan", "Kelurahan", *BANDS]]
    for kel in KEL["Mandonga"]:
        rows.append(["Mandonga", kel, 1, 2, 3, 4])
    rows.append([word.format(kec="Mandonga"), None, 3, 6, 9, 13])  # 15-17: 12 in the rows above
    result = loader.load("penduduk", [book(tmp_path / "sub.xlsx", ("Data", rows, []))])
    flagged = [p for p in result.report.problems if "JUMLAH" in p.message and p.row == 6 and p.column == "15-17"]
    assert flagged, result.report.to_text()
    if result.ok:  # a difference the analyst did not accept is never loaded silently
        assert loaded_total() == 3 * (1 + 2 + 3 + 4)


@pytest.mark.parametrize("word", SUBTOTALS)
def test_subtotal_words_agree_between_row_and_columnar_csv_readers(tmp_path, word):
    path = tmp_path / "sub.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(["Tahun", "Kecamatan", "Kelurahan", "0-4", "5-9"])
        for kel in KEL["Mandonga"]:
            w.writerow([2023, "Mandonga", kel, 1, 2])
        w.writerow(["", word.format(kec="Mandonga"), "", 3, 6])
        w.writerow([2023, "Kadia", "Bende", 4, 5])
    from etl.sources.penduduk import spec

    row_tables = find_tables(read_sheets(path), spec(), Report())
    con = duckdb.connect()
    col_tables = find_tables(read_sheets(path, con=con), spec(), Report())
    assert col_tables[0].body is not None  # the columnar path was taken
    assert [t["_row"] for t in row_tables[0].totals] == [t["_row"] for t in col_tables[0].totals] == [5]
    assert row_tables[0].n_records == col_tables[0].n_records == 4


# --- 5. The kecamatan only in the title or the sheet name ------------------------------------------------------


def _kelurahan_only(kec: str, title: list[list]) -> list[list]:
    top = ["No", "Desa/Kelurahan"]
    for b in BANDS:
        top += [b, None]
    rows = [*title, top, [None, None, *["L", "P"] * 4]]
    for j, kel in enumerate(KEL[kec], 1):
        rows.append([j, kel, *(n(kel, i, s) for i in range(4) for s in "LP")])
    rows.append([None, "Jumlah", *(sum(n(k, i, s) for k in KEL[kec]) for i in range(4) for s in "LP")])
    return rows


MERGES_KEL_ONLY = ["C{r}:D{r}", "E{r}:F{r}", "G{r}:H{r}", "I{r}:J{r}"]


def _merges(title_rows: int) -> list[str]:
    r = title_rows + 1
    return [f"A{r}:A{r + 1}", f"B{r}:B{r + 1}", *(m.format(r=r) for m in MERGES_KEL_ONLY)]


@pytest.mark.parametrize(
    "sheet, title, how",
    [
        ("Tabel 1", [["Jumlah Penduduk Menurut Kelompok Umur di Kecamatan Mandonga, 2023"]], "judul"),
        ("Tabel 1", [["KECAMATAN MANDONGA DALAM ANGKA 2024"], ["Penduduk Menurut Kelompok Umur, 2023"]], "judul"),
        ("Mandonga", [["JUMLAH ANAK PER KELURAHAN TAHUN 2023"]], "nama sheet"),
        ("Kec. Mandonga 2023", [["JUMLAH ANAK PER KELURAHAN"]], "nama sheet"),
    ],
    ids=["title", "title kecamatan dalam angka", "sheet name", "sheet name with year"],
)
def test_kecamatan_from_title_or_sheet_name(data_dir, tmp_path, sheet, title, how):
    rows = _kelurahan_only("Mandonga", title)
    result = load_ok([book(tmp_path / "kec.xlsx", (sheet, rows, _merges(len(title))))])
    expect_kelurahan(["Mandonga"])
    assert sql("SELECT DISTINCT tahun FROM fact_penduduk") == [(2023,)]
    assert any(f"kecamatan Mandonga dari {how}" in s and "3 kelurahan" in s for s in result.report.layout), (
        result.report.layout
    )


def test_one_sheet_per_kecamatan_named_by_the_sheet(data_dir, tmp_path):
    title = [["JUMLAH ANAK PER KELURAHAN TAHUN 2023"]]
    sheets = [(kec, _kelurahan_only(kec, title), _merges(1)) for kec in KEL]
    load_ok([book(tmp_path / "per_kec.xlsx", *sheets)])
    expect_kelurahan(["Mandonga", "Kadia"])


def test_kelurahan_name_in_two_kecamatan_is_resolved_by_the_title_never_guessed(data_dir, tmp_path, loaded_before):
    """A second Korumba (in Kadia): the title names the kecamatan, so each file's Korumba is its own; without a
    kecamatan anywhere the file is refused."""
    wil = tmp_path / "wilayah.csv"
    wil.write_text("Kode,Nama,Level\n74.71.08.1099,Korumba,kelurahan\n", encoding="utf-8")
    assert loader.load("wilayah", [wil]).ok
    title = [["Jumlah Anak Menurut Kelompok Umur di Kecamatan Kadia, 2023"]]
    rows = [*title, ["No", "Kelurahan", *BANDS], [1, "Korumba", 1, 2, 3, 4], [2, "Bende", 5, 6, 7, 8]]
    load_ok([book(tmp_path / "kadia.xlsx", ("Data", rows, []))])
    kadia = {k: v for k, v in per_kelurahan().items() if k.startswith("74.71.08")}
    assert kadia == {"74.71.08.1099": 10, "74.71.08.1002": 26}
    assert "74.71.01.1006" not in per_kelurahan()
    before = snapshot(data_dir)
    rows = [["TAHUN 2023"], ["No", "Kelurahan", *BANDS], [1, "Korumba", 1, 2, 3, 4]]
    errors = refused(book(tmp_path / "tanpa.xlsx", ("Data", rows, [])), data_dir, before)
    assert any(e.row == 2 and "Kecamatan" in e.message and "judul" in e.message for e in errors), [
        e.to_text() for e in errors
    ]


def test_kelurahan_outside_the_title_kecamatan_is_refused(data_dir, tmp_path, loaded_before):
    title = [["Jumlah Anak Menurut Kelompok Umur di Kecamatan Mandonga, 2023"]]
    rows = [*title, ["No", "Kelurahan", *BANDS], [1, "Korumba", 1, 2, 3, 4], [2, "Bende", 5, 6, 7, 8]]
    errors = refused(book(tmp_path / "salah.xlsx", ("Data", rows, [])), data_dir, loaded_before)
    assert any(e.row == 4 and e.column == "Kelurahan" and "Kadia" in e.message for e in errors), [
        e.to_text() for e in errors
    ]


# --- 6. Age-band headers that cannot be read are errors; ranges with s/d, sampai, dashes -----------------------


def test_band_ranges_written_with_words_and_dashes(data_dir, tmp_path):
    heads = ["0 s/d 4", "5 s.d. 9", "10 sampai 14", "15 \u2013 17"]
    rows = [["TAHUN 2023"], ["Kecamatan", "Kelurahan", *heads]]
    rows += [[kec, kel, *(n(kel, i, "L") + n(kel, i, "P") for i in range(4))] for kec in KEL for kel in KEL[kec]]
    load_ok([book(tmp_path / "sd.xlsx", ("Data", rows, []))])
    expect_kelurahan(["Mandonga", "Kadia"])
    assert sql("SELECT DISTINCT umur_min, umur_max FROM fact_penduduk ORDER BY 1") == [
        (0, 4),
        (5, 9),
        (10, 14),
        (15, 17),
    ]


@pytest.mark.parametrize("bad", ["0-4-9", "10 s/d", "10 -", "10+", "10 tahun ke atas", "10-14 dan 15", "< 10"])
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_band_header_that_does_not_parse_is_an_error_naming_the_cell(data_dir, tmp_path, loaded_before, bad, fmt):
    """Each of these was dropped with a warning or read as the single age 10 ("10 -", "10+": everyone from 10 up
    loaded as 10-year-olds)."""
    heads = ["0-4", "5-9", bad]
    rows = [["TAHUN 2023"], ["Kecamatan", "Kelurahan", *heads], ["Mandonga", "Korumba", 1, 2, 3]]
    if fmt == "xlsx":
        path = book(tmp_path / "umur.xlsx", ("Data", rows, []))
    else:
        path = tmp_path / "umur.csv"
        with open(path, "w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerows(rows)
    errors = refused(path, data_dir, loaded_before)
    assert any(e.column == bad and e.row == 2 and "kelompok umur" in e.message.lower() for e in errors), [
        e.to_text() for e in errors
    ]


@pytest.mark.parametrize(
    "heads, what",
    [(["0-4", "10-14", "15-17"], "5-9"), (["0-4", "3-9", "10-17"], "bertumpuk")],
    ids=["gap", "overlap"],
)
def test_bands_with_a_gap_or_overlap_are_refused(data_dir, tmp_path, loaded_before, heads, what):
    rows = [["TAHUN 2023"], ["Kecamatan", *heads], ["Mandonga", 1, 2, 3]]
    errors = refused(book(tmp_path / "celah.xlsx", ("Data", rows, [])), data_dir, loaded_before)
    assert any(what in e.message and e.row == 2 for e in errors), [e.to_text() for e in errors]


# --- 7. Sex words from data/reference/kategori_data.csv -------------------------------------------------------


@pytest.mark.parametrize(
    "words",
    [("L", "P"), ("Lk", "Pr"), ("Laki-laki", "Perempuan"), ("Male", "Female"), ("LAKI-LAKI", "PEREMPUAN")],
)
def test_sex_words_in_wide_sub_headers_and_long_cells(data_dir, tmp_path, words):
    top = ["Kecamatan", "Kelurahan"]
    for b in BANDS:
        top += [b, None]
    wide = [["TAHUN 2023"], top, [None, None, *list(words) * 4]]
    wide += [[kec, kel, *(n(kel, i, s) for i in range(4) for s in "LP")] for kec in ["Mandonga"] for kel in KEL[kec]]
    merges = ["A2:A3", "B2:B3", "C2:D2", "E2:F2", "G2:H2", "I2:J2"]
    load_ok([book(tmp_path / "lebar.xlsx", ("Data", wide, merges))])
    expect_kelurahan(["Mandonga"])
    assert loaded_total("jenis_kelamin = 'P'") == sum(n(k, i, "P") for k in KEL["Mandonga"] for i in range(4))
    long = [["Tahun", "Kecamatan", "Kelurahan", "Jenis Kelamin", "Umur", "Jumlah"]]
    long += [
        [2023, "Kadia", kel, word, band, n(kel, i, sex)]
        for kel in KEL["Kadia"]
        for i, band in enumerate(BANDS)
        for sex, word in zip("LP", words)
    ]
    load_ok([book(tmp_path / "panjang.xlsx", ("Data", long, []))])
    expect_kelurahan(["Mandonga", "Kadia"])


def test_a_sex_spelling_added_to_kategori_data_is_read_without_code(data_dir, tmp_path, monkeypatch):
    """The task force adds "cowok"/"cewek" as rows of kategori_data.csv (a copy here): both layouts read it."""
    ref = tmp_path / "reference"
    shutil.copytree(reference.REFERENCE_DIR, ref)
    with open(ref / "kategori_data.csv", "a", encoding="utf-8") as fh:
        fh.write("jenis_kelamin,L,cowok,uji\njenis_kelamin,P,cewek,uji\n")
    monkeypatch.setattr(reference, "REFERENCE_DIR", ref)
    from etl.sources import FileInput, penduduk

    def clear():
        for f in (reference.category_list, reference._category_index, reference.columns, penduduk._sex_words):
            f.cache_clear()

    clear()
    try:
        rows = [["Tahun", "Kecamatan", "Kelurahan", "0-4 cowok", "0-4 cewek"]]
        rows.append([2023, "Mandonga", "Korumba", 7, 9])
        rows.append([2023, "Mandonga", "Labibia", 1, 2])
        path = book(tmp_path / "cowok.xlsx", ("Data", rows, []))
        report = Report()
        frames = penduduk.parse([FileInput.from_path(path)], loader.make_context(scope="74.71"), report)
        assert not report.has_errors, report.to_text()
        got = frames["fact_penduduk"].groupby("jenis_kelamin")["jumlah_anak"].sum().to_dict()
        assert got == {"L": 8, "P": 11}
    finally:
        monkeypatch.undo()
        clear()


# --- units in counts (issue 20: "120 jiwa") ---------------------------------------------------------------------
def test_counts_written_with_their_unit_load_as_written(data_dir, tmp_path):
    rows = [["Tahun", "Kecamatan", "Kelompok Umur", "Jumlah"], [2023, "Baruga", "0-4", "120 jiwa"]]
    rows += [[2023, "Baruga", "5-9", "80 orang"], ["JUMLAH", None, None, "200 jiwa"]]
    load_ok([book(tmp_path / "jiwa.xlsx", ("Data", rows, []))])
    assert loaded_total() == 200


@pytest.mark.parametrize("cell", ["12 kasus", "16 tahun", "120 kg", "sekitar 120"])
def test_a_count_with_a_unit_that_is_not_people_is_refused(data_dir, tmp_path, loaded_before, cell):
    rows = [["Tahun", "Kecamatan", "Kelompok Umur", "Jumlah"], [2023, "Baruga", "0-4", cell]]
    errors = refused(book(tmp_path / "bukan.xlsx", ("Data", rows, [])), data_dir, loaded_before)
    assert any(e.row == 2 and "Jumlah anak" in e.message for e in errors), [e.to_text() for e in errors]


def test_an_empty_count_cell_in_a_wide_table_is_refused_a_dash_is_zero(data_dir, tmp_path, loaded_before):
    """A number the file does not hold is never loaded: an empty band cell is not 0 ("-" is: BPS's none)."""
    head = ["Kecamatan", "0-4", "5-9", "10-14", "15-17"]
    empty = book(tmp_path / "kosong.xlsx", ("2023", [head, ["Baruga", 5, None, 7, 8]], []))
    errors = refused(empty, data_dir, loaded_before)
    assert any(e.row == 2 and e.column == "5-9" and "kosong" in e.message for e in errors), [
        e.to_text() for e in errors
    ]
    dash = book(tmp_path / "strip.xlsx", ("2023", [head, ["Baruga", 5, "-", 7, 8]], []))
    load_ok([dash])
    assert loaded_total("tahun = 2023") == 20


# --- Three stacked header rows ("Kelompok Umur" over "0-4" over "L") ----------------------------------------


def _three_row_header(caption: str, male: str, female: str) -> tuple[list[list], list[str]]:
    """A BPS wide table whose header has three rows: a caption over the bands, each band over L and P."""
    top = ["Kecamatan", "Kelurahan", caption, *[None] * 7]
    mid = [None, None]
    for b in BANDS:
        mid += [b, None]
    low = [None, None, *[male, female] * 4]
    rows = [["Penduduk Usia Anak Menurut Kelompok Umur dan Jenis Kelamin, 2023"], [], top, mid, low]
    rows += wide_lp_rows(["Mandonga", "Kadia"])
    merges = ["A3:A5", "B3:B5", "C3:J3", "C4:D4", "E4:F4", "G4:H4", "I4:J4"]
    return rows, merges


@pytest.mark.parametrize(
    "caption, male, female",
    [("Kelompok Umur", "L", "P"), ("Kelompok Umur/Age Group", "Laki-laki/Male", "Perempuan/Female")],
    ids=["plain", "bilingual"],
)
def test_three_row_header_in_a_merged_workbook(data_dir, tmp_path, caption, male, female):
    rows, merges = _three_row_header(caption, male, female)
    load_ok([book(tmp_path / "tiga_baris.xlsx", ("2023", rows, merges))])
    expect_kelurahan(["Mandonga", "Kadia"])


def test_three_row_header_in_a_csv_without_merges(data_dir, tmp_path):
    rows, _ = _three_row_header("Kelompok Umur", "L", "P")
    path = tmp_path / "tiga_baris.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, delimiter=";").writerows([[("" if c is None else c) for c in r] for r in rows])
    load_ok([path])
    expect_kelurahan(["Mandonga", "Kadia"])
