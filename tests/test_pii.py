"""Personal data never enters the warehouse (issue 16, ETL side).

A hostile corpus (names in free text, NIK/KK numbers in every spelling, numeric Excel cells, phone numbers,
e-mail addresses, addresses) goes into every table dataset, as Excel and as CSV, through the real CLI:
- a file with a NIK, a phone number or an e-mail address in any kept cell is rejected, and the report names
  file, sheet, Excel row and column and shows the value masked (7471…0001, 0812…7890, s…@…), never raw;
- personal-data headers are dropped before any alias matching; place-name columns declared in
  data/reference/kolom_bukan_pii.csv stay;
- an unknown value in a yes/no column (Disabilitas) is an error, never "Ya";
- afterwards no string of the corpus is in any VARCHAR column of any warehouse version, in the version files'
  bytes, in audit.jsonl, in the temporary folder, nor in the stored warnings (which keep positions only);
- uploads on the Data page live on disk only during their check, also when the check raises.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import tempfile
from pathlib import Path

import openpyxl
import pytest

from etl import pii, read, reference, uploads, warehouse
from etl.problems import Report
from etl.read import sheets as read_sheets_mod
from etl.sources import FileInput, LoadContext, kasus
from tests.conftest import add_accounts, run_etl, sign_in, xlsx_bytes
from tests.test_data_page import frame_with

NIK_SPELLINGS = [
    "7471012345670001",
    "7471 0123 4567 0001",
    "7471.0123.4567.0001",
    "7471-0123-4567-0001",
    "7471\u00a00123\u00a04567\u00a00001",
    "7471\u202f0123\u202f4567\u202f0001",
    "7471\u20130123\u20134567\u20130001",
    "NIK korban 7471.0123.4567.0001",
    "\uff17\uff14\uff17\uff11\uff10\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff10\uff10\uff10\uff11",
    "74.71.01.234567.0001",
    "747101 234567 0001",
    "7,471012345670001E+15",
    "7471012345670001.0",
]
PHONES = [
    "0812-3456-7890",
    "+62 812 3456 7890",
    "6281234567890",
    "hubungi ibu 081234567890",
    "0812\u00a03456\u00a07890",
    "(0812) 3456-7890",
    "+62-812-3456-7890",
]
EMAILS = ["siti.aminah@gmail.com", "kontak: budi_hartono@yahoo.co.id"]
# (cell, masked form): text cells, then numeric Excel cells (int, float); a KK number
CORPUS = (
    [(v, "7471…0001") for v in NIK_SPELLINGS]
    + [("No KK 7471 0101 0101 0099", "7471…0099")]
    + [(v, "0812…7890") for v in PHONES]
    + [(EMAILS[0], "s…@…"), (EMAILS[1], "b…@…")]
)
NUMERIC = [(7471012345670001, "7471…0001"), (7.471012345670001e15, "7471…0001"), (81234567890, "0812…7890")]
NAMES = ["Siti Aminah", "Budi Hartono", "Jl. Melati No. 5 RT 03", "SDN 5 Kendari"]
# what must be found nowhere afterwards (a masked form such as 7471…0001 is fine)
NEEDLES = (
    [v for v, _ in CORPUS]
    + NAMES
    + [
        "7471012345670001",
        "0123 4567",
        "0123.4567",
        "234567",
        "34567890",
        "0101 0101",
        "812 3456",
        "812-3456",
        "8123456",
        "Aminah",
        "Hartono",
        "Melati",
        "gmail",
        "yahoo",
    ]
)

ORDINARY = [
    "2024",
    "12",
    "05/03/2024",
    "2019 2020 2021 2022",
    "01.02.2024 03.02.2024",
    "01.02.2024-03.02.2024",
    "74.71.01.1005",
    "7471011005",
    "8171011001",
    "62.71.01.1001",
    "1.250.000",
    "Rp 1.250.000 - 2.500.000",
    "-3.969345678901234",
    "122.5183456789012",
    "-3,9693456789012345",
    "-3,9693; 122,5183",
    "-3.9693456 122.51834",
    "08.12.2019 14.30",
    "0401 3123456",
    "Anggaran 125.000.000",
    "Tahun 2024: 1234 kasus, 5678 layanan",
    "Taman Bermain Korumba",
    "@dp3a_kendari",
]
ORDINARY_NUMBERS = [2024, 12.0, -3.9712, 122.5105, 7471011005, 99999999, 1250000.0]


def test_every_spelling_is_found_and_masked():
    for value, masked in CORPUS + NUMERIC:
        hit = pii.find(value)
        assert hit is not None and hit.masked == masked, (value, hit)
        assert pii.mask_value(value) != value


def test_ordinary_numbers_are_not_personal():
    for value in ORDINARY + ORDINARY_NUMBERS:
        assert pii.find(value) is None, value
        assert pii.mask_text(value) == value if isinstance(value, str) else True


def test_masking_keeps_the_rest_of_the_text():
    text = "Dampingi korban Siti Aminah, NIK 7471.0123.4567.0001, HP 0812-3456-7890, siti@x.id"
    assert pii.mask_text(text) == "Dampingi korban Siti Aminah, NIK 7471…0001, HP 0812…7890, s…@…"


# ---------------------------------------------------------------------------------------------
# every dataset, Excel and CSV, through the CLI

KEC = [
    "Mandonga",
    "Baruga",
    "Puuwatu",
    "Kadia",
    "Wua-Wua",
    "Poasia",
    "Abeli",
    "Kambu",
    "Kendari",
    "Kendari Barat",
    "Nambo",
]


def _kasus(i):
    return [
        i,
        f"REG/2024/{i:04d}",
        dt.date(2024, 3, 2),
        dt.date(2024, 3, 20),
        "Mandonga",
        "Korumba",
        "P",
        12,
        "Psikis",
        "Rumah Tangga",
        "Orang Tua",
        "Pengaduan",
        "Tidak",
    ]


# dataset: (header, row(i), the kept columns the corpus goes into, a numeric column for numeric cells, title)
DATASETS = {
    "kasus": (
        [
            "No",
            "No. Register",
            "Tanggal Kejadian",
            "Tanggal Pelaporan",
            "Kecamatan",
            "Kelurahan",
            "Jenis Kelamin",
            "Usia",
            "Bentuk Kekerasan",
            "Tempat Kejadian",
            "Hubungan Pelaku",
            "Layanan",
            "Disabilitas",
        ],
        _kasus,
        ["Tempat Kejadian", "Hubungan Pelaku", "Layanan", "No. Register"],
        "Usia",
        "REGISTER KASUS 2024",
    ),
    "penduduk": (
        ["Tahun", "Kecamatan", "Kelurahan", "Jenis Kelamin", "Kelompok Umur", "Jumlah"],
        lambda i: [2024, "Kadia", "Kadia", "LP"[i // 18 % 2], str(i % 18), 100 + i],
        ["Kelurahan"],
        "Jumlah",
        "JUMLAH ANAK 2024",
    ),
    "rbra": (
        ["Nama", "Kecamatan", "Kelurahan", "Latitude", "Longitude", "Status", "Tahun", "Fasilitas", "Pengelola"],
        lambda i: [f"Taman Uji {i}", "Mandonga", "Korumba", -3.9712, 122.5105, "RBRA", 2022, "Ayunan", "DLH"],
        ["Fasilitas", "Pengelola", "Nama"],
        "Tahun",
        "DATA RBRA",
    ),
    "indikator": (
        ["Tahun", "No", "Nilai", "OPD Pengampu", "Catatan"],
        lambda i: [2024, i, 10, "DP3A", "lengkap"],
        ["Catatan", "OPD Pengampu"],
        "Nilai",
        "NILAI KLA",
    ),
    "tindak_lanjut": (
        ["Tanggal Rapat", "Tugas", "OPD", "Tenggat", "Status", "Catatan"],
        lambda i: [dt.date(2025, 3, 1), f"Tugas uji {i}", "DP3A", dt.date(2025, 4, 1), "Proses", "-"],
        ["Tugas", "Catatan", "OPD"],
        None,
        "TINDAK LANJUT RAPAT",
    ),
    "kla_kecamatan": (
        ["Tahun", "Kecamatan", "Nilai", "Catatan"],
        lambda i: [2006 + i // 11, KEC[i % 11], 600, "-"],
        ["Catatan"],
        "Nilai",
        "PENILAIAN KLA",
    ),
    "kasus_rekap": (
        ["Tahun", "Bentuk Kekerasan", "Jumlah", "Sumber", "Satuan", "Catatan"],
        lambda i: [2000 + i, "Fisik", 5, "UPTD PPA", "kasus", "-"],
        ["Catatan", "Sumber"],
        "Jumlah",
        "REKAP KASUS",
    ),
    "wilayah": (
        ["Kode", "Nama", "Level"],
        lambda i: [f"74.71.01.19{i:02d}", f"Kelurahan Uji {i}", "kelurahan"],
        ["Nama"],
        None,
        "WILAYAH",
    ),
}


def _cell_text(v) -> str:
    if isinstance(v, (dt.date, dt.datetime)):
        return v.strftime("%d/%m/%Y")
    return "" if v is None else str(v)


def write(path: Path, head, rows, title) -> Path:
    if path.suffix == ".csv":
        with open(path, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, delimiter=";")
            w.writerows([[title], head, *[[_cell_text(v) for v in r] for r in rows]])
        return path
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    ws.append([title])
    ws.append(head)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def hostile_file(d: Path, dataset: str, fmt: str) -> tuple[Path, list[tuple[int, str, str]]]:
    """A file of `dataset` with one corpus value per row, in turn in each kept column; (path, expected) with
    expected = (Excel row, column, masked value)."""
    head, row, columns, numeric, title = DATASETS[dataset]
    cells = CORPUS + (NUMERIC if numeric and fmt == "xlsx" else [])
    rows, expected = [], []
    for i, (value, masked) in enumerate(cells, start=1):
        r = row(i)
        col = numeric if not isinstance(value, str) else columns[i % len(columns)]
        r[head.index(col)] = value
        if isinstance(value, str) and col != "No. Register" and i % 3 == 0:  # names and addresses beside
            other = [c for c in columns if c != col]
            if other:
                r[head.index(other[0])] = f"{NAMES[i % len(NAMES)]}, {NAMES[(i + 1) % len(NAMES)]}"
        rows.append(r)
        expected.append((i + 2, col, masked))  # title row, header row, then the rows
    return write(d / f"{dataset}_pribadi.{fmt}", head, rows, title), expected


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """One data folder: every dataset's clean file loaded, then every hostile file tried (rejected), then files
    whose personal data is in dropped columns or in category columns (loaded). TMPDIR is the test's own."""
    root = tmp_path_factory.mktemp("pii")
    data, tmp = root / "data", root / "tmp"
    tmp.mkdir()
    env = {"TMPDIR": str(tmp), "KLA_SALT": "uji-pii"}
    for dataset, (head, row, _, _, title) in DATASETS.items():
        run_etl(
            data, "load", dataset, str(write(root / f"{dataset}.xlsx", head, [row(i) for i in (1, 2)], title)), env=env
        )
    runs = {}
    for dataset in DATASETS:
        for fmt in ("xlsx", "csv"):
            path, expected = hostile_file(root, dataset, fmt)
            report = root / f"laporan_{dataset}_{fmt}.xlsx"
            proc = run_etl(data, "load", dataset, str(path), "--report", str(report), check=False, env=env)
            runs[dataset, fmt] = (proc, expected, report)
    accepted = {}
    for fmt in ("xlsx", "csv"):
        path = write(root / f"kasus_kolom_pribadi.{fmt}", *personal_columns_file())
        accepted[fmt] = run_etl(data, "load", "kasus", str(path), env=env)
    return {"data": data, "tmp": tmp, "runs": runs, "accepted": accepted, "root": root}


PERSONAL_HEADERS = [
    "Nama Korban",
    "NIK",
    "No KK",
    "Tempat/Tgl Lahir",
    "TTL",
    "Pelaku (Nama)",
    "Kronologis",
    "Alamat Korban",
    "No HP Orang Tua",
    "E-mail Pelapor",
    "Sekolah Korban",
]


def personal_columns_file():
    """A case register whose personal data is only in personal-data columns (dropped) and, as names, in category
    columns (stored as "Lainnya" with a warning): it loads."""
    head = [*DATASETS["kasus"][0], *PERSONAL_HEADERS]
    rows = []
    for i in range(1, 5):
        r = _kasus(100 + i)
        r[9], r[10], r[11] = f"Rumah {NAMES[0]}", NAMES[1], f"Konseling oleh {NAMES[0]}"
        r += [
            NAMES[0],
            NIK_SPELLINGS[i],
            "7471 0101 0101 0099",
            "Kendari, 12-03-2012",
            "Kendari 12/03/2012",
            NAMES[1],
            f"Korban {NAMES[0]} dipukul di {NAMES[2]}",
            NAMES[2],
            PHONES[i],
            EMAILS[0],
            NAMES[3],
        ]
        rows.append(r)
    return head, rows, "REGISTER KASUS 2024"


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("dataset", list(DATASETS))
def test_personal_data_in_any_kept_cell_rejects_the_file(hostile, dataset, fmt):
    proc, expected, report = hostile["runs"][dataset, fmt]
    out = proc.stdout
    assert proc.returncode == 1, out
    assert "Tidak ada data yang disimpan" in out
    lines = [ln for ln in out.splitlines() if "tampak seperti" in ln]
    sheet = ', sheet "Data"' if fmt == "xlsx" else ""
    for row, column, masked in expected:
        where = f'GALAT berkas {dataset}_pribadi.{fmt}{sheet}, baris {row}, kolom "{column}":'
        assert any(ln.startswith(where) and f'(nilai: "{masked}")' in ln and "muat ulang" in ln for ln in lines), (
            where,
            masked,
            out,
        )
    shown = out + proc.stderr + xlsx_text(report)
    for value, _ in CORPUS:
        assert value not in shown, value
    for raw in ("7471012345670001", "081234567890", "6281234567890", "siti.aminah@gmail.com"):
        assert raw not in shown


def xlsx_text(path: Path) -> str:
    wb = openpyxl.load_workbook(path)
    return "\n".join(str(c) for ws in wb for row in ws.iter_rows(values_only=True) for c in row if c is not None)


def test_personal_columns_are_dropped_and_names_in_categories_are_not_stored(hostile):
    for fmt, proc in hostile["accepted"].items():
        out = proc.stdout
        for header in PERSONAL_HEADERS:
            assert f'Kolom "{header}" berisi data pribadi' in out, (fmt, header)
        assert f'Nilai "Rumah {NAMES[0]}" tidak ada dalam daftar dan dicatat sebagai "Lainnya"' in out  # screen
    con = warehouse.open_file(version_files(hostile["data"])[-1])
    try:
        stored = con.execute(
            "SELECT warning_text, dropped_columns FROM meta_load WHERE dataset = 'kasus' AND warnings > 0"
        ).fetchall()
        counts = con.execute(
            "SELECT tempat_kejadian, hubungan_pelaku, count(*) FROM fact_kasus "
            "WHERE tempat_kejadian = 'Lainnya' GROUP BY ALL"
        ).fetchall()
    finally:
        con.close()
    assert counts == [("Lainnya", "Lainnya", 4)]
    assert len(stored) == 2
    for warning_text, dropped in stored:
        assert 'kolom "Tempat Kejadian"' in warning_text and "baris 3" in warning_text  # where, and the kind
        assert 'dicatat sebagai "Lainnya"' in warning_text and NAMES[0] not in warning_text
        assert "Pelaku (Nama)" in dropped


def version_files(data: Path) -> list[Path]:
    return sorted((data / "warehouse").glob("kla-*.duckdb"))


def test_no_string_of_the_corpus_is_found_anywhere(hostile):
    data = hostile["data"]
    files = version_files(data)
    assert len(files) >= len(DATASETS) + 2
    for path in files:
        con = warehouse.open_file(path)
        try:
            columns = con.execute(
                "SELECT table_name, column_name FROM information_schema.columns WHERE data_type = 'VARCHAR'"
            ).fetchall()
            for table, col in columns:
                for needle in NEEDLES:
                    n = con.execute(f'SELECT count(*) FROM "{table}" WHERE contains("{col}", ?)', [needle]).fetchone()
                    assert n[0] == 0, (path.name, table, col, needle)
        finally:
            con.close()
        raw = path.read_bytes()
        for needle in NEEDLES:
            assert needle.encode() not in raw, (path.name, needle)
    audit = (data / "audit.jsonl").read_text(encoding="utf-8")
    assert audit.count('"muat"') == len(DATASETS) + 2
    for needle in NEEDLES:
        assert needle not in audit
    assert not any(hostile["tmp"].rglob("*")), list(hostile["tmp"].rglob("*"))  # nothing left in the temp folder


def test_a_personal_number_in_the_title_rejects_the_file(tmp_path):
    head, row, *_ = DATASETS["kasus_rekap"]
    path = write(
        tmp_path / "rekap.xlsx",
        [h for h in head if h != "Sumber"],
        [row(1)[:3] + row(1)[4:]],
        "REKAP KASUS | Sumber: dr. Siti, 0812-3456-7890",
    )
    proc = run_etl(tmp_path / "data", "check", "kasus_rekap", str(path), check=False)
    assert proc.returncode == 1 and "judul tabel" in proc.stdout and "0812…7890" in proc.stdout
    assert "3456-7890" not in proc.stdout


# ---------------------------------------------------------------------------------------------
# headers: personal data before any alias; place names declared as data


def tables(path: Path, dataset: str):
    report = Report()
    spec = read.TableSpec(dataset=dataset, columns=reference.columns(dataset))
    return read.find_tables(read.read_sheets(path), spec, report), report


def test_personal_headers_are_dropped_before_alias_matching(tmp_path):
    head = [
        "No. Register",
        "Tanggal Kejadian",
        "Tanggal Pelaporan",
        "Kecamatan",
        "Jenis Kelamin",
        "Usia",
        "Bentuk Kekerasan",
        "Tempat/Tgl Lahir",
        "Pelaku (Nama)",
        "Kronologis",
        "TTL",
        "Alamat Korban",
    ]
    row = [
        "R1",
        "01/02/2024",
        "03/02/2024",
        "Kadia",
        "P",
        7,
        "Fisik",
        "Kendari, 1 Mei 2012",
        "Budi Hartono",
        "Korban dipukul",
        "Kendari 1-5-2012",
        "Jl. Melati 5",
    ]
    path = write(tmp_path / "kasus.xlsx", head, [row], "REGISTER")
    [t], report = tables(path, "kasus")
    personal = head[7:]
    assert report.dropped_columns == personal
    kinds = {p.column: p.message for p in report.warnings}
    for header in personal:
        assert "berisi data pribadi" in kinds[header], header
    assert "tempat_kejadian" not in t.columns and "hubungan_pelaku" not in t.columns  # the alias prefix lost
    assert "data pribadi (tanggal lahir)" in kinds["Tempat/Tgl Lahir"] and "(nama)" in kinds["Pelaku (Nama)"]
    assert "(uraian kasus)" in kinds["Kronologis"] and "(alamat)" in kinds["Alamat Korban"]
    flat = repr(t.records)
    for secret in row[7:]:
        assert secret not in flat


@pytest.mark.parametrize(
    "dataset,head,row,column",
    [
        (
            "rbra",
            ["Nama RBRA", "Kecamatan", "Kelurahan", "Status", "Nama Pengelola"],
            ["Taman A", "Mandonga", "Korumba", "RBRA", "Budi Hartono"],
            "nama",
        ),
        ("wilayah", ["Kode", "Nama"], ["74.71.01.1999", "Kelurahan Uji"], "nama"),
        (
            "penduduk",
            ["Tahun", "Nama Kecamatan", "Nama Kelurahan", "Jenis Kelamin", "Kelompok Umur", "Jumlah"],
            [2024, "Kadia", "Kadia", "L", "0-4", 10],
            "kelurahan",
        ),
        ("indikator", ["No", "Nama Indikator", "Nilai", "Nama OPD"], [1, "Perda KLA", 10, "DP3A"], "opd_pengampu"),
        (
            "tindak_lanjut",
            ["Tanggal Rapat", "Tugas", "Nama OPD", "Tenggat", "Status", "Nama Petugas"],
            ["01/03/2025", "Rapat", "DP3A", "01/04/2025", "Proses", "Budi Hartono"],
            "opd",
        ),
    ],
)
def test_a_dataset_keeps_its_own_place_name_columns(tmp_path, dataset, head, row, column):
    """kolom_bukan_pii.csv lists, per dataset, the exact headers that name a place, an OPD or an indicator;
    any other header with "nama" (Nama Pengelola, Nama Petugas) is personal data and dropped."""
    [t], report = tables(write(tmp_path / f"{dataset}.xlsx", head, [row], "DATA"), dataset)
    assert column in t.columns
    personal = [h for h in head if reference.pii_kind(h, dataset)]
    assert report.dropped_columns == personal
    assert all(h.startswith("Nama P") for h in personal)
    assert "Budi" not in repr(t.records)


# ---------------------------------------------------------------------------------------------
# yes/no columns


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_an_unknown_yes_no_value_is_an_error_not_ya(tmp_path, fmt):
    head, row, *_ = DATASETS["kasus"]
    rows = [row(1), row(2), row(3)]
    rows[1][12], rows[2][12] = "Siti Aminah", "kadang-kadang"
    path = write(tmp_path / f"kasus_disabilitas.{fmt}", head, rows, "REGISTER KASUS 2024")
    data = tmp_path / "data"
    proc = run_etl(data, "load", "kasus", str(path), check=False)
    assert proc.returncode == 1, proc.stdout
    for excel_row, value in ((4, "Siti Aminah"), (5, "kadang-kadang")):
        line = next(ln for ln in proc.stdout.splitlines() if f'baris {excel_row}, kolom "Disabilitas"' in ln)
        assert "tidak dikenal" in line and "Ya" in line and f'(nilai: "{value}")' in line
        assert re.search(r"salah satu dari: Tidak, Ya, Fisik", line), line
    assert not (data / "warehouse" / "CURRENT").exists()


def test_yes_no_rule_is_the_same_on_both_paths(tmp_path, monkeypatch):
    """The columnar path (DuckDB) and the row path give the same problems for personal data and yes/no cells."""
    head, row, *_ = DATASETS["kasus"]
    rows = [row(i) for i in range(1, 40)]
    for i, (value, _) in enumerate(CORPUS):
        rows[i][9 + i % 3] = value
    rows[30][12], rows[31][12] = "Siti Aminah", "ya"
    path = write(tmp_path / "register.csv", head, rows, "REGISTER KASUS 2024")
    got = []
    for columnar in (True, False):
        with monkeypatch.context() as m:
            if not columnar:
                m.setattr(read_sheets_mod, "COLUMNAR_MIN_BYTES", 1 << 60)
            report = Report()
            kasus.parse([FileInput.from_path(path)], LoadContext(user="uji", salt=b"s"), report)
        got.append([(p.level, p.message, p.row, p.column, p.value) for p in report.problems])
    assert got[0] == got[1]
    personal = [p for p in got[0] if "tampak seperti" in p[1]]
    assert len(personal) == len(CORPUS)
    assert [p[2] for p in got[0] if p[3] == "Disabilitas"] == [33]


# ---------------------------------------------------------------------------------------------
# uploads: on disk only during their check


def test_staged_uploads_are_removed_also_when_the_check_raises(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with pytest.raises(RuntimeError):
        with uploads.staged([("a b.xlsx", b"PK secret 7471012345670001")]) as (paths, names):
            assert paths[0].read_bytes().endswith(b"7471012345670001") and names == ["a b.xlsx"]
            raise RuntimeError("check failed")
    assert not any(tmp_path.iterdir())


@pytest.mark.usefixtures("fresh_streamlit_caches")
def test_a_rejected_upload_leaves_nothing_on_disk(monkeypatch, own_sample, tmp_path):
    from streamlit.testing.v1 import AppTest

    from etl import loader

    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    monkeypatch.setenv("KLA_DATA_DIR", str(own_sample))
    add_accounts(own_sample)
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.run()
    sign_in(at)
    at.switch_page("pages/data.py").run()
    head = ["Nama", "Kecamatan", "Kelurahan", "Status", "Pengelola"]
    bad = xlsx_bytes(
        head,
        [
            ["Taman A", "Mandonga", "Korumba", "RBRA", "Pak RT 7471 0123 4567 0001"],
            ["Taman B", "Mandonga", "Korumba", "RBRA", "WA 0812-3456-7890"],
        ],
        "DATA RBRA BARU",
    )
    at.file_uploader(key="upload_0").set_value(("rbra_pribadi.xlsx", bad, "application/octet-stream")).run()
    assert not at.exception
    problems = frame_with(at, "Pesan")
    assert set(problems["Nilai"]) >= {'"7471…0001"', '"0812…7890"'}
    assert "7471 0123" not in problems.to_string() and "3456-7890" not in problems.to_string()
    # the rejected upload is gone already (pymp-*: the multiprocessing forkserver's socket, when this test starts it)
    left = [p for p in temp.iterdir() if not p.name.startswith("pymp-")]
    assert not left, left
    calls = []

    def broken(*args, **kwargs):
        calls.append([p.read_bytes() for p in args[1]])
        raise RuntimeError("pemeriksaan gagal")

    monkeypatch.setattr(loader, "check", broken)
    at.selectbox(key="upload_dataset_0").set_value("wilayah").run()  # a new check, which raises
    assert calls and calls[0][0] == bad and at.exception
    left = [p for p in temp.iterdir() if not p.name.startswith("pymp-")]
    assert not left, left
    con = warehouse.connect_current()
    try:
        assert not con.execute("SELECT count(*) FROM meta_load WHERE file_name = 'rbra_pribadi.xlsx'").fetchone()[0]
    finally:
        con.close()
    events = [json.loads(line) for line in (own_sample / "audit.jsonl").read_text().splitlines()]
    assert not any("rbra_pribadi" in e["rincian"] for e in events)
