"""The columnar path for large case registers gives exactly what the row-by-row rules give.

Every CSV below is messy on purpose (title rows, column numbers, JUMLAH and note rows, blank and empty
lines, repeated headers, bad and future dates, duplicate registers, unknown kecamatan and typos, several
forms in one cell, spaces around cells, NIK-like numbers, region codes). Each is parsed twice: by the
columnar path (DuckDB reads the CSV, rules run once per distinct value) and by the row path (csv.reader,
one rule call per row, what every Excel sheet goes through); problems (message, row, column, value, in
order), counts and both fact tables must be identical.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

import pandas as pd
import pytest

from etl import read
from etl.problems import Report
from etl.read import csvfast
from etl.read import sheets as read_sheets_mod
from etl.sources import FileInput, LoadContext, kasus

TODAY = dt.date(2025, 11, 1)
SALT = b"uji-garam-0123456789abcdef"
HEADER = [
    "No",
    "No. Register",
    "Tanggal Kejadian",
    "Tanggal Pelaporan",
    "Kecamatan",
    "Kelurahan",
    "Nama Korban",
    "Jenis Kelamin",
    "Usia",
    "Bentuk Kekerasan",
    "Tempat Kejadian",
    "Hubungan Pelaku",
    "Layanan",
    "Disabilitas",
]
PLACES = [
    ("Mandonga", "Korumba"),
    ("Mandonga", "Labibia"),
    ("Kendari", "Kandai"),
    ("Kendari", "Gunung Jati"),
    ("Baruga", ""),
    ("kec. mandonga", "Alolama"),
    ("Kendari Barat", "Punggaloba"),
    ("Puuwatu", "Watulondo"),
]


def _good_row(rng: random.Random, i: int) -> list[str]:
    lapor = dt.date(2019, 1, 1) + dt.timedelta(days=rng.randrange(2000))
    kejadian = lapor - dt.timedelta(days=rng.randrange(30))
    kec, kel = rng.choice(PLACES)
    forms = rng.choice(["Fisik", "Psikis", "Fisik, Psikis", "Seksual dan Psikis", "fisik / psikologis", "Penelantaran"])
    return [
        str(i),
        f"B/{lapor.year}/{i:05d}",
        kejadian.strftime("%d/%m/%Y"),
        lapor.strftime("%d/%m/%Y"),
        kec,
        kel,
        "Anak " + str(i),
        rng.choice(["P", "L", "Perempuan", "laki-laki"]),
        str(rng.randrange(18)),
        forms,
        rng.choice(["Rumah Tangga", "Sekolah", "fasum", ""]),
        rng.choice(["Orang Tua", "Guru", "Tetangga", ""]),
        rng.choice(["Pengaduan", "Pengaduan, Kesehatan", "visum dan konseling", ""]),
        rng.choice(["Tidak", "Ya", "-", ""]),
    ]


# rows with problems (or near misses): each replaces a good row at a fixed place
BAD_ROWS = [
    ["", "B/2024/77777", "01/02/2024", "03/02/2024", "Mandonga", "Korumba", "X", "P", "12", "Fisik", "", "", "", ""],
    ["", "", "01/02/2024", "03/02/2024", "Mandonga", "Korumba", "X", "P", "12", "Fisik", "", "", "", ""],
    ["", "B/2024/80001", "31/02/2024", "03/03/2024", "Mandonga", "Korumba", "X", "P", "12", "Fisik", "", "", "", ""],
    ["", "B/2024/80002", "kemarin", "5/3/24", "Mandonga", "Korumba", "X", "P", "12", "Fisik", "", "", "", ""],
    ["", "B/2024/80003", "01/02/2030", "03/02/2031", "Mandonga", "Korumba", "X", "P", "12", "Fisik", "", "", "", ""],
    ["", "B/2024/80004", "01/02/1999", "-", "Mandonga", "Korumba", "X", "P", "12", "Fisik", "", "", "", ""],
    ["", "B/2024/80005", "05/03/2024", "01/03/2024", "Mandonga", "Korumba", "X", "P", "12", "Fisik", "", "", "", ""],
    [
        "",
        "B/2024/80006",
        "5 Maret 2024",
        "2024-03-07",
        "Kendari Barar",
        "Korumba",
        "X",
        "P",
        "12",
        "Fisik",
        "",
        "",
        "",
        "",
    ],
    ["", "B/2024/80007", "01/02/2024", "03/02/2024", "", "", "X", "P", "12", "Fisik", "", "", "", ""],
    ["", "B/2024/80008", "01/02/2024", "03/02/2024", "Mandonga", "Kandai", "X", "P", "12", "Fisik", "", "", "", ""],
    ["", "B/2024/80009", "01/02/2024", "03/02/2024", "Mandonga", "Korumba", "X", "W", "12,5", "Fisik", "", "", "", ""],
    ["", "B/2024/80010", "01/02/2024", "03/02/2024", "Mandonga", "Korumba", "X", "", "19", "Fisik", "", "", "", ""],
    [
        "",
        "B/2024/80011",
        "01/02/2024",
        "03/02/2024",
        "Mandonga",
        "Korumba",
        "X",
        "L",
        "dua",
        "Fisik, Pukulan",
        "",
        "",
        "",
        "",
    ],
    ["", "B/2024/80012", "01/02/2024", "03/02/2024", "Mandonga", "Korumba", "X", "L", "", "", "", "", "", ""],
    [
        "",
        "B/2024/80013",
        "01/02/2024",
        "03/02/2024",
        "Mandonga",
        "Korumba",
        "X",
        "L",
        "7",
        ",",
        "Kebun",
        "Pacar",
        "Pengaduan; Doa",
        "Sedang diperiksa",
    ],
    ["", "b/2024/77777 ", "01/02/2024", "03/02/2024", "Mandonga", "Korumba", "X", "P", "12", "Fisik", "", "", "", ""],
    ["", "B/2024/  77777", "01/02/2024", "03/02/2024", "Mandonga", "Korumba", "X", "P", "12", "Fisik", "", "", "", ""],
    ["", "Ré/2024/1", "01/02/2024", "03/02/2024", "Mandonga", "Korumba", "X", "P", "12", "Fisik", "", "", "", ""],
    ["", "ré/2024/1", "01/02/2024", "03/02/2024", "Mandonga", "Korumba", "X", "P", "12", "Fisik", "", "", "", ""],
    [
        "",
        "7471012345678901",
        "01/02/2024",
        "03/02/2024",
        "Mandonga",
        "Korumba",
        "X",
        "P",
        "12",
        "Fisik",
        "",
        "",
        "",
        "",
    ],
    [
        "",
        "B/2024/80014",
        "01/02/2024",
        "03/02/2024",
        "Mandonga",
        "Korumba",
        "X",
        "P",
        "12",
        "Fisik 7471 0123 4567 8902",
        "",
        "",
        "",
        "",
    ],
    [
        "",
        "B/2024/80015",
        "45000",
        "45001",
        "  Mandonga\u00a0",
        "\tKorumba ",
        "X",
        " P ",
        " 12 ",
        " Fisik ",
        "",
        "",
        "",
        "",
    ],
]


def messy_rows(n: int, seed: int = 3) -> list[list[str]]:
    """Title rows, header, column numbers, n data rows with problems, JUMLAH, note and blank rows."""
    rng = random.Random(seed)
    rows = [
        ["REGISTER KASUS KEKERASAN TERHADAP ANAK"],
        ["DINAS P3A KOTA KENDARI TAHUN 2024"],
        [],
        HEADER,
        [f"({k})" for k in range(1, len(HEADER) + 1)],
    ]
    body = [_good_row(rng, i) for i in range(1, n + 1)]
    step = max(1, n // (len(BAD_ROWS) + 1))
    for k, bad in enumerate(BAD_ROWS):
        body[(k + 1) * step - 1] = [str((k + 1) * step)] + bad[1:]
    body.insert(n // 2, [""] * len(HEADER))  # a blank row
    body.insert(n // 2, [])  # an empty line
    body.insert(n // 3, HEADER)  # header repeated after a page break
    body.insert(n // 4, ["JUMLAH", "", "", "", "", "", "", "", "999"])  # a sub-total that does not add up
    body.insert(n // 4 + 1, ["", "Sub Total", "", "", "", "", "", "", ""])
    rows += body
    rows += [
        [
            "JUMLAH",
            "",
            "",
            "",
            "Kota Kendari",
            "",
            "",
            "",
            str(sum(int(r[8]) for r in body[-5:] if len(r) > 8 and r[8].strip().isdigit())),
        ],
        [],
        ["Sumber: DP3A Kota Kendari"],
        ["Keterangan: data sintetis"],
        [";;;"],
    ]
    return rows


def write_csv(
    path: Path,
    rows: list[list[str]],
    delimiter: str = ";",
    newline: str = "\r\n",
    encoding: str = "utf-8-sig",
    quote_all: bool = False,
) -> Path:
    """A CSV as Excel writes it: fields quoted only when they must be (or all of them)."""

    def field(v: str) -> str:
        if quote_all or any(c in v for c in (delimiter, '"', "\n", "\r")):
            return '"' + v.replace('"', '""') + '"'
        return v

    text = newline.join(delimiter.join(field(v) for v in row) for row in rows) + newline
    path.write_bytes(text.encode(encoding))
    return path


def parse(paths: list[Path], columnar: bool, monkeypatch) -> tuple[Report, dict[str, pd.DataFrame], list[str]]:
    used = []
    real = kasus._check_columnar

    def spy(table, *a):
        used.append(table.file)
        return real(table, *a)

    with monkeypatch.context() as m:
        m.setattr(kasus, "_check_columnar", spy)
        if not columnar:
            m.setattr(read_sheets_mod, "COLUMNAR_MIN_BYTES", 1 << 60)
        report = Report()
        ctx = LoadContext(user="uji", salt=SALT, today=TODAY)
        frames = kasus.parse([FileInput.from_path(p) for p in paths], ctx, report)
    return report, frames, used


def _plain(frame: pd.DataFrame) -> list[tuple]:
    out = []
    for row in frame.astype(object).itertuples(index=False):
        vals = []
        for col, v in zip(frame.columns, row):
            if v is None or (not isinstance(v, (str, list)) and pd.isna(v)):
                v = None
            elif isinstance(v, pd.Timestamp):
                v = v.date()
            elif col == "usia":
                v = int(v)
            vals.append(v)
        out.append(tuple(vals))
    return out


def assert_same(paths: list[Path], monkeypatch, expect_columnar: int | None = None) -> Report:
    fast, fast_frames, used = parse(paths, True, monkeypatch)
    slow, slow_frames, slow_used = parse(paths, False, monkeypatch)
    assert not slow_used
    if expect_columnar is not None:
        assert len(used) == expect_columnar, used
    problems = [(p.level, p.message, p.file, p.sheet, p.row, p.column, p.value) for p in fast.problems]
    expected = [(p.level, p.message, p.file, p.sheet, p.row, p.column, p.value) for p in slow.problems]
    assert problems == expected
    assert (fast.rows_read, fast.rows_rejected, fast.dropped_columns, fast.notes) == (
        slow.rows_read,
        slow.rows_rejected,
        slow.dropped_columns,
        slow.notes,
    )
    assert set(fast_frames) == set(slow_frames)
    for name in slow_frames:
        assert list(fast_frames[name].columns) == list(slow_frames[name].columns)
        assert _plain(fast_frames[name]) == _plain(slow_frames[name]), name
    return fast


def test_whitespace_list_is_what_strip_removes():
    assert csvfast._WS == "".join(c for c in map(chr, range(0x110000)) if c.isspace())


def test_messy_register_same_problems_and_rows(tmp_path, monkeypatch):
    path = write_csv(tmp_path / "register.csv", messy_rows(400))
    report = assert_same([path], monkeypatch, expect_columnar=1)
    messages = " ".join(p.message for p in report.problems)
    for expected in (
        "Nomor register ganda",
        "sesudah tanggal pelaporan",
        "Kecamatan tidak dikenal",
        "NIK",
    ):
        assert expected in messages, expected
    # the cell rules (aturan_kolom/kasus.csv): each message with the column and the value it names
    found = [(p.column, p.value, p.message) for p in report.problems if p.row is not None and p.file == "register.csv"]
    for column, value, expected in (
        ("Tanggal Kejadian", "31/02/2024", "Tanggal kejadian tidak dapat dibaca"),
        ("Tanggal Kejadian", "01/02/2030", "Tanggal kejadian (01/02/2030) ada di masa depan"),
        ("Tanggal Kejadian", "01/02/1999", "Tanggal kejadian (01/02/1999) sebelum 01/01/2000"),
        ("Tanggal Pelaporan", "-", "Tanggal pelaporan kosong"),
        ("Jenis Kelamin", "W", "Jenis kelamin tidak dikenal"),
        ("Jenis Kelamin", None, "Jenis kelamin kosong"),
        ("Usia", "12,5", "Usia bukan bilangan bulat"),
        ("Usia", "19", "Usia 19 di luar rentang 0-17"),
        ("Usia", "dua", "Usia bukan angka"),
        ("Bentuk Kekerasan", "Fisik, Pukulan", 'Bentuk kekerasan "Pukulan" tidak dikenal'),
        ("Bentuk Kekerasan", ",", "Bentuk kekerasan kosong"),
        ("Tempat Kejadian", "Kebun", 'Nilai "Kebun" tidak ada dalam daftar dan dicatat sebagai "Lainnya"'),
        ("Layanan", "Pengaduan; Doa", 'Nilai "Doa" tidak ada dalam daftar dan dicatat sebagai "Lainnya"'),
        ("Disabilitas", "Sedang diperiksa", "Disabilitas tidak dikenal"),
        ("No. Register", None, "Nomor register kosong"),  # (the JUMLAH row's 999 is in Usia: not added up)
    ):
        assert any(c == column and v == value and expected in m for c, v, m in found), (column, value, expected)
    assert report.rows_rejected > 15


def test_clean_register_loads_every_row(tmp_path, monkeypatch):
    rows = [r for r in messy_rows(300) if r not in BAD_ROWS]
    rng = random.Random(5)
    rows = rows[:5] + [_good_row(rng, i) for i in range(1, 301)]
    path = write_csv(tmp_path / "bersih.csv", rows, newline="\n")
    report = assert_same([path], monkeypatch, expect_columnar=1)
    assert not report.has_errors


@pytest.mark.parametrize("variant", ["comma-quoted", "quote-all", "lf", "cp1252", "tab", "multiline"])
def test_csv_dialects(tmp_path, monkeypatch, variant):
    rows = messy_rows(150, seed=11)
    rows[60][9] = "Fisik; Psikis"
    rows[61][12] = 'Pengaduan "segera"'
    kwargs = {
        "comma-quoted": {"delimiter": ","},
        "quote-all": {"quote_all": True},
        "lf": {"newline": "\n"},
        "cp1252": {"encoding": "cp1252"},
        "tab": {"delimiter": "\t"},
        "multiline": {},
    }[variant]
    if variant == "cp1252":
        rows[70][5] = "Korumbá"
    if variant == "multiline":
        rows[80][13] = "Tidak\nada"  # a line break inside a quoted cell: csv.reader reads this file
    path = write_csv(tmp_path / f"register_{variant}.csv", rows, **kwargs)
    assert_same([path], monkeypatch, expect_columnar=0 if variant == "multiline" else 1)


def test_region_codes(tmp_path, monkeypatch):
    rows = [
        ["REGISTER"],
        [
            "No Register",
            "Tanggal Kejadian",
            "Tanggal Pelaporan",
            "Kode Kecamatan",
            "Kecamatan",
            "Kode Kelurahan",
            "Kelurahan",
            "JK",
            "Usia",
            "Bentuk Kekerasan",
        ],
    ]
    samples = [
        ("74.71.01", "Mandonga", "74.71.01.1006", "Korumba"),
        ("74.71.01", "", "", ""),
        ("7471.01", "Mandonga", "", ""),
        ("74.71.99", "Mandonga", "", ""),
        ("74.71.02", "Mandonga", "", ""),
        ("", "Kendari", "74.71.02.1009", "Kandai"),
        ("74.71.01", "", "74.71.02.1009", ""),
        ("", "", "", ""),
    ]
    for i in range(120):
        kk, kn, lk, ln = samples[i % len(samples)]
        rows.append([f"R-{i}", "01/02/2024", "03/02/2024", kk, kn, lk, ln, "P", "9", "Fisik"])
    path = write_csv(tmp_path / "kode.csv", rows)
    report = assert_same([path], monkeypatch, expect_columnar=1)
    assert report.has_errors


def test_csv_and_xlsx_in_one_load(tmp_path, monkeypatch):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["REGISTER KASUS 2024"])
    ws.append(HEADER)
    rng = random.Random(8)
    for i in range(1, 40):
        row = _good_row(rng, 900 + i)
        values_ = [
            int(row[0]),
            row[1],
            dt.datetime.strptime(row[2], "%d/%m/%Y"),
            dt.datetime.strptime(row[3], "%d/%m/%Y"),
            *row[4:8],
            int(row[8]),
            *row[9:],
        ]
        ws.append(values_)
    ws.append(
        [
            40,
            "B/2024/00001",
            dt.datetime(2024, 5, 1),
            dt.datetime(2024, 5, 2),
            "Mandonga",
            "Korumba",
            "X",
            "P",
            3.0,
            "Fisik",
        ]
    )  # the same register as in the CSV: a duplicate across files
    ws.append(
        [
            41,
            "B/2024/77777",
            dt.datetime(2024, 5, 1),
            dt.datetime(2024, 5, 2),
            "Mandonga",
            "Korumba",
            "X",
            "P",
            3.5,
            "Fisik",
        ]
    )
    xlsx = tmp_path / "register.xlsx"
    wb.save(xlsx)
    csv_rows = messy_rows(120, seed=2)
    csv_rows[10][1] = "B/2024/00001"
    first = write_csv(tmp_path / "a.csv", csv_rows)
    second = write_csv(tmp_path / "b.csv", messy_rows(90, seed=4))
    report = assert_same([first, xlsx, second], monkeypatch, expect_columnar=2)
    assert any("sudah dipakai di a.csv" in p.message for p in report.problems)
    assert any(
        "sudah dipakai di register.xlsx" in p.message or "sudah dipakai di a.csv" in p.message
        for p in report.problems
        if p.file == "b.csv"
    )


def test_large_head_and_no_title(tmp_path, monkeypatch):
    """More rows than the head the reader parses in Python; header on the first line; no problems."""
    monkeypatch.setattr(csvfast, "HEAD_BYTES", 1024)
    rng = random.Random(1)
    rows = [HEADER] + [_good_row(rng, i) for i in range(1, 3001)]
    path = write_csv(tmp_path / "besar.csv", rows)
    report = assert_same([path], monkeypatch, expect_columnar=1)
    assert report.rows_read == 3000 and not report.errors


def test_case_id_in_duckdb_matches_python(tmp_path, monkeypatch):
    registers = [
        "B/2024/1",
        "b/2024/1x",
        "B  / 2024 /  2",
        "reg-ß-1",
        "İstanbul 1",
        "x\u00a0y",
        "Tab\there",
        "ﬁ/2024",
        "'quote'",
        "a" * 200,
        "7\u0663/2024",
    ]
    rows = [["No Register", "Tanggal Kejadian", "Tanggal Pelaporan", "Kecamatan", "JK", "Usia", "Bentuk"]]
    rows += [[r, "01/02/2024", "03/02/2024", "Mandonga", "P", "4", "Fisik"] for r in registers]
    path = write_csv(tmp_path / "id.csv", rows)
    assert_same([path], monkeypatch, expect_columnar=1)
    _, frames, _ = parse([path], True, monkeypatch)
    assert list(frames["fact_kasus"]["kasus_id"]) == [kasus.case_id(r.strip(), SALT) for r in registers]


EDGE_TEXTS = {
    "empty first and last lines": "\r\nJudul\r\n\r\nNo;Nama\r\n1;a\r\n\r\n\r\n2;b\r\n\r\n",
    "no final newline": "No;Nama\n1;a\n2;b",
    "spaces and tabs": "No;Nama\n 1 ;\ta\u00a0\n2;  \n\u3000;b\n",
    "quoted delimiters": 'No;Nama\n1;"a; b"\n"2";"say ""hi"""\n3;""\n',
    "quote inside a cell": 'No;Nama\n1;ab"c\n',
    "space before a quote": 'No;Nama\n1; "a"\n',
    "line break in quotes": 'No;Nama\n1;"a\nb"\n2;c\n',
    "lone carriage return": "No;Nama\r1;a\r\n",
    "more cells than the head": "No;Nama\n" + "1;a\n" * 60 + "2;b;c;d;e;f;g;h;i;j\n",
    "comma file": 'No,Nama,Usia\n1,"Fisik, Psikis","1.234,5"\n2,b,3\n',
    "NULL text": "No;Nama\nNULL;null\n",
}


@pytest.mark.parametrize("name", sorted(EDGE_TEXTS))
def test_reader_cells_are_csv_module_cells(tmp_path, name):
    """read_sheets with a DuckDB connection gives csv.reader's rows (or declines and reads them in Python)."""
    import duckdb

    path = tmp_path / "edge.csv"
    path.write_bytes(EDGE_TEXTS[name].encode("utf-8"))
    con = duckdb.connect()
    try:
        expected = read.read_sheets(path)[0]
    except csv.Error:  # what csv.reader cannot read, the columnar reader does not read either
        with pytest.raises(csv.Error):
            read.read_sheets(path, con=con)
        return
    sheet = read.read_sheets(path, con=con)[0]
    assert (sheet.decimal, sheet.thousands) == (expected.decimal, expected.thousands)
    if sheet.cells is None:
        assert sheet.rows == expected.rows
        return
    width = sheet.cells.width
    got = {r[0]: list(r[1:]) for r in con.execute(f"SELECT * FROM {sheet.cells.name}").fetchall()}
    want = {
        i: row + [None] * (width - len(row)) for i, row in enumerate(expected.rows) if any(c is not None for c in row)
    }
    assert {i: r for i, r in got.items() if any(c is not None for c in r)} == want
    assert sheet.rows == expected.rows[: len(sheet.rows)]


def test_quote_rules():
    scan = csvfast._scan
    assert scan(b'x;"a; b";y\n', ";", 0, True) is False  # quoted delimiter: no spaces to strip
    assert scan(b'x;"a";y \n', ";", 0, True) is True  # a cell ending with a space
    assert scan(b'x;"a""b";y\n', ";", 0, True) is False
    for bad in (b'x;ab"c;y\n', b'x;"ab"c;y\n', b'x; "ab";y\n', b'x;"ab" ;y\n', b'x;"a\nb";y\n', b'"x'):
        assert scan(bad, ";", 0, True) is None, bad


def test_wide_row_below_the_head_falls_back(tmp_path, monkeypatch):
    import duckdb

    monkeypatch.setattr(csvfast, "HEAD_BYTES", 4096)
    path = tmp_path / "lebar.csv"
    path.write_text("No;Nama\n" + "1;a\n" * 40000 + "2;b;c;d;e;f;g;h;i;j\n", encoding="utf-8")
    sheet = read.read_sheets(path, con=duckdb.connect())[0]
    assert sheet.cells is None and sheet.rows == read.read_sheets(path)[0].rows
