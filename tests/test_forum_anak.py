"""forum_anak (issue 23): the Forum Anak register, loaded from real Excel files written here.

Counts of members only: columns that name members ("Nama Ketua", "Nama Anggota", "Ketua") never reach the
warehouse; member counts by sex and by age group must agree; the area must be the forum's level; every error names
its Excel row and column, in Indonesian, and a bad file leaves the warehouse as it was.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from etl import loader, templates, warehouse
from etl.names import regions
from etl.sources import forum_anak
from tests.conftest import run_etl, sql

HEAD = [
    "No",
    "Tahun",
    "Tingkat",
    "Kecamatan",
    "Kelurahan",
    "Nama Forum",
    "Nama Ketua",
    "No SK",
    "Tanggal SK",
    "Anggota Laki-laki",
    "Anggota Perempuan",
    "Usia 6-12",
    "Usia 13-17",
    "Usia 18",
    "Nama Anggota",
    "Ketua",
    "Pelatihan KHA",
    "Aktif",
    "Kegiatan Terakhir",
    "Pembina",
    "Catatan",
]
NAMES = ("Andi Saputra", "Wa Ode Nurul", "Budi", "Citra Lestari", "Rahmat")
SK = dt.date(2019, 7, 23)


def rec(
    no, tingkat, kec, kel, name, boys, girls, ages=(None, None, None), aktif="Ya", last=dt.date(2025, 3, 15), note=None
):
    """One row of HEAD; the name columns always hold children's names (they must be dropped)."""
    return [
        no,
        2025,
        tingkat,
        kec,
        kel,
        name,
        NAMES[no % len(NAMES)],
        f"UJI-{no}/2019",
        SK,
        boys,
        girls,
        *ages,
        ", ".join(NAMES),
        NAMES[(no + 1) % len(NAMES)],
        "Ya",
        aktif,
        last,
        "DP3A",
        note,
    ]


GOOD = [
    rec(1, "Kota", None, None, "Fantari", 14, 16, (10, 18, 2)),
    rec(2, "Kecamatan", "Mandonga", None, None, 6, 6, (4, 8, 0)),
    rec(3, "Kelurahan", "Mandonga", "Korumba", "Forum Anak Kel. Korumba", 3, 3, (2, 4, 0)),
    rec(4, "Kel.", "Kec. Kadia", "Pondambea", None, 2, 4, aktif="Tidak", last="Maret 2023"),
]


def xlsx(path: Path, rows: list[list], head=HEAD, total: bool = True) -> Path:
    """Title in rows 1-2, header in row 3: the first data row is Excel row 4. A JUMLAH row adds up the members."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Forum 2025"
    ws.append(["DATA FORUM ANAK KOTA KENDARI"])
    ws.append(["DATA UJI"])
    ws.append(head)
    for r in rows:
        ws.append(r)
    if total:
        sums = [sum(r[c] or 0 for r in rows if isinstance(r[c], int)) for c in range(9, 14)]
        ws.append([None, None, "JUMLAH", None, None, None, None, None, None, *sums])
    wb.save(path)
    return path


@pytest.fixture()
def data_dir(tmp_path, monkeypatch):
    d = tmp_path / "data"
    monkeypatch.setenv("KLA_DATA_DIR", str(d))
    monkeypatch.setenv("KLA_SALT", "test-salt")
    return d


def day(value) -> dt.date:
    return pd.Timestamp(value).date()


def problems_at(report, row: int) -> list[str]:
    return [p.to_text() for p in report.errors if p.row == row]


def everything_stored(data_dir: Path) -> str:
    """Every value of every column of fact_forum_anak and meta_load, as one text."""
    parts = []
    for table in ("fact_forum_anak", "meta_load"):
        frame = sql(data_dir, f"SELECT * FROM {table}")
        parts.append(frame.astype(str).to_csv())
    return "\n".join(parts)


def test_a_register_loads_counts_only_with_the_file_totals(data_dir, tmp_path):
    path = xlsx(tmp_path / "forum.xlsx", GOOD)
    result = loader.load("forum_anak", [path], user="uji")
    assert result.ok, result.report.to_text()
    # the member names never reach the warehouse: the three name columns were dropped at read
    assert {"Nama Ketua", "Nama Anggota", "Ketua"} <= set(result.report.dropped_columns)
    stored = everything_stored(data_dir)
    assert not [n for n in NAMES if n in stored]
    got = sql(data_dir, "SELECT * FROM fact_forum_anak ORDER BY tingkat, kode_wilayah")
    assert len(got) == 4
    # the totals loaded are the file's (the JUMLAH row was checked against the rows too)
    assert got["anggota_l"].sum() == 14 + 6 + 3 + 2 and got["anggota_p"].sum() == 16 + 6 + 3 + 4
    assert got["anggota_13_17"].sum() == 18 + 8 + 4
    regs = regions()
    mandonga = regs.kecamatan("Mandonga").kode
    korumba = regs.kelurahan("Korumba", mandonga).kode
    pondambea = regs.kelurahan("Pondambea", regs.kecamatan("Kadia").kode).kode
    by_area = got.set_index("kode_wilayah")
    assert by_area.loc["74.71", "tingkat"] == "kota" and by_area.loc["74.71", "nama_forum"] == "Fantari"
    assert by_area.loc[mandonga, "tingkat"] == "kecamatan"
    assert by_area.loc[mandonga, "nama_forum"] == "Forum Anak Kecamatan Mandonga"  # blank: named after its area
    assert by_area.loc[korumba, "tingkat"] == "kelurahan"
    assert by_area.loc[pondambea, "forum_id"] == forum_anak.forum_id("kelurahan", pondambea)
    # an inactive forum, its last activity kept at month precision, ages not given stay unknown
    assert not by_area.loc[pondambea, "aktif"]
    assert day(by_area.loc[pondambea, "kegiatan_terakhir"]) == dt.date(2023, 3, 1)
    assert day(by_area.loc[korumba, "kegiatan_terakhir"]) == dt.date(2025, 3, 1)
    assert by_area[["anggota_6_12"]].loc[pondambea].isna().all()
    assert day(by_area.loc[korumba, "sk_tanggal"]) == SK and bool(by_area.loc[korumba, "pelatihan_kha"])
    # loading the same file again changes nothing
    version = warehouse.current_version()
    again = loader.load("forum_anak", [path], user="uji")
    assert again.ok and again.version != version
    assert len(sql(data_dir, "SELECT * FROM fact_forum_anak")) == 4


def test_a_bad_register_names_excel_rows_and_writes_nothing(data_dir, tmp_path):
    assert loader.load("forum_anak", [xlsx(tmp_path / "good.xlsx", GOOD)], user="uji").ok
    version = warehouse.current_version()
    before = sql(data_dir, "SELECT * EXCLUDE (load_id) FROM fact_forum_anak ORDER BY ALL")
    bad = [
        rec(1, "Kelurahan", "Mandonga", "Korumba", None, 3, 3, (2, 3, 0)),  # 6 by sex, 5 by age
        rec(2, "Kecamatan", "Mandonga", "Korumba", None, 3, 3),  # a kecamatan forum that names a kelurahan
        rec(3, "Kelurahan", "Mandonga", "Korumbaa Raya", None, 3, 3),  # no such kelurahan
        rec(4, "Kelurahan", "Kadia", "Pondambea", None, "Andi, Budi", 3),  # names where a count belongs
        rec(5, "RT", "Kadia", "Kadia", None, 3, 3),  # not a forum level
        rec(6, "Kelurahan", "Kadia", "Kadia", None, 3, 3, note="ketua 0812-3456-7890"),  # a phone number
        rec(7, "Kota", "Kadia", None, None, 3, 3),  # a kota forum in a kecamatan
        rec(8, "Kelurahan", "Kadia", "Bende", None, 3, 3, last=dt.date(2031, 1, 1)),  # activity in the future
    ]
    path = xlsx(tmp_path / "bad.xlsx", bad, total=False)
    result = loader.load("forum_anak", [path], user="uji")
    assert not result.ok and result.version is None
    report = result.report
    sheet = 'berkas bad.xlsx, sheet "Forum 2025"'
    (sums,) = problems_at(report, 4)
    assert sums.startswith(f"GALAT {sheet}, baris 4:")
    assert "Jumlah anggota tidak cocok: menurut jenis kelamin 6" in sums and "menurut kelompok umur 5" in sums
    (level,) = problems_at(report, 5)
    assert 'kolom "Kelurahan"' in level and "Tingkat kecamatan tidak cocok dengan wilayah" in level
    (unknown,) = problems_at(report, 6)
    assert 'kolom "Kelurahan"' in unknown and "Kelurahan tidak dikenal di Kecamatan Mandonga" in unknown
    (names,) = problems_at(report, 7)
    assert 'kolom "Anggota Laki-laki"' in names and "jangan menulis nama anggota" in names
    (tingkat,) = problems_at(report, 8)
    assert "Tingkat forum tidak dikenal" in tingkat and "kota, kecamatan, kelurahan" in tingkat
    (phone,) = problems_at(report, 9)
    assert 'kolom "Catatan"' in phone and "nomor telepon" in phone and "0812…7890" in phone
    assert "3456" not in report.to_text()  # the report masks it
    (kota,) = problems_at(report, 10)
    assert "Tingkat kota tidak cocok dengan wilayah" in kota
    (future,) = problems_at(report, 11)
    assert 'kolom "Kegiatan Terakhir"' in future and "masa depan" in future
    # nothing was written
    assert warehouse.current_version() == version
    after = sql(data_dir, "SELECT * EXCLUDE (load_id) FROM fact_forum_anak ORDER BY ALL")
    assert after.equals(before)


def test_codes_name_the_area_and_must_be_the_forum_level(data_dir, tmp_path):
    regs = regions()
    mandonga = regs.kecamatan("Mandonga").kode
    korumba = regs.kelurahan("Korumba", mandonga).kode
    head = ["Tahun", "Tingkat", "Kode Kecamatan", "Kode Kelurahan", "L", "P", "Jumlah Anggota"]
    rows = [
        [2025, "kelurahan", None, korumba, 3, 3, 6],
        [2025, "kecamatan", None, korumba, 3, 3, 6],  # a kelurahan code for a kecamatan forum
        [2025, "kecamatan", mandonga, None, 5, 5, 11],  # Jumlah Anggota is not L + P
    ]
    result = loader.check("forum_anak", [xlsx(tmp_path / "kode.xlsx", rows, head=head, total=False)])
    assert not result.ok
    assert problems_at(result.report, 4) == []
    (level,) = problems_at(result.report, 5)
    assert "Tingkat kecamatan tidak cocok" in level and 'kolom "Kode Kelurahan"' in level
    (total,) = problems_at(result.report, 6)
    assert 'kolom "Jumlah Anggota"' in total and "tidak sama dengan laki-laki + perempuan" in total


def test_a_register_through_the_cli_and_its_template(data_dir, tmp_path):
    template = tmp_path / "templat_forum_anak.xlsx"
    template.write_bytes(templates.template("forum_anak"))
    assert loader.guess_dataset([template]) == "forum_anak"
    proc = run_etl(data_dir, "load", "forum_anak", str(template))
    assert "Berhasil: 1 baris forum_anak dimuat" in proc.stdout, proc.stdout
    bad = xlsx(tmp_path / "bad.xlsx", [rec(1, "Kelurahan", "Mandonga", "Korumba", None, 3, 3, (1, 1, 1))])
    proc = run_etl(data_dir, "load", "forum_anak", str(bad), check=False)
    assert proc.returncode == 1
    assert "baris 4" in proc.stdout and "Jumlah anggota tidak cocok" in proc.stdout
    assert len(sql(data_dir, "SELECT * FROM fact_forum_anak")) == 1


def test_the_sample_register_is_kendaris_shape_and_loads_the_file_totals(sample_data_dir):
    from etl import sample_partisipasi

    got = sql(sample_data_dir, "SELECT * FROM fact_forum_anak")
    counts = got["tingkat"].value_counts()
    assert counts["kota"] == 1 and counts["kecamatan"] == 11 and 50 <= counts["kelurahan"] < 65
    assert got.loc[got["tingkat"] == "kota", "nama_forum"].iloc[0].startswith("Fantari")
    kel = got[got["tingkat"] == "kelurahan"]
    assert (~kel["aktif"]).sum() == sample_partisipasi.INACTIVE
    assert 5 <= (kel["anggota_l"] + kel["anggota_p"]).mean() <= 7
    plan = sample_partisipasi.forum_plan()
    assert set(kel["kode_wilayah"]) == set(plan["kelurahan"]) and not set(plan["missing"]) & set(kel["kode_wilayah"])
    # the totals loaded are those of the file's JUMLAH row
    (path,) = (sample_data_dir / "sample").glob("contoh_forum_anak_*.xlsx")
    ws = openpyxl.load_workbook(path).active
    (total,) = [r for r in ws.iter_rows(values_only=True) if r[2] == "JUMLAH"]
    assert total[8] == got["anggota_l"].sum() and total[9] == got["anggota_p"].sum()
    assert any("DATA CONTOH (SINTETIS)" in str(c.value) for row in ws.iter_rows(max_row=3) for c in row)
    assert sql(sample_data_dir, "SELECT bool_and(is_sample) AS s FROM meta_load WHERE dataset = 'forum_anak'")["s"][0]


def test_merged_member_headers_as_offices_write_them(data_dir, tmp_path):
    """ "Jumlah Anggota" merged over L and P, "Kelompok Umur" over the age groups, a JUMLAH row that adds up."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "2025"
    ws.append(["No", "Tingkat", "Kecamatan", "Kelurahan", "Jumlah Anggota", None, "Kelompok Umur", None, None, "Aktif"])
    ws.append([None, None, None, None, "L", "P", "6-12", "13-17", "18", None])
    ws.merge_cells("E1:F1")
    ws.merge_cells("G1:I1")
    for c in "ABCDJ":
        ws.merge_cells(f"{c}1:{c}2")
    ws.append([1, "Kelurahan", "Mandonga", "Korumba", 3, 4, 2, 5, 0, "Ya"])
    ws.append([2, "Kecamatan", "Mandonga", None, 6, 6, 5, 6, 1, "Ya"])
    ws.append([None, "JUMLAH", None, None, 9, 11, 7, 11, 1, None])  # 11 girls: not 4 + 6
    ws.append([None, "JUMLAH", None, None, 9, 10, 7, 11, 1, None])
    path = tmp_path / "gabung.xlsx"
    wb.save(path)
    result = loader.check("forum_anak", [path])
    assert not result.ok
    (total,) = [p.to_text() for p in result.report.errors]
    assert "baris 5" in total and "JUMLAH" in total
    ws.delete_rows(5)
    wb.save(path)
    result = loader.load("forum_anak", [path], user="uji")
    assert result.ok, result.report.to_text()
    got = sql(data_dir, "SELECT sum(anggota_l) l, sum(anggota_p) p, sum(anggota_13_17) t FROM fact_forum_anak")
    assert got.iloc[0].tolist() == [9, 10, 11]
    changes = loader.preview(loader.check("forum_anak", [path]))
    assert changes.empty  # loaded already: the preview sees no change
